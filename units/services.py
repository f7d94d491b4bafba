"""Write operations on units and receipts.

Every function here is one transaction, takes the acting user as ``actor`` and
leaves a django-simple-history record with that user and a reason for every
unit it changes. Views, commands and tests call these functions; nothing else
writes units.
"""

import datetime
import logging
import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from inventory.identifiers import check_vin
from inventory.models import InHouseSerialSequence, Location, Party, Product
from units import workflow
from units.models import Condition, Purpose, Receipt, Status, Unit
from units.serials import normalize_serial, serial_key, serial_sort_key

logger = logging.getLogger(__name__)

#: Rows per statement in bulk writes.
BULK_CHUNK = 2000

#: Largest number of serials accepted in one receipt or one range.
MAX_SERIALS_PER_RECEIPT = 10_000


class UnitError(Exception):
    """A business rule rejected a change to a unit; the message is shown to the user."""


class TransitionNotAllowedError(UnitError):
    pass


def serial_scope(product: Product) -> str:
    """Return the uniqueness scope of serials on product, per SERIAL_UNIQUE_SCOPE."""
    if settings.SERIAL_UNIQUE_SCOPE == "manufacturer":
        return f"m{product.manufacturer_id}"
    return f"p{product.pk}"


def assign_serial(unit: Unit, serial: str) -> None:
    """Set serial and its derived key, sort key and uniqueness scope (product must be set)."""
    unit.serial = serial
    unit.serial_key = serial_key(serial)
    unit.serial_sort = serial_sort_key(serial)
    unit.serial_scope = serial_scope(unit.product)


def unit_save(unit: Unit, *, actor: AbstractBaseUser | None, reason: str) -> None:
    """Save a unit with a history record naming ``actor`` and ``reason``.

    For changes other than status; callers hold the row lock and the transaction.
    """
    unit._history_user = actor
    unit._change_reason = reason
    unit.save()


def _scope_label(product: Product) -> str:
    if settings.SERIAL_UNIQUE_SCOPE == "manufacturer":
        return f"manufacturer {product.manufacturer}"
    return f"product {product.model_number}"


def check_open_recalls(unit_ids: list[int], *, actor: AbstractBaseUser | None) -> None:
    """Match units that have just arrived against every open recall, inside the caller's transaction.

    Every path that creates units calls this, so a unit that an open recall
    covers is recorded and, when in stock, put on hold before anyone can sell it.
    """
    # Imported here because the recalls app imports this module.
    from recalls.services import recall_check_new_units

    if unit_ids:
        recall_check_new_units(unit_ids=list(unit_ids), actor=actor)


# --- Reading serial lists -------------------------------------------------

_LIST_SEPARATORS = re.compile(r"[\r\n\t]+")


def parse_serial_list(text: str) -> list[str]:
    """Split pasted text into raw serials: one per line (or per tab-separated cell).

    Blank lines are skipped. Hyphens and spaces inside a line are part of the
    serial; ranges are only made by ``serial_range``.
    """
    return [part for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


def serial_range(
    *, prefix: str, first: int, count: int, width: int = 0, suffix: str = ""
) -> list[str]:
    """Return ``count`` serials counting up from ``first``, zero-padded to ``width`` digits.

    Raises ValidationError when the count is out of bounds or a number would
    need more digits than ``width``.
    """
    if count < 1 or count > MAX_SERIALS_PER_RECEIPT:
        raise ValidationError(
            "A range holds 1 to %(max)d serials; %(count)d were requested.",
            code="range_count",
            params={"max": MAX_SERIALS_PER_RECEIPT, "count": count},
        )
    if first < 0:
        raise ValidationError(
            "The first number of a range must not be negative; it is %(first)d.",
            code="range_first",
            params={"first": first},
        )
    last = first + count - 1
    if width and len(str(last)) > width:
        raise ValidationError(
            "The range ends at %(last)d, which needs %(digits)d digits, but the width is "
            "%(width)d. Increase the width or lower the count.",
            code="range_width",
            params={"last": last, "digits": len(str(last)), "width": width},
        )
    return [f"{prefix}{number:0{width}d}{suffix}" for number in range(first, last + 1)]


def clean_serials(raw_serials: Iterable[object]) -> list[str]:
    """Normalise a batch of serials, rejecting the whole batch on any problem.

    The ValidationError lists every bad value and every serial that appears
    more than once (compared case-insensitively), so the user fixes all at once.
    """
    cleaned: list[str] = []
    problems: list[ValidationError] = []
    first_line: dict[str, int] = {}
    for line, raw in enumerate(raw_serials, start=1):
        try:
            serial = normalize_serial(raw)
        except ValidationError as error:
            problems.append(ValidationError(f"Line {line}: {error.messages[0]}", code=error.code))
            continue
        key = serial_key(serial)
        if key in first_line:
            problems.append(
                ValidationError(
                    "Line %(line)d: serial %(serial)s is already on line %(first)d.",
                    code="duplicate_in_batch",
                    params={"line": line, "serial": serial, "first": first_line[key]},
                )
            )
            continue
        first_line[key] = line
        cleaned.append(serial)
    if problems:
        raise ValidationError(problems)
    if not cleaned:
        raise ValidationError("No serials were entered. Scan or type at least one.", code="empty")
    if len(cleaned) > MAX_SERIALS_PER_RECEIPT:
        raise ValidationError(
            "%(count)d serials were entered; one receipt holds at most %(max)d.",
            code="too_many",
            params={"count": len(cleaned), "max": MAX_SERIALS_PER_RECEIPT},
        )
    return cleaned


def _ids_with_keys(scope: str, keys: list[str]) -> list[int]:
    """Return the ids of units in ``scope`` whose serial key is one of ``keys``.

    On PostgreSQL ``serial_key IN (...)`` is planned on the trigram index, which
    supports equality, and with keys full of common trigrams such as "000" one
    check of 10,000 serials took half a minute at a million units. A join on the
    array makes PostgreSQL probe the btree unique index once per key instead.
    """
    if not keys:
        return []
    if connection.vendor != "postgresql":
        return list(
            Unit.objects.filter(serial_scope=scope, serial_key__in=keys).values_list(
                "pk", flat=True
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unit.id FROM units_unit AS unit "
            'JOIN unnest(%s::text[]) AS wanted(key) ON unit.serial_key = wanted.key COLLATE "C" '
            "WHERE unit.serial_scope = %s",
            [list(keys), scope],
        )
        return [row[0] for row in cursor.fetchall()]


def existing_serials(product: Product, serials: Sequence[str]) -> list[str]:
    """Return the serials of ``serials`` that already exist in product's uniqueness scope."""
    ids = _ids_with_keys(serial_scope(product), [serial_key(s) for s in serials])
    found = set(Unit.objects.filter(pk__in=ids).values_list("serial_key", flat=True))
    return [s for s in serials if serial_key(s) in found]


def existing_units(product: Product, serials: Sequence[str]) -> list[Unit]:
    """Return the units with these serials in product's uniqueness scope (serials normalised here)."""
    keys = [serial_key(normalize_serial(s)) for s in serials]
    ids = _ids_with_keys(serial_scope(product), keys)
    return list(Unit.objects.filter(pk__in=ids).select_related("product", "owner"))


def _raise_existing(product: Product, serials: Sequence[str]) -> None:
    taken = existing_serials(product, serials)
    if taken:
        raise ValidationError(
            [
                ValidationError(
                    "Serial %(serial)s already exists for %(scope)s.",
                    code="serial_exists",
                    params={"serial": s, "scope": _scope_label(product)},
                )
                for s in taken
            ]
        )


# --- Receiving -------------------------------------------------------------


def receipt_create(
    *,
    actor: AbstractBaseUser,
    supplier: Party,
    product: Product,
    location: Location,
    serials: Iterable[object],
    received_on: datetime.date | None = None,
    reference: str = "",
    condition: str = Condition.NEW,
    lot: str = "",
    notes: str = "",
) -> Receipt:
    """Receive units of one product from a supplier, all or nothing.

    Raises ValidationError naming every serial that is malformed, repeated in
    the batch, or already on file; in that case nothing is stored.
    """
    if not product.is_serialized:
        raise ValidationError(
            "Product %(product)s is not serialized; receive it as a quantity instead.",
            code="not_serialized",
            params={"product": product.model_number},
        )
    cleaned = clean_serials(serials)
    received_on = received_on or timezone.localdate()
    reason = f"Received from {supplier.name}"
    try:
        with transaction.atomic():
            _raise_existing(product, cleaned)
            receipt = Receipt.objects.create(
                supplier=supplier,
                product=product,
                location=location,
                reference=reference,
                received_on=received_on,
                notes=notes,
                created_by=actor,
            )
            units = []
            # Two overlapping receipts insert their keys in the same order, so the
            # second waits on the first at the first shared key instead of deadlocking.
            for serial in sorted(cleaned, key=serial_key):
                unit = Unit(
                    product=product,
                    condition=condition,
                    status=Status.IN_STOCK,
                    purpose=Purpose.SALE,
                    location=location,
                    supplier=supplier,
                    receipt=receipt,
                    received_on=received_on,
                    lot=lot,
                )
                assign_serial(unit, serial)
                units.append(unit)
            bulk_create_with_history(
                units,
                Unit,
                batch_size=1000,
                default_user=actor,
                default_change_reason=f"{reason} on receipt {receipt.number}",
            )
            check_open_recalls([unit.pk for unit in units], actor=actor)
    except IntegrityError:
        # Another clerk stored some of these serials after the check above;
        # name them from the committed data.
        _raise_existing(product, cleaned)
        raise
    logger.info("Receipt %s: %d units of product %s received", receipt.pk, len(units), product.pk)
    return receipt


def unit_register(
    *,
    actor: AbstractBaseUser,
    product: Product,
    serial: object,
    reason: str,
    status: str = Status.IN_STOCK,
    condition: str = Condition.NEW,
    location: Location | None = None,
    owner: Party | None = None,
    supplier: Party | None = None,
    received_on: datetime.date | None = None,
    vin: str | None = None,
    in_house_tag: str | None = None,
    lot: str = "",
    notes: str = "",
) -> Unit:
    """Create one unit outside a receipt (import, in-house tags, customer intake)."""
    unit = Unit(
        product=product,
        status=status,
        condition=condition,
        location=location,
        owner=owner,
        supplier=supplier,
        received_on=received_on,
        vin=clean_vin(vin)[0],
        in_house_tag=in_house_tag,
        lot=lot,
        notes=notes,
    )
    assign_serial(unit, normalize_serial(serial))
    try:
        with transaction.atomic():
            unit_save(unit, actor=actor, reason=reason)
            check_open_recalls([unit.pk], actor=actor)
    except IntegrityError:
        _raise_existing(product, [unit.serial])
        raise
    unit.refresh_from_db()
    return unit


def clean_vin(raw: str | None) -> tuple[str | None, str | None]:
    """Return the upper-case VIN (or None when blank) and a warning, if any.

    Raises ValidationError for a VIN of the wrong length or alphabet, and for a
    wrong check digit on a North American VIN; elsewhere the check digit is
    optional, so a mismatch there is only a warning.
    """
    if raw is None or not str(raw).strip():
        return None, None
    result = check_vin(str(raw))
    if result.error:
        raise ValidationError(result.error, code="invalid_vin")
    return result.vin, result.warning


# --- In-house serials --------------------------------------------------------


def _issue_numbers(prefix: str, count: int) -> range:
    """Reserve ``count`` consecutive numbers for prefix inside the caller's transaction."""
    InHouseSerialSequence.objects.bulk_create(
        [InHouseSerialSequence(prefix=prefix)], ignore_conflicts=True
    )
    # The row lock makes a second clerk wait until this transaction ends, so
    # numbers are never issued twice; a rollback returns them, so none are lost.
    sequence = InHouseSerialSequence.objects.select_for_update().get(prefix=prefix)
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return range(first, first + count)


def in_house_units_create(
    *,
    actor: AbstractBaseUser,
    product: Product,
    location: Location,
    count: int,
    condition: str = Condition.NEW,
    supplier: Party | None = None,
) -> list[Unit]:
    """Create ``count`` units of product tagged with the next gap-free in-house serials."""
    prefix, width = product.serial_prefix, product.serial_width
    if not prefix:
        raise ValidationError(
            "Product %(product)s and its category %(category)s have no in-house serial prefix. "
            "Set one on the product or the category first.",
            code="no_prefix",
            params={"product": product.model_number, "category": product.category.name},
        )
    if count < 1 or count > 1000:
        raise ValidationError(
            "Generate 1 to 1000 in-house serials at a time; %(count)d were requested.",
            code="count",
            params={"count": count},
        )
    today = timezone.localdate()
    with transaction.atomic():
        numbers = _issue_numbers(prefix, count)
        if len(str(numbers[-1])) > width:
            raise ValidationError(
                "In-house serials for prefix %(prefix)s have run past %(width)d digits. "
                "Widen the width on the product or category.",
                code="exhausted",
                params={"prefix": prefix, "width": width},
            )
        units = []
        for number in numbers:
            tag = f"{prefix}{number:0{width}d}"
            unit = Unit(
                product=product,
                condition=condition,
                status=Status.IN_STOCK,
                location=location,
                supplier=supplier,
                received_on=today,
                in_house_tag=tag,
            )
            assign_serial(unit, tag)
            units.append(unit)
        try:
            with transaction.atomic():
                bulk_create_with_history(
                    units,
                    Unit,
                    default_user=actor,
                    default_change_reason="In-house serial generated",
                )
                check_open_recalls([unit.pk for unit in units], actor=actor)
        except IntegrityError as error:
            raise ValidationError(
                "In-house serials %(first)s to %(last)s clash with serials already on file. "
                "Raise the sequence for prefix %(prefix)s past them.",
                code="tag_clash",
                params={"first": units[0].serial, "last": units[-1].serial, "prefix": prefix},
            ) from error
    return units


# --- Status and corrections --------------------------------------------------


def _locked(unit: Unit) -> Unit:
    return Unit.objects.select_for_update().select_related("product").get(pk=unit.pk)


def unit_change_status(
    *, unit: Unit, status: str, actor: AbstractBaseUser, reason: str, **changes: object
) -> Unit:
    """Move a unit to ``status`` if the workflow allows it; the only status writer.

    ``changes`` sets other fields in the same history record (location, owner...).
    Returns the refreshed unit; a move to the current status with no other
    change writes nothing.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change.", code="reason_required")
    with transaction.atomic():
        # The row lock serialises concurrent changes: the second waits and
        # then reads the status the first one wrote.
        current = _locked(unit)
        if current.status == status and not changes:
            return current
        if current.status != status and not workflow.is_allowed(current.status, status):
            raise TransitionNotAllowedError(
                f"Unit {current.serial} cannot move from {current.get_status_display()} to "
                f"{Status(status).label}."
            )
        current.status = status
        for field, value in changes.items():
            setattr(current, field, value)
        unit_save(current, actor=actor, reason=reason)
    logger.info("Unit %s: status %s (%s)", current.pk, status, reason)
    return current


def unit_mark_damaged(*, unit: Unit, actor: AbstractBaseUser, reason: str) -> Unit:
    """Mark a unit damaged: it leaves sellable stock until it is inspected."""
    return unit_change_status(
        unit=unit, status=Status.DAMAGED, actor=actor, reason=reason, condition=Condition.DAMAGED
    )


def unit_set_vin(
    *, unit: Unit, vin: str | None, actor: AbstractBaseUser, reason: str
) -> tuple[Unit, str | None]:
    """Set or clear a unit's VIN; returns the unit and a check-digit warning, if any."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change.", code="reason_required")
    cleaned, warning = clean_vin(vin)
    with transaction.atomic():
        current = _locked(unit)
        if current.vin == cleaned:
            return current, warning
        current.vin = cleaned
        try:
            with transaction.atomic():
                unit_save(current, actor=actor, reason=f"VIN set: {reason}")
        except IntegrityError:
            other = Unit.objects.filter(vin=cleaned).exclude(pk=current.pk).first()
            raise ValidationError(
                "VIN %(vin)s is already recorded on unit %(serial)s.",
                code="vin_taken",
                params={"vin": cleaned, "serial": other.serial if other else "?"},
            ) from None
    return current, warning


def unit_change_product(
    *, unit: Unit, product: Product, actor: AbstractBaseUser, reason: str
) -> Unit:
    """Move a unit received against the wrong product to the right one."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change.", code="reason_required")
    with transaction.atomic():
        current = _locked(unit)
        if current.product_id == product.pk:
            return current
        if not product.is_serialized:
            raise ValidationError(
                "Product %(product)s is not serialized, so units cannot be moved to it.",
                code="not_serialized",
                params={"product": product.model_number},
            )
        old = current.product.model_number
        current.product = product
        assign_serial(current, current.serial)
        try:
            with transaction.atomic():
                unit_save(current, actor=actor, reason=f"Product corrected from {old}: {reason}")
                # The right product may be under an open recall that the wrong one was not.
                check_open_recalls([current.pk], actor=actor)
        except IntegrityError:
            _raise_existing(product, [current.serial])
            raise
    current.refresh_from_db()
    return current


def _insert_history_rows(unit_ids: list[int], *, actor, reason: str, when) -> None:
    """Copy the current rows of ``unit_ids`` into the history table with one INSERT ... SELECT.

    The same record simple-history writes for a change (type "~", the user and
    the reason), built in the database instead of as Python objects.
    """
    history = Unit.history.model
    columns = [
        field.column
        for field in history._meta.concrete_fields
        if not field.name.startswith("history_")
    ]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(unit_ids))
    # Only quoted model metadata is formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(history._meta.db_table)} "  # noqa: S608
        f"({names}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {names}, %s, %s, '~', %s FROM {connection.ops.quote_name(Unit._meta.db_table)} "
        f"WHERE id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [when, reason, actor.pk if actor else None, *unit_ids])


def units_bulk_change_status(
    *, units: Iterable[Unit], status: str, actor: AbstractBaseUser, reason: str
) -> list[Unit]:
    """Change the status of many units at once, all or none, one history record each.

    Returns the given units whose status changed, with ``status`` set on them.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the change.", code="reason_required")
    given = {unit.pk: unit for unit in units}
    with transaction.atomic():
        # Locks are taken in primary-key order so two bulk changes cannot deadlock.
        locked = list(
            Unit.objects.select_for_update()
            .filter(pk__in=sorted(given))
            .order_by("pk")
            .values_list("pk", "status", "serial")
        )
        refused = [
            (serial, current)
            for _, current, serial in locked
            if current != status and not workflow.is_allowed(current, status)
        ]
        if refused:
            names = ", ".join(
                f"{serial} ({Status(current).label})" for serial, current in refused[:20]
            )
            raise TransitionNotAllowedError(
                f"{len(refused)} units cannot move to {Status(status).label}: {names}."
            )
        changed_ids = [pk for pk, current, _ in locked if current != status]
        now = timezone.now()
        # Every unit gets the same values, so one UPDATE and one INSERT ... SELECT
        # per chunk do the work of thousands of single-row saves.
        for start in range(0, len(changed_ids), BULK_CHUNK):
            chunk = changed_ids[start : start + BULK_CHUNK]
            Unit.objects.filter(pk__in=chunk).update(status=status, updated_at=now)
            _insert_history_rows(chunk, actor=actor, reason=reason, when=now)
    changed = [given[pk] for pk in changed_ids]
    for unit in changed:
        unit.status = status
    return changed
