"""Write operations on recalls: recording them, matching units, holds and closing.

Every function is one transaction, takes the acting user as ``actor`` and
leaves history records with that user and a reason. Unit statuses change only
through ``units.services.units_bulk_change_status``.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from inventory.models import Party, Product
from recalls.models import AffectedUnit, Recall, RecallCriterion, RecallSerial
from recalls.scope import criterion_problems
from recalls.selectors import recall_match
from units.models import Status, Unit
from units.serials import normalize_serial, serial_key
from units.services import units_bulk_change_status

logger = logging.getLogger(__name__)

#: Unit statuses in which the shop holds the unit as stock it could sell or
#: soon sell again; recall_place_holds moves these to On hold at once. Units
#: with customers, rented out, in internal use or installed are recorded but
#: stay where they are until they come back.
HOLD_STATUSES = frozenset({Status.IN_STOCK, Status.RESERVED, Status.INSPECTION, Status.DAMAGED})

#: Statuses that closing a recall gives back to a held unit, so that Damaged
#: and Awaiting inspection units do not become sellable. In-stock and reserved
#: units return to In stock, and the reservation is not restored.
_RESTORED_STATUSES = frozenset({Status.DAMAGED, Status.INSPECTION})


#: Primary keys per UPDATE ... WHERE id IN (...) statement of ``_bulk_save_entries``.
_UPDATE_CHUNK = 10_000


class RecallError(Exception):
    """A business rule rejected a change to a recall; the message is shown to the user."""


class RecallClosedError(RecallError):
    pass


def _bulk_save_entries(
    entries: list[AffectedUnit], fields: list[str], actor: AbstractBaseUser, reason: str
) -> None:
    """Write ``fields`` of many entries with one UPDATE per distinct set of values, plus history.

    A hold gives thousands of entries the same few values, and Django's
    bulk_update builds a CASE branch per row in Python, which took about a
    second per thousand entries on the benchmark data set.
    """
    groups: dict[tuple, list[int]] = defaultdict(list)
    for entry in entries:
        groups[tuple(getattr(entry, field) for field in fields)].append(entry.pk)
    for values, pks in groups.items():
        for start in range(0, len(pks), _UPDATE_CHUNK):
            AffectedUnit.objects.filter(pk__in=pks[start : start + _UPDATE_CHUNK]).update(
                **dict(zip(fields, values, strict=True))
            )
    AffectedUnit.history.bulk_history_create(
        entries, batch_size=1000, update=True, default_user=actor, default_change_reason=reason
    )


def _hold_reason(recall: Recall) -> str:
    return f"Recall {recall.reference}: on hold"


def _release_reason(recall: Recall) -> str:
    return f"Recall {recall.reference}: closed, hold released"


def _locked_recall(recall: Recall) -> Recall:
    return Recall.objects.select_for_update().get(pk=recall.pk)


def _require_open(recall: Recall) -> None:
    if recall.status != Recall.Status.OPEN:
        raise RecallClosedError(
            f"Recall {recall.reference} is closed, so it matches and holds no more units."
        )


# --- Recording a recall ----------------------------------------------------------


def recall_create(
    *,
    actor: AbstractBaseUser,
    reference: str,
    issued_on: datetime.date,
    description: str,
    remedy: str,
    issuer: Party | None = None,
    issuer_name: str = "",
    hazard: str = "",
) -> Recall:
    """Record a new open recall; raises ValidationError for a taken reference or missing field."""
    recall = Recall(
        reference=(reference or "").strip(),
        issued_on=issued_on,
        description=description,
        remedy=remedy,
        issuer=issuer,
        issuer_name=issuer_name,
        hazard=hazard,
        created_by=actor,
    )
    if not recall.issuer_id and not recall.issuer_name.strip():
        raise ValidationError(
            {"issuer_name": "Name the issuer: choose a party or type an agency name."},
            code="issuer_required",
        )
    recall.full_clean()
    with transaction.atomic():
        recall._history_user = actor
        recall._change_reason = "Recall recorded"
        recall.save()
    logger.info("Recall %s: recorded by user %s", recall.pk, actor.pk)
    return recall


#: Fields of a recall that its edit page may change.
EDITABLE_FIELDS = (
    "reference",
    "issuer",
    "issuer_name",
    "issued_on",
    "description",
    "hazard",
    "remedy",
)


def recall_update(*, recall: Recall, actor: AbstractBaseUser, **fields: object) -> Recall:
    """Change a recall's notice details (``EDITABLE_FIELDS``); criteria change separately."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"recall_update cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = _locked_recall(recall)
        for name, value in fields.items():
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        if not current.issuer_id and not current.issuer_name.strip():
            raise ValidationError(
                {"issuer_name": "Name the issuer: choose a party or type an agency name."},
                code="issuer_required",
            )
        current.full_clean()
        current._history_user = actor
        current._change_reason = "Recall details edited"
        current.save()
    logger.info("Recall %s: details edited by user %s", current.pk, actor.pk)
    return current


def _clean_listed_serials(raw_serials: Iterable[object]) -> list[str]:
    """Normalise listed serials and drop repeats (compared case-insensitively)."""
    seen: set[str] = set()
    cleaned = []
    for raw in raw_serials:
        serial = normalize_serial(raw)
        if serial_key(serial) not in seen:
            seen.add(serial_key(serial))
            cleaned.append(serial)
    return cleaned


def recall_add_criterion(
    *,
    actor: AbstractBaseUser,
    recall: Recall,
    products: Iterable[Product] = (),
    host_products: Iterable[Product] = (),
    serials: Iterable[object] = (),
    **fields: object,
) -> RecallCriterion:
    """Add one criterion to a recall; ``fields`` are RecallCriterion fields.

    ``serials`` are raw serials (see ``recalls.scope.split_serial_text`` for
    pasted notice text); they are normalised and stored as keys. Raises
    ValidationError for an empty or contradictory criterion.
    """
    products, host_products = list(products), list(host_products)
    cleaned = _clean_listed_serials(serials)
    criterion = RecallCriterion(recall=recall, **fields)
    criterion_problems(criterion, has_related_parts=bool(products or host_products or cleaned))
    criterion.full_clean()
    with transaction.atomic():
        criterion.save()
        criterion.products.set(products)
        criterion.host_products.set(host_products)
        RecallSerial.objects.bulk_create(
            [
                RecallSerial(criterion=criterion, serial=s, serial_key=serial_key(s))
                for s in cleaned
            ],
            batch_size=5000,
        )
        recall._history_user = actor
        recall._change_reason = f"Criterion added: {criterion.describe()}"[:100]
        recall.save()
    logger.info("Recall %s: criterion %s added by user %s", recall.pk, criterion.pk, actor.pk)
    return criterion


# --- Matching ------------------------------------------------------------------------


def _record_matches(
    recall: Recall, units: QuerySet[Unit], actor: AbstractBaseUser
) -> list[AffectedUnit]:
    """Insert an AffectedUnit row for each unit of ``units`` that the recall does not list yet."""
    listed = AffectedUnit.objects.filter(recall=recall).values("unit_id")
    new_ids = list(units.exclude(pk__in=listed).order_by("pk").values_list("pk", flat=True))
    rows = [AffectedUnit(recall=recall, unit_id=unit_id) for unit_id in new_ids]
    return bulk_create_with_history(
        rows,
        AffectedUnit,
        batch_size=1000,
        default_user=actor,
        default_change_reason=f"Recall {recall.reference}: matched",
    )


def recall_run_matching(*, recall: Recall, actor: AbstractBaseUser) -> list[AffectedUnit]:
    """Record every unit that matches the recall and is not recorded yet; returns the new rows.

    Running it again inserts only units that match now and did not before, so
    it is safe to repeat after criteria change or units arrive.
    """
    with transaction.atomic():
        # The recall row lock serialises two runs: the second waits, then reads
        # the first one's rows and inserts none of them again.
        recall = _locked_recall(recall)
        _require_open(recall)
        created = _record_matches(recall, recall_match(recall), actor)
    logger.info("Recall %s: %d units newly matched", recall.pk, len(created))
    return created


# --- Holds -----------------------------------------------------------------------------


def _place_holds(recall: Recall, actor: AbstractBaseUser, unit_ids: list[int] | None) -> list[int]:
    entries = AffectedUnit.objects.filter(
        recall=recall, remedy_state=AffectedUnit.RemedyState.IDENTIFIED
    )
    if unit_ids is not None:
        entries = entries.filter(unit_id__in=unit_ids)
    # Locking the rows and their units in unit order keeps a sale or a second
    # hold from changing a unit between reading its status and holding it.
    entries = list(entries.select_for_update().select_related("unit").order_by("unit_id"))

    to_hold = [entry for entry in entries if entry.unit.status in HOLD_STATUSES]
    already_held = [entry for entry in entries if entry.unit.status == Status.ON_HOLD]
    for entry in to_hold:
        entry.status_before_hold = entry.unit.status

    if to_hold:
        units_bulk_change_status(
            units=[entry.unit for entry in to_hold],
            status=Status.ON_HOLD,
            actor=actor,
            reason=_hold_reason(recall),
        )
    # A unit already on hold (by another recall or for another reason) is
    # marked on hold here too, but status_before_hold stays empty, so closing
    # this recall does not release a hold it did not place.
    for entry in to_hold + already_held:
        entry.remedy_state = AffectedUnit.RemedyState.ON_HOLD
    _bulk_save_entries(
        to_hold + already_held,
        ["remedy_state", "status_before_hold"],
        actor,
        _hold_reason(recall),
    )
    return [entry.unit_id for entry in to_hold]


def recall_place_holds(*, recall: Recall, actor: AbstractBaseUser) -> list[int]:
    """Put every affected unit that sits in the shop's stock on hold at once; returns their ids.

    Units in ``HOLD_STATUSES`` move to On hold with one history record each
    (reason "Recall <reference>: on hold"); their remedy state becomes on_hold.
    """
    with transaction.atomic():
        recall = _locked_recall(recall)
        _require_open(recall)
        held = _place_holds(recall, actor, None)
    logger.info("Recall %s: %d units put on hold", recall.pk, len(held))
    return held


def recall_check_new_units(
    *, unit_ids: Iterable[int], actor: AbstractBaseUser
) -> list[AffectedUnit]:
    """Match newly received units against every open recall, record them and hold them.

    For the receiving services to call after units are created; returns the
    new AffectedUnit rows (one unit may appear under several recalls).
    """
    unit_ids = sorted(set(unit_ids))
    created: list[AffectedUnit] = []
    if not unit_ids:
        return created
    with transaction.atomic():
        # Recalls are locked in primary-key order, as recall_run_matching locks them.
        open_recalls = Recall.objects.select_for_update().filter(status=Recall.Status.OPEN)
        for recall in open_recalls.order_by("pk"):
            new = _record_matches(recall, recall_match(recall).filter(pk__in=unit_ids), actor)
            if new:
                _place_holds(recall, actor, [entry.unit_id for entry in new])
                logger.info("Recall %s: %d new units caught on arrival", recall.pk, len(new))
            created.extend(new)
    return created


# --- Closing ---------------------------------------------------------------------------


def _hand_over_holds(recall: Recall, held: list[AffectedUnit], actor: AbstractBaseUser) -> set[int]:
    """Pass this recall's holds on to other open recalls that also hold those units.

    Returns the ids of units that stay on hold because another open recall holds them.
    """
    others = (
        AffectedUnit.objects.select_for_update()
        .filter(
            unit_id__in=[entry.unit_id for entry in held],
            remedy_state=AffectedUnit.RemedyState.ON_HOLD,
            recall__status=Recall.Status.OPEN,
        )
        .exclude(recall=recall)
        .order_by("unit_id", "recall_id")
    )
    first_other: dict[int, AffectedUnit] = {}
    for other in others:
        first_other.setdefault(other.unit_id, other)
    before = {entry.unit_id: entry.status_before_hold for entry in held}
    handed = [
        other
        for unit_id, other in first_other.items()
        if not other.status_before_hold and before[unit_id]
    ]
    for other in handed:
        other.status_before_hold = before[other.unit_id]
    bulk_update_with_history(
        handed,
        AffectedUnit,
        ["status_before_hold"],
        default_user=actor,
        default_change_reason=f"Recall {recall.reference} closed; this recall keeps the hold",
    )
    return set(first_other)


def _release_holds(recall: Recall, actor: AbstractBaseUser) -> list[int]:
    held = list(
        AffectedUnit.objects.select_for_update()
        .filter(recall=recall, remedy_state=AffectedUnit.RemedyState.ON_HOLD)
        .select_related("unit")
        .order_by("unit_id")
    )
    kept = _hand_over_holds(recall, held, actor)
    by_target: dict[str, list[Unit]] = defaultdict(list)
    for entry in held:
        if entry.unit_id in kept or not entry.status_before_hold:
            continue
        if entry.unit.status != Status.ON_HOLD:
            continue
        target = (
            entry.status_before_hold
            if entry.status_before_hold in _RESTORED_STATUSES
            else Status.IN_STOCK
        )
        by_target[target].append(entry.unit)
    released = []
    for target, units in sorted(by_target.items()):
        released += units_bulk_change_status(
            units=units, status=target, actor=actor, reason=_release_reason(recall)
        )
    for entry in held:
        entry.remedy_state = AffectedUnit.RemedyState.CLOSED
    _bulk_save_entries(held, ["remedy_state"], actor, _release_reason(recall))
    return [unit.pk for unit in released]


def recall_close(*, recall: Recall, actor: AbstractBaseUser) -> list[int]:
    """Close the recall and release the holds it placed; returns the ids of released units.

    A held unit goes back to In stock (Damaged and Awaiting inspection units to
    that status), unless another open recall also holds it. Affected units in
    other remedy states keep them as the record of the campaign. Closing a
    closed recall changes nothing.
    """
    with transaction.atomic():
        recall = _locked_recall(recall)
        if recall.status == Recall.Status.CLOSED:
            return []
        released = _release_holds(recall, actor)
        recall.status = Recall.Status.CLOSED
        recall.closed_on = timezone.localdate()
        recall._history_user = actor
        recall._change_reason = "Recall closed"
        recall.save()
    logger.info("Recall %s: closed, %d units released", recall.pk, len(released))
    return released


def affected_unit_set_state(
    *, entry: AffectedUnit, remedy_state: str, actor: AbstractBaseUser, reason: str
) -> AffectedUnit:
    """Record the progress of one affected unit's remedy (owner notified, repaired...).

    Holds are placed only by ``recall_place_holds``, so on_hold is rejected here.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change.", code="reason_required")
    if remedy_state == AffectedUnit.RemedyState.ON_HOLD:
        raise RecallError("Put units on hold with the recall's hold action, not one by one.")
    with transaction.atomic():
        current = AffectedUnit.objects.select_for_update().select_related("recall").get(pk=entry.pk)
        if current.remedy_state == remedy_state:
            return current
        current.remedy_state = remedy_state
        current._history_user = actor
        current._change_reason = reason
        current.save()
    return current
