"""Service orders: a unit in the workshop, the labour and parts spent on it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from inventory.models import Location, Party, Product
from units.models import Status as UnitStatus
from units.models import Unit


class OrderStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    DIAGNOSING = "diagnosing", "Diagnosing"
    WAITING_FOR_PARTS = "waiting_for_parts", "Waiting for parts"
    IN_REPAIR = "in_repair", "In repair"
    READY = "ready", "Ready for collection"
    COLLECTED = "collected", "Collected"
    CANCELLED = "cancelled", "Cancelled"


#: Statuses in which the unit is still in the workshop and the order can change.
OPEN_STATUSES = (
    OrderStatus.RECEIVED,
    OrderStatus.DIAGNOSING,
    OrderStatus.WAITING_FOR_PARTS,
    OrderStatus.IN_REPAIR,
    OrderStatus.READY,
)


class ServiceOrder(models.Model):
    """One visit of a unit to the workshop, from intake at the counter to collection."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_orders")
    #: The person who brought the unit in; null for the shop's own units.
    customer = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="service_orders"
    )
    problem = models.TextField()
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_service_orders",
    )
    status = models.CharField(
        max_length=30, choices=OrderStatus.choices, default=OrderStatus.RECEIVED
    )
    #: The unit's status at intake; collection and cancellation restore it.
    unit_status_before = models.CharField(max_length=30, choices=UnitStatus.choices)
    received_at = models.DateTimeField()
    promised_on = models.DateField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    #: Set at intake from the unit's warranty on the intake date; a manager may change it.
    is_warranty = models.BooleanField(default=False)
    #: Workshop notes; never printed on the customer copy.
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("work_on_serviceorder", "Can change service order status and add or remove lines"),
            ("collect_serviceorder", "Can hand a repaired unit back at collection"),
            ("change_warranty_serviceorder", "Can decide whether a service order is warranty work"),
        ]
        constraints = [
            # The backstop against two counters taking in the same unit at once.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=OPEN_STATUSES),
                name="service_order_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(collected_at__isnull=True) | Q(collected_at__gte=F("received_at")),
                name="service_order_collected_after_received",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="service_order_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Service order {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("service:order-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"S-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class LabourLine(models.Model):
    """Hours a technician spent on an order, at an hourly rate."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="labour_lines")
    description = models.CharField(max_length=500)
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    rate = models.DecimalField(max_digits=10, decimal_places=2)
    #: hours times rate, rounded half-up to cents by the service that writes the line.
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    #: Warranty work is not charged to the customer.
    is_warranty = models.BooleanField(default=False)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="labour_line_hours_positive"),
            models.CheckConstraint(condition=Q(rate__gte=0), name="labour_line_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="labour_line_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.hours} h)"


class PartLine(models.Model):
    """A part fitted on an order: a quantity from stock, or one serialized unit."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="part_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(default=1)
    #: The fitted unit of a serialized part; null for a part taken from a stock level.
    part_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="service_part_lines"
    )
    #: Where the part came from, and where a removal returns it by default.
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    #: Warranty parts are not charged to the customer.
    is_warranty = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Set when the part was taken back out; a removed line counts for nothing.
    removed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="part_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="part_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(part_unit__isnull=True) | Q(quantity=1),
                name="part_line_serialized_quantity_one",
            ),
            models.CheckConstraint(
                condition=Q(part_unit__isnull=False) | Q(location__isnull=False),
                name="part_line_stock_part_has_location",
            ),
            models.UniqueConstraint(
                fields=["part_unit"],
                condition=Q(removed_at__isnull=True, part_unit__isnull=False),
                name="part_line_unit_fitted_once",
            ),
        ]

    def __str__(self) -> str:
        if self.part_unit_id:
            return f"{self.product.model_number} {self.part_unit.serial}"
        return f"{self.quantity} x {self.product.model_number}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def amount(self):
        """Quantity times unit price; exact, because the price is stored in cents."""
        return self.unit_price * self.quantity
