"""Rejected book parameters and the messages that name them."""

from datetime import date
from decimal import Decimal

import pytest

from depreciation.engine import (
    MESSAGES,
    BookParams,
    DepreciationInputError,
    Method,
    book_value_on,
    schedule,
)

VALID = {
    "method": Method.STRAIGHT_LINE,
    "cost": "1200.00",
    "salvage": "200.00",
    "in_service": date(2024, 3, 10),
    "life_months": 24,
}


def make(**changes):
    return BookParams(**{**VALID, **changes})


def message(code, **params):
    return MESSAGES[code].format(**params)


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"life_months": 0}, "life_months", message("life_invalid", value=0)),
        ({"life_months": 12.5}, "life_months", message("life_invalid", value=12.5)),
        ({"life_months": None}, "life_months", message("life_missing", method="straight_line")),
        ({"cost": "-5.00"}, "cost", message("negative", field="cost", value=Decimal("-5.00"))),
        ({"cost": "12.345"}, "cost", message("not_cents", field="cost", value=Decimal("12.345"))),
        (
            {"cost": "NaN"},
            "cost",
            message("not_finite", field="cost", value="NaN", example="1500.00"),
        ),
        (
            {"salvage": "Infinity"},
            "salvage",
            message("not_finite", field="salvage", value="Infinity", example="1500.00"),
        ),
        (
            {"cost": 1200.0},
            "cost",
            message("not_decimal", field="cost", value=1200.0, example="1500.00"),
        ),
        (
            {"salvage": "1300.00"},
            "salvage",
            message("salvage_over_cost", salvage=Decimal("1300.00"), cost=Decimal("1200.00")),
        ),
        ({"in_service": "2024-02-30"}, "in_service", message("in_service", value="2024-02-30")),
        (
            {"convention": "mid_month", "method": "declining_balance"},
            "convention",
            message("convention_method", value="mid_month", method="declining_balance"),
        ),
        (
            {"method": "declining_balance", "factor": "0"},
            "factor",
            message("factor_invalid", value=Decimal(0)),
        ),
        (
            {"method": "sum_of_years_digits", "life_months": 30},
            "life_months",
            message("life_not_years", value=30),
        ),
        (
            {"method": "units_of_production", "total_units": "0"},
            "total_units",
            message("units_missing", value="0"),
        ),
        (
            {"method": "macrs", "macrs_class": 4, "salvage": "0"},
            "macrs_class",
            message("macrs_class", value=4, choices=(3, 5, 7, 10, 15, 20)),
        ),
        (
            {"method": "macrs", "macrs_class": 5},
            "salvage",
            message("macrs_salvage", value=Decimal("200.00")),
        ),
        (
            {"method": "macrs", "macrs_class": 5, "salvage": "0", "macrs_quarter": 5},
            "macrs_quarter",
            message("macrs_quarter", value=5),
        ),
        (
            {"method": "cca", "class_rate": "1.5"},
            "class_rate",
            message("class_rate", value=Decimal("1.5")),
        ),
        ({"method": "cca"}, "class_rate", message("class_rate", value=None)),
        (
            {"method": "percentages", "percentages": ["40", "30", "20"]},
            "percentages",
            message("percentages_sum", total=Decimal(90)),
        ),
        ({"method": "percentages"}, "percentages", message("percentages_missing")),
        ({"fiscal_year_end_month": 13}, "fiscal_year_end_month", message("fiscal_month", value=13)),
    ],
)
def test_bad_params_rejected_with_message(changes, field, expected):
    with pytest.raises(DepreciationInputError) as raised:
        make(**changes)

    assert str(raised.value) == expected
    assert raised.value.field == field


def test_error_is_a_value_error():
    assert issubclass(DepreciationInputError, ValueError)


def test_unknown_method_rejected():
    with pytest.raises(DepreciationInputError) as raised:
        make(method="linear")

    choices = ", ".join(method.value for method in Method)
    assert str(raised.value) == message("choice", field="method", value="linear", choices=choices)


def test_disposal_before_in_service_rejected():
    params = make()

    with pytest.raises(DepreciationInputError) as raised:
        book_value_on(params, date(2024, 3, 9))

    assert str(raised.value) == message(
        "date_before_service", field="date", value=date(2024, 3, 9), in_service=date(2024, 3, 10)
    )


def test_units_of_production_requires_usage():
    params = make(method="units_of_production", total_units="1000")

    with pytest.raises(DepreciationInputError) as raised:
        schedule(params)

    assert str(raised.value) == message("usage_missing")


def test_units_of_production_rejects_negative_usage():
    params = make(method="units_of_production", total_units="1000")

    with pytest.raises(DepreciationInputError) as raised:
        schedule(params, usage=[10, -3])

    assert str(raised.value) == message("usage_negative", index=2, value=Decimal(-3))


def test_unknown_period_rejected():
    with pytest.raises(DepreciationInputError) as raised:
        schedule(make(), period="week")

    assert str(raised.value) == message("period", value="week")


def test_valid_params_normalised_to_cents():
    params = make(cost="1200", salvage=0)

    assert str(params.cost) == "1200.00"
    assert str(params.salvage) == "0.00"
    assert params.depreciable_base == Decimal("1200.00")
