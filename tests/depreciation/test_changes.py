"""Changes after posting, and the book value and gain or loss on disposal."""

from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depreciation.engine import (
    MESSAGES,
    BookParams,
    DepreciationInputError,
    Method,
    book_value_on,
    disposal_gain_loss,
    reschedule,
    schedule,
)


def straight_line(**changes):
    fields = {
        "method": Method.STRAIGHT_LINE,
        "cost": "12000.00",
        "in_service": date(2024, 1, 15),
        "life_months": 12,
    }
    return BookParams(**{**fields, **changes})


def amounts(periods):
    return [str(period.amount) for period in periods]


def test_reschedule_added_cost_spreads_over_remaining_months():
    params = straight_line()

    periods = reschedule(
        params, posted_through=date(2024, 4, 30), accumulated="4000.00", added_cost="2000.00"
    )

    assert periods[0].start == date(2024, 5, 1)
    assert amounts(periods) == ["1250.00"] * 8
    assert periods[0].accumulated == Decimal("5250.00")
    assert periods[-1].book_value == Decimal("0.00")


def test_reschedule_leaves_posted_periods_unchanged():
    params = straight_line()
    before = schedule(params)

    reschedule(params, posted_through=date(2024, 4, 30), accumulated="4000.00", life_months=24)

    assert schedule(params) == before


def test_reschedule_longer_life():
    params = straight_line(salvage="600.00")

    periods = reschedule(
        params, posted_through=date(2024, 6, 30), accumulated="5700.00", life_months=24
    )

    assert len(periods) == 18
    assert amounts(periods) == ["316.67"] * 17 + ["316.61"]
    assert periods[-1].book_value == Decimal("600.00")


def test_reschedule_new_salvage_by_year():
    params = straight_line()

    periods = reschedule(
        params,
        posted_through=date(2024, 6, 30),
        accumulated="6000.00",
        salvage="1000.00",
        life_months=36,
        period="year",
    )

    assert [period.end for period in periods] == [
        date(2024, 12, 31),
        date(2025, 12, 31),
        date(2026, 12, 31),
    ]
    assert amounts(periods) == ["1000.00", "2000.00", "2000.00"]


def test_reschedule_declining_balance_uses_remaining_life():
    params = BookParams(
        method=Method.DECLINING_BALANCE,
        cost="10000.00",
        salvage="1000.00",
        in_service=date(2024, 1, 1),
        life_months=60,
    )

    periods = reschedule(
        params,
        posted_through=date(2025, 12, 31),
        accumulated="6400.00",
        life_months=72,
        period="year",
    )

    # Four years left, so the rate is 2 / 4 = 50% of the 3,600.00 book value, and the
    # second year stops at salvage.
    assert amounts(periods) == ["1800.00", "800.00", "0.00", "0.00"]
    assert periods[-1].book_value == Decimal("1000.00")


def test_reschedule_rejects_macrs():
    params = BookParams(
        method=Method.MACRS, cost="10000.00", in_service=date(2024, 1, 1), macrs_class=5
    )

    with pytest.raises(DepreciationInputError) as raised:
        reschedule(params, posted_through=date(2024, 12, 31), accumulated="2000.00")

    assert str(raised.value) == MESSAGES["reschedule_method"].format(method="macrs")


def test_reschedule_rejects_mid_month_posted_through():
    with pytest.raises(DepreciationInputError) as raised:
        reschedule(straight_line(), posted_through=date(2024, 4, 15), accumulated="3000.00")

    assert str(raised.value) == MESSAGES["not_month_end"].format(value=date(2024, 4, 15))


def test_reschedule_rejects_accumulated_over_base():
    with pytest.raises(DepreciationInputError) as raised:
        reschedule(straight_line(), posted_through=date(2024, 4, 30), accumulated="12000.01")

    assert raised.value.field == "accumulated"


def test_reschedule_rejects_life_ending_before_next_period():
    with pytest.raises(DepreciationInputError) as raised:
        reschedule(
            straight_line(), posted_through=date(2024, 6, 30), accumulated="6000.00", life_months=6
        )

    assert str(raised.value) == MESSAGES["life_ended"].format(
        life=6, value=date(2024, 6, 30), remaining=Decimal("6000.00")
    )


def test_reschedule_units_of_production_with_remaining_units():
    params = BookParams(
        method=Method.UNITS_OF_PRODUCTION,
        cost="10000.00",
        in_service=date(2024, 1, 1),
        total_units=1000,
    )

    periods = reschedule(
        params,
        posted_through=date(2024, 3, 31),
        accumulated="3000.00",
        added_cost="700.00",
        total_units=500,
        usage=[100, 400],
    )

    assert amounts(periods) == ["1540.00", "6160.00"]
    assert periods[-1].book_value == Decimal("0.00")


def test_disposal_full_month_convention_skips_disposal_month():
    params = straight_line()

    result = disposal_gain_loss(params, date(2024, 4, 20), "9500.00")

    assert result.accumulated == Decimal("3000.00")
    assert result.book_value == Decimal("9000.00")
    assert result.gain_loss == Decimal("500.00")


def test_disposal_loss_is_negative():
    result = disposal_gain_loss(straight_line(), date(2024, 4, 20), "8000.00")

    assert result.gain_loss == Decimal("-1000.00")


def test_disposal_daily_convention_counts_days_before_disposal():
    params = straight_line(convention="daily", in_service=date(2024, 1, 1), cost="36600.00")

    value = book_value_on(params, date(2024, 3, 11))

    # 31 + 29 + 10 days of 366, at 100.00 a day.
    assert value == Decimal("29600.00")


def test_disposal_mid_month_counts_half_month():
    params = straight_line(convention="mid_month")

    value = book_value_on(params, date(2024, 3, 3))

    # Half of January and all of February, then half of March.
    assert value == Decimal("12000.00") - Decimal("500.00") - Decimal("1000.00") - Decimal("500.00")


def test_disposal_after_life_leaves_salvage():
    params = straight_line(salvage="500.00")

    assert book_value_on(params, date(2030, 1, 1)) == Decimal("500.00")


@settings(max_examples=100, deadline=None)
@given(
    cost=st.integers(min_value=0, max_value=10**8),
    added=st.integers(min_value=0, max_value=10**7),
    life=st.integers(min_value=2, max_value=120),
    extra_life=st.integers(min_value=0, max_value=60),
    posted_months=st.integers(min_value=1, max_value=119),
    method=st.sampled_from([Method.STRAIGHT_LINE, Method.DECLINING_BALANCE]),
)
def test_reschedule_ends_at_new_salvage(cost, added, life, extra_life, posted_months, method):
    posted_months = min(posted_months, life - 1)
    params = BookParams(
        method=method, cost=Decimal(cost).scaleb(-2), in_service=date(2024, 1, 1), life_months=life
    )
    posted = schedule(params)[posted_months - 1]
    salvage = (params.cost + Decimal(added).scaleb(-2) - posted.accumulated) / 10

    periods = reschedule(
        params,
        posted_through=posted.end,
        accumulated=posted.accumulated,
        added_cost=Decimal(added).scaleb(-2),
        life_months=life + extra_life,
        salvage=salvage.quantize(Decimal("0.01"), rounding=ROUND_DOWN),
    )

    assert periods[0].start > posted.end
    assert all(period.amount >= 0 for period in periods)
    assert periods[-1].book_value == salvage.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
