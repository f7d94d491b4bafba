"""Serialized units and the receipts that bring them in."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from inventory.models import Location, Party, Product


class Condition(models.TextChoices):
    NEW = "new", "New"
    USED = "used", "Used"
    REFURBISHED = "refurbished", "Refurbished"
    DAMAGED = "damaged", "Damaged"


class Status(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    RESERVED = "reserved", "Reserved"
    SOLD = "sold", "Sold"
    ON_HOLD = "on_hold", "On hold"
    DAMAGED = "damaged", "Damaged"
    INSPECTION = "inspection", "Awaiting inspection"
    IN_SERVICE = "in_service", "In service"
    RENTED = "rented", "Rented out"
    INTERNAL_USE = "internal_use", "In internal use"
    CUSTOMER_OWNED = "customer_owned", "Customer-owned"
    RETURNED_TO_SUPPLIER = "returned_to_supplier", "Returned to supplier"
    DISPOSED = "disposed", "Disposed"


class Purpose(models.TextChoices):
    SALE = "sale", "For sale"
    RENTAL = "rental", "Rental"
    INTERNAL = "internal", "Internal use"


class Receipt(models.Model):
    """One delivery of a product from a supplier, filled with scanned serials."""

    supplier = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="receipts",
        limit_choices_to={"is_supplier": True},
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="receipts")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="receipts")
    #: The supplier's delivery note or invoice number.
    reference = models.CharField(max_length=100, blank=True)
    received_on = models.DateField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"Receipt {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("units:receipt-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"R-{self.pk:06d}"


class Unit(models.Model):
    """One physical item identified by its serial number.

    Units are never deleted; every change goes through ``units.services`` and
    leaves a history record with the acting user and a reason.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="units")
    #: The normalised serial as entered: case, leading zeros and inner spaces kept.
    serial = models.TextField()
    #: Lower-case serial used for lookups and uniqueness.
    serial_key = models.TextField(editable=False)
    #: Natural-order key ("SN-9" before "SN-10"), compared byte-wise.
    serial_sort = models.TextField(editable=False)
    #: "p<product id>" or "m<manufacturer id>", per the SERIAL_UNIQUE_SCOPE setting.
    serial_scope = models.CharField(max_length=32, editable=False)
    vin = models.CharField("VIN", max_length=17, null=True, blank=True)
    #: Tag printed by the shop for items that carry no serial of their own.
    in_house_tag = models.CharField(max_length=40, null=True, blank=True)
    condition = models.CharField(max_length=20, choices=Condition.choices, default=Condition.NEW)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.IN_STOCK)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.SALE)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    #: Null while the shop owns the unit.
    owner = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_units"
    )
    supplier = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="supplied_units"
    )
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    lot = models.CharField(max_length=100, blank=True)
    received_on = models.DateField(null=True, blank=True)
    manufactured_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["serial_key", "serial_sort", "serial_scope", "updated_at"]
    )

    class Meta:
        permissions = [
            ("receive_units", "Can receive units and generate in-house serials"),
            ("correct_units", "Can correct a unit's product or mark it damaged"),
            ("print_labels", "Can print barcode labels"),
            ("import_units", "Can import units from CSV files"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["serial_scope", "serial_key"], name="unit_serial_unique_in_scope"
            ),
            models.UniqueConstraint(
                fields=["vin"], condition=Q(vin__isnull=False), name="unit_vin_unique"
            ),
            models.UniqueConstraint(
                fields=["in_house_tag"],
                condition=Q(in_house_tag__isnull=False),
                name="unit_in_house_tag_unique",
            ),
            models.CheckConstraint(condition=~Q(serial=""), name="unit_serial_not_empty"),
        ]
        indexes = [
            models.Index(fields=["serial_key"], name="unit_serial_key_idx"),
            models.Index(fields=["serial_sort", "id"], name="unit_serial_sort_idx"),
            models.Index(fields=["product", "serial_sort"], name="unit_product_sort_idx"),
            models.Index(fields=["status", "location"], name="unit_status_location_idx"),
            models.Index(fields=["location", "serial_sort"], name="unit_location_sort_idx"),
            models.Index(fields=["owner"], name="unit_owner_idx"),
            models.Index(fields=["received_on", "id"], name="unit_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} ({self.product.model_number})"

    def get_absolute_url(self) -> str:
        return reverse("units:unit-detail", args=[self.pk])

    @property
    def is_sellable(self) -> bool:
        from units.workflow import SELLABLE_STATUSES

        return self.status in SELLABLE_STATUSES

    @property
    def owner_display(self) -> str:
        return str(self.owner) if self.owner_id else "The shop"
