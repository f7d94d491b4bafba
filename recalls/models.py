"""Recalls, the criteria that scope them and the units they affect.

The rules that turn criteria into database filters live in ``recalls.scope``;
writes go through ``recalls.services``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from inventory.models import Party, Product
from units.models import Receipt, Unit

#: Largest number that a serial range bound may have; every value below 10**18
#: fits PostgreSQL's bigint, which ends at 9223372036854775807.
MAX_RANGE_NUMBER = 10**18 - 1


class Recall(models.Model):
    """A recall notice from a manufacturer or an agency, and the shop's campaign for it."""

    class Remedy(models.TextChoices):
        REPAIR = "repair", "Repair"
        REPLACE = "replace", "Replace"
        REFUND = "refund", "Refund"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    #: The notice's own number (an agency release number or the maker's campaign code).
    reference = models.CharField(max_length=100, unique=True)
    issuer = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="recalls"
    )
    #: Name of an issuer that is not a party, such as a government agency.
    issuer_name = models.CharField(max_length=200, blank=True)
    issued_on = models.DateField()
    description = models.TextField()
    hazard = models.TextField(blank=True)
    remedy = models.CharField(max_length=20, choices=Remedy.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        permissions = [("manage_recalls", "Can record recalls, run matching and place holds")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="recall_closed_on_with_status",
            ),
        ]

    def __str__(self) -> str:
        return f"Recall {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("recalls:recall-detail", args=[self.pk])

    @property
    def issuer_display(self) -> str:
        return str(self.issuer) if self.issuer_id else self.issuer_name


class RecallCriterion(models.Model):
    """One way a unit falls under a recall.

    A unit is affected when ANY criterion of the recall matches it, and a
    criterion matches when EVERY part that is filled in holds. Empty parts are
    ignored; a criterion with no part at all is rejected by ``clean``.
    """

    class CodeSource(models.TextChoices):
        SERIAL = "serial", "Serial"
        LOT = "lot", "Lot"

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="criteria")
    #: Short label shown on the recall page, such as "Fisher-Price co-branded cribs".
    label = models.CharField(max_length=200, blank=True)

    # Product: a unit matches if its product is listed OR its model number
    # matches one of the patterns.
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    #: Model-number patterns, one per line; * stands for any run of characters
    #: and ? for one character; compared case-insensitively.
    model_patterns = models.TextField(blank=True)

    #: Parts fitted into an assembly of one of these products (component recalls).
    host_products = models.ManyToManyField(Product, blank=True, related_name="+")

    #: Serial prefixes, one per line; compared case-insensitively.
    serial_prefixes = models.TextField(blank=True)
    #: Exact serial length in characters, when the notice states one.
    serial_length = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )

    # Serial range: prefix followed by digits, compared as a number.
    range_prefix = models.CharField(max_length=100, blank=True)
    range_first = models.BigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_RANGE_NUMBER)],
    )
    range_last = models.BigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_RANGE_NUMBER)],
    )
    #: Digit count of the bounds as the notice prints them (for display and,
    #: with range_exact_width, for matching).
    range_width = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    #: When set, only serials with exactly range_width digits after the prefix
    #: match; otherwise ABC950 and ABC000950 both count as number 950.
    range_exact_width = models.BooleanField(default=False)

    # Date code at fixed positions in the serial or the lot.
    code_source = models.CharField(
        max_length=10, choices=CodeSource.choices, default=CodeSource.SERIAL
    )
    #: 1-based position of the code's first character.
    code_position = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    #: Layout of the code, such as YYMM or LYY; see ``recalls.scope.CODE_FORMATS``.
    code_format = models.CharField(max_length=10, blank=True)
    #: Window bounds as year * 100 + month (or week), such as 200712, inclusive.
    code_first = models.PositiveIntegerField(null=True, blank=True)
    code_last = models.PositiveIntegerField(null=True, blank=True)

    manufactured_from = models.DateField(null=True, blank=True)
    manufactured_until = models.DateField(null=True, blank=True)
    received_from = models.DateField(null=True, blank=True)
    received_until = models.DateField(null=True, blank=True)
    supplier = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Lot numbers, one per line; compared case-insensitively.
    lots = models.TextField(blank=True)

    class Meta:
        ordering = ["recall", "pk"]
        verbose_name_plural = "recall criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(range_first__isnull=True)
                | Q(range_last__isnull=True)
                | Q(range_last__gte=models.F("range_first")),
                name="recall_criterion_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(code_first__isnull=True)
                | Q(code_last__isnull=True)
                | Q(code_last__gte=models.F("code_first")),
                name="recall_criterion_code_ordered",
            ),
            models.CheckConstraint(
                condition=Q(manufactured_from__isnull=True)
                | Q(manufactured_until__isnull=True)
                | Q(manufactured_until__gte=models.F("manufactured_from")),
                name="recall_criterion_manufactured_ordered",
            ),
            models.CheckConstraint(
                condition=Q(received_from__isnull=True)
                | Q(received_until__isnull=True)
                | Q(received_until__gte=models.F("received_from")),
                name="recall_criterion_received_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"Criterion {self.pk} of {self.recall}"

    def clean(self) -> None:
        from recalls.scope import criterion_problems

        # An unsaved criterion cannot hold its products or serials yet, so the
        # check for an empty criterion waits until it has a primary key (the
        # services check it before saving).
        criterion_problems(self, has_related_parts=self.pk is None)

    def describe(self) -> str:
        """Return the criterion in plain words for the recall page."""
        from recalls.scope import describe_criterion

        return describe_criterion(self)


class RecallSerial(models.Model):
    """One serial on a criterion's explicit list, stored as its case-insensitive key."""

    criterion = models.ForeignKey(RecallCriterion, on_delete=models.CASCADE, related_name="serials")
    #: The serial as the notice prints it, after normalisation.
    serial = models.TextField()
    #: Lower-case key, compared with ``Unit.serial_key``.
    serial_key = models.TextField()

    class Meta:
        ordering = ["criterion", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "serial_key"], name="recall_serial_once_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class AffectedUnit(models.Model):
    """A unit that falls under a recall, and how far its remedy has come."""

    class RemedyState(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        ON_HOLD = "on_hold", "On hold"
        OWNER_NOTIFIED = "owner_notified", "Owner notified"
        RETURNED = "returned", "Returned to the shop"
        REPAIRED = "repaired", "Repaired"
        REPLACED = "replaced", "Replaced"
        REFUNDED = "refunded", "Refunded"
        CLOSED = "closed", "Closed"
        NOT_FOUND = "not_found", "Not found"

    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="affected_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="recall_entries")
    remedy_state = models.CharField(
        max_length=20, choices=RemedyState.choices, default=RemedyState.IDENTIFIED
    )
    #: The unit's status before this recall put it on hold; empty when the
    #: recall did not place the hold. Closing the recall restores it.
    status_before_hold = models.CharField(max_length=30, blank=True)
    identified_at = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recall", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["recall", "unit"], name="affected_unit_once_per_recall"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "remedy_state"], name="affected_unit_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.serial} under {self.recall}"


class Rma(models.Model):
    """A return merchandise authorisation: units sent back to their supplier for credit or exchange.

    Status changes go through ``recalls.rma.rma_change_status``, which follows
    ``recalls.rma.RMA_TRANSITIONS`` and leaves a history record.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        AUTHORISED = "authorised", "Authorised"
        SHIPPED = "shipped", "Shipped"
        RECEIVED_BY_SUPPLIER = "received_by_supplier", "Received by supplier"
        CREDITED = "credited", "Credited"
        REPLACED = "replaced", "Replaced"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class ReplacementWarranty(models.TextChoices):
        CARRY_OVER = "carry_over", "Replacement keeps the faulty unit's remaining warranty"
        FRESH = "fresh", "Replacement gets a fresh warranty from the exchange date"

    supplier = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="rmas")
    #: The authorisation number the supplier gives; empty until the supplier answers.
    supplier_rma_number = models.CharField(max_length=100, blank=True)
    #: The recall this RMA remedies, when it was started from a recall page.
    recall = models.ForeignKey(
        Recall, null=True, blank=True, on_delete=models.PROTECT, related_name="rmas"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.REQUESTED)
    replacement_warranty = models.CharField(
        max_length=20, choices=ReplacementWarranty.choices, default=ReplacementWarranty.CARRY_OVER
    )
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    shipped_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-pk"]
        verbose_name = "RMA"
        verbose_name_plural = "RMAs"
        permissions = [
            ("manage_rmas", "Can create RMAs, ship them and record credits and exchanges")
        ]

    def __str__(self) -> str:
        return f"RMA {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("recalls:rma-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"RMA-{self.pk:06d}"


class RmaLine(models.Model):
    """One unit on an RMA, with what the supplier gave for it: a credit or a replacement unit."""

    rma = models.ForeignKey(Rma, on_delete=models.PROTECT, related_name="lines")
    #: The faulty unit sent back.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rma_lines")
    #: The recall entry this line remedies; null for a defective unit outside a recall.
    affected_unit = models.ForeignKey(
        AffectedUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="rma_lines"
    )
    reason = models.TextField()
    #: The faulty unit's status when the line was created (sold or customer-owned
    #: for a customer's unit); the replacement takes this status.
    original_status = models.CharField(max_length=30)
    #: The unit the supplier sent in exchange; its ``replaces`` is this line.
    replaced_by = models.OneToOneField(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    replaced_on = models.DateField(null=True, blank=True)
    #: The supplier's credit for this unit, as a positive amount; the unit's cost
    #: ledger gets the same amount as a negative supplier-credit entry.
    credit_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    credited_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rma", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rma", "unit"], name="rma_line_unit_once_per_rma"),
            models.CheckConstraint(
                condition=Q(credit_amount__isnull=True) | Q(credit_amount__gt=0),
                name="rma_line_credit_positive",
            ),
            models.CheckConstraint(
                condition=~Q(replaced_by=F("unit")), name="rma_line_not_replaced_by_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.serial} on {self.rma}"
