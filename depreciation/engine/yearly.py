"""Methods that set an amount per fiscal year: declining balance, MACRS, CCA, percentages.

Each returns a list of (month indexes in service in that fiscal year, amount in cents).
"""

from __future__ import annotations

from decimal import Decimal

from depreciation import macrs_tables
from depreciation.engine.inputs import BookParams, MacrsConvention
from depreciation.engine.rounding import decimal_to_cents, half_up
from depreciation.engine.straight_line import base_cents
from depreciation.engine.timeline import (
    fiscal_year,
    fiscal_year_months,
    fiscal_years_from,
    group_by_fiscal_year,
    month_index,
)

YearAmounts = list[tuple[list[int], int]]


def _life_years(params: BookParams) -> list[list[int]]:
    first = month_index(params.in_service)
    months = range(first, first + params.life_months)
    return group_by_fiscal_year(months, params.fiscal_year_end_month)


def declining_balance(params: BookParams) -> YearAmounts:
    """Apply rate = factor / life years to the book value at the start of each fiscal year.

    A part year takes months in service / 12 of a full year. With switch_to_sl, a year
    takes straight line over the remaining life instead when that is more. No year goes
    below salvage, and the fiscal year holding the last month of the life takes the rest.
    """
    years = _life_years(params)
    floor = params.salvage_cents
    book_value = params.cost_cents - params.opening_cents
    months_left = params.life_months
    amounts = []
    for number, months in enumerate(years, start=1):
        count = len(months)
        if number == len(years):
            amount = book_value - floor
        else:
            amount = decimal_to_cents(
                Decimal(book_value * count) * params.factor / params.life_months
            )
            if params.switch_to_sl:
                amount = max(amount, half_up((book_value - floor) * count, months_left))
            amount = min(amount, book_value - floor)
        amounts.append((months, amount))
        book_value -= amount
        months_left -= count
    return amounts


def macrs(params: BookParams) -> YearAmounts:
    """Apply the IRS Publication 946 percentage of each recovery year to the basis."""
    if params.macrs_convention == MacrsConvention.HALF_YEAR:
        table = macrs_tables.HALF_YEAR[params.macrs_class]
    else:
        table = macrs_tables.MID_QUARTER[macrs_quarter(params)][params.macrs_class]
    first = month_index(params.in_service)
    years = fiscal_years_from(first, len(table), params.fiscal_year_end_month)
    return list(zip(years, percent_shares(base_cents(params), table), strict=True))


def macrs_quarter(params: BookParams) -> int:
    """Return the quarter of the tax year in which the asset was placed in service."""
    if params.macrs_quarter is not None:
        return params.macrs_quarter
    first = month_index(params.in_service)
    end_month = params.fiscal_year_end_month
    year_start = fiscal_year_months(fiscal_year(first, end_month), end_month)[0]
    return (first - year_start) // 3 + 1


def capital_cost_allowance(params: BookParams) -> YearAmounts:
    """Apply the class rate to the undepreciated capital cost (UCC) at each year start.

    The half-year rule allows half the rate in the fiscal year of acquisition, whatever
    the month. The schedule stops at the end of life_months, where the last fiscal year
    takes the UCC down to salvage (a disposal for the salvage value).
    """
    years = _life_years(params)
    floor = params.salvage_cents
    balance = params.cost_cents - params.opening_cents
    amounts = []
    for number, months in enumerate(years, start=1):
        if number == len(years):
            amount = balance - floor
        else:
            rate = params.class_rate / 2 if number == 1 else params.class_rate
            amount = min(decimal_to_cents(balance * rate), balance - floor)
        amounts.append((months, amount))
        balance -= amount
    return amounts


def percentages(params: BookParams) -> YearAmounts:
    first = month_index(params.in_service)
    shares = params.percentages
    years = fiscal_years_from(first, len(shares), params.fiscal_year_end_month)
    return list(zip(years, percent_shares(base_cents(params), shares), strict=True))


def percent_shares(base: int, shares) -> list[int]:
    """Return base x share / 100 per year in cents, the last year taking the rest of base."""
    amounts = []
    left = base
    for share in shares[:-1]:
        amount = min(decimal_to_cents(base * share / 100), left)
        amounts.append(amount)
        left -= amount
    amounts.append(left)
    return amounts
