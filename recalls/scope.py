"""Recall criteria as database filters and as plain words.

``criterion_q`` turns one criterion into a ``Q`` over ``Unit``; ``recall_q``
ORs the criteria of a recall. Everything runs in the database: serial ranges
and date codes are read out of ``serial_key`` with ``Substr`` and ``Cast``
behind a regular-expression guard, which works on PostgreSQL and on SQLite
(Django registers a REGEXP function there).

Serial comparisons use ``Unit.serial_key``, the lower-case serial, so every
pattern here is lower-cased before it is compared.
"""

import datetime
import itertools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, BooleanField, Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Length, Lower, Mod, StrIndex, Substr
from django.db.models.lookups import Exact, In, Range, Regex
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from inventory.models import Product
from recalls.models import MAX_RANGE_NUMBER, RecallCriterion, RecallSerial
from units.serials import normalize_serial, serial_key

#: Date-code layouts a criterion may name. Y is a year digit (one, two or four
#: of them), MM a month 01-12, WW a week 01-53 and L a month letter A-L
#: (A = January), as A. O. Smith water heaters of 1991 carry it (MD91 = April 1991).
CODE_FORMATS = ("YYMM", "MMYY", "YYWW", "WWYY", "YWW", "YMM", "LYY", "YYL", "YYYYMM", "YYYYWW")

_MONTH_LETTERS = "abcdefghijkl"
_TOKEN_PATTERNS = {
    "M": "(0[1-9]|1[0-2])",
    "W": "(0[1-9]|[1-4][0-9]|5[0-3])",
    "L": "[a-l]",
}


@dataclass(frozen=True)
class CodeLayout:
    """Positions of the year and the period (month or week) inside a date code."""

    year_offset: int
    year_digits: int
    period_offset: int
    #: "M" for a two-digit month, "W" for a two-digit week, "L" for a month letter.
    period_kind: str
    length: int

    @property
    def is_weekly(self) -> bool:
        return self.period_kind == "W"


def code_layout(code_format: str) -> CodeLayout:
    """Return the layout of a date-code format from ``CODE_FORMATS``; raise ValueError otherwise."""
    if code_format not in CODE_FORMATS:
        raise ValueError(f"Unknown date-code format {code_format!r}")
    year_offset = code_format.index("Y")
    period_kind = next(char for char in code_format if char in "MWL")
    return CodeLayout(
        year_offset=year_offset,
        year_digits=code_format.count("Y"),
        period_offset=code_format.index(period_kind),
        period_kind=period_kind,
        length=len(code_format),
    )


def _code_regex(code_format: str, position: int) -> str:
    """Return a regular expression that admits only a well-formed code at ``position``."""
    parts = ["^", f".{{{position - 1}}}" if position > 1 else ""]
    for char, run in itertools.groupby(code_format):
        parts.append(_TOKEN_PATTERNS.get(char) or f"[0-9]{{{len(list(run))}}}")
    return "".join(parts)


# --- Parsing what a notice prints ---------------------------------------------

_SERIAL_SEPARATORS = re.compile(r"[\s,;]+")
_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def split_serial_text(text: str, *, lines_only: bool = False) -> list[str]:
    """Split a pasted or uploaded serial list from a notice into raw serials.

    Notices separate serials with single or double spaces, line breaks, commas
    or semicolons, and spreadsheet exports wrap groups in double quotes, so by
    default any run of those separates and quotes are dropped. With
    ``lines_only`` each line is one serial, for serials with inner spaces.
    """
    text = (text or "").replace('"', " " if not lines_only else "")
    pattern = r"[\r\n]+" if lines_only else _SERIAL_SEPARATORS
    return [part.strip() for part in re.split(pattern, text) if part.strip()]


def parse_serial_range(first: str, last: str) -> tuple[str, int, int, int]:
    """Split two printed range bounds such as ABC00950 and ABC01200 into parts.

    Returns (prefix, first number, last number, digit width of the first bound).
    Raises ValidationError when the bounds do not end in digits, their prefixes
    differ (compared case-insensitively), they are reversed or too large.
    """
    first_match = _TRAILING_DIGITS.match(normalize_serial(first, field="first serial"))
    last_match = _TRAILING_DIGITS.match(normalize_serial(last, field="last serial"))
    if not first_match or not last_match:
        raise ValidationError(
            _("Both ends of a serial range must end in digits, such as ABC00950 and ABC01200."),
            code="range_not_numeric",
        )
    prefix, first_digits = first_match.groups()
    last_prefix, last_digits = last_match.groups()
    if serial_key(prefix) != serial_key(last_prefix):
        raise ValidationError(
            _("The range ends have different prefixes: %(first)s and %(last)s.")
            % {"first": prefix, "last": last_prefix},
            code="range_prefix_mismatch",
        )
    first_number, last_number = int(first_digits), int(last_digits)
    if max(first_number, last_number) > MAX_RANGE_NUMBER:
        raise ValidationError(
            _("Range numbers must be below %(max)s; split the serial into prefix and number.")
            % {"max": f"{MAX_RANGE_NUMBER + 1:,}"},
            code="range_too_large",
        )
    if last_number < first_number:
        raise ValidationError(
            _("The range %(first)s to %(last)s is reversed; swap its ends.")
            % {"first": first, "last": last},
            code="range_reversed",
        )
    return prefix, first_number, last_number, len(first_digits)


def parse_notice_date(text: str) -> datetime.date | None:
    """Read a date printed as YYYY-MM-DD; all-zero placeholders mean unknown and give None.

    Agency records print an unknown build date as 0000-00-00, which is not a
    date in year 0.
    """
    text = (text or "").strip()
    if not text or set(text) <= {"0", "-"}:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise ValidationError(
            _("%(value)s is not a date in the form YYYY-MM-DD.") % {"value": text},
            code="invalid_date",
        ) from error


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _wildcard_regex(pattern: str) -> str:
    wildcards = {"*": ".*", "?": "."}
    translated = [wildcards.get(char) or re.escape(char) for char in pattern]
    return "^" + "".join(translated) + "$"


# --- Validation ---------------------------------------------------------------


def _range_problems(criterion: RecallCriterion) -> dict[str, str]:
    problems: dict[str, str] = {}
    bounds = (criterion.range_first, criterion.range_last)
    if (bounds[0] is None) != (bounds[1] is None):
        problems["range_last"] = _("Give both the first and the last number of the range.")
    elif bounds[0] is None and (criterion.range_prefix or criterion.range_exact_width):
        problems["range_first"] = _("A range prefix or width needs the range numbers too.")
    if criterion.range_exact_width and not criterion.range_width:
        problems["range_width"] = _("Give the digit count that the serials must have exactly.")
    exact = criterion.range_exact_width and criterion.range_width
    if exact and bounds[1] is not None and len(str(bounds[1])) > criterion.range_width:
        problems["range_width"] = _("The last number has more digits than the width %(width)d.") % {
            "width": criterion.range_width
        }
    return problems


def _code_problems(criterion: RecallCriterion) -> dict[str, str]:
    values = (
        criterion.code_position,
        criterion.code_format,
        criterion.code_first,
        criterion.code_last,
    )
    if not any(value not in (None, "") for value in values):
        return {}
    if any(value in (None, "") for value in values):
        return {"code_format": _("A date code needs its position, format, first and last period.")}
    if criterion.code_format not in CODE_FORMATS:
        return {
            "code_format": _("Unknown date-code format %(format)s; use one of %(formats)s.")
            % {"format": criterion.code_format, "formats": ", ".join(CODE_FORMATS)}
        }
    layout = code_layout(criterion.code_format)
    highest_period = 53 if layout.is_weekly else 12
    problems: dict[str, str] = {}
    for field in ("code_first", "code_last"):
        period = getattr(criterion, field) % 100
        if not 1 <= period <= highest_period:
            problems[field] = _(
                "Write the period as year * 100 + %(kind)s (1 to %(highest)d), such as 200712."
            ) % {"kind": _("week") if layout.is_weekly else _("month"), "highest": highest_period}
    span = criterion.code_last // 100 - criterion.code_first // 100
    if not problems and span >= 10**layout.year_digits:
        problems["code_last"] = _(
            "A %(digits)d-digit year cannot tell apart the years of a %(span)d-year window; "
            "split it into several criteria."
        ) % {"digits": layout.year_digits, "span": span + 1}
    return problems


def criterion_problems(criterion: RecallCriterion, *, has_related_parts: bool = False) -> None:
    """Raise a field-keyed ValidationError when the criterion is incomplete or contradictory.

    ``has_related_parts`` tells whether products, host products or serials are
    given, which an unsaved criterion cannot hold yet.
    """
    problems = {**_range_problems(criterion), **_code_problems(criterion)}
    if criterion.pk and not has_related_parts:
        has_related_parts = (
            criterion.products.exists()
            or criterion.host_products.exists()
            or criterion.serials.exists()
        )
    own_parts = (
        criterion.model_patterns.strip(),
        criterion.serial_prefixes.strip(),
        criterion.serial_length,
        criterion.range_first is not None,
        criterion.code_format,
        criterion.manufactured_from,
        criterion.manufactured_until,
        criterion.received_from,
        criterion.received_until,
        criterion.supplier_id,
        criterion.receipt_id,
        criterion.lots.strip(),
    )
    if not has_related_parts and not any(own_parts):
        problems["__all__"] = _(
            "The criterion has no condition, so it would match every unit. "
            "Give at least a product, serials, a range, a date or a lot."
        )
    if problems:
        raise ValidationError(problems)


# --- Filters ------------------------------------------------------------------


def _product_q(criterion: RecallCriterion) -> Q | None:
    product_ids = [product.pk for product in criterion.products.all()]
    patterns = [_wildcard_regex(pattern) for pattern in _lines(criterion.model_patterns)]
    alternatives = []
    if product_ids:
        alternatives.append(Q(product_id__in=product_ids))
    if patterns:
        by_pattern = Product.objects.filter(model_number__iregex="|".join(patterns))
        alternatives.append(Q(product_id__in=by_pattern.values("pk")))
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else alternatives[0] | alternatives[1]


def _guarded(guard: str, condition: Range, source: object = None) -> Case:
    """Return CASE WHEN source ~ guard THEN condition ELSE false END.

    CASE keeps the casts in ``condition`` from running on rows the guard
    rejects, because PostgreSQL does not promise to evaluate the parts of an
    AND from left to right. Inside one CASE the guard and the casts also run
    once per row, where a BETWEEN over a CASE value would run them twice.
    """
    return Case(
        When(Regex(source or F("serial_key"), guard), then=condition),
        default=Value(False),
        output_field=BooleanField(),
    )


def _prefix_successor(prefix: str) -> str:
    """Return the smallest string above every string that starts with ``prefix``.

    Valid for byte-wise (code point) order, which ``serial_key`` has: COLLATE
    "C" on PostgreSQL and the default BINARY collation on SQLite.
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _range_bounds(criterion: RecallCriterion, prefix: str) -> Q | None:
    """Return serial_key bounds that every serial in the range lies within, or None.

    The bounds let PostgreSQL read the range from the btree index on
    serial_key instead of running the guard on every row. With an exact width
    the digits sort as the numbers do, so the bounds are the first and last
    serial. Otherwise only the prefix can bound them, because ABC950 and
    ABC000950 are the same number.
    """
    if criterion.range_exact_width and criterion.range_width:
        width = criterion.range_width
        return Q(
            serial_key__gte=f"{prefix}{criterion.range_first:0{width}d}",
            serial_key__lte=f"{prefix}{criterion.range_last:0{width}d}",
        )
    if prefix:
        return Q(serial_key__gte=prefix, serial_key__lt=_prefix_successor(prefix))
    return None


def _range_q(criterion: RecallCriterion) -> Q:
    prefix = serial_key(criterion.range_prefix)
    # The guard admits only a digit string after the prefix whose value has at
    # most 18 significant digits, so the cast below cannot fail or overflow
    # bigint. Leading zeros beyond that are allowed. An exact width of up to 18
    # digits needs no look-ahead, which PostgreSQL's regex engine runs slowly.
    width = criterion.range_width if criterion.range_exact_width else None
    if width and width <= 18:
        digits = f"[0-9]{{{width}}}"
    elif width:
        digits = f"(?=[0-9]{{{width}}}$)0*[0-9]{{1,18}}"
    else:
        digits = "0*[0-9]{1,18}"
    guard = f"^{re.escape(prefix)}{digits}$"
    number = Cast(Substr("serial_key", len(prefix) + 1), BigIntegerField())
    q = Q(_guarded(guard, Range(number, (criterion.range_first, criterion.range_last))))
    bounds = _range_bounds(criterion, prefix)
    return q if bounds is None else bounds & q


def _code_q(criterion: RecallCriterion) -> Q:
    layout = code_layout(criterion.code_format)
    position = criterion.code_position
    source = F("serial_key") if criterion.code_source == "serial" else Lower("lot")
    modulus = 10**layout.year_digits
    base_year = criterion.code_first // 100

    year_digits = Cast(
        Substr(source, position + layout.year_offset, layout.year_digits), IntegerField()
    )
    # A short year is read as the year in [base_year, base_year + modulus)
    # that ends in those digits, so the code 0 after 9 is the next decade.
    shifted = year_digits - Value(base_year % modulus) + Value(modulus)
    year = Value(base_year) + Mod(shifted, modulus, output_field=IntegerField())
    if layout.period_kind == "L":
        period = StrIndex(Value(_MONTH_LETTERS), Substr(source, position + layout.period_offset, 1))
    else:
        period = Cast(Substr(source, position + layout.period_offset, 2), IntegerField())
    key = year * Value(100) + period
    guard = _code_regex(criterion.code_format, position)
    return Q(_guarded(guard, Range(key, (criterion.code_first, criterion.code_last)), source))


def _serial_q(criterion: RecallCriterion) -> list[Q]:
    parts = []
    if _serial_count(criterion):
        listed = RecallSerial.objects.filter(criterion_id=criterion.pk).values("serial_key")
        parts.append(Q(serial_key__in=listed))
    prefixes = [serial_key(prefix) for prefix in _lines(criterion.serial_prefixes)]
    if prefixes:
        any_prefix = Q()
        for prefix in prefixes:
            any_prefix |= Q(serial_key__startswith=prefix)
        parts.append(any_prefix)
    if criterion.serial_length:
        parts.append(Q(Exact(Length("serial_key"), criterion.serial_length)))
    if criterion.range_first is not None:
        parts.append(_range_q(criterion))
    if criterion.code_format and criterion.code_source == "serial":
        parts.append(_code_q(criterion))
    return parts


def _other_q(criterion: RecallCriterion) -> list[Q]:
    parts = []
    host_ids = [product.pk for product in criterion.host_products.all()]
    if host_ids:
        parts.append(Q(installed_in__product_id__in=host_ids))
    if criterion.manufactured_from:
        parts.append(Q(manufactured_on__gte=criterion.manufactured_from))
    if criterion.manufactured_until:
        parts.append(Q(manufactured_on__lte=criterion.manufactured_until))
    if criterion.received_from:
        parts.append(Q(received_on__gte=criterion.received_from))
    if criterion.received_until:
        parts.append(Q(received_on__lte=criterion.received_until))
    if criterion.supplier_id:
        parts.append(Q(supplier_id=criterion.supplier_id))
    if criterion.receipt_id:
        parts.append(Q(receipt_id=criterion.receipt_id))
    lots = [lot.lower() for lot in _lines(criterion.lots)]
    if lots:
        parts.append(Q(In(Lower("lot"), lots)))
    if criterion.code_format and criterion.code_source == "lot":
        parts.append(_code_q(criterion))
    return parts


def criterion_q(criterion: RecallCriterion) -> Q | None:
    """Return the filter over Unit for one criterion: every given part must hold.

    Returns None for a criterion without any part, which matches nothing
    rather than everything.
    """
    parts = [_product_q(criterion), *_serial_q(criterion), *_other_q(criterion)]
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined &= part
    return combined


def recall_q(criteria: list[RecallCriterion]) -> Q | None:
    """Return the OR of the criteria's filters, or None when no criterion has a part."""
    combined = None
    for criterion in criteria:
        q = criterion_q(criterion)
        if q is not None:
            combined = q if combined is None else combined | q
    return combined


# --- Plain words --------------------------------------------------------------


def _or_list(values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    return _("%(head)s or %(last)s") % {"head": ", ".join(values[:-1]), "last": values[-1]}


def _serial_count(criterion: RecallCriterion) -> int:
    count = getattr(criterion, "serial_count", None)
    return criterion.serials.count() if count is None and criterion.pk else count or 0


def _describe_period(layout: CodeLayout, value: int) -> str:
    year, period = divmod(value, 100)
    if layout.is_weekly:
        return _("week %(week)d of %(year)d") % {"week": period, "year": year}
    return f"{MONTHS[period]} {year}"


def _describe_window(what: str, first: datetime.date | None, last: datetime.date | None) -> str:
    if first and last:
        return _("%(what)s %(first)s to %(last)s") % {"what": what, "first": first, "last": last}
    if first:
        return _("%(what)s on or after %(first)s") % {"what": what, "first": first}
    return _("%(what)s on or before %(last)s") % {"what": what, "last": last}


def _describe_range(criterion: RecallCriterion) -> str:
    width = criterion.range_width or 0
    first = f"{criterion.range_prefix}{criterion.range_first:0{width}d}"
    last = f"{criterion.range_prefix}{criterion.range_last:0{width}d}"
    if criterion.range_prefix:
        how = _("prefix %(prefix)s, numbers compared as numbers") % {
            "prefix": criterion.range_prefix
        }
    else:
        how = _("no prefix, numbers compared as numbers")
    if criterion.range_exact_width and width:
        how += _(", exactly %(width)d digits") % {"width": width}
    return _("serials %(first)s to %(last)s (%(how)s)") % {"first": first, "last": last, "how": how}


def _describe_code(criterion: RecallCriterion) -> str:
    layout = code_layout(criterion.code_format)
    start = criterion.code_position
    return _(
        "%(source)s characters %(start)d-%(end)d read as %(format)s from %(first)s to %(last)s"
    ) % {
        "source": _("serial") if criterion.code_source == "serial" else _("lot"),
        "start": start,
        "end": start + layout.length - 1,
        "format": criterion.code_format,
        "first": _describe_period(layout, criterion.code_first),
        "last": _describe_period(layout, criterion.code_last),
    }


def _describe_parts(criterion: RecallCriterion) -> list[str]:
    parts = []
    products = (
        [product.model_number for product in criterion.products.all()] if criterion.pk else []
    )
    patterns = _lines(criterion.model_patterns)
    if products or patterns:
        pieces = []
        if products:
            pieces.append(_("product %(models)s") % {"models": _or_list(products)})
        if patterns:
            pieces.append(
                _("model number matching %(patterns)s") % {"patterns": _or_list(patterns)}
            )
        parts.append(_(" or ").join(pieces))
    hosts = (
        [product.model_number for product in criterion.host_products.all()] if criterion.pk else []
    )
    if hosts:
        parts.append(_("fitted in an assembly of product %(models)s") % {"models": _or_list(hosts)})
    count = _serial_count(criterion)
    if count:
        parts.append(
            _("serial on the list of %(count)d") % {"count": count}
            if count > 1
            else _("the one listed serial")
        )
    prefixes = _lines(criterion.serial_prefixes)
    if prefixes:
        parts.append(_("serial starting with %(prefixes)s") % {"prefixes": _or_list(prefixes)})
    if criterion.serial_length:
        parts.append(_("serial %(length)d characters long") % {"length": criterion.serial_length})
    if criterion.range_first is not None:
        parts.append(_describe_range(criterion))
    if criterion.code_format:
        parts.append(_describe_code(criterion))
    if criterion.manufactured_from or criterion.manufactured_until:
        parts.append(
            _describe_window(
                _("manufactured"), criterion.manufactured_from, criterion.manufactured_until
            )
        )
    if criterion.received_from or criterion.received_until:
        parts.append(
            _describe_window(_("received"), criterion.received_from, criterion.received_until)
        )
    if criterion.supplier_id:
        parts.append(_("supplied by %(supplier)s") % {"supplier": criterion.supplier.name})
    if criterion.receipt_id:
        parts.append(_("received on receipt %(receipt)s") % {"receipt": criterion.receipt.number})
    lots = _lines(criterion.lots)
    if lots:
        parts.append(_("lot %(lots)s") % {"lots": _or_list(lots)})
    return parts


def describe_criterion(criterion: RecallCriterion) -> str:
    """Return the criterion in plain words: its parts joined by "and", first letter capitalised."""
    parts = _describe_parts(criterion)
    if not parts:
        return _("No condition (matches no unit)")
    text = _(" and ").join(parts)
    return text[0].upper() + text[1:]
