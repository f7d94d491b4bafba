"""Units held as assets: the rental fleet, internal use, and rentals with meter readings.

The unit's ``purpose`` marks a fleet unit (``rental``) or one in internal use
(``internal``). A fleet unit waiting between rentals keeps the status In stock,
because the unit workflow has no separate "available for rent" status. Every
status change goes through ``units.services.unit_change_status``.
``units.sales.sale_refusal`` rejects a fleet unit in stock between rentals,
because its purpose is not ``sale``.
"""

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from depreciation.models import AssetPeriod, AssetPurpose, MeterReading, MeterUnit, Rental
from inventory.models import Party
from units import services as unit_services
from units.models import Condition, Purpose, Status, Unit
from units.workflow import SELLABLE_STATUSES

logger = logging.getLogger(__name__)

MAX_METER = Decimal("9999999999.99")

MESSAGES = {
    "not_sellable": (
        "Unit %(serial)s is %(state)s, so it cannot become an asset. "
        "Only a unit in stock for sale can."
    ),
    "already_asset": "Unit %(serial)s is already in %(purpose)s.",
    "not_shop_owned": "Unit %(serial)s belongs to %(owner)s, not the shop.",
    "installed": "Unit %(serial)s is installed in another unit; remove it first.",
    "purpose_invalid": "Purpose %(value)s is not valid; choose rental or internal.",
    "not_asset": "Unit %(serial)s is not in the rental fleet or internal use.",
    "out_while_rented": "Unit %(serial)s is rented out; take it back before taking it out of service.",
    "to_sale_state": (
        "Unit %(serial)s is %(state)s; only a unit in stock or in internal use can go back to sale."
    ),
    "ending_invalid": "Choose whether the unit goes back to sale or is disposed.",
    "out_before_start": (
        "The date %(on)s is before unit %(serial)s was put into service on %(start)s."
    ),
    "reason_required": "Give a reason for the change.",
    "not_fleet": "Unit %(serial)s is not in the rental fleet, so it cannot be rented out.",
    "not_available": (
        "Unit %(serial)s is %(state)s and cannot be rented out. Only a fleet unit in stock can."
    ),
    "already_rented": (
        "Unit %(serial)s is already rented out to %(customer)s since %(starts_on)s "
        "(rental %(number)s)."
    ),
    "due_before_start": "The due date %(due)s is before the start date %(start)s.",
    "returned_before_start": (
        "The return date %(returned)s is before the rental started on %(start)s."
    ),
    "already_returned": "Rental %(number)s of unit %(serial)s was already returned on %(on)s.",
    "meter_invalid": "The meter reading %(value)s is not a number. Enter a value like 1250.5.",
    "meter_range": "The meter reading %(value)s is out of range; enter 0 to %(max)s.",
    "meter_cents": "The meter reading %(value)s has more than two decimal places.",
    "meter_backwards": (
        "The meter reading %(value)s of unit %(serial)s is lower than its last reading, "
        "%(last)s on %(last_on)s. Check the meter and enter the value shown."
    ),
    "reading_date_backwards": (
        "The date %(on)s is before the last meter reading of unit %(serial)s on %(last_on)s. "
        "Use that date or a later one."
    ),
    "meter_below_out": (
        "The meter reading %(value)s at the return is lower than %(out)s when the unit went out."
    ),
    "money_invalid": "The %(field)s %(value)s is not a valid amount; enter 0 or more, like 45.00.",
}


def _error(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params)


def _state(unit: Unit) -> str:
    return unit.get_status_display().lower()


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason_required")
    return reason


def clean_meter(raw: Decimal | str | int) -> Decimal:
    """Return a meter reading as Decimal with two decimal places; reject other input."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise _error("meter_invalid", value=repr(str(raw))) from None
    if not value.is_finite() or value < 0 or value > MAX_METER:
        raise _error("meter_range", value=str(raw), max=MAX_METER)
    if value != value.quantize(Decimal("0.01")):
        raise _error("meter_cents", value=str(raw))
    return value.quantize(Decimal("0.01"))


def _clean_money(raw, *, field: str) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise _error("money_invalid", field=field, value=repr(str(raw))) from None
    if (
        not value.is_finite()
        or value < 0
        or value > MAX_METER
        or value != value.quantize(Decimal("0.01"))
    ):
        raise _error("money_invalid", field=field, value=str(raw))
    return value.quantize(Decimal("0.01"))


def last_reading(unit: Unit) -> MeterReading | None:
    """Return the unit's latest meter reading (by date, then by entry order), or None."""
    return MeterReading.objects.filter(unit=unit).order_by("-read_on", "-pk").first()


def _check_not_backwards(unit: Unit, value: Decimal, on: datetime.date) -> None:
    """Reject a reading lower than, or dated before, the unit's last one.

    Readings must rise with their dates, because usage per period is the
    difference between the last readings at the ends of the period.
    """
    last = last_reading(unit)
    if last is None:
        return
    if on < last.read_on:
        raise _error("reading_date_backwards", on=on, serial=unit.serial, last_on=last.read_on)
    if value < last.value:
        raise _error(
            "meter_backwards",
            value=value,
            serial=unit.serial,
            last=last.value,
            last_on=last.read_on,
        )


# --- Putting units into service and taking them out ---------------------------------


def asset_put_into_service(
    *, actor: AbstractBaseUser, unit: Unit, purpose: str, on: datetime.date, reason: str
) -> AssetPeriod:
    """Move a shop-owned unit in stock into the rental fleet or into internal use.

    A fleet unit stays In stock with purpose ``rental``; a unit in internal use
    gets the status In internal use. ``on`` is the date placed in service.
    """
    reason = _require_reason(reason)
    if purpose not in AssetPurpose.values:
        raise _error("purpose_invalid", value=purpose)
    with transaction.atomic():
        # The lock keeps a sale or a second put-into-service from acting on the
        # unit between the checks below and the change.
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        if current.purpose != Purpose.SALE:
            raise _error(
                "already_asset",
                serial=current.serial,
                purpose=current.get_purpose_display().lower(),
            )
        if current.status not in SELLABLE_STATUSES:
            raise _error("not_sellable", serial=current.serial, state=_state(current))
        if current.owner_id is not None:
            raise _error("not_shop_owned", serial=current.serial, owner=current.owner)
        if current.installed_in_id is not None:
            raise _error("installed", serial=current.serial)
        period = AssetPeriod.objects.create(
            unit=current, purpose=purpose, started_on=on, start_reason=reason, created_by=actor
        )
        label = AssetPurpose(purpose).label.lower()
        status = Status.INTERNAL_USE if purpose == AssetPurpose.INTERNAL else Status.IN_STOCK
        unit_services.unit_change_status(
            unit=current,
            status=status,
            actor=actor,
            reason=f"Put into {label} on {on}: {reason}",
            purpose=purpose,
        )
    logger.info("Unit %s: put into %s (period %s)", unit.pk, purpose, period.pk)
    return period


def asset_take_out_of_service(
    *, actor: AbstractBaseUser, unit: Unit, ending: str, on: datetime.date, reason: str
) -> AssetPeriod:
    """End the unit's asset period: back to sale as a used unit, or disposed.

    A rented unit must be taken back first. Back to sale sets purpose ``sale``,
    condition used and status In stock; disposal sets the status Disposed.
    """
    reason = _require_reason(reason)
    if ending not in AssetPeriod.Ending.values:
        raise _error("ending_invalid")
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        period = (
            AssetPeriod.objects.select_for_update()
            .filter(unit=current, ended_on__isnull=True)
            .first()
        )
        if period is None or current.purpose == Purpose.SALE:
            raise _error("not_asset", serial=current.serial)
        if current.status == Status.RENTED:
            raise _error("out_while_rented", serial=current.serial)
        if on < period.started_on:
            raise _error("out_before_start", on=on, serial=current.serial, start=period.started_on)
        to_sale = ending == AssetPeriod.Ending.TO_SALE
        if to_sale and current.status not in {Status.IN_STOCK, Status.INTERNAL_USE}:
            raise _error("to_sale_state", serial=current.serial, state=_state(current))
        period.ended_on = on
        period.ending = ending
        period.end_reason = reason
        period.ended_by = actor
        period.save(update_fields=["ended_on", "ending", "end_reason", "ended_by"])
        if to_sale:
            unit_services.unit_change_status(
                unit=current,
                status=Status.IN_STOCK,
                actor=actor,
                reason=f"Taken out of service on {on}, back to sale as used: {reason}",
                purpose=Purpose.SALE,
                condition=Condition.USED,
            )
        else:
            unit_services.unit_change_status(
                unit=current,
                status=Status.DISPOSED,
                actor=actor,
                reason=f"Taken out of service and disposed on {on}: {reason}",
            )
    logger.info("Unit %s: taken out of service (%s)", unit.pk, ending)
    return period


# --- Rentals ----------------------------------------------------------------------------


def _open_rental(unit: Unit) -> Rental | None:
    return (
        Rental.objects.select_related("customer")
        .filter(unit=unit, returned_on__isnull=True)
        .first()
    )


def _already_rented(unit: Unit, rental: Rental) -> ValidationError:
    return _error(
        "already_rented",
        serial=unit.serial,
        customer=rental.customer.name,
        starts_on=rental.starts_on,
        number=rental.number,
    )


def default_meter_unit(unit: Unit) -> str:
    """Return the meter unit of the unit's latest reading, or hours for a unit never read."""
    last = last_reading(unit)
    return last.meter_unit if last is not None else MeterUnit.HOURS


def _reject_recalled(unit: Unit) -> None:
    """Raise a ValidationError naming the open recall that blocks the unit, if any.

    Checked before the status, because a held unit's status (On hold) does not
    say which recall holds it.
    """
    from recalls.selectors import recall_block_message, unit_recall_block

    recall = unit_recall_block(unit)
    if recall is not None:
        raise ValidationError(recall_block_message("rent", unit, recall), code="recall_hold")


def rental_start(
    *,
    actor: AbstractBaseUser,
    unit: Unit,
    customer: Party,
    starts_on: datetime.date,
    due_on: datetime.date,
    meter_out: Decimal | str,
    meter_unit: str | None = None,
    price: Decimal | str | None = None,
    deposit: Decimal | str | None = None,
    notes: str = "",
) -> Rental:
    """Rent a fleet unit in stock out to ``customer`` and record the meter as it leaves.

    The unit's status becomes Rented out; the shop stays its owner. Raises
    ValidationError naming the serial and state when the unit cannot go out,
    and when the meter reading is lower than the unit's last one.
    """
    meter_out = clean_meter(meter_out)
    price = _clean_money(price, field="price")
    deposit = _clean_money(deposit, field="deposit")
    if due_on < starts_on:
        raise _error("due_before_start", due=due_on, start=starts_on)
    with transaction.atomic():
        # Two counters renting the same unit: the second waits here and then
        # finds the unit rented out.
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        open_rental = _open_rental(current)
        if open_rental is not None:
            raise _already_rented(current, open_rental)
        if current.purpose != Purpose.RENTAL:
            raise _error("not_fleet", serial=current.serial)
        _reject_recalled(current)
        if current.status != Status.IN_STOCK:
            raise _error("not_available", serial=current.serial, state=_state(current))
        _check_not_backwards(current, meter_out, starts_on)
        meter_unit = meter_unit or default_meter_unit(current)
        try:
            with transaction.atomic():
                rental = Rental.objects.create(
                    unit=current,
                    customer=customer,
                    starts_on=starts_on,
                    due_on=due_on,
                    meter_unit=meter_unit,
                    meter_out=meter_out,
                    price=price,
                    deposit=deposit,
                    notes=(notes or "").strip(),
                    created_by=actor,
                )
        except IntegrityError:
            open_rental = _open_rental(current)
            if open_rental is None:
                raise
            raise _already_rented(current, open_rental) from None
        MeterReading.objects.create(
            unit=current,
            read_on=starts_on,
            value=meter_out,
            meter_unit=meter_unit,
            kind=MeterReading.Kind.RENTAL_OUT,
            rental=rental,
            created_by=actor,
        )
        unit_services.unit_change_status(
            unit=current,
            status=Status.RENTED,
            actor=actor,
            reason=f"Rented out to {customer.name} on rental {rental.number}, due {due_on}",
        )
    logger.info("Rental %s: unit %s rented to party %s", rental.pk, unit.pk, customer.pk)
    return rental


def rental_return(
    *,
    actor: AbstractBaseUser,
    rental: Rental,
    returned_on: datetime.date,
    meter_in: Decimal | str,
    condition_note: str = "",
    to_inspection: bool = False,
) -> Rental:
    """Take a rented unit back, record the meter, and put it in stock or up for inspection."""
    meter_in = clean_meter(meter_in)
    with transaction.atomic():
        # The unit is locked before the rental, in the order rental_start uses,
        # so a return and a new rental of the same unit run one after the other.
        unit = Unit.objects.select_for_update().get(pk=rental.unit_id)
        current = Rental.objects.select_for_update().get(pk=rental.pk)
        if current.returned_on is not None:
            raise _error(
                "already_returned",
                number=current.number,
                serial=unit.serial,
                on=current.returned_on,
            )
        if returned_on < current.starts_on:
            raise _error("returned_before_start", returned=returned_on, start=current.starts_on)
        _check_not_backwards(unit, meter_in, returned_on)
        if meter_in < current.meter_out:
            raise _error("meter_below_out", value=meter_in, out=current.meter_out)
        current.returned_on = returned_on
        current.meter_in = meter_in
        current.condition_note = (condition_note or "").strip()
        current.returned_by = actor
        current.save(update_fields=["returned_on", "meter_in", "condition_note", "returned_by"])
        MeterReading.objects.create(
            unit=unit,
            read_on=returned_on,
            value=meter_in,
            meter_unit=current.meter_unit,
            kind=MeterReading.Kind.RENTAL_IN,
            rental=current,
            created_by=actor,
        )
        status = Status.INSPECTION if to_inspection else Status.IN_STOCK
        unit_services.unit_change_status(
            unit=unit,
            status=status,
            actor=actor,
            reason=f"Returned from rental {current.number} on {returned_on}",
        )
    logger.info("Rental %s: unit %s returned", current.pk, unit.pk)
    return current
