"""The catalog: parties (manufacturers, suppliers, customers), locations and products."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from inventory.identifiers import gtin_problem, normalize_gtin


class Party(models.Model):
    """A company or person the shop deals with; one party may have several roles."""

    name = models.CharField(max_length=200)
    is_manufacturer = models.BooleanField(default=False)
    is_supplier = models.BooleanField(default=False)
    is_customer = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        indexes = [models.Index(fields=["name"], name="party_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:party-detail", args=[self.pk])


class Location(models.Model):
    """A store, warehouse or bin; bins sit inside a store or warehouse."""

    class Kind(models.TextChoices):
        STORE = "store", "Store"
        WAREHOUSE = "warehouse", "Warehouse"
        BIN = "bin", "Bin"

    name = models.CharField(max_length=100)
    code = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        names = [self.name]
        node, seen = self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))

    def clean(self) -> None:
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "A location cannot be inside itself."})
            if node.pk in seen:
                break
            seen.add(node.pk)
            node = node.parent


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    #: Prefix and digit count of in-house serials for products without a serial.
    in_house_prefix = models.CharField(max_length=20, blank=True)
    in_house_width = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(18)]
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A model or part number that the shop stocks."""

    name = models.CharField(max_length=200)
    model_number = models.CharField(max_length=100)
    manufacturer = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="products",
        limit_choices_to={"is_manufacturer": True},
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    gtin = models.CharField("GTIN", max_length=32, blank=True)
    is_serialized = models.BooleanField(default=True)
    #: Default selling price offered at the counter; the sale records the real price.
    list_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    #: Default warranty from the sale date, in calendar months.
    warranty_parts_months = models.PositiveSmallIntegerField(default=12)
    warranty_labour_months = models.PositiveSmallIntegerField(default=12)
    #: Overrides the category's in-house serial prefix and width when set.
    in_house_prefix = models.CharField(max_length=20, blank=True)
    in_house_width = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(18)]
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "model_number"], name="product_model_per_manufacturer"
            ),
            models.UniqueConstraint(
                fields=["gtin"], condition=~Q(gtin=""), name="product_gtin_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.model_number})"

    def clean(self) -> None:
        self.gtin = normalize_gtin(self.gtin)
        if self.gtin:
            problem = gtin_problem(self.gtin)
            if problem:
                raise ValidationError({"gtin": problem}, code="invalid_gtin")

    @property
    def serial_prefix(self) -> str:
        return self.in_house_prefix or self.category.in_house_prefix

    @property
    def serial_width(self) -> int:
        return self.in_house_width or self.category.in_house_width


class StockLevel(models.Model):
    """Quantity on hand of a non-serialized product at one location."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    quantity = models.IntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "location"], name="stock_level_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="stock_level_quantity_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} at {self.location}: {self.quantity}"


class InHouseSerialSequence(models.Model):
    """The last number issued for one in-house serial prefix.

    One row per prefix, locked while numbers are issued, so two clerks never get
    the same number and no number is skipped.
    """

    prefix = models.CharField(max_length=20, unique=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_number}"


class Job(models.Model):
    """A piece of background work with visible progress (label batch, import, run...).

    The task queue runs ``inventory.jobs.run_job``; the job row is what pages
    show and what a retry resumes. Handlers make each step idempotent, so a
    retry after a crash skips the work already done.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    #: Input file of the job (an uploaded import), kept in the database so any
    #: worker machine can read it.
    payload = models.BinaryField(null=True, blank=True, editable=False)
    #: The user who started the job; its history records name this user.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")) | Q(total=0), name="job_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.kind}, {self.state})"

    def get_absolute_url(self) -> str:
        return reverse("job-detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
