"""Write operations on service orders: intake, status, lines, warranty and collection.

Every function here is one transaction, takes the acting user as ``actor`` and
leaves a django-simple-history record with that user and a reason for every
order, line, stock level and unit it changes. Unit statuses change only through
``units.services.unit_change_status``.

Every function here locks the service order row before any stock level or unit
row, so two workshop actions on one order cannot deadlock.
"""

import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from inventory.models import Location, Party, Product, StockLevel
from service import workflow
from service.models import OPEN_STATUSES, LabourLine, OrderStatus, PartLine, ServiceOrder
from units import services as unit_services
from units.models import Status as UnitStatus
from units.models import Unit
from units.sales import customer_unit_intake
from units.selectors import unit_lookup
from units.serials import normalize_serial
from units.warranty import warranty_status
from units.workflow import SELLABLE_STATUSES

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
MAX_HOURS = Decimal("9999.99")


class ServiceOrderError(Exception):
    """A business rule rejected a change to a service order; the message is shown to the user."""


class OrderTransitionError(ServiceOrderError):
    pass


def _save(obj: models.Model, *, actor: AbstractBaseUser | None, reason: str) -> None:
    """Save with a history record naming ``actor`` and ``reason``."""
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()


def _state(unit: Unit) -> str:
    return unit.get_status_display().lower()


def clean_money(raw: object, *, label: str, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """Return ``raw`` as a Decimal rounded half-up to cents; reject non-numbers and negatives."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(
            "The %(label)s %(value)s is not a number. Enter an amount like 45.00.",
            code="not_a_number",
            params={"label": label, "value": repr(str(raw))},
        ) from None
    if not value.is_finite() or value < 0 or value > maximum:
        raise ValidationError(
            "The %(label)s %(value)s is out of range; enter 0 to %(max)s.",
            code="out_of_range",
            params={"label": label, "value": str(raw), "max": maximum},
        )
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def labour_amount(hours: Decimal, rate: Decimal) -> Decimal:
    """Return hours times rate rounded half-up to cents (1.25 h at 33.33 is 41.66)."""
    return (hours * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _locked_order(order: ServiceOrder) -> ServiceOrder:
    return (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__owner")
        .get(pk=order.pk)
    )


def _require_open(order: ServiceOrder) -> None:
    if not order.is_open:
        raise ServiceOrderError(
            f"Service order {order.number} is {order.get_status_display().lower()}; "
            "its lines can no longer change."
        )


# --- Intake --------------------------------------------------------------------


def find_unit_by_serial(raw: object, *, product: Product | None = None) -> Unit | None:
    """Return the unit with this serial (on ``product`` when given), or None when not on file.

    Without a product, the serial, VIN or in-house tag is looked up on every
    product, and a serial found on several products raises ValidationError
    asking for the product.
    """
    serial = normalize_serial(raw)
    if product is not None:
        found = unit_services.existing_units(product, [serial])
        return found[0] if found else None
    matches = unit_lookup(serial)
    if len(matches) > 1:
        names = ", ".join(sorted({unit.product.model_number for unit in matches}))
        raise ValidationError(
            "Serial %(serial)s exists on several products (%(products)s). Choose the product.",
            code="product_ambiguous",
            params={"serial": serial, "products": names},
        )
    return matches[0] if matches else None


def _intake_unit(
    *, actor: AbstractBaseUser, serial: object, product: Product | None, customer: Party | None
) -> Unit:
    """Return the unit for a scanned serial, recording a customer's unit new to the shop."""
    unit = find_unit_by_serial(serial, product=product)
    if unit is not None:
        return unit
    serial = normalize_serial(serial)
    if product is None:
        raise ValidationError(
            "Serial %(serial)s is not on file. Choose its product to record the customer's unit.",
            code="product_required",
            params={"serial": serial},
        )
    if customer is None:
        raise ValidationError(
            "Serial %(serial)s is new to the shop. Choose the customer who owns it.",
            code="customer_required",
            params={"serial": serial},
        )
    unit, _created = customer_unit_intake(
        actor=actor,
        customer=customer,
        product=product,
        serial=serial,
        reason="Brought in for service",
    )
    return unit


def _check_can_enter_service(unit: Unit) -> None:
    if unit.status == UnitStatus.IN_SERVICE:
        open_order = unit.service_orders.filter(status__in=OPEN_STATUSES).first()
        where = f"on order {open_order.number}" if open_order else "already"
        raise ValidationError(
            "Unit %(serial)s is in service %(where)s. Open that order instead.",
            code="already_in_service",
            params={"serial": unit.serial, "where": where},
        )
    if unit.installed_in_id:
        raise ValidationError(
            "Unit %(serial)s is installed in %(assembly)s. Take %(assembly)s in for service.",
            code="installed",
            params={"serial": unit.serial, "assembly": unit.installed_in.serial},
        )
    if not workflow.can_enter_service(unit.status):
        raise ValidationError(
            "Unit %(serial)s is %(state)s and cannot be taken in for service.",
            code="cannot_enter_service",
            params={"serial": unit.serial, "state": _state(unit)},
        )


def service_order_create(
    *,
    actor: AbstractBaseUser,
    problem: str,
    unit: Unit | None = None,
    serial: object = None,
    product: Product | None = None,
    customer: Party | None = None,
    technician: AbstractBaseUser | None = None,
    promised_on: datetime.date | None = None,
    notes: str = "",
    received_at: datetime.datetime | None = None,
) -> ServiceOrder:
    """Take a unit in for service at the counter and return the new order.

    The unit is given directly or found by ``serial``. A serial new to the shop
    needs ``product`` and ``customer`` and is recorded as the customer's unit.
    Only the unit's custody changes (status In service), not its owner, stock
    or value. The order remembers the unit's status to restore at collection, and
    is warranty work when the unit's warranty covers the intake date.
    """
    problem = (problem or "").strip()
    if not problem:
        raise ValidationError("Describe the problem the customer reports.", code="problem_required")
    received_at = received_at or timezone.now()
    received_on = timezone.localdate(received_at)
    if promised_on is not None and promised_on < received_on:
        raise ValidationError(
            "The promised date %(promised)s is before the intake date %(received)s. "
            "Choose a later date.",
            code="promised_before_intake",
            params={"promised": promised_on, "received": received_on},
        )
    with transaction.atomic():
        if unit is None:
            unit = _intake_unit(actor=actor, serial=serial, product=product, customer=customer)
        # Locking the unit makes a concurrent sale or a second intake of the same
        # unit wait, then see it in service.
        current = (
            Unit.objects.select_for_update(of=("self",))
            .select_related("product", "owner", "installed_in")
            .get(pk=unit.pk)
        )
        _check_can_enter_service(current)
        if customer is None:
            customer = current.owner
        order = ServiceOrder(
            unit=current,
            customer=customer,
            problem=problem,
            technician=technician,
            status=OrderStatus.RECEIVED,
            unit_status_before=current.status,
            received_at=received_at,
            promised_on=promised_on,
            is_warranty=warranty_status(current, received_on).covered,
            notes=notes,
            created_by=actor,
        )
        try:
            with transaction.atomic():
                _save(order, actor=actor, reason="Taken in at the counter")
        except IntegrityError:
            raise ValidationError(
                "Unit %(serial)s was taken in for service by another user a moment ago.",
                code="already_in_service",
                params={"serial": current.serial},
            ) from None
        unit_services.unit_change_status(
            unit=current,
            status=UnitStatus.IN_SERVICE,
            actor=actor,
            reason=f"Taken in for service on order {order.number}",
        )
    logger.info("Service order %s: unit %s taken in", order.pk, current.pk)
    return order


# --- Status --------------------------------------------------------------------


def _closing_reason(order: ServiceOrder, status: str) -> str:
    if status == OrderStatus.COLLECTED:
        return f"Collected after service order {order.number}"
    return f"Returned after service order {order.number} was cancelled"


def _hand_back_unit(order: ServiceOrder, *, status: str, actor: AbstractBaseUser) -> None:
    """Restore the unit's status before intake: it goes back to its owner or to stock."""
    unit_services.unit_change_status(
        unit=order.unit,
        status=order.unit_status_before,
        actor=actor,
        reason=_closing_reason(order, status),
    )


def service_order_change_status(
    *, order: ServiceOrder, status: str, actor: AbstractBaseUser, reason: str = ""
) -> ServiceOrder:
    """Move an order to ``status`` if ``ORDER_TRANSITIONS`` allows it; the only status writer.

    Collected and cancelled hand the unit back in its status before intake.
    Cancelling needs a reason and an order with no parts still fitted. A move
    to the current status writes nothing.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        # Locking the order makes a second technician's change wait and then
        # check the table against the status the first one set.
        current = _locked_order(order)
        if current.status == status:
            return current
        if not workflow.is_allowed_order_move(current.status, status):
            raise OrderTransitionError(
                f"Service order {current.number} cannot move from "
                f"{current.get_status_display()} to {OrderStatus(status).label}."
            )
        if status == OrderStatus.CANCELLED:
            _check_cancellable(current, reason)
        old_label = current.get_status_display()
        if status in workflow.CLOSING_STATUSES:
            _hand_back_unit(current, status=status, actor=actor)
        if status == OrderStatus.COLLECTED:
            current.collected_at = timezone.now()
        current.status = status
        text = f"Status changed from {old_label} to {OrderStatus(status).label}"
        _save(current, actor=actor, reason=f"{text}: {reason}" if reason else text)
    logger.info("Service order %s: status %s", current.pk, status)
    return current


def _check_cancellable(order: ServiceOrder, reason: str) -> None:
    if not reason:
        raise ValidationError(
            "Give a reason for cancelling service order %(number)s.",
            code="reason_required",
            params={"number": order.number},
        )
    fitted = order.part_lines.filter(removed_at__isnull=True).count()
    if fitted:
        raise ValidationError(
            "Service order %(number)s still has %(count)d part line(s). "
            "Remove the parts before cancelling it.",
            code="parts_fitted",
            params={"number": order.number, "count": fitted},
        )


def service_order_collect(*, order: ServiceOrder, actor: AbstractBaseUser) -> ServiceOrder:
    """Hand a repaired unit back: the order must be ready; the unit's old status returns."""
    current = ServiceOrder.objects.get(pk=order.pk)
    if current.status != OrderStatus.READY:
        raise OrderTransitionError(
            f"Service order {current.number} is {current.get_status_display().lower()}, "
            "not ready for collection. Mark it ready first."
        )
    with transaction.atomic():
        collected = service_order_change_status(
            order=current,
            status=OrderStatus.COLLECTED,
            actor=actor,
            reason="Handed to the customer",
        )
        _capitalise_work_on_shop_unit(collected, actor=actor)
    return collected


def _capitalise_work_on_shop_unit(order: ServiceOrder, *, actor: AbstractBaseUser) -> None:
    """Add the parts and labour of an order on the shop's own unit to the unit's costs.

    Work on stock, rental or internal-use units is part of the shop's
    investment in them; warranty lines are paid by the manufacturer and are
    left out, and so is work on customers' units, which the customer pays for.
    """
    from depreciation.costs import unit_cost_add
    from depreciation.models import CostKind
    from service.selectors import order_totals

    unit = Unit.objects.get(pk=order.unit_id)
    if unit.owner_id is not None:
        return
    totals = order_totals(order)
    today = timezone.localdate()
    for kind, amount in (
        (CostKind.PARTS, totals.parts_charged),
        (CostKind.LABOUR, totals.labour_charged),
    ):
        if amount > 0:
            unit_cost_add(
                actor=actor,
                unit=unit,
                kind=kind,
                amount=amount,
                entry_date=today,
                note=f"Service order {order.number}",
            )


def service_order_set_warranty(
    *, order: ServiceOrder, is_warranty: bool, actor: AbstractBaseUser, reason: str
) -> ServiceOrder:
    """Decide whether an open order is warranty work; its current lines follow the decision."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Give a reason for changing the warranty decision on service order %(number)s.",
            code="reason_required",
            params={"number": order.number},
        )
    with transaction.atomic():
        current = _locked_order(order)
        _require_open(current)
        if current.is_warranty == is_warranty:
            return current
        text = f"Warranty work set to {'yes' if is_warranty else 'no'}: {reason}"
        current.is_warranty = is_warranty
        _save(current, actor=actor, reason=text)
        lines = [
            *current.labour_lines.exclude(is_warranty=is_warranty),
            *current.part_lines.filter(removed_at__isnull=True).exclude(is_warranty=is_warranty),
        ]
        for line in lines:
            line.is_warranty = is_warranty
            _save(line, actor=actor, reason=text)
    return current


def service_order_update(
    *,
    order: ServiceOrder,
    actor: AbstractBaseUser,
    technician: AbstractBaseUser | None,
    promised_on: datetime.date | None,
    notes: str,
) -> ServiceOrder:
    """Change the technician, promised date and workshop notes of an open order."""
    with transaction.atomic():
        current = _locked_order(order)
        _require_open(current)
        current.technician = technician
        current.promised_on = promised_on
        current.notes = notes
        _save(current, actor=actor, reason="Technician, promised date or notes changed")
    return current


# --- Labour ------------------------------------------------------------------------


def labour_line_add(
    *,
    order: ServiceOrder,
    actor: AbstractBaseUser,
    description: str,
    hours: object,
    rate: object,
    is_warranty: bool | None = None,
    technician: AbstractBaseUser | None = None,
) -> LabourLine:
    """Add labour to an open order; it is warranty work by default when the order is."""
    description = (description or "").strip()
    if not description:
        raise ValidationError("Describe the work done.", code="description_required")
    hours = clean_money(hours, label="hours", maximum=MAX_HOURS)
    if hours == 0:
        raise ValidationError("Enter more than 0 hours of labour.", code="hours_zero")
    rate = clean_money(rate, label="hourly rate")
    with transaction.atomic():
        current = _locked_order(order)
        _require_open(current)
        line = LabourLine(
            order=current,
            description=description,
            hours=hours,
            rate=rate,
            amount=labour_amount(hours, rate),
            is_warranty=current.is_warranty if is_warranty is None else is_warranty,
            technician=technician or actor,
        )
        _save(line, actor=actor, reason=f"Labour added on service order {current.number}")
    return line


def labour_line_delete(*, line: LabourLine, actor: AbstractBaseUser) -> None:
    """Delete a labour line from an open order; the history keeps the deleted line."""
    with transaction.atomic():
        current = _locked_order(line.order)
        _require_open(current)
        line._history_user = actor
        line._change_reason = f"Labour removed from service order {current.number}"
        line.delete()


# --- Parts ---------------------------------------------------------------------------


def _part_price(unit_price: object, product: Product) -> Decimal:
    if unit_price in (None, ""):
        if product.list_price is None:
            raise ValidationError(
                "Product %(product)s has no list price. Enter the part's unit price.",
                code="price_required",
                params={"product": product.model_number},
            )
        unit_price = product.list_price
    return clean_money(unit_price, label="unit price")


def part_line_add_from_stock(
    *,
    order: ServiceOrder,
    actor: AbstractBaseUser,
    product: Product,
    quantity: int,
    location: Location,
    unit_price: object = None,
    is_warranty: bool | None = None,
) -> PartLine:
    """Fit ``quantity`` of a non-serialized part, taking it from the stock level at ``location``.

    Raises ValidationError naming the product, location, quantity on hand and
    quantity requested when stock is short; nothing is written then.
    """
    if product.is_serialized:
        raise ValidationError(
            "Product %(product)s is serialized. Scan the part's serial instead.",
            code="serialized",
            params={"product": product.model_number},
        )
    if quantity is None or quantity < 1:
        raise ValidationError(
            "Enter a quantity of at least 1; %(value)s was entered.",
            code="quantity",
            params={"value": quantity},
        )
    price = _part_price(unit_price, product)
    with transaction.atomic():
        current = _locked_order(order)
        _require_open(current)
        # Locking the stock level keeps two orders from both taking the last
        # parts; the table's non-negative check is the backstop.
        level = (
            StockLevel.objects.select_for_update()
            .filter(product=product, location=location)
            .first()
        )
        on_hand = level.quantity if level else 0
        if on_hand < quantity:
            raise ValidationError(
                "Not enough %(product)s at %(location)s: %(on_hand)d on hand, "
                "%(requested)d requested.",
                code="stock_short",
                params={
                    "product": product.model_number,
                    "location": location.code,
                    "on_hand": on_hand,
                    "requested": quantity,
                },
            )
        level.quantity -= quantity
        _save(level, actor=actor, reason=f"Used on service order {current.number}")
        line = PartLine(
            order=current,
            product=product,
            quantity=quantity,
            location=location,
            unit_price=price,
            is_warranty=current.is_warranty if is_warranty is None else is_warranty,
            created_by=actor,
        )
        _save(line, actor=actor, reason=f"Part fitted on service order {current.number}")
    logger.info(
        "Service order %s: %d of product %s from location %s",
        current.pk,
        quantity,
        product.pk,
        location.pk,
    )
    return line


def _part_unavailable_reason(part: Unit, order: ServiceOrder) -> str | None:
    from recalls.selectors import recall_block_message, unit_recall_block

    if part.pk == order.unit_id:
        return f"Unit {part.serial} is the unit under repair and cannot be fitted into itself."
    recall = unit_recall_block(part)
    if recall is not None:
        return recall_block_message("install", part, recall)
    if part.installed_in_id:
        return (
            f"Part {part.serial} is already installed in {part.installed_in.serial}. "
            "Remove it there first."
        )
    if part.status not in SELLABLE_STATUSES:
        return (
            f"Part {part.serial} is {_state(part)} and cannot be fitted. "
            "Only parts in stock can be installed."
        )
    return None


def part_line_add_unit(
    *,
    order: ServiceOrder,
    actor: AbstractBaseUser,
    serial: object = None,
    part: Unit | None = None,
    product: Product | None = None,
    unit_price: object = None,
    is_warranty: bool | None = None,
) -> PartLine:
    """Install a serialized part, found by ``serial``, into the order's unit.

    The part must be in stock and loose. It leaves stock: status Installed, no
    location, ``installed_in`` the unit under repair, owner the unit's owner.
    """
    if part is None:
        part = find_unit_by_serial(serial, product=product)
        if part is None:
            raise ValidationError(
                "Part serial %(serial)s is not on file. Receive the part into stock first.",
                code="part_not_found",
                params={"serial": normalize_serial(serial)},
            )
    with transaction.atomic():
        current = _locked_order(order)
        _require_open(current)
        # Locking the part keeps it from being sold or fitted elsewhere meanwhile.
        locked = (
            Unit.objects.select_for_update(of=("self",))
            .select_related("product", "installed_in")
            .get(pk=part.pk)
        )
        problem = _part_unavailable_reason(locked, current)
        if problem:
            raise ValidationError(problem, code="part_not_available")
        price = _part_price(unit_price, locked.product)
        line = PartLine(
            order=current,
            product=locked.product,
            quantity=1,
            part_unit=locked,
            location=locked.location,
            unit_price=price,
            is_warranty=current.is_warranty if is_warranty is None else is_warranty,
            created_by=actor,
        )
        _save(line, actor=actor, reason=f"Part fitted on service order {current.number}")
        assembly = current.unit
        unit_services.unit_change_status(
            unit=locked,
            status=UnitStatus.INSTALLED,
            actor=actor,
            reason=f"Installed in {assembly.serial} on service order {current.number}",
            installed_in=assembly,
            owner=assembly.owner,
            location=None,
        )
    logger.info("Service order %s: part unit %s installed", current.pk, locked.pk)
    return line


def part_line_remove(
    *, line: PartLine, actor: AbstractBaseUser, location: Location | None = None
) -> PartLine:
    """Take a fitted part back out of an open order's unit and return it to stock.

    Stock parts go back to the line's location; a serialized part goes back in
    stock at ``location`` (default: where it came from), loose and shop-owned.
    """
    with transaction.atomic():
        current = _locked_order(line.order)
        _require_open(current)
        line = (
            PartLine.objects.select_for_update(of=("self",))
            .select_related("part_unit")
            .get(pk=line.pk)
        )
        if line.removed_at is not None:
            raise ServiceOrderError(
                f"The part {line} was already removed from service order {current.number}."
            )
        reason = f"Removed from {current.unit.serial} on service order {current.number}"
        if line.part_unit_id:
            _return_part_unit(line, location=location or line.location, actor=actor, reason=reason)
        else:
            _return_to_stock(line, actor=actor, reason=reason)
        line.removed_at = timezone.now()
        _save(line, actor=actor, reason=reason)
    return line


def _return_part_unit(
    line: PartLine, *, location: Location | None, actor: AbstractBaseUser, reason: str
) -> None:
    if location is None:
        raise ValidationError(
            "Choose the location where part %(serial)s goes back into stock.",
            code="location_required",
            params={"serial": line.part_unit.serial},
        )
    unit_services.unit_change_status(
        unit=line.part_unit,
        status=UnitStatus.IN_STOCK,
        actor=actor,
        reason=reason,
        installed_in=None,
        owner=None,
        location=location,
    )


def _return_to_stock(line: PartLine, *, actor: AbstractBaseUser, reason: str) -> None:
    level, _created = StockLevel.objects.select_for_update().get_or_create(
        product=line.product, location=line.location
    )
    level.quantity += line.quantity
    _save(level, actor=actor, reason=reason)
