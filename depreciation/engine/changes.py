"""Disposal and changes after posting (prospective: posted periods stay as they are)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from depreciation.engine.inputs import (
    BookParams,
    Convention,
    Method,
    fail,
    to_cents,
    to_decimal,
)
from depreciation.engine.rounding import Period, Row, build_periods, half_up, money
from depreciation.engine.schedule import MONTH, MONTHLY_ROWS, YEAR, rows_by_year, schedule
from depreciation.engine.timeline import ONE_DAY, month_index, month_last

PRO_RATA_BY_DAY = (Convention.DAILY, Convention.DAILY_PER_YEAR)


@dataclass(frozen=True, slots=True)
class Disposal:
    on: date
    accumulated: Decimal
    book_value: Decimal
    proceeds: Decimal
    #: Proceeds minus book value: a gain when positive, a loss when negative.
    gain_loss: Decimal


def book_value_on(params: BookParams, on: date, *, usage=None) -> Decimal:
    """Return the book value of an asset disposed of on `on`.

    The months before the disposal month count in full. For the disposal month itself,
    straight line under mid-month counts half the month's amount (all of the half month
    that ends the life, nothing in the in-service month). Under the daily conventions it
    counts the days before `on`, as a share of that month's amount rounded half up.
    Every other convention and method counts nothing for the disposal month.
    """
    return params.cost - _accumulated_on(params, on, usage)


def disposal_gain_loss(params: BookParams, on: date, proceeds, *, usage=None) -> Disposal:
    """Return the book value on the disposal date and the gain or loss on the proceeds."""
    proceeds_cents = to_cents("proceeds", proceeds)
    accumulated = _accumulated_on(params, on, usage)
    book_value = params.cost - accumulated
    return Disposal(
        on=on,
        accumulated=accumulated,
        book_value=book_value,
        proceeds=money(proceeds_cents),
        gain_loss=money(proceeds_cents) - book_value,
    )


def _accumulated_on(params: BookParams, on: date, usage) -> Decimal:
    if on < params.in_service:
        raise fail("date", "date_before_service", value=on, in_service=params.in_service)
    periods = schedule(params, period=MONTH, usage=usage)
    target = month_index(on)
    accumulated = params.opening_accumulated
    for number, period in enumerate(periods):
        index = month_index(period.start)
        if index < target:
            accumulated = period.accumulated
            continue
        if index == target:
            last = number == len(periods) - 1
            accumulated += _disposal_month_share(params, period, on, first=number == 0, last=last)
        break
    return accumulated


def _disposal_month_share(params, period: Period, on: date, *, first: bool, last: bool) -> Decimal:
    if params.method != Method.STRAIGHT_LINE:
        return Decimal(0)
    cents = int(period.amount * 100)
    if params.convention in PRO_RATA_BY_DAY:
        days = (period.end - period.start).days + 1
        return money(half_up(cents * (on - period.start).days, days))
    if params.convention == Convention.MID_MONTH and not first:
        return period.amount if last else money(half_up(cents, 2))
    return Decimal(0)


def reschedule(
    params: BookParams,
    *,
    posted_through: date,
    accumulated,
    added_cost=0,
    life_months: int | None = None,
    salvage=None,
    total_units=None,
    percentages=None,
    period: str = MONTH,
    usage=None,
) -> list[Period]:
    """Return the periods after `posted_through` once cost, life or salvage change.

    `posted_through` is the last day of the last posted period and `accumulated` the
    accumulated depreciation posted by then. `life_months` is the new total life counted
    from the original in-service date. Straight line and sum-of-the-years' digits spread
    the remaining base over the remaining months in proportion to their original shares.
    Declining balance restarts on the book value with the rate over the remaining life.
    Percentages and units of production need new `percentages` or `total_units` for the
    rest of the life. MACRS and CCA are rejected, because an addition to those is a
    separate asset for tax.
    """
    if params.method in (Method.MACRS, Method.CCA):
        raise fail("method", "reschedule_method", method=params.method)
    if posted_through < params.in_service:
        raise fail(
            "posted_through",
            "date_before_service",
            value=posted_through,
            in_service=params.in_service,
        )
    if posted_through != month_last(month_index(posted_through)):
        raise fail("posted_through", "not_month_end", value=posted_through)
    changed = dataclasses.replace(
        params,
        cost=params.cost + money(to_cents("added_cost", added_cost)),
        salvage=params.salvage if salvage is None else salvage,
        life_months=params.life_months if life_months is None else life_months,
        opening_accumulated=Decimal(0),
    )
    done = _accumulated_cents(params, changed, accumulated)
    if params.method in MONTHLY_ROWS:
        return _rescale_rows(changed, posted_through, done, period)
    continued = dataclasses.replace(
        changed,
        in_service=posted_through + ONE_DAY,
        opening_accumulated=money(done),
        life_months=_months_left(changed, posted_through, done),
        total_units=changed.total_units if total_units is None else total_units,
        percentages=changed.percentages if percentages is None else tuple(percentages),
    )
    return schedule(continued, period=period, usage=usage)


def _accumulated_cents(params: BookParams, changed: BookParams, accumulated) -> int:
    done = to_cents("accumulated", accumulated)
    base = changed.cost_cents - changed.salvage_cents
    if not params.opening_cents <= done <= base:
        raise fail(
            "accumulated",
            "accumulated_range",
            value=to_decimal("accumulated", accumulated),
            opening=params.opening_accumulated,
            base=money(base),
        )
    return done


def _months_left(changed: BookParams, posted_through: date, done: int) -> int | None:
    if changed.life_months is None:
        return None
    last_month = month_index(changed.in_service) + changed.life_months - 1
    months = last_month - month_index(posted_through)
    if months < 1:
        _reject_ended_life(changed, posted_through, done)
        return 1
    return months


def _reject_ended_life(changed: BookParams, posted_through: date, done: int) -> None:
    remaining = changed.cost_cents - changed.salvage_cents - done
    if remaining:
        raise fail(
            "life_months",
            "life_ended",
            life=changed.life_months,
            value=posted_through,
            remaining=money(remaining),
        )


def _rescale_rows(changed: BookParams, posted_through: date, done: int, period: str):
    rows = [row for row in MONTHLY_ROWS[changed.method](changed) if row[0] > posted_through]
    if not rows:
        _reject_ended_life(changed, posted_through, done)
        return []
    remaining = changed.cost_cents - changed.salvage_cents - done
    weights = [Fraction(numerator, denominator) for _, _, numerator, denominator in rows]
    total = sum(weights)
    scaled: list[Row] = []
    for (start, end, _, _), weight in zip(rows, weights, strict=True):
        share = remaining * weight / total if total else Fraction(0)
        scaled.append((start, end, share.numerator, share.denominator))
    if period == YEAR:
        scaled = rows_by_year(scaled, changed.fiscal_year_end_month)
    elif period != MONTH:
        raise fail("period", "period", value=period)
    return build_periods(
        scaled,
        cost=changed.cost_cents,
        opening=done,
        base=remaining,
        rounding=changed.rounding,
        remainder_index=len(scaled) - 1,
    )
