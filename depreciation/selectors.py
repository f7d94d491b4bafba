"""Reads for the cost, margin, fleet and rental pages; each runs a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from depreciation.models import AssetPeriod, MeterReading, Rental, UnitCost
from units.models import Purpose, SaleLine, Status, Unit

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)

#: Sale lines ended by these kinds never were sales (a return or a stocktake
#: correction), so they carry no margin. A bought-back line was a real sale.
NOT_SALES = [SaleLine.EndKind.RETURN, SaleLine.EndKind.CORRECTION]

#: Grouping choices of the margin report, by key.
MARGIN_GROUPS = {
    "product": "Product",
    "category": "Category",
    "month": "Month of sale",
}


def total_investment(unit: Unit, *, as_of: datetime.date | None = None) -> Decimal:
    """Return the sum of the unit's cost entries, dated on or before ``as_of`` when given."""
    entries = UnitCost.objects.filter(unit=unit)
    if as_of is not None:
        entries = entries.filter(entry_date__lte=as_of)
    return entries.aggregate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))[
        "total"
    ]


def unit_costs(unit: Unit) -> list[UnitCost]:
    """Return the unit's ledger in date order, with who entered each row and any reversal."""
    return list(
        UnitCost.objects.filter(unit=unit)
        .select_related("created_by", "reverses", "reversed_by")
        .order_by("entry_date", "pk")
    )


def unit_rentals(unit: Unit) -> list[Rental]:
    return list(
        Rental.objects.filter(unit=unit)
        .select_related("customer", "created_by", "returned_by")
        .order_by("-starts_on", "-pk")
    )


def unit_asset_summary(unit: Unit) -> dict:
    """Return the context of ``depreciation/_unit_assets.html`` in three queries.

    Keys: ``costs`` (ledger rows), ``total_investment``, ``rentals`` (newest
    first) and ``asset_period`` (the open one, or None).
    """
    costs = unit_costs(unit)
    return {
        "costs": costs,
        "total_investment": sum((entry.amount for entry in costs), ZERO),
        "rentals": unit_rentals(unit),
        "asset_period": AssetPeriod.objects.filter(unit=unit, ended_on__isnull=True).first(),
    }


# --- Margins ---------------------------------------------------------------------------


def _investment_at_sale() -> Coalesce:
    """Build the SQL expression for the sum of the unit's cost entries up to the sale date."""
    total = (
        UnitCost.objects.filter(unit=OuterRef("unit"), entry_date__lte=OuterRef("sale__sold_on"))
        .order_by()
        .values("unit")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


@dataclass(frozen=True)
class MarginFilter:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    product_id: int | None = None
    category_id: int | None = None


def _filtered_lines(filters: MarginFilter) -> QuerySet[SaleLine]:
    lines = SaleLine.objects.exclude(end_kind__in=NOT_SALES)
    if filters.date_from:
        lines = lines.filter(sale__sold_on__gte=filters.date_from)
    if filters.date_to:
        lines = lines.filter(sale__sold_on__lte=filters.date_to)
    if filters.product_id:
        lines = lines.filter(unit__product_id=filters.product_id)
    if filters.category_id:
        lines = lines.filter(unit__product__category_id=filters.category_id)
    return lines


def sold_lines(filters: MarginFilter) -> QuerySet[SaleLine]:
    """Return sale lines with ``investment`` (as of the sale date) and ``margin`` annotated."""
    return (
        _filtered_lines(filters)
        .annotate(investment=_investment_at_sale())
        .annotate(margin=F("price") - F("investment"))
    )


def _margin_sums() -> dict:
    # The subquery is summed as an expression rather than through an
    # annotation, because Django cannot refer to an annotation by name in
    # GROUP BY queries built with values().
    return {
        "units": Count("pk"),
        "revenue": Sum("price"),
        "investment": Sum(_investment_at_sale()),
        "margin": Sum(F("price") - _investment_at_sale(), output_field=_MONEY),
    }


def margin_report(filters: MarginFilter, *, group_by: str = "product") -> dict:
    """Return margin rows grouped by product, category or month, and the totals, in two queries.

    Each row and the totals hold ``units``, ``revenue``, ``investment`` and ``margin``.
    """
    lines = _filtered_lines(filters)
    if group_by == "category":
        grouped = lines.values(
            group_id=F("unit__product__category_id"), label=F("unit__product__category__name")
        )
    elif group_by == "month":
        grouped = lines.annotate(month=TruncMonth("sale__sold_on")).values(
            group_id=F("month"), label=F("month")
        )
    else:
        grouped = lines.values(
            group_id=F("unit__product_id"), label=F("unit__product__model_number")
        )
    rows = list(grouped.annotate(**_margin_sums()).order_by("label"))
    totals = lines.aggregate(**_margin_sums())
    for key in ("revenue", "investment", "margin"):
        totals[key] = totals[key] if totals[key] is not None else ZERO
    return {"rows": rows, "totals": totals}


def margin_lines(filters: MarginFilter) -> QuerySet[SaleLine]:
    """Return the sold lines of the report, one per unit, for the detail table and CSV."""
    return (
        sold_lines(filters)
        .select_related("sale", "unit", "unit__product", "unit__product__category")
        .order_by("sale__sold_on", "sale__invoice_number", "pk")
    )


# --- Fleet, internal use and meters ----------------------------------------------------------


def _last_meter() -> Subquery:
    latest = MeterReading.objects.filter(unit=OuterRef("pk")).order_by("-read_on", "-pk")
    return Subquery(latest.values("value")[:1], output_field=_MONEY)


def rental_fleet() -> QuerySet[Unit]:
    """Return the fleet (purpose rental, not disposed) with ``open_rentals`` prefetched.

    Two queries: the units, then their open rentals with the customer.
    """
    open_rentals = Rental.objects.filter(returned_on__isnull=True).select_related("customer")
    return (
        Unit.objects.filter(purpose=Purpose.RENTAL)
        .exclude(status=Status.DISPOSED)
        .select_related("product", "location")
        .annotate(last_meter=_last_meter())
        .prefetch_related(Prefetch("rentals", queryset=open_rentals, to_attr="open_rentals"))
        .order_by("product__model_number", "serial_sort", "pk")
    )


def internal_use_units() -> QuerySet[Unit]:
    """Return units in internal use with ``open_periods`` (their current asset period)."""
    open_periods = AssetPeriod.objects.filter(ended_on__isnull=True)
    return (
        Unit.objects.filter(purpose=Purpose.INTERNAL)
        .exclude(status=Status.DISPOSED)
        .select_related("product", "location")
        .prefetch_related(Prefetch("asset_periods", queryset=open_periods, to_attr="open_periods"))
        .order_by("product__model_number", "serial_sort", "pk")
    )


def meter_usage(unit: Unit, start: datetime.date, end: datetime.date) -> Decimal:
    """Return how far the unit's meter moved from ``start`` to ``end``, both inclusive.

    The usage is the last reading on or before ``end`` minus the last reading
    before ``start``, or minus the first reading in the period for a unit first
    read during it. Readings rise with their dates (the rental services
    enforce it), so the result is never negative.

    NOTE: readings in different meter units (hours, then km) are subtracted as
    they are. A unit whose meter unit changed needs its periods split by hand.
    """
    readings = MeterReading.objects.filter(unit=unit).order_by("-read_on", "-pk")
    last = readings.filter(read_on__lte=end).values_list("value", flat=True).first()
    if last is None:
        return ZERO
    before = readings.filter(read_on__lt=start).values_list("value", flat=True).first()
    if before is None:
        before = (
            readings.filter(read_on__gte=start, read_on__lte=end)
            .order_by("read_on", "pk")
            .values_list("value", flat=True)
            .first()
        )
    return last - (before if before is not None else last)
