"""Rounding to cents and turning amounts into Period rows.

Amounts inside the engine are integer cents, and exact shares are fractions of cents
(numerator, denominator), so that a half cent is recognised exactly and rounds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from depreciation.engine.inputs import Rounding

#: One period before rounding: (start, end, numerator, denominator) in cents.
Row = tuple[date, date, int, int]


@dataclass(frozen=True, slots=True)
class Period:
    """One period of a schedule: the amount, and the totals at the end of the period."""

    start: date
    end: date
    amount: Decimal
    #: Accumulated depreciation at the end of the period, including any opening amount.
    accumulated: Decimal
    book_value: Decimal


def half_up(numerator: int, denominator: int) -> int:
    """Round numerator / denominator (both 0 or more, denominator more than 0) half up."""
    return (2 * numerator + denominator) // (2 * denominator)


def decimal_to_cents(amount: Decimal) -> int:
    """Round a Decimal amount of cents half up to an integer."""
    return int(amount.to_integral_value(rounding=ROUND_HALF_UP))


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def build_periods(
    rows: list[Row],
    *,
    cost: int,
    opening: int,
    base: int,
    rounding: Rounding,
    remainder_index: int | None,
) -> list[Period]:
    """Round each row to cents and add the running totals (see round_rows)."""
    periods = []
    accumulated = opening
    cents = round_rows(rows, base=base, rounding=rounding, remainder_index=remainder_index)
    for (start, end, _, _), amount in zip(rows, cents, strict=True):
        accumulated += amount
        periods.append(
            Period(start, end, money(amount), money(accumulated), money(cost - accumulated))
        )
    return periods


def round_rows(
    rows: list[Row], *, base: int, rounding: Rounding, remainder_index: int | None
) -> list[int]:
    """Return each row's amount in cents.

    No amount is negative and the total never passes `base`. The row at
    `remainder_index` takes whatever is left of `base`, and the rows after it take 0.
    """
    amounts = []
    done = 0
    exact = Fraction(0)
    last = len(rows) if remainder_index is None else remainder_index
    cumulative = rounding == Rounding.CUMULATIVE
    for index, (_, _, numerator, denominator) in enumerate(rows):
        left = base - done
        if index >= last:
            amount = left if index == last else 0
        elif cumulative:
            exact += Fraction(numerator, denominator)
            amount = min(max(half_up(exact.numerator, exact.denominator) - done, 0), left)
        else:
            amount = min(max(half_up(numerator, denominator), 0), left)
        done += amount
        amounts.append(amount)
    return amounts


def spread(cents: int, months: int, rounding: Rounding) -> list[int]:
    """Split a year's amount over its months: equal shares, the remainder in the last month."""
    if rounding == Rounding.CUMULATIVE:
        marks = [half_up(cents * k, months) for k in range(months + 1)]
        return [marks[k + 1] - marks[k] for k in range(months)]
    share = half_up(cents, months)
    shares = []
    left = cents
    for _ in range(months - 1):
        amount = min(share, left)
        shares.append(amount)
        left -= amount
    shares.append(left)
    return shares
