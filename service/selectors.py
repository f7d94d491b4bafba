"""Read queries on service orders: lists, one order with its lines, totals and the open report."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from inventory.models import Party
from service.models import OPEN_STATUSES, LabourLine, OrderStatus, PartLine, ServiceOrder
from units.models import Unit
from units.selectors import TimelineEntry
from units.serials import serial_key

#: Age buckets of the open orders report: label, first day, last day (None: no limit).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-2", 0, 2),
    ("3-7", 3, 7),
    ("8-14", 8, 14),
    ("15+", 15, None),
)


def _with_relations(queryset: QuerySet[ServiceOrder]) -> QuerySet[ServiceOrder]:
    return queryset.select_related("unit", "unit__product", "customer", "technician")


def age_in_days(order: ServiceOrder, today: datetime.date) -> int:
    """Return whole days since the order was received, counted in the shop's time zone."""
    return (today - timezone.localdate(order.received_at)).days


def received_window(bucket: str, today: datetime.date) -> Q:
    """Return the filter for orders received within an age bucket such as "3-7"."""
    for label, first, last in AGE_BUCKETS:
        if label == bucket:
            condition = Q(received_at__lt=_start_of(today - datetime.timedelta(days=first - 1)))
            if last is not None:
                condition &= Q(received_at__gte=_start_of(today - datetime.timedelta(days=last)))
            return condition
    raise ValueError(f"Unknown age bucket {bucket!r}; expected one of 0-2, 3-7, 8-14, 15+.")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _search(query: str) -> Q:
    # Order numbers are shown as S-000123; accept that form and the bare number.
    number = query.upper().removeprefix("S-").lstrip("0")
    condition = Q(unit__serial_key__contains=serial_key(query))
    if number.isdigit():
        condition |= Q(pk=int(number))
    return condition


def order_list(*, filters: dict, today: datetime.date | None = None) -> QuerySet[ServiceOrder]:
    """Return orders filtered by status, technician, customer, age bucket and search text.

    ``filters`` contains cleaned values keyed by status, technician, customer, age and q.
    """
    today = today or timezone.localdate()
    queryset = ServiceOrder.objects.all()
    if filters.get("status") == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    for name in ("technician", "customer"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("age"):
        queryset = queryset.filter(received_window(filters["age"], today))
    if filters.get("q"):
        queryset = queryset.filter(_search(filters["q"]))
    return _with_relations(queryset).order_by("-received_at", "-pk")


def order_detail(pk: int) -> ServiceOrder:
    """Return one order with its unit, owner, lines and installed parts loaded."""
    return (
        _with_relations(ServiceOrder.objects.all())
        .select_related("unit__owner", "created_by")
        .prefetch_related(
            Prefetch("labour_lines", LabourLine.objects.select_related("technician")),
            Prefetch(
                "part_lines",
                PartLine.objects.select_related("product", "part_unit", "location"),
            ),
        )
        .get(pk=pk)
    )


@dataclass
class Totals:
    """Sums of an order's lines that are still fitted, in the shop's currency."""

    labour_charged: Decimal = Decimal("0.00")
    parts_charged: Decimal = Decimal("0.00")
    labour_warranty: Decimal = Decimal("0.00")
    parts_warranty: Decimal = Decimal("0.00")

    @property
    def charged(self) -> Decimal:
        return self.labour_charged + self.parts_charged

    @property
    def warranty(self) -> Decimal:
        return self.labour_warranty + self.parts_warranty


def order_totals(order: ServiceOrder) -> Totals:
    """Return charged and warranty totals; removed parts count for nothing.

    Uses the order's prefetched lines when ``order_detail`` loaded it.
    """
    totals = Totals()
    for labour in order.labour_lines.all():
        if labour.is_warranty:
            totals.labour_warranty += labour.amount
        else:
            totals.labour_charged += labour.amount
    for part in order.part_lines.all():
        if part.removed_at is not None:
            continue
        if part.is_warranty:
            totals.parts_warranty += part.amount
        else:
            totals.parts_charged += part.amount
    return totals


def unit_service_orders(unit: Unit) -> list[ServiceOrder]:
    """Return a unit's service orders, newest first, in one query."""
    return list(
        ServiceOrder.objects.filter(unit=unit)
        .select_related("customer", "technician")
        .order_by("-received_at", "-pk")
    )


def customer_service_orders(customer: Party) -> list[ServiceOrder]:
    """Return the service orders a customer brought in, newest first, in one query."""
    return list(
        ServiceOrder.objects.filter(customer=customer)
        .select_related("unit", "unit__product", "technician")
        .order_by("-received_at", "-pk")
    )


@dataclass
class StatusRow:
    status: str
    label: str
    #: Order counts per age bucket, in the order of AGE_BUCKETS.
    counts: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class OpenOrdersReport:
    rows: list[StatusRow]
    totals: list[int]
    #: (order, age in days), oldest first.
    orders: list[tuple[ServiceOrder, int]]

    @property
    def total(self) -> int:
        return sum(self.totals)


def _bucket_index(age: int) -> int:
    for index, (_label, first, last) in enumerate(AGE_BUCKETS):
        if age >= first and (last is None or age <= last):
            return index
    return 0  # An order received "tomorrow" by a skewed clock counts as new.


def open_orders_report(today: datetime.date | None = None) -> OpenOrdersReport:
    """Return open orders counted by status and age bucket, with the list oldest first."""
    today = today or timezone.localdate()
    orders = list(
        _with_relations(ServiceOrder.objects.filter(status__in=OPEN_STATUSES)).order_by(
            "received_at", "pk"
        )
    )
    rows = {
        status: StatusRow(status, OrderStatus(status).label, [0] * len(AGE_BUCKETS))
        for status in OPEN_STATUSES
    }
    listed = []
    for order in orders:
        age = age_in_days(order, today)
        rows[order.status].counts[_bucket_index(age)] += 1
        listed.append((order, age))
    totals = [sum(row.counts[i] for row in rows.values()) for i in range(len(AGE_BUCKETS))]
    return OpenOrdersReport(rows=list(rows.values()), totals=totals, orders=listed)


def unit_part_events(unit: Unit) -> list[TimelineEntry]:
    """Return timeline entries for parts fitted to and removed from ``unit``, in one query.

    Those changes are recorded on the part lines, not in the assembly's own
    history, so the unit page merges them into its timeline.
    """
    lines = (
        PartLine.objects.filter(order__unit=unit)
        .select_related("order", "product", "part_unit", "created_by")
        .order_by("created_at", "pk")
    )
    events = []
    for line in lines:
        if line.part_unit_id:
            what = f"{line.product.model_number} {line.part_unit.serial}"
        else:
            what = f"{line.quantity} x {line.product.model_number}"
        order = f"service order {line.order.number}"
        events.append(
            TimelineEntry(
                when=line.created_at,
                who=line.created_by.get_username(),
                reason=f"{what} on {order}",
                kind="Part fitted" if line.part_unit_id else "Part used",
            )
        )
        if line.removed_at:
            events.append(
                TimelineEntry(
                    when=line.removed_at,
                    who="",
                    reason=f"{what} taken off {order}",
                    kind="Part removed",
                )
            )
    return events
