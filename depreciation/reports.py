"""Reads of the depreciation, asset register and stock aging reports, aggregated in SQL.

Each report runs a fixed number of queries, whatever the number of assets or units.
Grouping and sorting keys come from the fixed dictionaries below, never from a field
name in the request.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Func
from django.db.models.functions import Coalesce

from depreciation import books
from depreciation.models import BookChange, DepreciationBook, DepreciationEntry
from depreciation.selectors import NOT_SALES
from units.models import Condition, Purpose, SaleLine, Status, Unit

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)

#: Grouping of the depreciation report: key -> (label, id expression, label expression).
DEPRECIATION_GROUPS = {
    "book": ("Book", "book__name", "book__name"),
    "category": (
        "Category",
        "book__unit__product__category_id",
        "book__unit__product__category__name",
    ),
    "location": ("Location", "book__unit__location_id", "book__unit__location__name"),
    "asset": ("Asset", "book_id", "book__unit__serial"),
}

#: Grouping of the stock aging report: key -> (label, id field, label field), on Unit.
AGING_GROUPS = {
    "product": ("Product", "product_id", "product__model_number"),
    "category": ("Category", "product__category_id", "product__category__name"),
    "location": ("Location", "location_id", "location__name"),
}

#: Sort orders of the asset register: key -> (label, order_by fields).
REGISTER_SORTS = {
    "serial": ("Serial", ["unit__serial_sort", "name", "pk"]),
    "in_service": ("In service", ["in_service", "unit__serial_sort", "pk"]),
    "book_value": ("Book value, highest first", ["-book_value", "pk"]),
}

#: Statuses of a unit that is still stock for sale (not sold, not gone).
STOCK_STATUSES = [
    Status.IN_STOCK,
    Status.RESERVED,
    Status.ON_HOLD,
    Status.DAMAGED,
    Status.INSPECTION,
]


def period_key(year: int, month: int) -> int:
    return year * 100 + month


# --- Depreciation for a period range -------------------------------------------------------


@dataclass(frozen=True)
class DepreciationFilter:
    start: tuple[int, int]
    end: tuple[int, int]
    book_name: str = ""
    category_id: int | None = None
    location_id: int | None = None


def _entries(filters: DepreciationFilter) -> QuerySet[DepreciationEntry]:
    entries = DepreciationEntry.objects.filter(
        period_key__gte=period_key(*filters.start), period_key__lte=period_key(*filters.end)
    )
    if filters.book_name:
        entries = entries.filter(book__name=filters.book_name)
    if filters.category_id:
        entries = entries.filter(book__unit__product__category_id=filters.category_id)
    if filters.location_id:
        entries = entries.filter(book__unit__location_id=filters.location_id)
    return entries


def depreciation_report(filters: DepreciationFilter, *, group_by: str = "book", limit=None) -> dict:
    """Return depreciation grouped by book, category, location or asset, per month, and totals.

    Three queries: the groups (``group_id``, ``label``, ``entries``, ``amount``), the
    months (``period_key``, ``amount``) for the bar chart, and the totals. ``limit``
    caps the groups returned for the screen; the CSV passes None.
    """
    _, id_field, label_field = DEPRECIATION_GROUPS[group_by]
    entries = _entries(filters)
    groups = (
        entries.values(group_id=F(id_field), label=F(label_field))
        .annotate(entries=Count("pk"), amount=Sum("amount"))
        .order_by("label", "group_id")
    )
    if limit is not None:
        groups = groups[:limit]
    months = list(
        entries.values("period_key").annotate(amount=Sum("amount")).order_by("period_key")
    )
    totals = entries.aggregate(entries=Count("pk"), amount=Sum("amount"))
    totals["amount"] = totals["amount"] or ZERO
    return {"rows": list(groups), "months": months, "totals": totals}


def book_names() -> list[str]:
    """Return the distinct book names, for the report filters' choices."""
    return list(DepreciationBook.objects.order_by("name").values_list("name", flat=True).distinct())


# --- Asset register as of a date -------------------------------------------------------------


def asset_register(
    as_of: datetime.date, *, book_name: str = "", sort: str = "serial", limit=None
) -> dict:
    """Return cost, accumulated depreciation and book value of each book on ``as_of``, and totals.

    A book counts when it was in service on ``as_of`` and not yet disposed of.
    Accumulated depreciation is the last entry of a month that ended on or before
    ``as_of``, and cost leaves out changes that took effect after it. Two queries.
    """
    month_end = books.month_bounds(as_of.year, as_of.month)[1]
    last_key = period_key(as_of.year, as_of.month)
    if as_of != month_end:
        first = as_of.replace(day=1) - datetime.timedelta(days=1)
        last_key = period_key(first.year, first.month)
    accumulated = (
        DepreciationEntry.objects.filter(book=OuterRef("pk"), period_key__lte=last_key)
        .order_by("-period_key")
        .values("accumulated")[:1]
    )
    later_cost = (
        BookChange.objects.filter(book=OuterRef("pk"), effective_on__gt=as_of)
        .order_by()
        .values("book")
        .annotate(total=Sum("added_cost"))
        .values("total")
    )
    rows = (
        DepreciationBook.objects.filter(in_service__lte=as_of)
        .filter(Q(disposed_on__isnull=True) | Q(disposed_on__gt=as_of))
        .annotate(
            cost_as_of=F("cost")
            - Coalesce(Subquery(later_cost, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
            accumulated_as_of=Coalesce(
                Subquery(accumulated, output_field=_MONEY), Value(ZERO), output_field=_MONEY
            ),
        )
        .annotate(book_value=F("cost_as_of") - F("accumulated_as_of"))
    )
    if book_name:
        rows = rows.filter(name=book_name)
    totals = rows.aggregate(
        books=Count("pk"),
        cost=Sum("cost_as_of"),
        accumulated=Sum("accumulated_as_of"),
    )
    # Summed here, not in SQL: Django does not select the book_value annotation in the
    # subquery that an aggregate over subquery annotations wraps the rows in.
    totals["book_value"] = (totals["cost"] or ZERO) - (totals["accumulated"] or ZERO)
    for key in ("cost", "accumulated", "book_value"):
        totals[key] = totals[key] if totals[key] is not None else ZERO
    ordered = rows.select_related("unit", "unit__product").order_by(*REGISTER_SORTS[sort][1])
    if limit is not None:
        ordered = ordered[:limit]
    return {"rows": list(ordered), "totals": totals, "as_of": as_of}


# --- The unit page -----------------------------------------------------------------------------


def unit_books_summary(unit: Unit) -> dict:
    """Return the context of ``depreciation/_unit_books.html``: each book with its schedule.

    ``books`` lists dicts with ``book``, ``rows`` (posted entries, then the projected
    months, each with ``posted``), ``pending_cost`` and the line chart of book value.
    Three queries, plus the meter readings of units-of-production books.
    """
    from depreciation import charts

    unit_books = list(
        DepreciationBook.objects.filter(unit=unit).prefetch_related("entries").order_by("name")
    )
    investment = books.selectors.total_investment(unit)
    summaries = []
    for book in unit_books:
        rows = [
            {
                "year": entry.year,
                "month": entry.month,
                "amount": entry.amount,
                "accumulated": entry.accumulated,
                "book_value": entry.book_value,
                "posted": True,
            }
            for entry in sorted(book.entries.all(), key=lambda e: (e.year, e.month))
        ]
        after = (rows[-1]["year"], rows[-1]["month"]) if rows else None
        if book.status == DepreciationBook.Status.ACTIVE:
            for period in books.book_projection(book, after=after):
                rows.append(
                    {
                        "year": period.start.year,
                        "month": period.start.month,
                        "amount": period.amount,
                        "accumulated": period.accumulated,
                        "book_value": period.book_value,
                        "posted": False,
                    }
                )
        points = [(f"{row['year']}-{row['month']:02d}", row["book_value"]) for row in rows]
        summaries.append(
            {
                "book": book,
                "rows": rows,
                "pending_cost": investment - book.cost,
                "chart": charts.line_chart(points, title=f"Book value, {book.name} book"),
            }
        )
    return {"unit": unit, "books": summaries, "total_investment": investment}


# --- Stock turnover and aging ---------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from the first date expression to the second (end minus start)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):
        start, end = (compiler.compile(expression) for expression in self.source_expressions)
        return f"({end[0]} - {start[0]})", [*end[1], *start[1]]

    def as_sqlite(self, compiler, connection, **extra):
        start, end = (compiler.compile(expression) for expression in self.source_expressions)
        return (
            f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)",
            [*end[1], *start[1]],
        )


@dataclass(frozen=True)
class AgingFilter:
    sold_from: datetime.date
    sold_to: datetime.date
    today: datetime.date
    group_by: str = "product"
    slowest: int = 20


def _condition_split(condition_field: str) -> dict:
    return {
        "new": Q(**{condition_field: Condition.NEW}),
        "used": ~Q(**{condition_field: Condition.NEW}),
    }


def stock_aging(filters: AgingFilter) -> dict:
    """Return days in stock of sold units and of units still in stock, by group, new and used.

    Sold units: sale lines in the date range (returns and corrections left out), days
    from ``received_on`` to the sale date, condition as sold. In stock: units for sale
    owned by the shop, days from ``received_on`` to ``filters.today``. ``sell_through``
    is sold / (sold + in stock) per group. ``slowest`` lists the oldest units in stock.
    Three queries.
    """
    _, id_field, label_field = AGING_GROUPS[filters.group_by]
    sold_days = DaysBetween(F("unit__received_on"), F("sale__sold_on"))
    sold = (
        SaleLine.objects.exclude(end_kind__in=NOT_SALES)
        .filter(
            sale__sold_on__gte=filters.sold_from,
            sale__sold_on__lte=filters.sold_to,
            unit__received_on__isnull=False,
        )
        .values(group_id=F(f"unit__{id_field}"), label=F(f"unit__{label_field}"))
    )
    sold_rows = sold.annotate(
        **{
            f"sold_{key}": Count("pk", filter=condition)
            for key, condition in _condition_split("condition").items()
        },
        **{
            f"sold_days_{key}": Avg(sold_days, filter=condition)
            for key, condition in _condition_split("condition").items()
        },
    ).order_by()
    today = Value(filters.today)
    stock_days = DaysBetween(F("received_on"), today)
    stock = _stock_units()
    stock_rows = (
        stock.values(group_id=F(id_field), label=F(label_field))
        .annotate(
            **{
                f"stock_{key}": Count("pk", filter=condition)
                for key, condition in _condition_split("condition").items()
            },
            **{
                f"stock_days_{key}": Avg(stock_days, filter=condition)
                for key, condition in _condition_split("condition").items()
            },
            oldest_days=Max(stock_days),
        )
        .order_by()
    )
    rows = _merge_groups(list(sold_rows), list(stock_rows))
    slowest = list(
        stock.annotate(days=stock_days)
        .select_related("product", "location")
        .order_by("received_on", "pk")[: filters.slowest]
    )
    return {"rows": rows, "slowest": slowest, "totals": _aging_totals(rows)}


def _stock_units() -> QuerySet[Unit]:
    return Unit.objects.filter(
        status__in=STOCK_STATUSES,
        purpose=Purpose.SALE,
        owner__isnull=True,
        received_on__isnull=False,
    )


_AGING_COUNTS = ("sold_new", "sold_used", "stock_new", "stock_used")
_AGING_AVERAGES = ("sold_days_new", "sold_days_used", "stock_days_new", "stock_days_used")


def _merge_groups(sold_rows: list[dict], stock_rows: list[dict]) -> list[dict]:
    merged: dict = {}
    for row in [*sold_rows, *stock_rows]:
        entry = merged.setdefault(
            row["group_id"],
            {"group_id": row["group_id"], "label": row["label"], "oldest_days": None},
        )
        entry.update({key: value for key, value in row.items() if key not in ("group_id",)})
    rows = []
    for entry in merged.values():
        for key in _AGING_COUNTS:
            entry.setdefault(key, 0)
        for key in _AGING_AVERAGES:
            value = entry.get(key)
            entry[key] = None if value is None else Decimal(value).quantize(Decimal("0.1"))
        sold = entry["sold_new"] + entry["sold_used"]
        stock = entry["stock_new"] + entry["stock_used"]
        entry["sold"] = sold
        entry["stock"] = stock
        entry["sell_through"] = (
            (Decimal(100) * sold / (sold + stock)).quantize(Decimal("0.1"))
            if sold + stock
            else None
        )
        rows.append(entry)
    return sorted(rows, key=lambda row: (str(row["label"] or ""), str(row["group_id"])))


def _aging_totals(rows: list[dict]) -> dict:
    return {key: sum(row[key] for row in rows) for key in (*_AGING_COUNTS, "sold", "stock")}
