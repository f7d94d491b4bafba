"""Straight line and sum-of-the-years' digits: exact shares of the base per calendar month.

Both return one Row per month in service, unrounded, so that a yearly schedule can add a
year's exact shares before rounding once.
"""

from __future__ import annotations

from depreciation.engine.inputs import BookParams, Convention
from depreciation.engine.rounding import Row
from depreciation.engine.timeline import (
    ONE_DAY,
    add_months,
    days_in_fiscal_year,
    fiscal_year,
    month_first,
    month_index,
    month_last,
)


def base_cents(params: BookParams) -> int:
    return params.cost_cents - params.salvage_cents - params.opening_cents


def straight_line_rows(params: BookParams) -> list[Row]:
    base = base_cents(params)
    life = params.life_months
    first = month_index(params.in_service)
    convention = params.convention
    if convention == Convention.FULL_MONTH:
        return _month_rows(params, [(base, life)] * life)
    if convention == Convention.MID_MONTH:
        weights = [(base, 2 * life)] + [(base, life)] * (life - 1) + [(base, 2 * life)]
        return _month_rows(params, weights)
    end = add_months(params.in_service, life) - ONE_DAY
    rows = []
    for index in range(first, month_index(end) + 1):
        start = max(month_first(index), params.in_service)
        stop = min(month_last(index), end)
        days = (stop - start).days + 1
        if convention == Convention.DAILY:
            total_days = (end - params.in_service).days + 1
            rows.append((start, stop, base * days, total_days))
        else:
            year_days = days_in_fiscal_year(
                fiscal_year(index, params.fiscal_year_end_month), params.fiscal_year_end_month
            )
            rows.append((start, stop, base * 12 * days, life * year_days))
    return rows


def sum_of_years_rows(params: BookParams) -> list[Row]:
    """Return year k of an n-year life (k from 1) as (n - k + 1) / (n(n + 1) / 2) of the base.

    Each life year is spread evenly over its 12 months, so that a fiscal year that straddles
    two life years takes the right months of each.
    """
    base = base_cents(params)
    years = params.life_months // 12
    denominator = years * (years + 1) * 12
    weights = [(2 * base * (years - month // 12), denominator) for month in range(years * 12)]
    return _month_rows(params, weights)


def _month_rows(params: BookParams, weights: list[tuple[int, int]]) -> list[Row]:
    first = month_index(params.in_service)
    rows = [
        (month_first(first + k), month_last(first + k), numerator, denominator)
        for k, (numerator, denominator) in enumerate(weights)
    ]
    if rows:
        rows[0] = (params.in_service, *rows[0][1:])
    return rows
