"""Parse the text of single import cells: dates, amounts, statuses and conditions.

Each parser returns the value or raises ValueError with a message that names
the bad text and the accepted forms. The import turns it into a row error.
"""

import datetime
import enum
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from units.models import Condition, Status


class DateOrder(enum.StrEnum):
    """How to read a slash date such as 4/5/16: month first (US, Snipe-IT) or day first."""

    MDY = "mdy"
    DMY = "dmy"


DATE_ORDER_LABELS = {
    DateOrder.MDY: "Month first: 4/5/16 is 5 April 2016 (Snipe-IT, US)",
    DateOrder.DMY: "Day first: 4/5/16 is 4 May 2016",
}

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
_DOT_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # The POSIX strptime pivot: 69-99 are 1969-1999, 00-68 are 2000-2068.
        return 1900 + year if year >= 69 else 2000 + year
    return year


def parse_date(text: str, *, order: DateOrder = DateOrder.MDY) -> datetime.date:
    """Parse YYYY-MM-DD (a time part is dropped), M/D/YY, M/D/YYYY or D.M.YYYY.

    ``order`` decides only slash dates; dotted dates are always day first.
    """
    value = text.strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _SLASH_DATE.fullmatch(value):
        first, second, year_text = match.groups()
        month, day = (
            (int(first), int(second)) if order == DateOrder.MDY else (int(second), int(first))
        )
        year = _full_year(year_text)
    elif match := _DOT_DATE.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(
            f"Date {value!r} is not in a known format. Use YYYY-MM-DD, M/D/YYYY, M/D/YY "
            "or D.M.YYYY."
        )
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"Date {value!r} does not exist ({error}).") from None


def parse_amount(text: str) -> Decimal:
    """Parse a money amount such as $1,234.50, 1234.5 or 1.234,50 into a Decimal."""
    value = text.strip()
    cleaned = re.sub(r"[\s$€£¥]|USD|EUR|GBP", "", value)
    if "," in cleaned and "." in cleaned:
        if cleaned.rindex(",") > cleaned.rindex("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", cleaned):
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(
            f"Amount {value!r} is not a number. Write it like 1234.50 or $1,234.50."
        ) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"Amount {value!r} must be zero or more.")
    return amount


def parse_whole_number(text: str, *, what: str) -> int:
    value = text.strip()
    if not re.fullmatch(r"\d{1,4}", value):
        raise ValueError(f"The {what} {value!r} is not a whole number from 0 to 9999.")
    return int(value)


class StatusMapping(NamedTuple):
    status: str
    #: Condition to set, or None to keep the row's own (or the default).
    condition: str | None
    #: True when the source status is more specific than ours, so the notes keep it.
    keep_label: bool


#: Snipe-IT default status labels and InvenTree stock status codes and names
#: (InvenTree stock/status_codes.py), by normalised text. docs/import.md shows
#: the same table.
SOURCE_STATUSES: dict[str, StatusMapping] = {
    # Snipe-IT labels.
    "ready to deploy": StatusMapping(Status.IN_STOCK, None, False),
    "deployable": StatusMapping(Status.IN_STOCK, None, False),
    "deployed": StatusMapping(Status.INTERNAL_USE, None, False),
    "pending": StatusMapping(Status.INSPECTION, None, True),
    "pending diagnostics": StatusMapping(Status.INSPECTION, None, True),
    "out for diagnostics": StatusMapping(Status.INSPECTION, None, True),
    "out for repair": StatusMapping(Status.IN_SERVICE, None, True),
    "broken": StatusMapping(Status.DAMAGED, Condition.DAMAGED, False),
    "broken - not fixable": StatusMapping(Status.DISPOSED, Condition.DAMAGED, True),
    "undeployable": StatusMapping(Status.ON_HOLD, None, True),
    "archived": StatusMapping(Status.DISPOSED, None, True),
    "lost": StatusMapping(Status.DISPOSED, None, True),
    "stolen": StatusMapping(Status.DISPOSED, None, True),
    "lost/stolen": StatusMapping(Status.DISPOSED, None, True),
    # InvenTree codes and their names.
    "10": StatusMapping(Status.IN_STOCK, None, False),
    "ok": StatusMapping(Status.IN_STOCK, None, False),
    "50": StatusMapping(Status.ON_HOLD, None, True),
    "attention": StatusMapping(Status.ON_HOLD, None, True),
    "attention needed": StatusMapping(Status.ON_HOLD, None, True),
    "55": StatusMapping(Status.DAMAGED, Condition.DAMAGED, False),
    "60": StatusMapping(Status.DISPOSED, Condition.DAMAGED, True),
    "destroyed": StatusMapping(Status.DISPOSED, Condition.DAMAGED, True),
    "65": StatusMapping(Status.ON_HOLD, None, True),
    "rejected": StatusMapping(Status.ON_HOLD, None, True),
    "70": StatusMapping(Status.DISPOSED, None, True),
    "75": StatusMapping(Status.ON_HOLD, None, True),
    "quarantined": StatusMapping(Status.ON_HOLD, None, True),
    "85": StatusMapping(Status.INSPECTION, None, True),
    "returned": StatusMapping(Status.INSPECTION, None, True),
}

#: InvenTree status names, used in the notes when a numeric code is kept.
INVENTREE_CODE_NAMES = {
    "10": "OK",
    "50": "ATTENTION",
    "55": "DAMAGED",
    "60": "DESTROYED",
    "65": "REJECTED",
    "70": "LOST",
    "75": "QUARANTINED",
    "85": "RETURNED",
}


def _key(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


def parse_status(text: str) -> StatusMapping:
    """Map a status label or code from the file to this system's status.

    This system's own status values and labels ("in_stock", "In stock") are
    accepted as well, so the generic format can name any status.
    """
    key = _key(text)
    for status in Status:
        if key in {_key(status.value), _key(status.label)}:
            return StatusMapping(status.value, None, False)
    if key in SOURCE_STATUSES:
        return SOURCE_STATUSES[key]
    raise ValueError(
        f"Status {text.strip()!r} is not known. Use a Snipe-IT status label, an InvenTree "
        "status code or one of: " + ", ".join(status.label for status in Status) + "."
    )


def parse_condition(text: str) -> str:
    key = _key(text)
    for condition in Condition:
        if key in {condition.value, _key(condition.label)}:
            return condition.value
    raise ValueError(
        f"Condition {text.strip()!r} is not known. Use one of: "
        + ", ".join(condition.label for condition in Condition)
        + "."
    )


_FORMULA_START = ("+", "-", "@")


def cell_problem(text: str, *, multiline: bool = False) -> str | None:
    """Return why a cell cannot be imported as text, else None.

    Cells that a spreadsheet would run as a formula (=..., or +, - or @ followed
    by a function call) are rejected, because storing them lets a later CSV
    export carry the formula into someone's spreadsheet. Control characters are
    rejected too; ``multiline`` cells (notes) may contain tabs and line breaks.
    """
    value = text.strip()
    if value.startswith("=") or (value.startswith(_FORMULA_START) and re.search(r"[(!|]", value)):
        return (
            f"Value {value[:40]!r} looks like a spreadsheet formula. Replace it with the "
            "plain value."
        )
    allowed = {"\t", "\n", "\r"} if multiline else set()
    for char in value:
        if char not in allowed and unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co"}:
            return (
                f"Value {value[:40]!r} contains the invisible character U+{ord(char):04X}. "
                "Remove it and export the file again."
            )
    return None
