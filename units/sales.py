"""Counter work on units: sales, returns, shelf corrections, ownership and intake.

Each function is one transaction, locks the units it changes and leaves a
history record per unit with the acting user and a reason.
"""

import datetime
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory.models import Location, Party, Product
from units import services
from units.models import Condition, Ownership, Purpose, Sale, SaleLine, Status, Unit
from units.warranty import warranty_end
from units.workflow import SELLABLE_STATUSES

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_PRICE = Decimal("9999999999.99")
#: A number whose commas separate groups of three digits, such as 1,299.00.
THOUSANDS_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


@dataclass(frozen=True)
class LineInput:
    unit_id: int
    price: Decimal | str


def clean_price(raw: Decimal | str, *, serial: str) -> Decimal:
    """Return a price as Decimal rounded half-up to cents; reject negative or non-numbers."""
    text = str(raw).strip()
    if "," in text:
        # Dropping every comma would turn a decimal comma ("499,00") into 49900.
        if not THOUSANDS_GROUPED.fullmatch(text):
            raise ValidationError(
                "The price %(value)s of unit %(serial)s has a comma that is not a thousands "
                "separator. Write decimals with a point, like 499.00.",
                code="price_comma",
                params={"value": text, "serial": serial},
            )
        text = text.replace(",", "")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            "The price %(value)s of unit %(serial)s is not a number. Enter an amount like 499.00.",
            code="price_invalid",
            params={"value": repr(str(raw)), "serial": serial},
        ) from None
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        raise ValidationError(
            "The price %(value)s of unit %(serial)s is out of range; enter 0 to %(max)s.",
            code="price_range",
            params={"value": str(raw), "serial": serial, "max": MAX_PRICE},
        )
    return price.quantize(CENT, rounding=ROUND_HALF_UP)


def _open_line(unit: Unit) -> SaleLine | None:
    return (
        SaleLine.objects.select_related("sale", "sale__customer")
        .filter(unit=unit, ended_on__isnull=True)
        .first()
    )


#: Refusal message for a unit kept as an asset, by its purpose.
PURPOSE_REFUSALS = {
    Purpose.RENTAL: "Unit %(serial)s is in the rental fleet and cannot be sold; "
    "take it out of the fleet first.",
    Purpose.INTERNAL: "Unit %(serial)s is in internal use and cannot be sold; "
    "take it out of internal use first.",
}


def sale_refusal(unit: Unit) -> str | None:
    """Return why ``unit`` cannot be sold, naming its serial and state, or None when it can.

    The one statement of the selling rule: ``sale_create`` and the counter's
    scan lookup both call it.
    """
    from recalls.selectors import recall_block_message, unit_recall_block

    # A recall hold is named before the status, because a held unit's status
    # (On hold) does not say which recall holds it or why.
    recall = unit_recall_block(unit)
    if recall is not None:
        return recall_block_message("sell", unit, recall)
    if unit.purpose in PURPOSE_REFUSALS and unit.status in SELLABLE_STATUSES:
        return PURPOSE_REFUSALS[unit.purpose] % {"serial": unit.serial}
    if unit.status in SELLABLE_STATUSES and not unit.installed_in_id:
        return None
    if unit.status == Status.SOLD:
        line = _open_line(unit)
        if line is not None:
            return (
                f"Unit {unit.serial} was already sold on invoice {line.sale.invoice_number} "
                f"to {line.sale.customer.name}; remove it from this sale."
            )
    reason = f"Unit {unit.serial} is {unit.get_status_display().lower()} and cannot be sold"
    if unit.installed_in_id:
        reason = f"Unit {unit.serial} is installed in another unit and cannot be sold"
    return reason + "; remove it from this sale."


def _change_owner(
    *,
    unit: Unit,
    owner: Party | None,
    on: datetime.date,
    reason: str,
    actor: AbstractBaseUser,
    sale: Sale | None = None,
) -> None:
    """Close the unit's current ownership period on ``on`` and open one for ``owner``."""
    current = Ownership.objects.select_for_update().filter(unit=unit, ended_on__isnull=True).first()
    if current is None:
        # The first change of owner also records the period before it.
        start = unit.received_on or on
        current = Ownership.objects.create(
            unit=unit,
            owner=unit.owner,
            started_on=min(start, on),
            reason="Owner before the first recorded change",
            created_by=actor,
        )
    if on < current.started_on:
        raise ValidationError(
            "The change of owner on %(on)s is before the current owner's period began on "
            "%(start)s. Use a later date.",
            code="owner_date",
            params={"on": on, "start": current.started_on},
        )
    current.ended_on = on
    current.save(update_fields=["ended_on"])
    Ownership.objects.create(
        unit=unit, owner=owner, started_on=on, reason=reason, sale=sale, created_by=actor
    )


def sale_create(
    *,
    actor: AbstractBaseUser,
    customer: Party,
    lines: Sequence[LineInput],
    invoice_number: str,
    sold_on: datetime.date | None = None,
    submission_token: str | None = None,
    notes: str = "",
) -> Sale:
    """Sell units to a customer under one invoice number, all or nothing.

    Each unit must be sellable; the error lists every refused unit by serial and
    state, and names the winning sale when another counter sold it first. A
    repeated ``submission_token`` (a double-clicked submit) returns the sale
    that the first submit created.
    """
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        raise ValidationError("Enter the invoice number for this sale.", code="invoice_missing")
    if not lines:
        raise ValidationError("Scan at least one unit to sell.", code="no_lines")
    unit_ids = [line.unit_id for line in lines]
    if len(set(unit_ids)) != len(unit_ids):
        repeated = {uid for uid in unit_ids if unit_ids.count(uid) > 1}
        serials = Unit.objects.filter(pk__in=repeated).values_list("serial", flat=True)
        raise ValidationError(
            [
                ValidationError(
                    "Unit %(serial)s is listed twice in this sale; keep it once.",
                    code="duplicate_line",
                    params={"serial": s},
                )
                for s in sorted(serials)
            ]
        )
    sold_on = sold_on or timezone.localdate()
    with transaction.atomic():
        # Locking every unit (in id order, so two counters cannot deadlock) makes
        # a second counter wait here and then see the first sale's result.
        units = {
            u.pk: u
            for u in Unit.objects.select_for_update()
            .filter(pk__in=unit_ids)
            .order_by("pk")
            .select_related("product")
        }
        if submission_token:
            earlier = Sale.objects.filter(submission_token=submission_token).first()
            if earlier is not None:
                return earlier
        missing = [uid for uid in unit_ids if uid not in units]
        if missing:
            raise ValidationError(
                "Units %(ids)s were not found; scan them again.",
                code="unit_missing",
                params={"ids": ", ".join(map(str, missing))},
            )
        problems = []
        prices = {}
        for line in lines:
            unit = units[line.unit_id]
            refusal = sale_refusal(unit)
            if refusal:
                problems.append(ValidationError(refusal, code="not_sellable"))
                continue
            try:
                prices[unit.pk] = clean_price(line.price, serial=unit.serial)
            except ValidationError as error:
                problems.append(error)
        if problems:
            raise ValidationError(problems)
        try:
            with transaction.atomic():
                sale = Sale.objects.create(
                    invoice_number=invoice_number,
                    customer=customer,
                    sold_on=sold_on,
                    notes=notes,
                    submission_token=submission_token or None,
                    created_by=actor,
                )
        except IntegrityError:
            if submission_token and Sale.objects.filter(submission_token=submission_token).exists():
                return Sale.objects.get(submission_token=submission_token)
            raise ValidationError(
                "Invoice number %(number)s is already used by another sale. "
                "Check the number on the invoice.",
                code="invoice_taken",
                params={"number": invoice_number},
            ) from None
        reason = f"Sold to {customer.name} on invoice {invoice_number}"
        for unit_id in unit_ids:
            unit = units[unit_id]
            product = unit.product
            parts_until = warranty_end(sold_on, product.warranty_parts_months)
            labour_until = warranty_end(sold_on, product.warranty_labour_months)
            SaleLine.objects.create(
                sale=sale,
                unit=unit,
                price=prices[unit_id],
                condition=unit.condition,
                warranty_parts_until=parts_until,
                warranty_labour_until=labour_until,
            )
            _change_owner(
                unit=unit, owner=customer, on=sold_on, reason=reason, actor=actor, sale=sale
            )
            services.unit_change_status(
                unit=unit,
                status=Status.SOLD,
                actor=actor,
                reason=reason,
                owner=customer,
                warranty_starts_on=sold_on,
                warranty_parts_until=parts_until,
                warranty_labour_until=labour_until,
                extended_warranty_until=None,
            )
    logger.info("Sale %s: %d units sold to party %s", sale.pk, len(unit_ids), customer.pk)
    return sale


def _end_sale(
    *,
    unit: Unit,
    actor: AbstractBaseUser,
    kind: str,
    reason: str,
    on: datetime.date,
    status: str,
    condition: str,
    location: Location | None,
) -> Unit:
    """End the unit's open sale line and take it back into the shop's stock."""
    line = _open_line(unit)
    if line is not None:
        if on < line.sale.sold_on:
            raise ValidationError(
                "The date %(on)s is before the sale on %(sold)s. Use a later date.",
                code="end_before_sale",
                params={"on": on, "sold": line.sale.sold_on},
            )
        line.ended_on = on
        line.end_kind = kind
        line.end_reason = reason
        line.ended_by = actor
        line.save(update_fields=["ended_on", "end_kind", "end_reason", "ended_by"])
    _change_owner(unit=unit, owner=None, on=on, reason=reason, actor=actor)
    # The warranty ends with the return; a resale starts a new one.
    return services.unit_change_status(
        unit=unit,
        status=status,
        actor=actor,
        reason=reason,
        owner=None,
        condition=condition,
        location=location or unit.location,
        warranty_starts_on=None,
        warranty_parts_until=None,
        warranty_labour_until=None,
        extended_warranty_until=None,
    )


def sale_return(
    *,
    actor: AbstractBaseUser,
    unit: Unit,
    customer: Party,
    reason: str,
    to_inspection: bool = False,
    location: Location | None = None,
    returned_on: datetime.date | None = None,
    override_reason: str = "",
) -> Unit:
    """Take back a unit that a customer returns; it goes to stock as used, or to inspection.

    A return by someone other than the owner of record is refused unless a
    manager (permission ``units.override_return``) gives an override reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the return.", code="reason_required")
    returned_on = returned_on or timezone.localdate()
    with transaction.atomic():
        current = (
            Unit.objects.select_for_update(of=("self",)).select_related("owner").get(pk=unit.pk)
        )
        if current.status != Status.SOLD:
            raise ValidationError(
                "Unit %(serial)s is %(status)s, not sold, so it cannot be returned.",
                code="not_sold",
                params={"serial": current.serial, "status": current.get_status_display().lower()},
            )
        if current.owner_id != customer.pk:
            owner = current.owner.name if current.owner_id else "the shop"
            if not override_reason.strip():
                raise ValidationError(
                    "Unit %(serial)s belongs to %(owner)s, not %(customer)s. A manager can "
                    "accept the return with an override reason.",
                    code="wrong_customer",
                    params={"serial": current.serial, "owner": owner, "customer": customer.name},
                )
            if not actor.has_perm("units.override_return"):
                raise ValidationError(
                    "Only a manager can accept a return from someone other than the owner of "
                    "unit %(serial)s.",
                    code="override_forbidden",
                    params={"serial": current.serial},
                )
            reason = f"{reason} (manager override: {override_reason.strip()})"
        return _end_sale(
            unit=current,
            actor=actor,
            kind=SaleLine.EndKind.RETURN,
            reason=f"Returned by {customer.name}: {reason}",
            on=returned_on,
            status=Status.INSPECTION if to_inspection else Status.IN_STOCK,
            condition=Condition.USED,
            location=location,
        )


def sold_unit_back_in_stock(
    *,
    actor: AbstractBaseUser,
    unit: Unit,
    reason: str,
    buy_back: bool = False,
    location: Location | None = None,
    on: datetime.date | None = None,
) -> Unit:
    """Correct a unit recorded as sold that is on the shelf (stocktake) or bought back."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the correction.", code="reason_required")
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        if current.status != Status.SOLD:
            raise ValidationError(
                "Unit %(serial)s is %(status)s, not sold; nothing to correct.",
                code="not_sold",
                params={"serial": current.serial, "status": current.get_status_display().lower()},
            )
        kind = SaleLine.EndKind.BUY_BACK if buy_back else SaleLine.EndKind.CORRECTION
        label = "Bought back" if buy_back else "Found on the shelf although recorded as sold"
        return _end_sale(
            unit=current,
            actor=actor,
            kind=kind,
            reason=f"{label}: {reason}",
            on=on or timezone.localdate(),
            status=Status.IN_STOCK,
            condition=Condition.USED if buy_back else current.condition,
            location=location,
        )


def ownership_transfer(
    *,
    actor: AbstractBaseUser,
    unit: Unit,
    new_owner: Party | None,
    effective_on: datetime.date,
    reason: str,
    location: Location | None = None,
) -> Unit:
    """Transfer a customer's unit to another customer, or to the shop on a trade-in.

    The unit keeps its record, history, warranty and sales; invoices are not
    changed. A trade-in (``new_owner`` None) brings the unit into stock as used
    at ``location``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the transfer.", code="reason_required")
    with transaction.atomic():
        current = (
            Unit.objects.select_for_update(of=("self",)).select_related("owner").get(pk=unit.pk)
        )
        if current.owner_id is None:
            raise ValidationError(
                "Unit %(serial)s belongs to the shop; sell it instead of transferring it.",
                code="shop_owned",
                params={"serial": current.serial},
            )
        if new_owner is not None:
            from recalls.selectors import recall_block_message, unit_recall_block

            recall = unit_recall_block(current)
            if recall is not None:
                raise ValidationError(
                    recall_block_message("transfer", current, recall), code="recall_hold"
                )
        if new_owner is not None and new_owner.pk == current.owner_id:
            raise ValidationError(
                "Unit %(serial)s already belongs to %(owner)s.",
                code="same_owner",
                params={"serial": current.serial, "owner": new_owner.name},
            )
        if effective_on > timezone.localdate():
            raise ValidationError(
                "The transfer date %(on)s is in the future. Record it on the day it happens.",
                code="future_date",
                params={"on": effective_on},
            )
        old = current.owner.name
        if new_owner is None:
            if location is None:
                raise ValidationError(
                    "Choose the location where the traded-in unit is stocked.",
                    code="location_required",
                )
            return _end_sale(
                unit=current,
                actor=actor,
                kind=SaleLine.EndKind.BUY_BACK,
                reason=f"Traded in by {old}: {reason}",
                on=effective_on,
                status=Status.IN_STOCK,
                condition=Condition.USED,
                location=location,
            )
        text = f"Transferred from {old} to {new_owner.name}: {reason}"
        _change_owner(unit=current, owner=new_owner, on=effective_on, reason=text, actor=actor)
        current.owner = new_owner
        services.unit_save(current, actor=actor, reason=text)
        return current


def customer_unit_intake(
    *,
    actor: AbstractBaseUser,
    customer: Party,
    product: Product,
    serial: str,
    reason: str = "Brought in by the customer",
) -> tuple[Unit, bool]:
    """Find a customer's unit by serial, or record it as customer-owned when new to the shop.

    Returns (unit, created). A unit already on file, such as one the shop sold
    earlier, is returned as it is; a second record is never made. A new record
    is not shop stock: it has no location and counts for no stock value.
    """
    existing = services.existing_units(product, [serial])
    if existing:
        return existing[0], False
    try:
        with transaction.atomic():
            unit = services.unit_register(
                actor=actor,
                product=product,
                serial=serial,
                reason=f"{reason} ({customer.name}); not sold by the shop",
                status=Status.CUSTOMER_OWNED,
                condition=Condition.USED,
                owner=customer,
            )
            Ownership.objects.create(
                unit=unit,
                owner=customer,
                started_on=timezone.localdate(),
                reason="Customer's own unit, first seen at intake",
                created_by=actor,
            )
    except ValidationError:
        # Another counter recorded the same unit a moment ago; use that record.
        existing = services.existing_units(product, [serial])
        if existing:
            return existing[0], False
        raise
    return unit, True
