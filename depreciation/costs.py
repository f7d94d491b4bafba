"""The cost ledger of a unit: entries are added and reversed, never edited or deleted.

Each write is one transaction that locks the unit, so entries of one unit are
written one at a time. Every entry records the acting user.
"""

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from depreciation.models import CostKind, UnitCost
from units.models import Unit

logger = logging.getLogger(__name__)

#: Largest amount a Decimal(12, 2) column holds.
MAX_AMOUNT = Decimal("9999999999.99")

MESSAGES = {
    "amount_invalid": "The amount %(value)s is not a number. Enter an amount like 250.00.",
    "amount_range": "The amount %(value)s is out of range; enter at most %(max)s either way.",
    "amount_cents": (
        "The amount %(value)s has more than two decimal places. Enter it in whole cents, "
        "like 19.99."
    ),
    "amount_zero": "The amount is 0.00; a cost entry needs an amount other than zero.",
    "amount_negative": (
        "The amount %(value)s is negative, but a %(kind)s cannot be. Enter a positive amount; "
        "to lower the cost, reverse the wrong entry or record a supplier credit."
    ),
    "credit_positive": (
        "The amount %(value)s is positive, but a supplier credit lowers the cost. "
        "Enter it with a minus sign, like -%(value)s."
    ),
    "kind_invalid": "Cost kind %(value)s is not one of the listed kinds.",
    "already_reversed": "The %(kind)s entry of %(amount)s on %(date)s is already reversed.",
    "reversal_of_reversal": (
        "The entry of %(amount)s on %(date)s is itself a reversal and cannot be reversed. "
        "Add a new entry instead."
    ),
    "reason_required": "Give a reason for the reversal.",
    "date_before_receipt": (
        "The entry date %(date)s is before unit %(serial)s was received on %(received)s. "
        "Check the date."
    ),
}


def _error(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params)


def clean_amount(raw: Decimal | str | int | float, *, kind: str) -> Decimal:
    """Return ``raw`` as an exact Decimal of cents with the sign that ``kind`` requires.

    An amount with more than two decimal places is rejected, not rounded: a
    ledger amount must match the invoice it comes from, and a silent rounding
    would hide a typing mistake. Thousands separators are removed.
    """
    if kind not in CostKind.values:
        raise ValidationError(MESSAGES["kind_invalid"], code="kind_invalid", params={"value": kind})
    text = str(raw).strip().replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _error("amount_invalid", value=repr(str(raw))) from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise _error("amount_range", value=str(raw), max=MAX_AMOUNT)
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise _error("amount_cents", value=str(raw))
    amount = amount.quantize(Decimal("0.01"))
    if amount == 0:
        raise _error("amount_zero")
    if kind == CostKind.SUPPLIER_CREDIT and amount > 0:
        raise _error("credit_positive", value=amount)
    if kind != CostKind.SUPPLIER_CREDIT and amount < 0:
        raise _error("amount_negative", value=amount, kind=CostKind(kind).label.lower())
    return amount


def entry_date_warning(unit: Unit, entry_date: datetime.date) -> str | None:
    """Return a warning when ``entry_date`` is before the unit was received, else None.

    Such a date is accepted, because a supplier may invoice (or be paid)
    before the goods arrive, but it is often a typing mistake.
    """
    if unit.received_on is None or entry_date >= unit.received_on:
        return None
    return MESSAGES["date_before_receipt"] % {
        "date": entry_date.isoformat(),
        "serial": unit.serial,
        "received": unit.received_on.isoformat(),
    }


def unit_cost_add(
    *,
    actor: AbstractBaseUser,
    unit: Unit,
    kind: str,
    amount: Decimal | str,
    entry_date: datetime.date,
    note: str = "",
) -> UnitCost:
    """Add one entry to a unit's cost ledger. Raises ValidationError naming a bad amount."""
    amount = clean_amount(amount, kind=kind)
    with transaction.atomic():
        # The sale and rental services lock the unit too, so a cost entry and a
        # sale of the same unit run one after the other.
        Unit.objects.select_for_update().get(pk=unit.pk)
        entry = UnitCost.objects.create(
            unit=unit,
            kind=kind,
            amount=amount,
            entry_date=entry_date,
            note=(note or "").strip(),
            created_by=actor,
        )
    logger.info("Unit %s: cost entry %s (%s) added", unit.pk, entry.pk, kind)
    return entry


def unit_cost_reverse(*, actor: AbstractBaseUser, entry: UnitCost, reason: str) -> UnitCost:
    """Cancel ``entry`` with a reversing entry of the same kind, date and minus its amount.

    The reversal keeps the original's entry date, so the investment as of any
    date (and so the margin of a sale) is as if the wrong entry had never been
    made. Raises ValidationError when the entry is already reversed or is
    itself a reversal.
    """
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason_required")
    with transaction.atomic():
        Unit.objects.select_for_update().get(pk=entry.unit_id)
        # Locking the entry too makes a second reversal wait and then see the first.
        original = UnitCost.objects.select_for_update().get(pk=entry.pk)
        if original.reverses_id is not None:
            raise _error("reversal_of_reversal", amount=original.amount, date=original.entry_date)
        if UnitCost.objects.filter(reverses=original).exists():
            raise _already_reversed(original)
        try:
            with transaction.atomic():
                reversal = UnitCost.objects.create(
                    unit_id=original.unit_id,
                    kind=original.kind,
                    amount=-original.amount,
                    entry_date=original.entry_date,
                    note=reason,
                    reverses=original,
                    created_by=actor,
                )
        except IntegrityError:
            raise _already_reversed(original) from None
    logger.info("Unit %s: cost entry %s reversed by %s", original.unit_id, original.pk, reversal.pk)
    return reversal


def _already_reversed(entry: UnitCost) -> ValidationError:
    return _error(
        "already_reversed",
        kind=entry.get_kind_display().lower(),
        amount=entry.amount,
        date=entry.entry_date,
    )
