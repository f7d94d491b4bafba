"""Published depreciation tables and worked examples, matched to the cent.

Each case's inputs, expected figures and source are in the shared reference file
depreciation_cases.json. The tests read it rather than copying its figures.
"""

import json
from datetime import date
from decimal import Decimal

import pytest

from depreciation import macrs_tables
from depreciation.engine import (
    BookParams,
    Convention,
    Method,
    Rounding,
    book_value_on,
    schedule,
)
from tests.conftest import shared_file


@pytest.fixture(scope="module")
def cases():
    path = shared_file("reference", "depreciation_cases.json")
    return {case["id"]: case for case in json.loads(path.read_text())["cases"]}


def amounts(periods):
    return [str(period.amount) for period in periods]


def yearly(**fields):
    return schedule(BookParams(**fields), period="year")


@pytest.mark.parametrize("case_id", ["macrs-hy-5yr", "macrs-hy-7yr", "macrs-hy-15yr"])
def test_macrs_half_year_matches_table_a1(cases, case_id):
    case = cases[case_id]
    inputs = case["inputs"]
    years = inputs["recovery_period_years"]

    periods = yearly(
        method=Method.MACRS,
        cost=inputs["cost"],
        in_service=date(2024, 7, 1),
        macrs_class=years,
    )

    assert amounts(periods) == case["expected"]["per_year_depreciation"]
    table = [f"{share:.2f}" for share in macrs_tables.HALF_YEAR[years]]
    assert table == case["expected"]["table_percent"]
    assert periods[-1].book_value == 0


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_macrs_mid_quarter_five_year_matches_tables(cases, quarter):
    case = cases["macrs-mq-5yr"]

    periods = yearly(
        method=Method.MACRS,
        cost=case["inputs"]["cost"],
        in_service=date(2024, 3 * quarter - 1, 15),
        macrs_class=5,
        macrs_convention="mid_quarter",
    )

    assert amounts(periods) == case["expected"][f"Q{quarter}_per_year"]


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_macrs_mid_quarter_given_quarter_overrides_date(cases, quarter):
    case = cases["macrs-mq-5yr"]

    periods = yearly(
        method=Method.MACRS,
        cost=case["inputs"]["cost"],
        in_service=date(2024, 1, 2),
        macrs_class=5,
        macrs_convention="mid_quarter",
        macrs_quarter=quarter,
    )

    assert amounts(periods) == case["expected"][f"Q{quarter}_per_year"]


def test_cca_class_8_half_year_rule(cases):
    case = cases["cca-class8-half-year"]
    inputs = case["inputs"]

    periods = yearly(
        method=Method.CCA,
        cost=inputs["addition"],
        in_service=date(2024, 9, 1),
        class_rate=inputs["rate"],
        life_months=20 * 12,
    )

    assert amounts(periods[:4]) == case["expected"]["cca_per_year"]
    book_values = [str(period.book_value) for period in periods[:4]]
    assert book_values == case["expected"]["ucc_end_of_year"]


def test_openstax_straight_line(cases):
    case = cases["openstax-liam-silkscreen"]
    inputs = case["inputs"]

    periods = yearly(
        method=Method.STRAIGHT_LINE,
        cost=inputs["cost"],
        salvage=inputs["salvage"],
        in_service=date(2024, 1, 1),
        life_months=inputs["life_years"] * 12,
    )

    assert amounts(periods[:2]) == case["expected"]["straight_line"]


def test_openstax_units_of_production(cases):
    case = cases["openstax-liam-silkscreen"]
    inputs = case["inputs"]
    params = BookParams(
        method=Method.UNITS_OF_PRODUCTION,
        cost=inputs["cost"],
        salvage=inputs["salvage"],
        in_service=date(2024, 1, 1),
        total_units=inputs["total_units"],
    )

    periods = schedule(params, period="year", usage=inputs["units_by_year"])

    assert amounts(periods) == case["expected"]["units_of_production"]
    rate = params.depreciable_base / params.total_units
    assert rate == Decimal(case["expected"]["uop_rate_per_unit"])


def test_openstax_double_declining_balance(cases):
    case = cases["openstax-liam-silkscreen"]
    inputs = case["inputs"]

    periods = yearly(
        method=Method.DECLINING_BALANCE,
        cost=inputs["cost"],
        salvage=inputs["salvage"],
        in_service=date(2024, 1, 1),
        life_months=inputs["life_years"] * 12,
        factor=2,
    )

    assert amounts(periods[:2]) == case["expected"]["double_declining"]
    assert periods[-1].book_value == Decimal(inputs["salvage"])


def test_hermanson_straight_line_book_values(cases):
    case = cases["hermanson-54000-machine"]
    inputs = case["inputs"]

    periods = yearly(
        method=Method.STRAIGHT_LINE,
        cost=inputs["cost"],
        salvage=inputs["salvage"],
        in_service=date(2024, 1, 1),
        life_months=inputs["life_years"] * 12,
    )

    assert amounts(periods) == case["expected"]["straight_line_per_year"]
    book_values = [str(period.book_value) for period in periods]
    assert book_values == case["expected"]["book_value_end_of_year"]


def test_hermanson_units_of_production(cases):
    case = cases["hermanson-54000-machine"]
    inputs = case["inputs"]
    params = BookParams(
        method=Method.UNITS_OF_PRODUCTION,
        cost=inputs["cost"],
        salvage=inputs["salvage"],
        in_service=date(2024, 1, 1),
        total_units=inputs["total_units"],
    )

    periods = schedule(params, period="year", usage=inputs["units_by_year"])

    assert amounts(periods) == case["expected"]["units_of_production"]


@pytest.mark.parametrize(
    ("method", "expected_key"),
    [(Method.STRAIGHT_LINE, "straight_line"), (Method.DECLINING_BALANCE, "double_declining")],
)
def test_partial_year_april_start(cases, method, expected_key):
    case = cases["partial-year-april-start"]
    inputs = case["inputs"]

    periods = yearly(
        method=method,
        cost=inputs["cost"],
        salvage=inputs["salvage"],
        in_service=date(2024, 4, 1),
        life_months=inputs["life_years"] * 12,
    )

    assert amounts(periods[:2]) == case["expected"][expected_key]


def erpnext_daily_params(inputs, convention):
    return BookParams(
        method=Method.STRAIGHT_LINE,
        cost=inputs["cost"],
        salvage=inputs["salvage"],
        in_service=date.fromisoformat(inputs["available_for_use"]),
        life_months=inputs["total_depreciations"] * inputs["frequency_months"],
        convention=convention,
    )


def test_erpnext_daily_pro_rata_leap_year(cases):
    case = cases["erpnext-sl-daily-prorata-leap-year"]
    params = erpnext_daily_params(case["inputs"], Convention.DAILY_PER_YEAR)

    periods = schedule(params)

    assert amounts(periods) == case["expected"]["monthly"]
    assert str(periods[-1].accumulated) == case["expected"]["accumulated_last"]
    assert periods[0].end == date(2020, 1, 31)


def test_erpnext_daily_case_under_default_convention(cases):
    """The default full-month convention gives equal months, as docs/depreciation.md says."""
    case = cases["erpnext-sl-daily-prorata-leap-year"]
    params = erpnext_daily_params(case["inputs"], Convention.FULL_MONTH)

    periods = schedule(params)

    assert amounts(periods) == ["4166.67"] * 23 + ["4166.59"]


@pytest.mark.parametrize(
    ("cost", "expected_key"), [("500.00", "500_over_12"), ("1000.00", "1000_over_12")]
)
def test_erpnext_last_row_takes_rounding(cases, cost, expected_key):
    case = cases["erpnext-last-row-rounding"]
    source = next(item for item in case["inputs"]["cases"] if item["cost"] == cost)
    params = BookParams(
        method=Method.STRAIGHT_LINE,
        cost=source["cost"],
        in_service=date.fromisoformat(source["start"]),
        life_months=source["months"],
    )

    periods = schedule(params)

    assert amounts(periods) == case["expected"][expected_key]


def snipeit_params(inputs, rounding=Rounding.PERIOD, floor=None):
    return BookParams(
        method=Method.STRAIGHT_LINE,
        cost=inputs["cost"],
        salvage=inputs["floor"] if floor is None else floor,
        in_service=date.fromisoformat(inputs["purchase"]),
        life_months=inputs["months"],
        rounding=rounding,
    )


def test_snipeit_11822_values_on_month_anniversaries(cases):
    case = cases["snipeit-linear-floor"]
    inputs = case["inputs"]["case_11822"]
    params = snipeit_params(inputs)

    values = [str(book_value_on(params, date.fromisoformat(day))) for day in inputs["as_of"]]

    assert values == case["expected"]["case_11822_values"]
    monthly = case["expected"]["case_11822_monthly_depreciation"]
    assert set(amounts(schedule(params))) == {monthly}


def test_snipeit_11822_differs_before_anniversary(cases):
    """Snipe-IT counts whole months from the purchase day, the engine calendar months."""
    case = cases["snipeit-linear-floor"]
    params = snipeit_params(case["inputs"]["case_11822"])

    value = book_value_on(params, date(2022, 9, 13))

    assert value == Decimal("1200.00")
    assert value == Decimal("1300.00") - Decimal(
        case["expected"]["case_11822_monthly_depreciation"]
    )


def snipeit_12788_as_of(inputs):
    purchase = date.fromisoformat(inputs["purchase"])
    months = purchase.month - 1 + inputs["whole_months_elapsed"]
    return date(purchase.year + months // 12, months % 12 + 1, purchase.day)


def test_snipeit_12788_with_cumulative_rounding(cases):
    case = cases["snipeit-linear-floor"]
    inputs = case["inputs"]["case_12788"]
    params = snipeit_params(inputs, Rounding.CUMULATIVE)

    value = book_value_on(params, snipeit_12788_as_of(inputs))

    assert str(value) == case["expected"]["case_12788_value_current_formula"]


def test_snipeit_12788_without_floor(cases):
    case = cases["snipeit-linear-floor"]
    inputs = case["inputs"]["case_12788"]
    params = snipeit_params(inputs, Rounding.CUMULATIVE, floor="0")

    value = book_value_on(params, snipeit_12788_as_of(inputs))

    assert str(value) == case["expected"]["case_12788_reporter_expected_no_floor"]


def test_snipeit_12788_default_rounding_drift(cases):
    """Rounding each month to cents leaves 46 x (28.074333 - 28.07) = 0.20 more book value."""
    case = cases["snipeit-linear-floor"]
    inputs = case["inputs"]["case_12788"]
    params = snipeit_params(inputs)

    value = book_value_on(params, snipeit_12788_as_of(inputs))

    assert schedule(params)[0].amount == Decimal("28.07")
    expected = Decimal(case["expected"]["case_12788_value_current_formula"])
    assert value - expected == Decimal("0.20")
