"""Book parameters, their validation and the error raised on bad input."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from depreciation import macrs_tables

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class Method(enum.StrEnum):
    STRAIGHT_LINE = "straight_line"
    DECLINING_BALANCE = "declining_balance"
    SUM_OF_YEARS_DIGITS = "sum_of_years_digits"
    UNITS_OF_PRODUCTION = "units_of_production"
    MACRS = "macrs"
    CCA = "cca"
    PERCENTAGES = "percentages"


class Convention(enum.StrEnum):
    """Convention for the first and last month of a straight-line life."""

    #: The in-service month is a full month and the life ends after life_months months.
    FULL_MONTH = "full_month"
    #: Half a month in the in-service month, half a month in the month after the life ends.
    MID_MONTH = "mid_month"
    #: Each period's share is its days in service over the days of the whole life.
    DAILY = "daily"
    #: The yearly amount (base x 12 / life months) over the days of that fiscal year,
    #: times the period's days; the last period takes the remainder.
    DAILY_PER_YEAR = "daily_per_year"


class Rounding(enum.StrEnum):
    #: Each period's amount is rounded to cents on its own.
    PERIOD = "period"
    #: The accumulated amount is rounded to cents, and a period's amount is the change.
    CUMULATIVE = "cumulative"


class MacrsConvention(enum.StrEnum):
    HALF_YEAR = "half_year"
    MID_QUARTER = "mid_quarter"


class DepreciationInputError(ValueError):
    """A book parameter that the engine cannot depreciate, with the field and a fix."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


#: Error texts, kept together so that tests can assert them exactly.
MESSAGES = {
    "choice": "{field} {value!r} is not valid; use one of {choices}.",
    "not_decimal": "{field} must be a Decimal, an int or a numeric string, got {value!r}; "
    "pass Decimal('{example}') instead of a float.",
    "not_finite": "{field} must be a finite number, got {value}; enter an amount such as {example}.",
    "negative": "{field} must be 0 or more, got {value}; enter the amount without a minus sign.",
    "not_cents": "{field} must be in whole cents, got {value}; round it to 2 decimal places first.",
    "salvage_over_cost": "salvage {salvage} is more than cost {cost}; lower the salvage value "
    "to at most the cost.",
    "life_missing": "life_months is required for {method}; enter the useful life in months, "
    "such as 60 for five years.",
    "life_invalid": "life_months must be a whole number of 1 or more, got {value!r}; "
    "enter the useful life in months.",
    "life_not_years": "life_months must be a multiple of 12 for sum-of-the-years' digits, "
    "got {value}; enter the life in whole years.",
    "convention_method": "convention {value} applies only to straight line, not to {method}; "
    "use full_month.",
    "factor_invalid": "factor must be more than 0, got {value}; use 2 for double declining "
    "balance or 1.5 for 150%.",
    "units_missing": "total_units must be more than 0 for units of production, got {value}; "
    "enter the units the asset is expected to produce over its life.",
    "macrs_class": "macrs_class {value!r} has no IRS Publication 946 table; use one of {choices}.",
    "macrs_quarter": "macrs_quarter must be 1, 2, 3 or 4, got {value!r}; leave it empty to take "
    "the quarter of the in-service date.",
    "macrs_salvage": "salvage must be 0 for MACRS, got {value}; MACRS recovers the whole basis "
    "and ignores salvage value.",
    "class_rate": "class_rate must be more than 0 and at most 1, got {value}; enter the CCA "
    "class rate as a fraction, such as 0.20 for class 8.",
    "percentages_missing": "percentages must list the share of each year for the percentages "
    "method; enter one percentage a year, such as [40, 30, 30].",
    "percentages_sum": "percentages must add up to 100, got {total}; change the yearly "
    "percentages so that they add up to exactly 100.",
    "fiscal_month": "fiscal_year_end_month must be from 1 to 12, got {value!r}.",
    "in_service": "in_service must be a date, got {value!r}.",
    "opening_over_base": "opening_accumulated {value} is more than cost minus salvage "
    "({base}); check the accumulated depreciation carried over.",
    "period": "period must be 'month' or 'year', got {value!r}.",
    "usage_missing": "usage is required for units of production; pass the units used in "
    "each period, oldest first.",
    "usage_negative": "usage for period {index} must be a finite number of 0 or more, "
    "got {value}; enter the meter difference for that period.",
    "date_before_service": "{field} {value} is before the in-service date {in_service}; "
    "enter a date on or after it.",
    "not_month_end": "posted_through {value} is not the last day of a month; enter the end "
    "date of the last posted period.",
    "accumulated_range": "accumulated {value} must be from {opening} to {base} (cost minus "
    "salvage after the change); check the posted depreciation.",
    "life_ended": "the new life of {life} months ends on or before posted_through {value}, "
    "but {remaining} is left to depreciate; lengthen the life.",
    "reschedule_method": "a change after posting is not supported for {method}; record the "
    "added cost as a separate asset with its own schedule.",
}


def fail(field_name: str, code: str, **params) -> DepreciationInputError:
    """Build the DepreciationInputError for a message code in MESSAGES."""
    return DepreciationInputError(field_name, MESSAGES[code].format(field=field_name, **params))


def to_decimal(field_name: str, value, example: str = "1500.00") -> Decimal:
    """Convert a number to Decimal, rejecting floats, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise fail(field_name, "not_decimal", value=value, example=example)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise fail(field_name, "not_decimal", value=value, example=example) from None
    if not number.is_finite():
        raise fail(field_name, "not_finite", value=value, example=example)
    return number


def to_cents(field_name: str, value) -> int:
    """Convert a money amount to integer cents, requiring 0 or more in whole cents."""
    amount = to_decimal(field_name, value)
    if amount < 0:
        raise fail(field_name, "negative", value=amount)
    if amount != amount.quantize(CENT):
        raise fail(field_name, "not_cents", value=amount)
    return int(amount * 100)


@dataclass(frozen=True, slots=True)
class BookParams:
    """One asset's parameters in one depreciation book.

    Money is in the book's currency, in whole cents. Numbers may be given as Decimal,
    int or str. Construction validates and normalises them, and raises
    DepreciationInputError naming the bad field.
    """

    method: Method
    cost: Decimal
    in_service: date
    salvage: Decimal = Decimal(0)
    life_months: int | None = None
    convention: Convention = Convention.FULL_MONTH
    #: Declining balance: rate = factor / life years (2 for double declining balance).
    factor: Decimal = Decimal(2)
    #: Declining balance: take straight line over the remaining life when it is more.
    switch_to_sl: bool = False
    #: Units of production: units expected over the whole life.
    total_units: Decimal | None = None
    macrs_class: int | None = None
    macrs_convention: MacrsConvention = MacrsConvention.HALF_YEAR
    #: Mid-quarter quarter (1-4) of the tax year; None takes it from in_service.
    macrs_quarter: int | None = None
    #: CCA class rate as a fraction (0.20 for class 8).
    class_rate: Decimal | None = None
    #: Percentages method: the share of the depreciable base per fiscal year, adding up to 100.
    percentages: tuple[Decimal, ...] | None = None
    fiscal_year_end_month: int = 12
    rounding: Rounding = Rounding.PERIOD
    #: Depreciation taken before in_service (set by a change after posting).
    opening_accumulated: Decimal = Decimal(0)
    cost_cents: int = field(init=False, repr=False, compare=False)
    salvage_cents: int = field(init=False, repr=False, compare=False)
    opening_cents: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        validate(self)

    @property
    def depreciable_base(self) -> Decimal:
        """Cost minus salvage: what the whole schedule depreciates."""
        return self.cost - self.salvage


def _set(params: BookParams, name: str, value) -> None:
    object.__setattr__(params, name, value)


def validate(params: BookParams) -> None:
    """Check and normalise every field, raising DepreciationInputError on the first bad one."""
    choices = (
        ("method", Method),
        ("convention", Convention),
        ("rounding", Rounding),
        ("macrs_convention", MacrsConvention),
    )
    for name, choice in choices:
        value = getattr(params, name)
        if value not in choice.__members__.values():
            raise fail(name, "choice", value=value, choices=", ".join(choice))
        _set(params, name, choice(value))
    if not isinstance(params.in_service, date):
        raise fail("in_service", "in_service", value=params.in_service)
    _validate_money(params)
    _validate_life(params)
    _validate_method_fields(params)
    month = params.fiscal_year_end_month
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise fail("fiscal_year_end_month", "fiscal_month", value=month)


def _validate_money(params: BookParams) -> None:
    cost = to_cents("cost", params.cost)
    salvage = to_cents("salvage", params.salvage)
    opening = to_cents("opening_accumulated", params.opening_accumulated)
    if salvage > cost:
        raise fail("salvage", "salvage_over_cost", salvage=params.salvage, cost=params.cost)
    if opening > cost - salvage:
        raise fail(
            "opening_accumulated",
            "opening_over_base",
            value=params.opening_accumulated,
            base=_money(cost - salvage),
        )
    _set(params, "cost_cents", cost)
    _set(params, "salvage_cents", salvage)
    _set(params, "opening_cents", opening)
    _set(params, "cost", _money(cost))
    _set(params, "salvage", _money(salvage))
    _set(params, "opening_accumulated", _money(opening))


def _validate_life(params: BookParams) -> None:
    life = params.life_months
    if life is None:
        if params.method in (Method.MACRS, Method.PERCENTAGES, Method.UNITS_OF_PRODUCTION):
            return
        raise fail("life_months", "life_missing", method=params.method)
    if isinstance(life, bool) or not isinstance(life, int) or life < 1:
        raise fail("life_months", "life_invalid", value=life)
    if params.method == Method.SUM_OF_YEARS_DIGITS and life % 12:
        raise fail("life_months", "life_not_years", value=life)


def _validate_method_fields(params: BookParams) -> None:
    method = params.method
    if method != Method.STRAIGHT_LINE and params.convention != Convention.FULL_MONTH:
        raise fail("convention", "convention_method", value=params.convention, method=method)
    if method == Method.DECLINING_BALANCE:
        factor = to_decimal("factor", params.factor, example="2")
        if factor <= 0:
            raise fail("factor", "factor_invalid", value=factor)
        _set(params, "factor", factor)
    elif method == Method.UNITS_OF_PRODUCTION:
        units = params.total_units
        if units is None or to_decimal("total_units", units, example="100000") <= 0:
            raise fail("total_units", "units_missing", value=units)
        _set(params, "total_units", Decimal(units))
    elif method == Method.MACRS:
        _validate_macrs(params)
    elif method == Method.CCA:
        rate = params.class_rate
        rate = None if rate is None else to_decimal("class_rate", rate, example="0.20")
        if rate is None or not 0 < rate <= 1:
            raise fail("class_rate", "class_rate", value=params.class_rate)
        _set(params, "class_rate", rate)
    elif method == Method.PERCENTAGES:
        _validate_percentages(params)


def _validate_macrs(params: BookParams) -> None:
    if params.macrs_class not in macrs_tables.HALF_YEAR:
        raise fail(
            "macrs_class", "macrs_class", value=params.macrs_class, choices=macrs_tables.CLASSES
        )
    quarter = params.macrs_quarter
    if quarter is not None and (isinstance(quarter, bool) or quarter not in (1, 2, 3, 4)):
        raise fail("macrs_quarter", "macrs_quarter", value=quarter)
    if params.salvage_cents:
        raise fail("salvage", "macrs_salvage", value=params.salvage)


def _validate_percentages(params: BookParams) -> None:
    if not params.percentages:
        raise fail("percentages", "percentages_missing")
    shares = tuple(to_decimal("percentages", share, example="40") for share in params.percentages)
    if any(share < 0 for share in shares):
        raise fail("percentages", "negative", value=min(shares))
    total = sum(shares, Decimal(0))
    if total != HUNDRED:
        raise fail("percentages", "percentages_sum", total=total)
    _set(params, "percentages", shares)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
