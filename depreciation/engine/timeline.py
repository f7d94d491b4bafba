"""Calendar months and fiscal years as integer month indexes (year * 12 + month - 1)."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from functools import lru_cache
from itertools import groupby

ONE_DAY = timedelta(days=1)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


# Schedules ask for the same few hundred months again and again, so the dates are cached.
@lru_cache(maxsize=4096)
def month_first(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


@lru_cache(maxsize=4096)
def month_last(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, monthrange(year, month0 + 1)[1])


def add_months(day: date, months: int) -> date:
    """Return the same day of the month `months` later, clamped to the month's last day."""
    year, month0 = divmod(month_index(day) + months, 12)
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


def fiscal_year(index: int, end_month: int) -> int:
    """Return the fiscal year of a month, named by the calendar year in which it ends."""
    year, month0 = divmod(index, 12)
    return year if month0 < end_month else year + 1


def fiscal_year_months(year: int, end_month: int) -> range:
    first = (year - 1) * 12 + end_month
    return range(first, first + 12)


def days_in_fiscal_year(year: int, end_month: int) -> int:
    months = fiscal_year_months(year, end_month)
    return (month_last(months[-1]) - month_first(months[0])).days + 1


def group_by_fiscal_year(months, end_month: int) -> list[list[int]]:
    """Split consecutive month indexes into one list per fiscal year."""
    return [list(group) for _, group in groupby(months, key=lambda i: fiscal_year(i, end_month))]


def fiscal_years_from(first_month: int, count: int, end_month: int) -> list[list[int]]:
    """Return the months of `count` fiscal years, the first starting at `first_month`."""
    year = fiscal_year(first_month, end_month)
    years = [[i for i in fiscal_year_months(year, end_month) if i >= first_month]]
    years.extend(list(fiscal_year_months(year + k, end_month)) for k in range(1, count))
    return years
