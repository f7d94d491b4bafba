"""Schedule generation: one entry point over every method."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from depreciation.engine import straight_line, yearly
from depreciation.engine.inputs import BookParams, Method, fail, to_decimal
from depreciation.engine.rounding import Period, Row, build_periods, money, round_rows, spread
from depreciation.engine.straight_line import base_cents
from depreciation.engine.timeline import (
    fiscal_year,
    fiscal_years_from,
    month_first,
    month_index,
    month_last,
)

MONTH = "month"
YEAR = "year"

#: Methods that give an exact share per calendar month.
MONTHLY_ROWS = {
    Method.STRAIGHT_LINE: straight_line.straight_line_rows,
    Method.SUM_OF_YEARS_DIGITS: straight_line.sum_of_years_rows,
}
#: Methods that give an amount per fiscal year.
YEARLY_AMOUNTS = {
    Method.DECLINING_BALANCE: yearly.declining_balance,
    Method.MACRS: yearly.macrs,
    Method.CCA: yearly.capital_cost_allowance,
    Method.PERCENTAGES: yearly.percentages,
}


def schedule(params: BookParams, *, period: str = MONTH, usage=None) -> list[Period]:
    """Return every period's amount, accumulated depreciation and book value.

    `period` is "month" (calendar months) or "year" (fiscal years ending in
    params.fiscal_year_end_month). The first period starts on the in-service date.
    `usage` lists the units used per period, oldest first, for units of production.
    The amounts add up to cost minus salvage minus opening_accumulated, except for units
    of production while the usage so far is below total_units.
    """
    rows, remainder_index = schedule_rows(params, period, usage)
    return finish(params, rows, remainder_index)


def month_period(params: BookParams, year: int, month: int, *, usage=None) -> Period | None:
    """Return the monthly period of one calendar month, or None outside the schedule.

    It gives the same Period as schedule() but builds only that one, which makes it the
    cheaper call for a monthly run over many assets.
    """
    rows, remainder_index = schedule_rows(params, MONTH, usage)
    index = next(
        (i for i, row in enumerate(rows) if row[0].year == year and row[0].month == month),
        None,
    )
    if index is None:
        return None
    amounts = round_rows(
        rows, base=base_cents(params), rounding=params.rounding, remainder_index=remainder_index
    )
    accumulated = params.opening_cents + sum(amounts[: index + 1])
    start, end, _, _ = rows[index]
    return Period(
        start,
        end,
        money(amounts[index]),
        money(accumulated),
        money(params.cost_cents - accumulated),
    )


def schedule_rows(params: BookParams, period: str, usage) -> tuple[list[Row], int | None]:
    """Return the rows of a schedule before rounding, and the row that takes the remainder."""
    if period not in (MONTH, YEAR):
        raise fail("period", "period", value=period)
    if params.method == Method.UNITS_OF_PRODUCTION:
        return units_rows(params, period, usage)
    if params.method in MONTHLY_ROWS:
        rows = MONTHLY_ROWS[params.method](params)
        if period == YEAR:
            rows = rows_by_year(rows, params.fiscal_year_end_month)
        return rows, len(rows) - 1
    years = YEARLY_AMOUNTS[params.method](params)
    rows = year_rows(params, years) if period == YEAR else month_rows(params, years)
    return rows, len(rows) - 1


def finish(params: BookParams, rows: list[Row], remainder_index: int | None) -> list[Period]:
    return build_periods(
        rows,
        cost=params.cost_cents,
        opening=params.opening_cents,
        base=base_cents(params),
        rounding=params.rounding,
        remainder_index=remainder_index,
    )


def rows_by_year(rows: list[Row], end_month: int) -> list[Row]:
    """Add the exact monthly shares of each fiscal year into one row."""
    grouped: list[Row] = []
    current = None
    for start, end, numerator, denominator in rows:
        year = fiscal_year(month_index(start), end_month)
        if current is not None and current[0] == year:
            current[2] = end
            current[3] += Fraction(numerator, denominator)
            continue
        if current is not None:
            grouped.append(_fraction_row(current))
        current = [year, start, end, Fraction(numerator, denominator)]
    if current is not None:
        grouped.append(_fraction_row(current))
    return grouped


def _fraction_row(current: list) -> Row:
    _, start, end, share = current
    return (start, end, share.numerator, share.denominator)


def _span(params: BookParams, months: list[int]):
    return max(month_first(months[0]), params.in_service), month_last(months[-1])


def year_rows(params: BookParams, years: yearly.YearAmounts) -> list[Row]:
    return [(*_span(params, months), cents, 1) for months, cents in years]


def month_rows(params: BookParams, years: yearly.YearAmounts) -> list[Row]:
    """Spread each fiscal year's amount over that year's months in service."""
    rows = []
    for months, cents in years:
        shares = spread(cents, len(months), params.rounding)
        rows.extend(
            (month_first(index), month_last(index), share, 1)
            for index, share in zip(months, shares, strict=True)
        )
    if rows:
        rows[0] = (params.in_service, *rows[0][1:])
    return rows


def units_rows(params: BookParams, period: str, usage) -> tuple[list[Row], int | None]:
    """Return base x units used / total_units per period, and the period that ends the life.

    The life ends in the first period where the units used so far reach total_units.
    That period takes the rest of the base and any later period takes 0.
    """
    if usage is None:
        raise fail("usage", "usage_missing")
    units = []
    for index, value in enumerate(usage, start=1):
        used = to_decimal("usage", value, example="1200")
        if used < 0:
            raise fail("usage", "usage_negative", index=index, value=used)
        units.append(used)
    first = month_index(params.in_service)
    if period == MONTH:
        spans = [_span(params, [first + k]) for k in range(len(units))]
    else:
        years = fiscal_years_from(first, len(units), params.fiscal_year_end_month)
        spans = [_span(params, months) for months in years]
    base = Fraction(base_cents(params))
    total = Fraction(params.total_units)
    rows = []
    used_so_far = Decimal(0)
    remainder_index = None
    for index, ((start, end), used) in enumerate(zip(spans, units, strict=True)):
        share = base * Fraction(used) / total
        rows.append((start, end, share.numerator, share.denominator))
        used_so_far += used
        if remainder_index is None and used_so_far >= params.total_units:
            remainder_index = index
    return rows, remainder_index
