"""RMAs: sending faulty units back to their supplier, and the credits and exchanges that follow.

Every function is one transaction, takes the acting user as ``actor`` and
leaves history records with that user and a reason. Unit statuses change only
through ``units.services``; the RMA status changes only in ``rma_change_status``.

The exchange rule: when the supplier's replacement arrives for a line, the
replacement takes the faulty unit's place. For a customer's unit the
replacement becomes the customer's (owner, status sold or customer-owned as the
faulty unit was, a new ownership period), and its warranty follows the RMA's
``replacement_warranty`` option. The faulty unit ends with the status Returned
to supplier and the shop as owner, and the two units point to each other
through ``RmaLine.replaced_by`` and ``Unit.replaces``.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inventory.models import Location, Party
from recalls.models import AffectedUnit, Recall, Rma, RmaLine
from units import services as unit_services
from units.models import Ownership, Status, Unit
from units.warranty import warranty_end

logger = logging.getLogger(__name__)

RmaStatus = Rma.Status

#: The RMA workflow: which status may follow which.
RMA_TRANSITIONS: dict[str, frozenset[str]] = {
    RmaStatus.REQUESTED: frozenset({RmaStatus.AUTHORISED, RmaStatus.CANCELLED}),
    RmaStatus.AUTHORISED: frozenset({RmaStatus.SHIPPED, RmaStatus.CANCELLED}),
    RmaStatus.SHIPPED: frozenset({RmaStatus.RECEIVED_BY_SUPPLIER}),
    RmaStatus.RECEIVED_BY_SUPPLIER: frozenset({RmaStatus.CREDITED, RmaStatus.REPLACED}),
    RmaStatus.CREDITED: frozenset({RmaStatus.CLOSED}),
    RmaStatus.REPLACED: frozenset({RmaStatus.CLOSED}),
    RmaStatus.CLOSED: frozenset(),
    RmaStatus.CANCELLED: frozenset(),
}

#: Statuses in which credits and replacements may be recorded against lines.
SETTLING_STATUSES = frozenset(
    {RmaStatus.RECEIVED_BY_SUPPLIER, RmaStatus.CREDITED, RmaStatus.REPLACED}
)

#: Statuses of an RMA that still has its units; a unit may be on one such RMA at a time.
OPEN_STATUSES = frozenset(set(RmaStatus.values) - {RmaStatus.CLOSED, RmaStatus.CANCELLED})

#: Unit statuses from which a unit can go back to its supplier. A customer's
#: unit (sold or customer-owned) first moves to the status in ``_COLLECTED_VIA``,
#: because the unit workflow has no direct move from those to Returned to supplier.
RETURNABLE_STATUSES = frozenset(
    {
        Status.IN_STOCK,
        Status.ON_HOLD,
        Status.DAMAGED,
        Status.INSPECTION,
        Status.SOLD,
        Status.CUSTOMER_OWNED,
    }
)
_COLLECTED_VIA = {Status.SOLD: Status.INSPECTION, Status.CUSTOMER_OWNED: Status.ON_HOLD}

#: Statuses that mean the unit belongs to a customer, so its replacement goes to that customer.
CUSTOMER_STATUSES = frozenset({Status.SOLD, Status.CUSTOMER_OWNED})

MESSAGES = {
    "transition": "RMA %(number)s cannot move from %(current)s to %(target)s.",
    "no_lines": "Choose at least one unit to send back.",
    "reason_required": "Give the fault of unit %(serial)s; a unit outside a recall needs a reason.",
    "not_returnable": (
        "Unit %(serial)s is %(state)s, so it cannot be sent back to the supplier. "
        "Only units in stock, on hold, damaged, awaiting inspection or with a customer can."
    ),
    "installed": "Unit %(serial)s is installed in %(assembly)s; take it out before sending it back.",
    "on_open_rma": "Unit %(serial)s is already on %(number)s, which is still open.",
    "wrong_recall": "Unit %(serial)s is not listed under recall %(reference)s.",
    "shipping_details": "Give the carrier and the tracking number of the shipment.",
    "not_settling": (
        "RMA %(number)s is %(state)s; record credits and replacements once the supplier "
        "has received the units."
    ),
    "already_replaced": "Unit %(serial)s was already replaced by %(replacement)s.",
    "already_credited": "Unit %(serial)s was already credited %(amount)s on %(on)s.",
    "location_required": "Choose the location where the replacement for %(serial)s goes into stock.",
    "replacement_recalled": (
        "The replacement %(replacement)s falls under open recall %(reference)s too, so it "
        "cannot go to the customer. Ask the supplier for a unit outside the recall."
    ),
    "credit_invalid": "The credit %(value)s is not a positive amount; enter it like 120.00.",
}


class RmaError(Exception):
    """A business rule rejected a change to an RMA; the message is shown to the user."""


def _error(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params)


def _save(obj, *, actor: AbstractBaseUser, reason: str) -> None:
    obj._history_user = actor
    obj._change_reason = reason[:100]
    obj.save()


def _state(unit: Unit) -> str:
    return unit.get_status_display().lower()


@dataclass(frozen=True)
class RmaLineInput:
    unit_id: int
    reason: str = ""
    affected_unit_id: int | None = None


# --- Creating ----------------------------------------------------------------------


def _line_problem(unit: Unit, open_lines: dict[int, RmaLine]) -> ValidationError | None:
    if unit.installed_in_id:
        return _error("installed", serial=unit.serial, assembly=unit.installed_in.serial)
    if unit.status not in RETURNABLE_STATUSES:
        return _error("not_returnable", serial=unit.serial, state=_state(unit))
    if unit.pk in open_lines:
        return _error("on_open_rma", serial=unit.serial, number=open_lines[unit.pk].rma.number)
    return None


def _affected_entries(recall_id: int | None, lines: list[RmaLineInput]) -> dict[int, AffectedUnit]:
    ids = [line.affected_unit_id for line in lines if line.affected_unit_id]
    entries = AffectedUnit.objects.select_related("recall").filter(pk__in=ids)
    if recall_id is not None:
        entries = entries.filter(recall_id=recall_id)
    return {entry.pk: entry for entry in entries}


def rma_create(
    *,
    actor: AbstractBaseUser,
    supplier: Party,
    lines: list[RmaLineInput],
    supplier_rma_number: str = "",
    recall=None,
    replacement_warranty: str = Rma.ReplacementWarranty.CARRY_OVER,
    notes: str = "",
) -> Rma:
    """Request an RMA from ``supplier`` for the listed units; all or nothing.

    Raises ValidationError listing every unit that cannot go back (its status,
    an assembly it is fitted in, another open RMA) and every line without a reason.
    """
    if not lines:
        raise _error("no_lines")
    unit_ids = [line.unit_id for line in lines]
    with transaction.atomic():
        # Locking the units (in id order) keeps two clerks from putting one unit
        # on two RMAs, and a sale from taking it meanwhile.
        units = {
            unit.pk: unit
            for unit in Unit.objects.select_for_update(of=("self",))
            .select_related("installed_in")
            .filter(pk__in=unit_ids)
            .order_by("pk")
        }
        open_lines = {
            line.unit_id: line
            for line in RmaLine.objects.select_related("rma").filter(
                unit_id__in=unit_ids, rma__status__in=OPEN_STATUSES
            )
        }
        entries = _affected_entries(recall.pk if recall else None, lines)
        problems = []
        for line in lines:
            unit = units[line.unit_id]
            problem = _line_problem(unit, open_lines)
            if problem is not None:
                problems.append(problem)
            elif line.affected_unit_id and line.affected_unit_id not in entries:
                problems.append(
                    _error("wrong_recall", serial=unit.serial, reference=recall.reference)
                )
            elif not line.affected_unit_id and not line.reason.strip():
                problems.append(_error("reason_required", serial=unit.serial))
        if problems:
            raise ValidationError(problems)
        rma = Rma(
            supplier=supplier,
            supplier_rma_number=(supplier_rma_number or "").strip(),
            recall=recall,
            replacement_warranty=replacement_warranty,
            notes=(notes or "").strip(),
            created_by=actor,
        )
        rma.full_clean()
        _save(rma, actor=actor, reason="RMA requested")
        for line in lines:
            entry = entries.get(line.affected_unit_id)
            reason = line.reason.strip() or f"Recall {entry.recall.reference}"
            _save(
                RmaLine(
                    rma=rma,
                    unit=units[line.unit_id],
                    affected_unit=entry,
                    reason=reason,
                    original_status=units[line.unit_id].status,
                ),
                actor=actor,
                reason=f"Unit added to {rma.number}",
            )
    logger.info("RMA %s: requested from party %s with %d units", rma.pk, supplier.pk, len(lines))
    return rma


# --- Status --------------------------------------------------------------------------


def allowed_next(status: str) -> list[str]:
    """Return the statuses that may follow ``status``, in workflow order."""
    following = RMA_TRANSITIONS.get(status, frozenset())
    return [value for value in RmaStatus.values if value in following]


def _send_units_back(rma: Rma, actor: AbstractBaseUser) -> None:
    """Move every line's unit to Returned to supplier, collecting a customer's unit first."""
    lines = list(rma.lines.select_related("unit").order_by("unit_id"))
    reason = f"Sent back to {rma.supplier.name} on {rma.number}"
    for line in lines:
        unit = line.unit
        via = _COLLECTED_VIA.get(unit.status)
        if via is not None:
            owner = unit.owner.name if unit.owner_id else "the customer"
            unit = unit_services.unit_change_status(
                unit=unit,
                status=via,
                actor=actor,
                reason=f"Collected from {owner} for {rma.number}",
            )
        unit_services.unit_change_status(
            unit=unit, status=Status.RETURNED_TO_SUPPLIER, actor=actor, reason=reason, location=None
        )


def rma_change_status(
    *,
    rma: Rma,
    status: str,
    actor: AbstractBaseUser,
    reason: str = "",
    carrier: str = "",
    tracking_number: str = "",
    shipped_on: datetime.date | None = None,
    supplier_rma_number: str = "",
) -> Rma:
    """Move an RMA to ``status`` if the workflow allows it, with one history record.

    Authorising may record the supplier's RMA number. Shipping needs a carrier
    and tracking number and sends every unit back (status Returned to
    supplier). A move to the current status changes nothing.
    """
    with transaction.atomic():
        current = Rma.objects.select_for_update().select_related("supplier").get(pk=rma.pk)
        if current.status == status:
            return current
        if status not in RMA_TRANSITIONS.get(current.status, frozenset()):
            raise RmaError(
                MESSAGES["transition"]
                % {
                    "number": current.number,
                    "current": current.get_status_display(),
                    "target": RmaStatus(status).label if status in RmaStatus.values else status,
                }
            )
        if status == RmaStatus.AUTHORISED and supplier_rma_number.strip():
            current.supplier_rma_number = supplier_rma_number.strip()
        if status == RmaStatus.SHIPPED:
            if not carrier.strip() or not tracking_number.strip():
                raise _error("shipping_details")
            current.carrier = carrier.strip()
            current.tracking_number = tracking_number.strip()
            current.shipped_on = shipped_on or timezone.localdate()
            _send_units_back(current, actor)
        previous = current.get_status_display()
        current.status = status
        text = f"{previous} to {current.get_status_display()}"
        _save(current, actor=actor, reason=f"{text}: {reason.strip()}" if reason.strip() else text)
    logger.info("RMA %s: status %s", current.pk, status)
    return current


def _locked_line(line: RmaLine) -> tuple[Rma, RmaLine]:
    # The RMA row is locked before its line, in the order rma_change_status
    # uses, so a status change and a line update run one after the other.
    rma = Rma.objects.select_for_update().select_related("supplier").get(pk=line.rma_id)
    current = (
        RmaLine.objects.select_for_update(of=("self",))
        .select_related("unit__product", "unit__owner", "affected_unit", "replaced_by")
        .get(pk=line.pk)
    )
    if rma.status not in SETTLING_STATUSES:
        raise _error("not_settling", number=rma.number, state=rma.get_status_display().lower())
    return rma, current


def _advance(rma: Rma, status: str, actor: AbstractBaseUser, reason: str) -> None:
    """Move an RMA that the supplier has received on to credited or replaced."""
    if rma.status == RmaStatus.RECEIVED_BY_SUPPLIER:
        rma.status = status
        _save(rma, actor=actor, reason=reason)


def _set_remedy(line: RmaLine, state: str, actor: AbstractBaseUser, reason: str) -> None:
    if line.affected_unit_id is None:
        return
    entry = AffectedUnit.objects.select_for_update().get(pk=line.affected_unit_id)
    if entry.remedy_state != state:
        entry.remedy_state = state
        _save(entry, actor=actor, reason=reason)


# --- Credits -------------------------------------------------------------------------


def _clean_credit(raw) -> Decimal:
    from depreciation.costs import clean_amount
    from depreciation.models import CostKind

    text = str(raw or "").strip()
    if text.startswith("-"):
        raise _error("credit_invalid", value=text)
    # clean_amount states the ledger's rules (cents, range, not zero) for a
    # negative supplier credit; the line keeps the positive amount.
    return -clean_amount(f"-{text}", kind=CostKind.SUPPLIER_CREDIT)


def rma_line_record_credit(
    *, line: RmaLine, amount, actor: AbstractBaseUser, credited_on: datetime.date | None = None
) -> RmaLine:
    """Record the supplier's credit for one line and enter it in the unit's cost ledger.

    The ledger entry is a negative supplier credit (``depreciation.costs``), so
    the unit's total investment drops by the amount. An RMA that the supplier
    has received becomes credited; a recall entry of the unit becomes refunded.
    """
    from depreciation.costs import unit_cost_add
    from depreciation.models import CostKind

    amount = _clean_credit(amount)
    credited_on = credited_on or timezone.localdate()
    with transaction.atomic():
        rma, current = _locked_line(line)
        if current.credit_amount is not None:
            raise _error(
                "already_credited",
                serial=current.unit.serial,
                amount=current.credit_amount,
                on=current.credited_on,
            )
        reason = f"Credit {amount} from {rma.supplier.name} on {rma.number}"
        unit_cost_add(
            actor=actor,
            unit=current.unit,
            kind=CostKind.SUPPLIER_CREDIT,
            amount=-amount,
            entry_date=credited_on,
            note=reason,
        )
        current.credit_amount = amount
        current.credited_on = credited_on
        _save(current, actor=actor, reason=reason)
        _set_remedy(current, AffectedUnit.RemedyState.REFUNDED, actor, reason)
        _advance(rma, RmaStatus.CREDITED, actor, reason)
    logger.info("RMA %s: line %s credited", rma.pk, current.pk)
    return current


# --- Exchange ------------------------------------------------------------------------


def _replacement_warranty(rma: Rma, faulty: Unit, on: datetime.date) -> dict:
    """Return the replacement's warranty fields under the RMA's rule.

    Carry-over copies the faulty unit's dates, so the customer keeps the cover
    left on the original purchase. Fresh starts the product's parts and labour
    warranty on the exchange date. An extended warranty is a contract on the
    customer's purchase, so it carries over either way.
    """
    if rma.replacement_warranty == Rma.ReplacementWarranty.FRESH:
        product = faulty.product
        return {
            "warranty_starts_on": on,
            "warranty_parts_until": warranty_end(on, product.warranty_parts_months),
            "warranty_labour_until": warranty_end(on, product.warranty_labour_months),
            "extended_warranty_until": faulty.extended_warranty_until,
        }
    return {
        "warranty_starts_on": faulty.warranty_starts_on,
        "warranty_parts_until": faulty.warranty_parts_until,
        "warranty_labour_until": faulty.warranty_labour_until,
        "extended_warranty_until": faulty.extended_warranty_until,
    }


def _close_ownership(unit: Unit, *, on: datetime.date, owner: Party | None, reason: str, actor):
    """End the unit's open ownership period on ``on`` and open one for ``owner``."""
    current = Ownership.objects.select_for_update().filter(unit=unit, ended_on__isnull=True).first()
    if current is None:
        # The first recorded change also records the period before it.
        current = Ownership.objects.create(
            unit=unit,
            owner=unit.owner,
            started_on=min(unit.received_on or on, on),
            reason="Owner before the first recorded change",
            created_by=actor,
        )
    current.ended_on = max(on, current.started_on)
    current.save(update_fields=["ended_on"])
    Ownership.objects.create(
        unit=unit, owner=owner, started_on=current.ended_on, reason=reason, created_by=actor
    )


def _check_replacement_not_recalled(replacement: Unit, actor: AbstractBaseUser) -> None:
    from recalls.services import recall_check_new_units

    # Creating the unit already matched it against the open recalls, so the
    # entries may exist before this check; a second match only adds new ones.
    caught = recall_check_new_units(unit_ids=[replacement.pk], actor=actor) or list(
        AffectedUnit.objects.filter(unit=replacement, recall__status=Recall.Status.OPEN)
        .select_related("recall")
        .order_by("pk")
    )
    if caught:
        raise _error(
            "replacement_recalled",
            replacement=replacement.serial,
            reference=caught[0].recall.reference,
        )


def _customer_replacement(rma, line, serial, on, actor) -> Unit:
    """Create the replacement straight into the customer's hands, never as shop stock."""
    faulty = line.unit
    customer = faulty.owner
    reason = f"Replacement for {faulty.serial} on {rma.number}, exchanged to {customer.name}"
    replacement = unit_services.unit_register(
        actor=actor,
        product=faulty.product,
        serial=serial,
        reason=reason,
        status=line.original_status,
        owner=customer,
        supplier=rma.supplier,
        received_on=on,
    )
    _check_replacement_not_recalled(replacement, actor)
    for field, value in _replacement_warranty(rma, faulty, on).items():
        setattr(replacement, field, value)
    unit_services.unit_save(replacement, actor=actor, reason=f"Warranty of {reason}")
    Ownership.objects.create(
        unit=replacement, owner=customer, started_on=on, reason=reason, created_by=actor
    )
    _close_ownership(
        faulty,
        on=on,
        owner=None,
        reason=f"Exchanged for {replacement.serial} on {rma.number}; returned to supplier",
        actor=actor,
    )
    return replacement


def _stock_replacement(rma, line, serial, on, location, actor) -> Unit:
    """Receive the replacement for a shop-owned unit into stock at ``location``."""
    faulty = line.unit
    if location is None:
        raise _error("location_required", serial=faulty.serial)
    receipt = unit_services.receipt_create(
        actor=actor,
        supplier=rma.supplier,
        product=faulty.product,
        location=location,
        serials=[serial],
        received_on=on,
        reference=rma.supplier_rma_number or rma.number,
        notes=f"Replacement for {faulty.serial} on {rma.number}",
    )
    return receipt.units.get()


def rma_line_receive_replacement(
    *,
    line: RmaLine,
    serial: str,
    actor: AbstractBaseUser,
    location: Location | None = None,
    received_on: datetime.date | None = None,
) -> Unit:
    """Receive the supplier's replacement for one line and let it take the faulty unit's place.

    The replacement is a new unit of the same product. For a customer's unit it
    goes to that customer with the status the faulty unit had and the warranty
    that the RMA's ``replacement_warranty`` gives. For a shop unit it is
    received into stock at ``location``. The faulty unit's owner becomes the
    shop and its warranty ends. A recall entry of the faulty unit becomes
    replaced, and an RMA that the supplier has received becomes replaced.
    Returns the replacement.
    """
    on = received_on or timezone.localdate()
    with transaction.atomic():
        rma, current = _locked_line(line)
        faulty = current.unit
        if current.replaced_by_id:
            raise _error(
                "already_replaced", serial=faulty.serial, replacement=current.replaced_by.serial
            )
        if current.original_status in CUSTOMER_STATUSES and faulty.owner_id:
            replacement = _customer_replacement(rma, current, serial, on, actor)
        else:
            replacement = _stock_replacement(rma, current, serial, on, location, actor)
        unit_services.unit_change_status(
            unit=faulty,
            status=Status.RETURNED_TO_SUPPLIER,
            actor=actor,
            reason=f"Exchanged for {replacement.serial} on {rma.number}",
            owner=None,
            warranty_starts_on=None,
            warranty_parts_until=None,
            warranty_labour_until=None,
            extended_warranty_until=None,
        )
        current.replaced_by = replacement
        current.replaced_on = on
        reason = f"Replaced by {replacement.serial} on {rma.number}"
        _save(current, actor=actor, reason=reason)
        _set_remedy(current, AffectedUnit.RemedyState.REPLACED, actor, reason)
        _advance(rma, RmaStatus.REPLACED, actor, reason)
    logger.info("RMA %s: line %s replaced by unit %s", rma.pk, current.pk, replacement.pk)
    return replacement
