"""Unit costs, units held as assets (rental fleet, internal use) and rentals with meter readings.

Every row here is written by ``depreciation.costs`` or ``depreciation.rentals``;
cost entries and meter readings are never edited or deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from inventory.models import Party
from units.models import Unit


class CostKind(models.TextChoices):
    PURCHASE = "purchase", "Purchase price"
    FREIGHT = "freight", "Freight"
    PREPARATION = "preparation", "Preparation"
    PARTS = "parts", "Parts"
    LABOUR = "labour", "Labour"
    IMPROVEMENT = "improvement", "Improvement"
    SUPPLIER_CREDIT = "supplier_credit", "Supplier credit"


class UnitCost(models.Model):
    """One entry in a unit's cost ledger; the sum of a unit's entries is its total investment.

    A supplier credit is negative and every other kind positive. A correction
    is a reversing entry (the same kind, minus the amount, ``reverses`` set)
    followed by a new entry, so the ledger keeps what was entered and when.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(max_length=20, choices=CostKind.choices)
    #: The date the cost applies to; a reversal carries the date of the entry it reverses.
    entry_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.TextField(blank=True)
    #: The entry this one cancels; null for an ordinary entry.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_date", "pk"]
        permissions = [
            ("view_margin", "Can see the margin report"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="unit_cost_amount_not_zero"),
            # An ordinary entry has the sign of its kind; a reversal has the opposite sign.
            models.CheckConstraint(
                condition=(
                    Q(reverses__isnull=True, kind=CostKind.SUPPLIER_CREDIT, amount__lt=0)
                    | (Q(reverses__isnull=True, amount__gt=0) & ~Q(kind=CostKind.SUPPLIER_CREDIT))
                    | Q(reverses__isnull=False, kind=CostKind.SUPPLIER_CREDIT, amount__gt=0)
                    | (Q(reverses__isnull=False, amount__lt=0) & ~Q(kind=CostKind.SUPPLIER_CREDIT))
                ),
                name="unit_cost_sign_follows_kind",
            ),
            models.CheckConstraint(
                condition=~Q(reverses=F("pk")), name="unit_cost_not_reversing_itself"
            ),
        ]
        indexes = [models.Index(fields=["unit", "entry_date"], name="unit_cost_unit_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.unit.serial}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class AssetPurpose(models.TextChoices):
    RENTAL = "rental", "Rental fleet"
    INTERNAL = "internal", "Internal use"


class AssetPeriod(models.Model):
    """One period in which the shop keeps a unit as an asset instead of stock for sale.

    ``started_on`` is the date placed in service that depreciation starts from.
    """

    class Ending(models.TextChoices):
        TO_SALE = "to_sale", "Back to sale as used"
        DISPOSAL = "disposal", "Disposed"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="asset_periods")
    purpose = models.CharField(max_length=20, choices=AssetPurpose.choices)
    started_on = models.DateField()
    start_reason = models.TextField()
    ended_on = models.DateField(null=True, blank=True)
    ending = models.CharField(max_length=20, choices=Ending.choices, blank=True)
    end_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_on", "pk"]
        permissions = [
            (
                "manage_assets",
                "Can put units into the rental fleet or internal use and take them out",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(ended_on__isnull=True),
                name="asset_period_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="asset_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, ending="")
                | (Q(ended_on__isnull=False) & ~Q(ending="")),
                name="asset_period_end_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.serial}: {self.get_purpose_display()} from {self.started_on}"


class MeterUnit(models.TextChoices):
    HOURS = "hours", "Hours"
    KM = "km", "Kilometres"
    USES = "uses", "Uses"


class Rental(models.Model):
    """One rental of a fleet unit to a customer, with the meter read when it leaves and returns."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rentals")
    customer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="rentals")
    starts_on = models.DateField()
    due_on = models.DateField()
    returned_on = models.DateField(null=True, blank=True)
    meter_unit = models.CharField(max_length=10, choices=MeterUnit.choices)
    meter_out = models.DecimalField(max_digits=12, decimal_places=2)
    meter_in = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    deposit = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    #: The state of the unit as found at the return.
    condition_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        permissions = [
            ("rent_units", "Can rent units out and take them back"),
        ]
        constraints = [
            # The database backstop against renting one unit twice.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(returned_on__isnull=True),
                name="rental_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("starts_on")), name="rental_due_after_start"
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("starts_on")),
                name="rental_returned_after_start",
            ),
            models.CheckConstraint(
                condition=Q(meter_out__gte=0), name="rental_meter_out_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(meter_in__isnull=True) | Q(meter_in__gte=F("meter_out")),
                name="rental_meter_in_not_below_out",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True, meter_in__isnull=True)
                | Q(returned_on__isnull=False, meter_in__isnull=False),
                name="rental_return_has_meter_in",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="rental_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(deposit__isnull=True) | Q(deposit__gte=0),
                name="rental_deposit_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["unit", "starts_on"], name="rental_unit_start_idx")]

    def __str__(self) -> str:
        return f"Rental {self.number} of {self.unit.serial}"

    def get_absolute_url(self) -> str:
        return reverse("assets:rental-return", args=[self.pk])

    @property
    def number(self) -> str:
        return f"RN-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.returned_on is None

    @property
    def usage(self):
        """Meter movement during the rental, or None while the unit is out."""
        if self.meter_in is None:
            return None
        return self.meter_in - self.meter_out


class MeterReading(models.Model):
    """A meter value read on a unit; a unit's readings never go down over time.

    A units-of-production depreciation reads usage per period from these rows
    (see ``depreciation.selectors.meter_usage``).
    """

    class Kind(models.TextChoices):
        RENTAL_OUT = "rental_out", "Rented out"
        RENTAL_IN = "rental_in", "Returned"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meter_readings")
    read_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    meter_unit = models.CharField(max_length=10, choices=MeterUnit.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rental = models.ForeignKey(
        Rental, null=True, blank=True, on_delete=models.PROTECT, related_name="readings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["read_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="meter_reading_not_negative"),
            models.UniqueConstraint(
                fields=["rental", "kind"],
                condition=Q(rental__isnull=False),
                name="meter_reading_once_per_rental_kind",
            ),
        ]
        indexes = [models.Index(fields=["unit", "read_on"], name="meter_reading_unit_date_idx")]

    def __str__(self) -> str:
        return f"{self.unit.serial}: {self.value} {self.meter_unit} on {self.read_on}"


# --- Depreciation books, entries and monthly runs ----------------------------------------
# Written only by ``depreciation.books``; the engine in ``depreciation.engine`` computes
# every amount.


class BookMethod(models.TextChoices):
    STRAIGHT_LINE = "straight_line", "Straight line"
    DECLINING_BALANCE = "declining_balance", "Declining balance"
    SUM_OF_YEARS_DIGITS = "sum_of_years_digits", "Sum-of-the-years' digits"
    UNITS_OF_PRODUCTION = "units_of_production", "Units of production"
    MACRS = "macrs", "US MACRS (GDS)"
    CCA = "cca", "Canadian capital cost allowance"
    PERCENTAGES = "percentages", "Percentages per year"


class BookConvention(models.TextChoices):
    FULL_MONTH = "full_month", "Full month"
    MID_MONTH = "mid_month", "Mid-month"
    DAILY = "daily", "Daily over the life"
    DAILY_PER_YEAR = "daily_per_year", "Daily per fiscal year"


class MacrsConventionChoice(models.TextChoices):
    HALF_YEAR = "half_year", "Half-year"
    MID_QUARTER = "mid_quarter", "Mid-quarter"


class DepreciationBook(models.Model):
    """One asset unit's depreciation in one book ("company", "tax" ...).

    The parameter fields are those of ``engine.BookParams`` and always hold the
    current values: a change after posting updates them and sets
    ``restart_through`` and ``restart_accumulated``, from which later periods
    are rescheduled (``engine.reschedule``). Posted entries never change.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DISPOSED = "disposed", "Disposed"

    class DisposalKind(models.TextChoices):
        SALE = "sale", "Sale"
        SCRAP = "scrap", "Scrap"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="depreciation_books")
    name = models.CharField(max_length=50)
    method = models.CharField(max_length=30, choices=BookMethod.choices)
    in_service = models.DateField()
    cost = models.DecimalField(max_digits=14, decimal_places=2)
    salvage = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    life_months = models.PositiveIntegerField(null=True, blank=True)
    convention = models.CharField(
        max_length=20, choices=BookConvention.choices, default=BookConvention.FULL_MONTH
    )
    #: Declining balance: rate = factor / life in years (2 for double declining balance).
    factor = models.DecimalField(max_digits=6, decimal_places=3, default=2)
    switch_to_sl = models.BooleanField(default=False)
    #: CCA class rate as a fraction (0.2000 for class 8).
    class_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    macrs_class = models.PositiveSmallIntegerField(null=True, blank=True)
    macrs_convention = models.CharField(
        max_length=20,
        choices=MacrsConventionChoice.choices,
        default=MacrsConventionChoice.HALF_YEAR,
    )
    macrs_quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Percentages method: the share of each fiscal year as decimal strings, like ["40", "60"].
    percentages = models.JSONField(null=True, blank=True)
    #: Units of production: the units expected over the life, read from meter readings.
    total_units = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    #: Last day of the last period posted before the latest change; null when never changed.
    restart_through = models.DateField(null=True, blank=True)
    #: Accumulated depreciation posted by ``restart_through``.
    restart_accumulated = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    disposed_on = models.DateField(null=True, blank=True)
    disposal_kind = models.CharField(max_length=10, choices=DisposalKind.choices, blank=True)
    proceeds = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    #: Book value on the disposal date, and proceeds minus it (negative for a loss).
    disposal_book_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    gain_loss = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "name"]
        permissions = [
            ("post_depreciation", "Can post monthly depreciation runs"),
            ("dispose_assets", "Can record the sale or scrapping of an asset"),
            ("view_asset_reports", "Can see depreciation, asset register and stock aging reports"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="book_name_unique_per_unit"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="book_cost_not_negative"),
            models.CheckConstraint(condition=Q(salvage__gte=0), name="book_salvage_not_negative"),
            models.CheckConstraint(
                condition=Q(salvage__lte=F("cost")), name="book_salvage_at_most_cost"
            ),
            models.CheckConstraint(
                condition=Q(life_months__isnull=True) | Q(life_months__gt=0),
                name="book_life_positive",
            ),
            models.CheckConstraint(
                condition=Q(life_months__isnull=False)
                | Q(method__in=["macrs", "percentages", "units_of_production"]),
                name="book_life_required_for_method",
            ),
            models.CheckConstraint(condition=Q(factor__gt=0), name="book_factor_positive"),
            models.CheckConstraint(
                condition=Q(status="active", disposed_on__isnull=True, disposal_kind="")
                | (
                    Q(status="disposed", disposed_on__isnull=False, gain_loss__isnull=False)
                    & ~Q(disposal_kind="")
                ),
                name="book_disposal_complete",
            ),
            models.CheckConstraint(
                condition=Q(disposed_on__isnull=True) | Q(disposed_on__gte=F("in_service")),
                name="book_disposed_after_in_service",
            ),
            models.CheckConstraint(
                condition=Q(restart_through__isnull=True, restart_accumulated__isnull=True)
                | Q(restart_through__isnull=False, restart_accumulated__gte=0),
                name="book_restart_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "in_service"], name="book_status_service_idx")]

    def __str__(self) -> str:
        return f"{self.unit.serial}: {self.name} book"


class BookChange(models.Model):
    """A prospective change to a book (added cost, new life or salvage), kept as a log."""

    book = models.ForeignKey(DepreciationBook, on_delete=models.PROTECT, related_name="changes")
    #: The first day the change applies to: the day after the last posted period.
    effective_on = models.DateField()
    added_cost = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    old_life_months = models.PositiveIntegerField(null=True, blank=True)
    new_life_months = models.PositiveIntegerField(null=True, blank=True)
    old_salvage = models.DecimalField(max_digits=14, decimal_places=2)
    new_salvage = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "pk"]
        indexes = [models.Index(fields=["book", "effective_on"], name="book_change_book_idx")]

    def __str__(self) -> str:
        return f"Change to {self.book} from {self.effective_on}"


class DepreciationRun(models.Model):
    """The posting of one calendar month; a month is closed once its run is done."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    #: year * 100 + month, for range filters and ordering.
    period_key = models.GeneratedField(
        expression=F("year") * 100 + F("month"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    books_total = models.PositiveIntegerField(default=0)
    entries_created = models.PositiveIntegerField(default=0)
    amount_total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    job = models.ForeignKey(
        "inventory.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="depreciation_run_month_once"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="depreciation_run_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Depreciation run {self.year}-{self.month:02d} ({self.status})"


class DepreciationEntry(models.Model):
    """One book's depreciation for one calendar month; never changed once posted."""

    book = models.ForeignKey(DepreciationBook, on_delete=models.PROTECT, related_name="entries")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    #: year * 100 + month, for range filters and ordering.
    period_key = models.GeneratedField(
        expression=F("year") * 100 + F("month"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    accumulated = models.DecimalField(max_digits=14, decimal_places=2)
    book_value = models.DecimalField(max_digits=14, decimal_places=2)
    run = models.ForeignKey(DepreciationRun, on_delete=models.PROTECT, related_name="entries")

    class Meta:
        ordering = ["book", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month"], name="depreciation_entry_once_per_month"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="depreciation_entry_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="depreciation_entry_month_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["period_key", "book"], name="depreciation_entry_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.book}: {self.year}-{self.month:02d} {self.amount}"
