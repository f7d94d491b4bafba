"""The typed-in IRS Publication 946 tables against the rule that generates them."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from depreciation import macrs_tables

#: First-year fraction of a year: half-year, then mid-quarter for quarters 1 to 4.
FIRST_YEAR = {
    0: Decimal("0.5"),
    1: Decimal("0.875"),
    2: Decimal("0.625"),
    3: Decimal("0.375"),
    4: Decimal("0.125"),
}
#: Published values that differ from the recursive rule: (quarter, class) -> {year: rule value}.
PUBLISHED_DIFFERENCES = {
    (2, 7): {1: "17.86", 8: "3.33"},
    (1, 20): {2: "7.008", 21: "0.557"},
}


def regenerate(recovery_class: int, first_year: Decimal) -> list[Decimal]:
    """Apply 200% (150% from 15 years) declining balance, switching to straight line.

    Each year's percentage is rounded, and the next year is computed on what is left.
    """
    places = Decimal("0.001") if recovery_class == 20 else Decimal("0.01")
    rate = Decimal("1.5" if recovery_class >= 15 else "2") / recovery_class
    left = Decimal(100)
    elapsed = Decimal(0)
    shares = []
    for year in range(recovery_class):
        fraction = first_year if year == 0 else Decimal(1)
        declining = left * rate * fraction
        straight = left * fraction / (recovery_class - elapsed)
        share = max(declining, straight).quantize(places, rounding=ROUND_HALF_UP)
        shares.append(share)
        left -= share
        elapsed += fraction
    shares.append(left)
    return shares


def table(quarter: int, recovery_class: int):
    if quarter == 0:
        return macrs_tables.HALF_YEAR[recovery_class]
    return macrs_tables.MID_QUARTER[quarter][recovery_class]


COLUMNS = [
    (quarter, recovery_class) for quarter in range(5) for recovery_class in macrs_tables.CLASSES
]


@pytest.mark.parametrize(("quarter", "recovery_class"), COLUMNS)
def test_table_column_adds_up_to_100(quarter, recovery_class):
    assert sum(table(quarter, recovery_class)) == 100


@pytest.mark.parametrize(("quarter", "recovery_class"), COLUMNS)
def test_table_column_follows_recursive_rule(quarter, recovery_class):
    expected = regenerate(recovery_class, FIRST_YEAR[quarter])
    published = list(table(quarter, recovery_class))
    for year, rule_value in PUBLISHED_DIFFERENCES.get((quarter, recovery_class), {}).items():
        published[year - 1] = Decimal(rule_value)

    assert published == expected


@pytest.mark.parametrize(("quarter", "recovery_class"), COLUMNS)
def test_table_column_length_is_class_plus_one(quarter, recovery_class):
    assert len(table(quarter, recovery_class)) == recovery_class + 1
