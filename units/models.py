"""Serialized units and the receipts that bring them in."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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
    INSTALLED = "installed", "Installed as a part"
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
    #: The assembly this unit is fitted into as a part; null when loose.
    installed_in = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="installed_parts"
    )
    #: Warranty dates, inclusive; set at sale, ended by a return (see units.warranty).
    warranty_starts_on = models.DateField(null=True, blank=True)
    warranty_parts_until = models.DateField(null=True, blank=True)
    warranty_labour_until = models.DateField(null=True, blank=True)
    extended_warranty_until = models.DateField(null=True, blank=True)
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
            ("sell_units", "Can sell units and take returns at the counter"),
            ("override_return", "Can accept a return from someone other than the owner"),
            ("transfer_units", "Can transfer a unit to another owner"),
            ("intake_units", "Can record a customer's own unit"),
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
            models.CheckConstraint(
                condition=Q(warranty_parts_until__isnull=True)
                | Q(warranty_parts_until__gte=F("warranty_starts_on")),
                name="unit_warranty_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(installed_in=F("pk")), name="unit_not_installed_in_itself"
            ),
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


class Sale(models.Model):
    """A counter sale of one or more units to a customer under one invoice number."""

    invoice_number = models.CharField(max_length=50, unique=True)
    customer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="sales")
    sold_on = models.DateField()
    notes = models.TextField(blank=True)
    #: Random token from the sale form; a second submit with it returns the first sale.
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sold_on", "-pk"]

    def __str__(self) -> str:
        return f"Sale {self.invoice_number}"

    def get_absolute_url(self) -> str:
        return reverse("units:sale-detail", args=[self.pk])


class SaleLine(models.Model):
    """One unit on a sale, with its price; a return or correction ends the line."""

    class EndKind(models.TextChoices):
        RETURN = "return", "Returned by the customer"
        CORRECTION = "correction", "Stocktake correction"
        BUY_BACK = "buy_back", "Bought back"

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="lines")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sale_lines")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    #: Condition of the unit when sold (new or used).
    condition = models.CharField(max_length=20, choices=Condition.choices)
    warranty_parts_until = models.DateField(null=True, blank=True)
    warranty_labour_until = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_kind = models.CharField(max_length=20, choices=EndKind.choices, blank=True)
    end_reason = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            # The database backstop against selling one unit twice: at most one
            # open (not returned) sale line per unit.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(ended_on__isnull=True),
                name="sale_line_one_open_per_unit",
            ),
            models.UniqueConstraint(fields=["sale", "unit"], name="sale_line_unit_once_per_sale"),
            models.CheckConstraint(condition=Q(price__gte=0), name="sale_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_kind=""),
                name="sale_line_end_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.serial} on {self.sale}"


class Ownership(models.Model):
    """One owner's period of ownership of a unit; the rows of a unit form its chain of owners.

    Rows exist from the first change of owner on: before that the shop owned
    the unit since it was received.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ownerships")
    #: Null while the shop owns the unit.
    owner = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="ownerships"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    sale = models.ForeignKey(
        Sale, null=True, blank=True, on_delete=models.PROTECT, related_name="ownerships"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(ended_on__isnull=True),
                name="ownership_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="ownership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        owner = self.owner.name if self.owner_id else "The shop"
        return f"{owner} from {self.started_on}"
