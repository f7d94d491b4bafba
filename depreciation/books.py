"""Depreciation books, monthly runs and disposals: the write services.

A book holds one asset unit's engine parameters. A monthly run posts one
``DepreciationEntry`` per active book and month, computed by the engine, and
closes the month. Posted entries are never changed: a later change to cost,
life or salvage is prospective (``book_change``), and a disposal stops
depreciation from its month on.

Months are posted in order. The first run may be any month, and every later
run must be the month after the last closed one, or an already closed month
again (which adds only the entries still missing, e.g. for a book created
afterwards). An entry's accumulated depreciation is the schedule's, so the
first posted month carries the depreciation of the months before it.
"""

import calendar
import dataclasses
import datetime
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from depreciation import rentals, selectors
from depreciation.engine import (
    BookParams,
    Convention,
    DepreciationInputError,
    Method,
    Period,
    Rounding,
    disposal_gain_loss,
    month_period,
    reschedule,
    schedule,
)
from depreciation.models import (
    AssetPeriod,
    BookChange,
    DepreciationBook,
    DepreciationEntry,
    DepreciationRun,
)
from inventory.jobs import job_handler, job_start
from inventory.models import Job
from units import services as unit_services
from units.models import Purpose, Status, Unit

logger = logging.getLogger(__name__)

#: Largest amount a book accepts; the columns hold more, the cost ledger no more than this.
MAX_AMOUNT = Decimal("9999999999.99")
#: Maximum life accepted, 100 years, because the engine builds one row per month of the life.
MAX_LIFE_MONTHS = 1200
#: Books loaded, computed and written per transaction in a monthly run.
RUN_CHUNK = 2000
RUN_JOB_KIND = "depreciation-run"

MESSAGES = {
    "amount_invalid": "The {field} {value!r} is not a number. Enter an amount like 1500.00.",
    "amount_range": "The {field} {value!r} is out of range; enter 0 to {max}.",
    "amount_cents": "The {field} {value} has more than two decimal places; enter whole cents.",
    "life_range": "The life of {value} months is out of range; enter 1 to {max} months.",
    "not_asset": (
        "Unit {serial} is not in the rental fleet or internal use; put it into service "
        "before giving it a depreciation book."
    ),
    "name_taken": "Unit {serial} already has a book named {name!r}; choose another name.",
    "no_change": "Nothing to change: enter an added cost, a new life or a new salvage value.",
    "reason_required": "Give a reason for the change.",
    "book_disposed": "The {name} book of unit {serial} was disposed of on {on}; it cannot change.",
    "no_active_books": "Unit {serial} has no active depreciation book to dispose of.",
    "disposal_before_receipt": (
        "The disposal date {on} is before unit {serial} was received on {received}; "
        "enter a date on or after it."
    ),
    "disposal_posted": (
        "The {name} book of unit {serial} is posted through {posted}; enter a disposal date "
        "after that month."
    ),
    "disposal_kind": "Disposal kind {value!r} is not valid; choose sale or scrap.",
    "month_invalid": "The month {year}-{month} is not valid; choose a month from 1 to 12.",
    "month_future": "The month {period} has not started yet; post it in or after that month.",
    "month_order": (
        "Post {expected} first: the last closed month is {closed}, and months are posted in order."
    ),
}


def _error(code: str, key: str | None = None, **params) -> ValidationError:
    """Build the ValidationError of a MESSAGES code, keyed by form field ``key`` when given."""
    message = MESSAGES[code].format(**params)
    if key:
        return ValidationError({key: ValidationError(message, code=code)})
    return ValidationError(message, code=code)


def _engine_error(error: DepreciationInputError, fields: dict[str, str] | None = None):
    """Turn an engine error into a ValidationError on the form field it names."""
    field = (fields or {}).get(error.field, error.field)
    return ValidationError({field: ValidationError(str(error), code="engine")})


def clean_money(raw, *, field: str, required: bool = True) -> Decimal | None:
    """Return ``raw`` as Decimal cents of 0 to MAX_AMOUNT; reject NaN, infinities and fractions."""
    if raw is None or str(raw).strip() == "":
        if required:
            raise _error("amount_invalid", field, field=field, value="")
        return None
    text = str(raw).strip().replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _error("amount_invalid", field, field=field, value=str(raw)) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise _error("amount_range", field, field=field, value=str(raw), max=MAX_AMOUNT)
    if amount != amount.quantize(Decimal("0.01")):
        raise _error("amount_cents", field, field=field, value=str(raw))
    return amount.quantize(Decimal("0.01"))


def _check_life(life_months: int | None) -> None:
    if life_months is not None and not 1 <= life_months <= MAX_LIFE_MONTHS:
        raise _error("life_range", "life_months", value=life_months, max=MAX_LIFE_MONTHS)


# --- Parameters and schedules ------------------------------------------------------------

#: Book fields read by ``params_from_row``, so that a run can load them with values().
PARAM_FIELDS = (
    "method",
    "cost",
    "in_service",
    "salvage",
    "life_months",
    "convention",
    "factor",
    "switch_to_sl",
    "total_units",
    "macrs_class",
    "macrs_convention",
    "macrs_quarter",
    "class_rate",
    "percentages",
)


def params_from_row(row) -> BookParams:
    """Build BookParams from a book or a dict of PARAM_FIELDS; raises DepreciationInputError."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    percentages = get("percentages")
    return BookParams(
        method=get("method"),
        cost=get("cost"),
        in_service=get("in_service"),
        salvage=get("salvage"),
        life_months=get("life_months"),
        convention=get("convention"),
        factor=get("factor"),
        switch_to_sl=get("switch_to_sl"),
        total_units=get("total_units"),
        macrs_class=get("macrs_class"),
        macrs_convention=get("macrs_convention"),
        macrs_quarter=get("macrs_quarter"),
        class_rate=get("class_rate"),
        percentages=tuple(str(share) for share in percentages) if percentages else None,
    )


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return (
        datetime.date(year, month, 1),
        datetime.date(year, month, calendar.monthrange(year, month)[1]),
    )


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def monthly_usage(unit_id: int, start: datetime.date, through: datetime.date) -> list[Decimal]:
    """Return the meter usage of each calendar month from ``start``'s month to ``through``'s.

    NOTE: one query per month (``selectors.meter_usage``), so a units-of-production
    book costs a run as many queries as months of its life so far.
    """
    unit = Unit(pk=unit_id)
    usage = []
    first = start.replace(day=1)
    while first <= through:
        last = _next_month(first) - datetime.timedelta(days=1)
        usage.append(selectors.meter_usage(unit, max(first, start), last))
        first = _next_month(first)
    return usage


def _usage_start(params: BookParams, restart_through: datetime.date | None) -> datetime.date:
    if restart_through is None:
        return params.in_service
    return restart_through + datetime.timedelta(days=1)


def _straight_line_month(params: BookParams, year: int, month: int) -> Period | None:
    """Compute straight line, full month, per-period rounding for one month without the engine.

    Every month of that schedule gets base / life rounded half up, the last month
    takes the remainder and no month passes the base, so month k needs no loop.
    tests/depreciation/test_runs.py checks it against ``month_period``.
    """
    first_index = params.in_service.year * 12 + params.in_service.month - 1
    k = year * 12 + month - 1 - first_index
    life = params.life_months
    if k < 0 or k >= life:
        return None
    base = params.cost_cents - params.salvage_cents
    share = (2 * base + life) // (2 * life)
    done_before = min(k * share, base)
    amount = base - done_before if k == life - 1 else min(share, base - done_before)
    accumulated = done_before + amount
    start, end = month_bounds(year, month)
    return Period(
        max(start, params.in_service),
        end,
        Decimal(amount).scaleb(-2),
        Decimal(accumulated).scaleb(-2),
        Decimal(params.cost_cents - accumulated).scaleb(-2),
    )


def _is_plain_straight_line(params: BookParams) -> bool:
    return (
        params.method == Method.STRAIGHT_LINE
        and params.convention == Convention.FULL_MONTH
        and params.rounding == Rounding.PERIOD
        and not params.opening_cents
    )


@lru_cache(maxsize=4096)
def _cached_month(
    params: BookParams,
    restart_through: datetime.date | None,
    restart_accumulated: Decimal | None,
    year: int,
    month: int,
) -> Period | None:
    # Books bought together share their parameters, so a run computes each set once.
    return _month_of(params, restart_through, restart_accumulated, year, month, None)


def _month_of(params, restart_through, restart_accumulated, year, month, usage) -> Period | None:
    if restart_through is None:
        return month_period(params, year, month, usage=usage)
    if (year, month) <= (restart_through.year, restart_through.month):
        return None
    periods = reschedule(
        params, posted_through=restart_through, accumulated=restart_accumulated, usage=usage
    )
    return next((p for p in periods if (p.start.year, p.start.month) == (year, month)), None)


def book_month(
    params: BookParams,
    *,
    year: int,
    month: int,
    unit_id: int,
    restart_through: datetime.date | None = None,
    restart_accumulated: Decimal | None = None,
) -> Period | None:
    """Return a book's Period for one calendar month, or None outside its schedule."""
    if restart_through is None and _is_plain_straight_line(params):
        return _straight_line_month(params, year, month)
    if params.method != Method.UNITS_OF_PRODUCTION:
        return _cached_month(params, restart_through, restart_accumulated, year, month)
    start = _usage_start(params, restart_through)
    usage = monthly_usage(unit_id, start, month_bounds(year, month)[1])
    return _month_of(params, restart_through, restart_accumulated, year, month, usage)


def book_projection(book: DepreciationBook, *, after: tuple[int, int] | None) -> list[Period]:
    """Return the book's scheduled periods after month ``after`` (year, month), or all of them.

    Units of production use the meter usage up to today, so they show no later months.
    """
    params = params_from_row(book)
    usage = None
    if params.method == Method.UNITS_OF_PRODUCTION:
        usage = monthly_usage(
            book.unit_id, _usage_start(params, book.restart_through), timezone.localdate()
        )
    if book.restart_through is None:
        periods = schedule(params, usage=usage)
    else:
        periods = reschedule(
            params,
            posted_through=book.restart_through,
            accumulated=book.restart_accumulated,
            usage=usage,
        )
    if after is None:
        return periods
    return [p for p in periods if (p.start.year, p.start.month) > after]


# --- Books -------------------------------------------------------------------------------


def book_create(
    *,
    actor: AbstractBaseUser,
    unit: Unit,
    name: str,
    method: str,
    in_service: datetime.date | None = None,
    cost: Decimal | None = None,
    **fields,
) -> DepreciationBook:
    """Create a book for an asset unit; ``cost`` defaults to the unit's total investment.

    ``in_service`` defaults to the start of the unit's open asset period. The other
    keyword arguments are the remaining BookParams fields. Raises ValidationError
    keyed by field, with the engine's message for a value it rejects.
    """
    name = (name or "").strip()
    _check_life(fields.get("life_months"))
    with transaction.atomic():
        # The lock orders this against a cost entry or a disposal of the same unit.
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        period = AssetPeriod.objects.filter(unit=current, ended_on__isnull=True).first()
        if current.purpose == Purpose.SALE or period is None:
            raise _error("not_asset", serial=current.serial)
        if cost is None:
            cost = selectors.total_investment(current)
        if in_service is None:
            in_service = period.started_on
        book = DepreciationBook(
            unit=current, name=name, method=method, in_service=in_service, cost=cost, **fields
        )
        try:
            params_from_row(book)
        except DepreciationInputError as error:
            raise _engine_error(error) from None
        book.created_by = actor
        try:
            with transaction.atomic():
                book.save()
        except IntegrityError:
            raise _error("name_taken", "name", serial=current.serial, name=name) from None
    logger.info("Book %s: created for unit %s (%s, %s)", book.pk, unit.pk, name, method)
    return book


def _last_entry(book: DepreciationBook) -> DepreciationEntry | None:
    return book.entries.order_by("-year", "-month").first()


def book_change(
    *,
    actor: AbstractBaseUser,
    book: DepreciationBook,
    reason: str,
    added_cost: Decimal | None = None,
    life_months: int | None = None,
    salvage: Decimal | None = None,
) -> BookChange:
    """Change a book's cost, life or salvage from the month after its last posted entry.

    Posted entries stay as they are. Later months are rescheduled from the accumulated
    depreciation posted so far (``engine.reschedule``). With nothing posted, the new
    values replace the old ones for the whole schedule.
    """
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason_required", "reason")
    if not added_cost and life_months is None and salvage is None:
        raise _error("no_change")
    _check_life(life_months)
    with transaction.atomic():
        # Locked so that a run or a second change sees this one's parameters.
        current = (
            DepreciationBook.objects.select_for_update().select_related("unit").get(pk=book.pk)
        )
        if current.status != DepreciationBook.Status.ACTIVE:
            raise _error(
                "book_disposed",
                name=current.name,
                serial=current.unit.serial,
                on=current.disposed_on,
            )
        old_params = params_from_row(current)
        last = _last_entry(current)
        try:
            if last is None:
                effective_on = current.in_service
                # Nothing is posted, so the new values apply to the whole schedule.
                dataclasses.replace(
                    old_params,
                    cost=old_params.cost + (added_cost or 0),
                    life_months=old_params.life_months if life_months is None else life_months,
                    salvage=old_params.salvage if salvage is None else salvage,
                )
            else:
                posted_through = month_bounds(last.year, last.month)[1]
                effective_on = posted_through + datetime.timedelta(days=1)
                reschedule(
                    old_params,
                    posted_through=posted_through,
                    accumulated=last.accumulated,
                    added_cost=added_cost or 0,
                    life_months=life_months,
                    salvage=salvage,
                    usage=_check_usage(old_params),
                )
                current.restart_through = posted_through
                current.restart_accumulated = last.accumulated
        except DepreciationInputError as error:
            raise _engine_error(error) from None
        change = BookChange.objects.create(
            book=current,
            effective_on=effective_on,
            added_cost=added_cost or 0,
            old_life_months=current.life_months,
            new_life_months=current.life_months if life_months is None else life_months,
            old_salvage=current.salvage,
            new_salvage=current.salvage if salvage is None else salvage,
            reason=reason,
            created_by=actor,
        )
        current.cost += added_cost or 0
        current.life_months = change.new_life_months
        current.salvage = change.new_salvage
        current.save()
    logger.info("Book %s: changed from %s (change %s)", book.pk, effective_on, change.pk)
    return change


def _check_usage(params: BookParams) -> list[Decimal] | None:
    # reschedule() needs some usage for units of production to validate the change;
    # the periods it returns are discarded.
    return [] if params.method == Method.UNITS_OF_PRODUCTION else None


def book_pending_cost(book: DepreciationBook) -> Decimal:
    """Return the unit's cost entries not yet in the book: total investment minus book cost."""
    return selectors.total_investment(book.unit) - book.cost


# --- Disposal ----------------------------------------------------------------------------


def _disposal_figures(book: DepreciationBook, on: datetime.date, proceeds: Decimal):
    """Return (book value, gain or loss) of ``book`` disposed of on ``on``."""
    params = params_from_row(book)
    usage = None
    if params.method == Method.UNITS_OF_PRODUCTION:
        usage = monthly_usage(book.unit_id, _usage_start(params, book.restart_through), on)
    if book.restart_through is None:
        disposal = disposal_gain_loss(params, on, proceeds, usage=usage)
        return disposal.book_value, disposal.gain_loss
    # NOTE: after a change, the disposal month itself counts nothing, also under the
    # mid-month and daily conventions that count part of it without a change.
    accumulated = book.restart_accumulated
    periods = reschedule(
        params,
        posted_through=book.restart_through,
        accumulated=book.restart_accumulated,
        usage=usage,
    )
    for period in periods:
        if (period.start.year, period.start.month) >= (on.year, on.month):
            break
        accumulated = period.accumulated
    book_value = params.cost - accumulated
    return book_value, proceeds - book_value


def unit_dispose(
    *,
    actor: AbstractBaseUser,
    unit: Unit,
    on: datetime.date,
    kind: str,
    proceeds: Decimal,
    reason: str,
) -> list[DepreciationBook]:
    """Dispose of an asset unit in every active book: record book value and gain or loss.

    Gain or loss is proceeds minus the book value on ``on`` (``engine.disposal_gain_loss``),
    and no month from the disposal month on is posted. A scrapped unit becomes Disposed
    through ``units.services`` (ending its asset period); a sold unit keeps its status,
    because the counter sale records the sale itself.
    """
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason_required", "reason")
    if kind not in DepreciationBook.DisposalKind.values:
        raise _error("disposal_kind", "kind", value=kind)
    with transaction.atomic():
        # Unit first, then its books in id order, as book_create and the run lock them.
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        if current.received_on and on < current.received_on:
            raise _error(
                "disposal_before_receipt",
                "on",
                on=on,
                serial=current.serial,
                received=current.received_on,
            )
        books = list(
            DepreciationBook.objects.select_for_update()
            .filter(unit=current, status=DepreciationBook.Status.ACTIVE)
            .order_by("pk")
        )
        if not books:
            raise _error("no_active_books", serial=current.serial)
        for book in books:
            _dispose_book(book, current, on=on, kind=kind, proceeds=proceeds)
        if kind == DepreciationBook.DisposalKind.SCRAP:
            _scrap_unit(actor, current, on, reason)
    logger.info("Unit %s: disposed of in %d books (%s)", unit.pk, len(books), kind)
    return books


def _dispose_book(book, unit: Unit, *, on, kind, proceeds) -> None:
    last = _last_entry(book)
    if last is not None and (last.year, last.month) >= (on.year, on.month):
        raise _error(
            "disposal_posted",
            "on",
            name=book.name,
            serial=unit.serial,
            posted=f"{last.year}-{last.month:02d}",
        )
    try:
        book_value, gain_loss = _disposal_figures(book, on, proceeds)
    except DepreciationInputError as error:
        raise _engine_error(error, {"date": "on"}) from None
    book.status = DepreciationBook.Status.DISPOSED
    book.disposed_on = on
    book.disposal_kind = kind
    book.proceeds = proceeds
    book.disposal_book_value = book_value
    book.gain_loss = gain_loss
    book.save()


def _scrap_unit(actor, unit: Unit, on: datetime.date, reason: str) -> None:
    if AssetPeriod.objects.filter(unit=unit, ended_on__isnull=True).exists():
        rentals.asset_take_out_of_service(
            actor=actor, unit=unit, ending=AssetPeriod.Ending.DISPOSAL, on=on, reason=reason
        )
    else:
        unit_services.unit_change_status(
            unit=unit, status=Status.DISPOSED, actor=actor, reason=f"Scrapped on {on}: {reason}"
        )


# --- Monthly runs ------------------------------------------------------------------------


def _month_label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def run_start(*, actor: AbstractBaseUser, year: int, month: int) -> DepreciationRun:
    """Open (or reopen) the run of one month and queue its job; returns the run.

    A month that is already running keeps its job. Raises ValidationError for a month
    that has not started or that would leave an earlier month open.
    """
    if not 1 <= month <= 12 or not 1900 <= year <= 9999:
        raise _error("month_invalid", year=year, month=month)
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise _error("month_future", period=_month_label(year, month))
    with transaction.atomic():
        closed = (
            DepreciationRun.objects.select_for_update()
            .filter(status=DepreciationRun.Status.DONE)
            .order_by("-year", "-month")
            .first()
        )
        if closed is not None and (year, month) > (closed.year, closed.month):
            expected = _next_month(datetime.date(closed.year, closed.month, 1))
            if (year, month) != (expected.year, expected.month):
                raise _error(
                    "month_order",
                    expected=_month_label(expected.year, expected.month),
                    closed=_month_label(closed.year, closed.month),
                )
        run, _ = DepreciationRun.objects.select_for_update().get_or_create(
            year=year, month=month, defaults={"started_by": actor}
        )
        if run.job_id and run.job.state in (Job.State.QUEUED, Job.State.RUNNING):
            return run
        job = job_start(
            kind=RUN_JOB_KIND, actor=actor, params={"run": run.pk, "year": year, "month": month}
        )
        run.status = DepreciationRun.Status.RUNNING
        run.job = job
        run.started_by = actor
        run.finished_at = None
        run.save()
    logger.info("Run %s: %s queued as job %s", run.pk, _month_label(year, month), job.pk)
    return run


def _books_to_post(year: int, month: int):
    end = month_bounds(year, month)[1]
    return (
        DepreciationBook.objects.filter(in_service__lte=end)
        .filter(Q(disposed_on__isnull=True) | Q(disposed_on__gt=end))
        # period_key, not (year, month): the index on (period_key, book) serves it.
        .exclude(
            pk__in=DepreciationEntry.objects.filter(period_key=year * 100 + month).values("book")
        )
    )


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _entries_for(rows: list[dict], run: DepreciationRun) -> list[DepreciationEntry]:
    entries = []
    for row in rows:
        period = book_month(
            params_from_row(row),
            year=run.year,
            month=run.month,
            unit_id=row["unit_id"],
            restart_through=row["restart_through"],
            restart_accumulated=row["restart_accumulated"],
        )
        if period is None or not period.amount:
            continue
        entries.append(
            DepreciationEntry(
                book_id=row["pk"],
                year=run.year,
                month=run.month,
                amount=period.amount,
                accumulated=period.accumulated,
                book_value=period.book_value,
                run=run,
            )
        )
    return entries


def run_post(
    *,
    run: DepreciationRun,
    progress: Callable[[int, int], None] | None = None,
    chunk: int | None = None,
) -> DepreciationRun:
    """Post the run's month for every book without an entry for it, then close the month.

    Books are read and written ``chunk`` (default RUN_CHUNK) at a time, each chunk in one transaction
    with ``bulk_create(ignore_conflicts=True)``, so a retry after a failure skips the
    books already posted and never writes an entry twice.
    """
    book_ids = list(_books_to_post(run.year, run.month).order_by("pk").values_list("pk", flat=True))
    total = len(book_ids)
    done = 0
    if progress:
        progress(0, total)
    for chunk_ids in _chunks(book_ids, chunk or RUN_CHUNK):
        with transaction.atomic():
            rows = list(
                DepreciationBook.objects.filter(pk__in=chunk_ids).values(
                    "pk", "unit_id", "restart_through", "restart_accumulated", *PARAM_FIELDS
                )
            )
            DepreciationEntry.objects.bulk_create(
                _entries_for(rows, run), ignore_conflicts=True, batch_size=1000
            )
        done += len(chunk_ids)
        if progress:
            progress(done, total)
    return _run_close(run)


def _run_close(run: DepreciationRun) -> DepreciationRun:
    figures = DepreciationEntry.objects.filter(period_key=run.year * 100 + run.month).aggregate(
        count=Count("pk"), amount=Sum("amount")
    )
    books = _books_to_post(run.year, run.month).count() + figures["count"]
    DepreciationRun.objects.filter(pk=run.pk).update(
        status=DepreciationRun.Status.DONE,
        books_total=books,
        entries_created=figures["count"],
        amount_total=figures["amount"] or 0,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    logger.info(
        "Run %s: %s closed with %d entries, %s",
        run.pk,
        _month_label(run.year, run.month),
        run.entries_created,
        run.amount_total,
    )
    return run


@job_handler(RUN_JOB_KIND)
def run_job(job: Job, progress) -> dict:
    """Job handler: post the month of ``job.params["run"]``; a retry resumes it."""
    run = DepreciationRun.objects.get(pk=job.params["run"])
    DepreciationRun.objects.filter(pk=run.pk).update(status=DepreciationRun.Status.RUNNING)
    try:
        run = run_post(run=run, progress=progress)
    except Exception:
        DepreciationRun.objects.filter(pk=run.pk).update(status=DepreciationRun.Status.FAILED)
        raise
    return {
        "summary": (
            f"Posted {_month_label(run.year, run.month)}: {run.entries_created} entries, "
            f"{run.amount_total} in total."
        ),
        "url": reverse("assets:run-list"),
    }
