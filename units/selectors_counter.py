"""Read queries for the counter pages, the customer page and the warranty report.

The queries of the customer page and the unit page run a fixed number of
queries whatever the number of rows, and their tests pin the counts.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, DateField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Least, Replace

from inventory.models import Party
from units.models import Ownership, Sale, SaleLine, Unit
from units.sales import sale_refusal as _sale_rule
from units.serials import normalize_serial, serial_key
from units.warranty import WarrantyStatus, warranty_status
from units.workflow import SELLABLE_STATUSES

#: Maximum number of customers offered by one customer search.
CUSTOMER_SEARCH_LIMIT = 50

#: Characters people type between the digits of a phone number.
PHONE_SEPARATORS = (" ", "-", "(", ")", ".", "/")


# --- Customers -----------------------------------------------------------------


def customer_search(text: str, *, limit: int = CUSTOMER_SEARCH_LIMIT) -> list[Party]:
    """Return customers whose name, phone or e-mail contains ``text``; recent ones when blank."""
    text = (text or "").strip()
    customers = Party.objects.filter(is_customer=True)
    if not text:
        return list(customers.order_by("-created_at", "-pk")[:limit])
    condition = Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4:
        # Phones are stored as typed, so "555 0101" must also find "555-0101".
        customers = customers.annotate(phone_digits=_digits_only(F("phone")))
        condition |= Q(phone_digits__contains=digits)
    return list(customers.filter(condition).order_by("name", "pk")[:limit])


def _digits_only(expression):
    for separator in PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


@dataclass(frozen=True)
class OwnedUnit:
    unit: Unit
    warranty: WarrantyStatus
    #: The ownership period of this customer; None for a unit owned before chains were kept.
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None


@dataclass(frozen=True)
class CustomerUnits:
    current: list[OwnedUnit]
    former: list[OwnedUnit]


def customer_units(party: Party, *, on: datetime.date, limit: int = 500) -> CustomerUnits:
    """Return the units a party owns now and the ones it owned before, with warranty on ``on``."""
    current_units = list(
        Unit.objects.filter(owner=party)
        .select_related("product", "location")
        .order_by("serial_sort", "pk")[:limit]
    )
    started = dict(
        Ownership.objects.filter(
            owner=party, ended_on__isnull=True, unit__in=[u.pk for u in current_units]
        ).values_list("unit_id", "started_on")
    )
    current = [
        OwnedUnit(unit=u, warranty=warranty_status(u, on), started_on=started.get(u.pk))
        for u in current_units
    ]
    past_periods = (
        Ownership.objects.filter(owner=party, ended_on__isnull=False)
        .exclude(unit__owner=party)
        .select_related("unit", "unit__product", "unit__owner")
        .order_by("-ended_on", "-pk")[:limit]
    )
    former = [
        OwnedUnit(
            unit=period.unit,
            warranty=warranty_status(period.unit, on),
            started_on=period.started_on,
            ended_on=period.ended_on,
        )
        for period in past_periods
    ]
    return CustomerUnits(current=current, former=former)


def sales_with_totals() -> QuerySet[Sale]:
    """Return sales with their customer, line count and invoiced total (returned lines included)."""
    return Sale.objects.select_related("customer").annotate(
        line_count=Count("lines"), total=Sum("lines__price")
    )


def customer_sales(party: Party, *, limit: int = 200) -> list[Sale]:
    return list(sales_with_totals().filter(customer=party).order_by("-sold_on", "-pk")[:limit])


# --- Sales -----------------------------------------------------------------------


def sale_search(text: str) -> QuerySet[Sale]:
    """Return sales whose invoice number or customer contains ``text``, or that sold a serial equal to it."""
    sales = sales_with_totals().order_by("-sold_on", "-pk")
    text = (text or "").strip()
    if not text:
        return sales
    condition = Q(invoice_number__icontains=text) | Q(customer__name__icontains=text)
    try:
        key = serial_key(normalize_serial(text, field="search text"))
    except ValidationError:
        key = None  # text that is no valid serial matches no serial
    if key:
        # A subquery keeps the line count and total over all lines of each sale;
        # filtering through the join would count only the matching line.
        condition |= Q(pk__in=SaleLine.objects.filter(unit__serial_key=key).values("sale_id"))
    return sales.filter(condition)


def sale_lines(sale: Sale) -> list[SaleLine]:
    return list(sale.lines.select_related("unit", "unit__product", "ended_by").order_by("pk"))


# --- Scanning at the counter -------------------------------------------------------


def is_sellable(unit: Unit) -> bool:
    return unit.status in SELLABLE_STATUSES and not unit.installed_in_id


def sale_refusal(unit: Unit) -> str | None:
    """Return why ``unit`` cannot be sold, in the words sale_create uses, or None."""
    return _sale_rule(unit)


def lookup_match(unit: Unit) -> dict:
    """Return one scan match as the JSON object the sale page reads."""
    return {
        "id": unit.pk,
        "serial": unit.serial,
        "product": unit.product.name,
        "model_number": unit.product.model_number,
        "condition": unit.condition,
        "condition_label": unit.get_condition_display(),
        "status": unit.status,
        "status_label": unit.get_status_display(),
        "sellable": is_sellable(unit),
        "refusal": sale_refusal(unit),
        "list_price": str(unit.product.list_price) if unit.product.list_price is not None else None,
    }


def units_by_id(unit_ids: list[int]) -> dict[int, Unit]:
    units = Unit.objects.filter(pk__in=unit_ids).select_related("product")
    return {u.pk: u for u in units}


# --- The unit page -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCounterFacts:
    warranty: WarrantyStatus
    owners: list[Ownership]
    sale_lines: list[SaleLine]
    installed_parts: list[Unit]


def unit_counter_facts(unit: Unit, *, on: datetime.date) -> UnitCounterFacts:
    """Return the warranty, chain of owners, sale lines and installed parts of one unit."""
    return UnitCounterFacts(
        warranty=warranty_status(unit, on),
        owners=list(unit.ownerships.select_related("owner", "sale").order_by("started_on", "pk")),
        sale_lines=list(
            unit.sale_lines.select_related("sale", "sale__customer", "ended_by").order_by(
                "sale__sold_on", "pk"
            )
        ),
        installed_parts=list(
            unit.installed_parts.select_related("product").order_by("serial_sort", "pk")
        ),
    )


# --- Warranty report -------------------------------------------------------------------

#: A date after every real warranty end, used for "no end in the window". A NULL
#: there would make SQLite's LEAST() return NULL, while PostgreSQL's skips NULLs.
_NO_END = datetime.date(9999, 12, 31)

WARRANTY_FIELDS = (
    ("warranty_parts_until", "Parts"),
    ("warranty_labour_until", "Labour"),
    ("extended_warranty_until", "Extended"),
)

WARRANTY_SORTS = {
    "end": ("ends_on", "serial_sort", "pk"),
    "-end": ("-ends_on", "serial_sort", "pk"),
    "serial": ("serial_sort", "pk"),
    "owner": ("owner__name", "ends_on", "pk"),
}


def _end_in_window(field: str, start: datetime.date, end: datetime.date) -> Case:
    return Case(
        When(**{f"{field}__gte": start, f"{field}__lte": end}, then=F(field)),
        default=Value(_NO_END),
        output_field=DateField(),
    )


def warranty_ending(*, today: datetime.date, days: int, sort: str = "end") -> QuerySet[Unit]:
    """Return units whose parts, labour or extended warranty ends within ``days`` from ``today``.

    Each unit carries ``ends_on``, the first of its warranty ends inside the
    window. Units without an owner (returned to the shop) are left out,
    because their warranty ended with the return.
    """
    last = today + datetime.timedelta(days=days)
    in_window = Q()
    for field, _label in WARRANTY_FIELDS:
        in_window |= Q(**{f"{field}__gte": today, f"{field}__lte": last})
    order = WARRANTY_SORTS.get(sort, WARRANTY_SORTS["end"])
    return (
        Unit.objects.filter(in_window, owner__isnull=False)
        .annotate(
            ends_on=Least(*(_end_in_window(field, today, last) for field, _ in WARRANTY_FIELDS))
        )
        .select_related("product", "owner")
        .order_by(*order)
    )


def warranty_ends(
    unit: Unit, *, today: datetime.date, days: int
) -> list[tuple[str, datetime.date]]:
    """Return the (kind, date) warranty ends of ``unit`` that fall inside the report window."""
    last = today + datetime.timedelta(days=days)
    ends = []
    for field, label in WARRANTY_FIELDS:
        value = getattr(unit, field)
        if value is not None and today <= value <= last:
            ends.append((label, value))
    return ends
