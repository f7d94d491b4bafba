"""Read-only queries about recalls and the units they affect."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from recalls.models import AffectedUnit, Recall, RecallCriterion
from recalls.scope import recall_q
from units.models import Unit

#: Remedy states in which the recall is not yet dealt with for that unit, so
#: the unit must not be sold, rented out or installed.
UNRESOLVED_STATES = frozenset(
    {
        AffectedUnit.RemedyState.IDENTIFIED,
        AffectedUnit.RemedyState.ON_HOLD,
        AffectedUnit.RemedyState.OWNER_NOTIFIED,
        AffectedUnit.RemedyState.RETURNED,
        AffectedUnit.RemedyState.NOT_FOUND,
    }
)


def recall_criteria(recall: Recall) -> list[RecallCriterion]:
    """Return the recall's criteria with their products and serial counts loaded."""
    return list(
        RecallCriterion.objects.filter(recall=recall)
        .select_related("supplier", "receipt")
        .prefetch_related("products", "host_products")
        .annotate(serial_count=Count("serials"))
        .order_by("pk")
    )


def recall_match(recall: Recall) -> QuerySet[Unit]:
    """Return every unit that falls under the recall, wherever it is, as one queryset.

    A unit matches when any criterion matches it. A recall without criteria
    matches no unit. The query runs in the database; no unit is loaded here.
    """
    q = recall_q(recall_criteria(recall))
    if q is None:
        return Unit.objects.none()
    return Unit.objects.filter(q)


def affected_units_with_assemblies(recall: Recall) -> QuerySet[AffectedUnit]:
    """Return the recall's affected units with product, owner, location and assembly loaded.

    ``unit.installed_in`` is the assembly that a recalled part sits in (None
    for a loose unit); ``unit.owner`` carries the contact details of a sold unit.
    """
    return (
        AffectedUnit.objects.filter(recall=recall)
        .select_related(
            "unit__product",
            "unit__owner",
            "unit__location",
            "unit__installed_in__product",
            "unit__installed_in__owner",
        )
        .order_by("unit__serial_sort", "unit__pk")
    )


def recall_state_counts(recall: Recall) -> dict[str, int]:
    """Return how many affected units are in each remedy state (states with none are left out)."""
    rows = (
        AffectedUnit.objects.filter(recall=recall)
        .values_list("remedy_state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def unit_recall_block(unit: Unit) -> Recall | None:
    """Return the open recall that blocks the unit from sale, rental or installation, or None.

    A unit is blocked while an open recall lists it in an unresolved remedy
    state; with several, the earliest issued is returned.
    """
    return (
        Recall.objects.filter(
            status=Recall.Status.OPEN,
            affected_units__unit=unit,
            affected_units__remedy_state__in=UNRESOLVED_STATES,
        )
        .order_by("issued_on", "pk")
        .first()
    )


# --- Blocks on sale, rental, transfer and installation -------------------------------

#: Rejection texts per blocked action; ``recall_block_message`` fills in serial and reference.
BLOCK_MESSAGES = {
    "sell": "Unit %(serial)s is on hold for recall %(reference)s and cannot be sold; "
    "remove it from this sale.",
    "transfer": "Unit %(serial)s is on hold for recall %(reference)s and cannot be transferred "
    "to another owner until its remedy is done.",
    "rent": "Unit %(serial)s is on hold for recall %(reference)s and cannot be rented out; "
    "choose another fleet unit.",
    "install": "Part %(serial)s is on hold for recall %(reference)s and cannot be fitted; "
    "choose another part.",
}


def recall_block_message(action: str, unit: Unit, recall: Recall) -> str:
    """Return the rejection text for ``action`` (sell, transfer, rent, install) on a blocked unit."""
    return BLOCK_MESSAGES[action] % {"serial": unit.serial, "reference": recall.reference}


def units_recall_blocks(unit_ids: list[int]) -> dict[int, Recall]:
    """Return, for each blocked unit of ``unit_ids``, the recall that blocks it (one query).

    The same rule as ``unit_recall_block``, for a sale of several units.
    """
    entries = (
        AffectedUnit.objects.filter(
            unit_id__in=unit_ids,
            recall__status=Recall.Status.OPEN,
            remedy_state__in=UNRESOLVED_STATES,
        )
        .select_related("recall")
        .order_by("unit_id", "recall__issued_on", "recall_id")
    )
    blocks: dict[int, Recall] = {}
    for entry in entries:
        blocks.setdefault(entry.unit_id, entry.recall)
    return blocks


def receipt_recall_catches(unit_ids: list[int]) -> list[tuple[str, int]]:
    """Return (recall reference, unit count) for the given units held by an open recall.

    For the receiving page, which names the recalls that caught a new receipt.
    """
    rows = (
        AffectedUnit.objects.filter(
            unit_id__in=unit_ids,
            recall__status=Recall.Status.OPEN,
            remedy_state=AffectedUnit.RemedyState.ON_HOLD,
        )
        .values_list("recall__reference")
        .annotate(count=Count("pk"))
        .order_by("recall__reference")
    )
    return list(rows)


# --- The unit page ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRecallFacts:
    """Recall and RMA facts for the unit page, read from ``unit_recall_annotations``."""

    #: The open recall that blocks the unit (see ``unit_recall_block``), as id and reference.
    block_recall_id: int | None
    block_reference: str | None
    #: The unit that replaced this one in an exchange, and the RMA of that exchange.
    replaced_by_id: int | None
    replaced_by_serial: str | None
    replaced_by_rma_id: int | None
    #: The faulty unit that this one replaced, and the RMA of that exchange.
    replaces_id: int | None
    replaces_serial: str | None
    replaces_rma_id: int | None
    #: An RMA still open that lists this unit.
    open_rma_id: int | None

    @staticmethod
    def rma_number(pk: int | None) -> str:
        return f"RMA-{pk:06d}" if pk else ""

    @property
    def replaced_by_rma(self) -> str:
        return self.rma_number(self.replaced_by_rma_id)

    @property
    def replaces_rma(self) -> str:
        return self.rma_number(self.replaces_rma_id)

    @property
    def open_rma(self) -> str:
        return self.rma_number(self.open_rma_id)


def unit_recall_annotations() -> dict:
    """Return annotations for a Unit queryset that carry the unit page's recall and RMA facts.

    The unit page loads them with the unit itself, so they add no query to it;
    ``unit_recall_facts`` reads them back.
    """
    from recalls.models import RmaLine
    from recalls.rma import OPEN_STATUSES

    blocks = AffectedUnit.objects.filter(
        unit=OuterRef("pk"),
        recall__status=Recall.Status.OPEN,
        remedy_state__in=UNRESOLVED_STATES,
    ).order_by("recall__issued_on", "recall_id")
    replaced = RmaLine.objects.filter(unit=OuterRef("pk"), replaced_by__isnull=False).order_by(
        "-pk"
    )
    replaces = RmaLine.objects.filter(replaced_by=OuterRef("pk")).order_by("-pk")
    open_lines = RmaLine.objects.filter(
        unit=OuterRef("pk"), rma__status__in=OPEN_STATUSES
    ).order_by("-pk")
    return {
        "rf_block_recall_id": Subquery(blocks.values("recall_id")[:1]),
        "rf_block_reference": Subquery(blocks.values("recall__reference")[:1]),
        "rf_replaced_by_id": Subquery(replaced.values("replaced_by_id")[:1]),
        "rf_replaced_by_serial": Subquery(replaced.values("replaced_by__serial")[:1]),
        "rf_replaced_by_rma_id": Subquery(replaced.values("rma_id")[:1]),
        "rf_replaces_id": Subquery(replaces.values("unit_id")[:1]),
        "rf_replaces_serial": Subquery(replaces.values("unit__serial")[:1]),
        "rf_replaces_rma_id": Subquery(replaces.values("rma_id")[:1]),
        "rf_open_rma_id": Subquery(open_lines.values("rma_id")[:1]),
    }


def unit_recall_facts(unit: Unit) -> UnitRecallFacts:
    """Return the recall and RMA facts of a unit loaded with ``unit_recall_annotations``.

    A unit loaded without them costs one query here.
    """
    if not hasattr(unit, "rf_block_recall_id"):
        unit = Unit.objects.annotate(**unit_recall_annotations()).get(pk=unit.pk)
    return UnitRecallFacts(
        **{name: getattr(unit, f"rf_{name}") for name in UnitRecallFacts.__dataclass_fields__}
    )


# --- The recall pages --------------------------------------------------------------------


def recall_list(*, query: str = "", status: str = "") -> QuerySet[Recall]:
    """Return recalls matching a search text and status, with affected and unresolved counts."""
    recalls = Recall.objects.all()
    if query:
        recalls = recalls.filter(
            Q(reference__icontains=query)
            | Q(issuer_name__icontains=query)
            | Q(issuer__name__icontains=query)
            | Q(description__icontains=query)
        )
    if status:
        recalls = recalls.filter(status=status)
    # Aggregating queries drop Meta.ordering, so the page order is stated here.
    return (
        recalls.select_related("issuer")
        .annotate(
            affected_count=Count("affected_units"),
            open_count=Count(
                "affected_units", filter=Q(affected_units__remedy_state__in=UNRESOLVED_STATES)
            ),
        )
        .order_by("-issued_on", "-pk")
    )


def recall_location_counts(recall: Recall) -> list[tuple[str | None, int]]:
    """Return (location code, count) of the recall's affected units; None is away from the shop."""
    rows = (
        AffectedUnit.objects.filter(recall=recall)
        .values_list("unit__location__code")
        .annotate(count=Count("pk"))
        .order_by("unit__location__code")
    )
    return list(rows)


def affected_units_filtered(recall: Recall, filters: dict) -> QuerySet[AffectedUnit]:
    """Return the recall's affected units narrowed by state, location, unit status and owner name."""
    entries = affected_units_with_assemblies(recall)
    if filters.get("state"):
        entries = entries.filter(remedy_state=filters["state"])
    if filters.get("location"):
        entries = entries.filter(unit__location=filters["location"])
    if filters.get("status"):
        entries = entries.filter(unit__status=filters["status"])
    if filters.get("owner"):
        owner = filters["owner"]
        entries = entries.filter(
            Q(unit__owner__name__icontains=owner)
            | Q(unit__installed_in__owner__name__icontains=owner)
        )
    return entries


#: Remedy states that count as remedied on the progress chart; open means
#: ``UNRESOLVED_STATES``, and closed entries count as neither.
REMEDIED_STATES = frozenset(
    {
        AffectedUnit.RemedyState.REPAIRED,
        AffectedUnit.RemedyState.REPLACED,
        AffectedUnit.RemedyState.REFUNDED,
    }
)


def recall_progress(recall: Recall) -> list[tuple[datetime.date, int, int]]:
    """Return (date, open, remedied) at the end of each day on which an affected unit changed.

    Read from the AffectedUnit history, one row per change; a unit counts in
    the state of its last change up to that day.
    """
    history = (
        AffectedUnit.history.filter(recall_id=recall.pk)
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "remedy_state")
    )
    latest: dict[int, str] = {}
    series: list[tuple[datetime.date, int, int]] = []
    open_count = remedied = 0
    for entry_id, when, state in history.iterator(chunk_size=5000):
        previous = latest.get(entry_id)
        open_count += (state in UNRESOLVED_STATES) - (previous in UNRESOLVED_STATES)
        remedied += (state in REMEDIED_STATES) - (previous in REMEDIED_STATES)
        latest[entry_id] = state
        day = timezone.localdate(when)
        if series and series[-1][0] == day:
            series[-1] = (day, open_count, remedied)
        else:
            series.append((day, open_count, remedied))
    return series


def owners_to_notify(recall: Recall) -> list[tuple]:
    """Return rows of owner name, e-mail, phone, address, serial, model, product and assembly.

    Units in an unresolved remedy state only. A fitted part's owner is the
    owner of its assembly; units the shop holds have no owner to notify and
    are left out.
    """
    rows = []
    entries = affected_units_with_assemblies(recall).filter(remedy_state__in=UNRESOLVED_STATES)
    for entry in entries:
        unit = entry.unit
        owner = unit.owner or (unit.installed_in.owner if unit.installed_in_id else None)
        if owner is None:
            continue
        rows.append(
            (
                owner.name,
                owner.email,
                owner.phone,
                owner.address,
                unit.serial,
                unit.product.model_number,
                unit.product.name,
                unit.installed_in.serial if unit.installed_in_id else "",
            )
        )
    return rows
