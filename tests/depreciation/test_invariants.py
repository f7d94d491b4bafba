"""Schedule invariants over generated inputs, for every method."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from depreciation import macrs_tables
from depreciation.engine import BookParams, Convention, Method, Rounding, month_period, schedule
from depreciation.engine.timeline import fiscal_year, month_index

cents = st.integers(min_value=0, max_value=10**9)
in_service_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
roundings = st.sampled_from(list(Rounding))
fiscal_end_months = st.integers(min_value=1, max_value=12)


def money(amount: int) -> Decimal:
    return Decimal(amount).scaleb(-2)


@st.composite
def cost_and_salvage(draw):
    cost = draw(cents)
    salvage = draw(st.integers(min_value=0, max_value=cost))
    return money(cost), money(salvage)


@st.composite
def book_params(draw, method):
    cost, salvage = draw(cost_and_salvage())
    fields = {
        "method": method,
        "cost": cost,
        "salvage": salvage,
        "in_service": draw(in_service_dates),
        "rounding": draw(roundings),
        "fiscal_year_end_month": draw(fiscal_end_months),
    }
    if method == Method.STRAIGHT_LINE:
        fields["life_months"] = draw(st.integers(min_value=1, max_value=480))
        fields["convention"] = draw(st.sampled_from(list(Convention)))
    elif method == Method.SUM_OF_YEARS_DIGITS:
        fields["life_months"] = 12 * draw(st.integers(min_value=1, max_value=40))
    elif method == Method.DECLINING_BALANCE:
        fields["life_months"] = draw(st.integers(min_value=1, max_value=480))
        fields["factor"] = draw(st.decimals(min_value="0.1", max_value="4", places=2))
        fields["switch_to_sl"] = draw(st.booleans())
    elif method == Method.CCA:
        fields["life_months"] = draw(st.integers(min_value=1, max_value=480))
        fields["class_rate"] = draw(st.decimals(min_value="0.01", max_value="1", places=2))
    elif method == Method.MACRS:
        fields["salvage"] = Decimal(0)
        fields["macrs_class"] = draw(st.sampled_from(macrs_tables.CLASSES))
        fields["macrs_convention"] = draw(st.sampled_from(["half_year", "mid_quarter"]))
    elif method == Method.PERCENTAGES:
        fields["percentages"] = draw(percentage_lists())
    return BookParams(**fields)


@st.composite
def percentage_lists(draw):
    parts = draw(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=15))
    if not sum(parts):
        parts[-1] = 1
    shares = [Decimal(part * 10_000 // sum(parts)).scaleb(-2) for part in parts]
    shares[-1] += Decimal(100) - sum(shares)
    return shares


def assert_invariants(params, periods, base):
    running = params.opening_accumulated
    for period in periods:
        running += period.amount
        assert period.amount >= 0
        assert period.book_value >= params.salvage or params.method == Method.MACRS
        assert period.accumulated == running
        assert period.accumulated + period.book_value == params.cost
        assert period.amount == period.amount.quantize(Decimal("0.01"))
    assert running - params.opening_accumulated == base


def yearly_totals(params, periods):
    totals = defaultdict(Decimal)
    for period in periods:
        totals[fiscal_year(month_index(period.start), params.fiscal_year_end_month)] += (
            period.amount
        )
    return list(totals.values())


TIME_METHODS = [
    Method.STRAIGHT_LINE,
    Method.SUM_OF_YEARS_DIGITS,
    Method.DECLINING_BALANCE,
    Method.CCA,
    Method.MACRS,
    Method.PERCENTAGES,
]
YEARLY_METHODS = [Method.DECLINING_BALANCE, Method.CCA, Method.MACRS, Method.PERCENTAGES]


def check_method(params):
    base = params.cost - params.opening_accumulated
    if params.method != Method.MACRS:
        base -= params.salvage
    monthly = schedule(params)
    years = schedule(params, period="year")
    assert_invariants(params, monthly, base)
    assert_invariants(params, years, base)
    return monthly, years


@settings(max_examples=150, deadline=None)
@given(data=st.data(), method=st.sampled_from(TIME_METHODS))
def test_schedule_invariants(data, method):
    params = data.draw(book_params(method))

    check_method(params)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), method=st.sampled_from(YEARLY_METHODS))
def test_yearly_methods_months_add_up_to_years(data, method):
    params = data.draw(book_params(method))

    monthly, years = check_method(params)

    assert yearly_totals(params, monthly) == [period.amount for period in years]


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    method=st.sampled_from([Method.STRAIGHT_LINE, Method.SUM_OF_YEARS_DIGITS]),
)
def test_cumulative_rounding_months_add_up_to_years(data, method):
    params = data.draw(book_params(method))
    params = BookParams(
        **{
            name: getattr(params, name)
            for name in ("method", "cost", "salvage", "in_service", "life_months", "convention")
        },
        rounding=Rounding.CUMULATIVE,
        fiscal_year_end_month=params.fiscal_year_end_month,
    )

    monthly, years = check_method(params)

    if params.convention != Convention.DAILY_PER_YEAR:
        assert yearly_totals(params, monthly) == [period.amount for period in years]


@settings(max_examples=150, deadline=None)
@given(
    costs=cost_and_salvage(),
    in_service=in_service_dates,
    total=st.integers(min_value=1, max_value=10**6),
    usage=st.lists(st.integers(min_value=0, max_value=10**5), min_size=1, max_size=60),
    rounding=roundings,
)
def test_units_of_production_invariants(costs, in_service, total, usage, rounding):
    cost, salvage = costs
    params = BookParams(
        method=Method.UNITS_OF_PRODUCTION,
        cost=cost,
        salvage=salvage,
        in_service=in_service,
        total_units=total,
        rounding=rounding,
    )

    periods = schedule(params, usage=usage)

    depreciated = sum((period.amount for period in periods), Decimal(0))
    base = cost - salvage
    if sum(usage) >= total:
        assert_invariants(params, periods, base)
    else:
        assert_invariants(params, periods, depreciated)
        assert depreciated <= base


@settings(max_examples=100, deadline=None)
@given(data=st.data(), method=st.sampled_from(TIME_METHODS))
def test_month_period_matches_schedule(data, method):
    params = data.draw(book_params(method))
    periods = schedule(params)
    chosen = data.draw(st.sampled_from(periods))

    found = month_period(params, chosen.start.year, chosen.start.month)

    assert found == chosen


def test_month_period_outside_schedule_is_none():
    params = BookParams(
        method=Method.STRAIGHT_LINE, cost="100.00", in_service=date(2024, 5, 1), life_months=3
    )

    assert month_period(params, 2024, 4) is None
    assert month_period(params, 2024, 8) is None
