"""Depreciation, asset register and stock aging reports; SVG charts; CSV safety."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from depreciation import books, charts, reports
from inventory import roles
from tests import factories
from tests.depreciation.test_books import make_asset, post_months
from units.models import Condition
from units.sales import LineInput, sale_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(manager):
    """Two categories, three books on two units, January to March 2025 posted."""
    tools = factories.make_category(name="Tools")
    lifts = factories.make_category(name="Lifts")
    drill = factories.make_product(name="Drill", model_number="DR-1", category=tools)
    lift = factories.make_product(name="Lift", model_number="LF-1", category=lifts)
    first = make_asset(manager, "A-1", cost="1200.00", product=drill)
    second = make_asset(manager, "A-2", cost="600.00", product=lift)
    books.book_create(
        actor=manager, unit=first, name="company", method="straight_line", life_months=12
    )
    books.book_create(
        actor=manager, unit=second, name="company", method="straight_line", life_months=12
    )
    books.book_create(
        actor=manager, unit=second, name="=tax", method="straight_line", life_months=6
    )
    post_months(manager, (2025, 1), (2025, 2), (2025, 3))
    return {"first": first, "second": second, "tools": tools, "lifts": lifts}


def report(group_by="book", **filters):
    query = reports.DepreciationFilter(start=(2025, 1), end=(2025, 3), **filters)
    return reports.depreciation_report(query, group_by=group_by)


def test_depreciation_report_by_book(posted):
    result = report("book")

    rows = {row["label"]: (row["entries"], row["amount"]) for row in result["rows"]}
    assert rows == {
        "company": (6, Decimal("450.00")),
        "=tax": (3, Decimal("300.00")),
    }
    assert result["totals"] == {"entries": 9, "amount": Decimal("750.00")}
    assert [row["amount"] for row in result["months"]] == [Decimal("250.00")] * 3


def test_depreciation_report_by_category_and_filter(posted):
    by_category = {row["label"]: row["amount"] for row in report("category")["rows"]}
    only_lifts = report("asset", category_id=posted["lifts"].pk)

    assert by_category == {"Tools": Decimal("300.00"), "Lifts": Decimal("450.00")}
    assert only_lifts["totals"]["amount"] == Decimal("450.00")
    assert {row["label"] for row in only_lifts["rows"]} == {"A-2"}


def test_depreciation_report_month_range(posted):
    query = reports.DepreciationFilter(start=(2025, 2), end=(2025, 2), book_name="company")

    result = reports.depreciation_report(query)

    assert result["totals"] == {"entries": 2, "amount": Decimal("150.00")}


def test_asset_register_as_of_date(posted):
    on_feb_end = reports.asset_register(datetime.date(2025, 2, 28))
    mid_march = reports.asset_register(datetime.date(2025, 3, 15), book_name="company")

    assert on_feb_end["totals"] == {
        "books": 3,
        "cost": Decimal("2400.00"),
        "accumulated": Decimal("500.00"),
        "book_value": Decimal("1900.00"),
    }
    # March is not over on the 15th, so only January and February count.
    assert mid_march["totals"]["accumulated"] == Decimal("300.00")
    values = {(b.unit.serial, b.name): b.book_value for b in mid_march["rows"]}
    assert values == {("A-1", "company"): Decimal("1000.00"), ("A-2", "company"): Decimal("500.00")}


def test_asset_register_leaves_out_later_cost_and_disposed(manager, posted):
    book = posted["first"].depreciation_books.get()
    books.book_change(actor=manager, book=book, added_cost=Decimal("90.00"), reason="Tyres")
    books.unit_dispose(
        actor=manager,
        unit=posted["second"],
        on=datetime.date(2025, 4, 20),
        kind="sale",
        proceeds=Decimal("100.00"),
        reason="Sold",
    )

    before = reports.asset_register(datetime.date(2025, 3, 31))
    after = reports.asset_register(datetime.date(2025, 4, 30))

    assert before["totals"]["cost"] == Decimal("2400.00")
    assert after["totals"]["books"] == 1
    assert after["totals"]["cost"] == Decimal("1290.00")


def test_report_page_query_count_fixed(manager_client, posted, django_assert_max_num_queries):
    url = reverse("assets:report-depreciation")
    params = {"start": "2025-01", "end": "2025-03", "group_by": "asset"}

    with django_assert_max_num_queries(12):
        response = manager_client.get(url, params)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('class="bar"') == 3
    assert "750.00" in content


def test_report_rejects_unknown_group(manager_client, posted):
    response = manager_client.get(
        reverse("assets:report-depreciation"),
        {"start": "2025-01", "end": "2025-03", "group_by": "book__unit__serial"},
    )

    assert response.status_code == 200
    assert "report" not in response.context
    assert "group_by" in response.context["form"].errors


def test_report_csv_quotes_formula_text(manager_client, posted):
    response = manager_client.get(
        reverse("assets:report-depreciation"),
        {"start": "2025-01", "end": "2025-03", "group_by": "book", "format": "csv"},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Book", "Entries", "Depreciation"]
    assert ["'=tax", "3", "300.00"] in rows
    assert rows[-1] == ["Total", "9", "750.00"]


def test_register_csv_totals(manager_client, posted):
    response = manager_client.get(
        reverse("assets:report-register"),
        {"as_of": "2025-03-31", "sort": "book_value", "format": "csv"},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[-1][-3:] == ["2400.00", "750.00", "1650.00"]
    assert len(rows) == 5


def test_register_rejects_impossible_date(manager_client, posted):
    response = manager_client.get(
        reverse("assets:report-register"), {"as_of": "2025-02-30", "sort": "serial"}
    )

    assert response.context["form"].errors["as_of"] == ["Enter a valid date."]


@pytest.mark.parametrize(
    "name", ["report-depreciation", "report-register", "report-aging", "run-list"]
)
def test_reports_forbidden_to_counter_staff(client, name):
    client.force_login(factories.make_user(roles.COUNTER_STAFF, username="counter"))

    assert client.get(reverse(f"assets:{name}")).status_code == 403


# --- Stock aging ------------------------------------------------------------------------


@pytest.fixture
def aging_stock(manager):
    tools = factories.make_category(name="Tools")
    drill = factories.make_product(name="Drill", model_number="DR-1", category=tools)
    saw = factories.make_product(name="Saw", model_number="SW-1", category=tools)
    factories.receive(manager, ["D-1", "D-2"], product=drill, received_on=datetime.date(2026, 1, 1))
    factories.receive(
        manager,
        ["D-3"],
        product=drill,
        received_on=datetime.date(2026, 6, 1),
        condition=Condition.USED,
    )
    factories.receive(manager, ["S-1"], product=saw, received_on=datetime.date(2026, 11, 1))
    customer = factories.make_party(name="Buyer", is_customer=True)
    sold = drill.units.get(serial="D-1")
    sale_create(
        actor=manager,
        customer=customer,
        lines=[LineInput(unit_id=sold.pk, price="100.00")],
        invoice_number="INV-1",
        sold_on=datetime.date(2026, 1, 31),
    )
    return {"drill": drill, "saw": saw}


def test_stock_aging_figures(aging_stock, django_assert_max_num_queries):
    filters = reports.AgingFilter(
        sold_from=datetime.date(2026, 1, 1),
        sold_to=datetime.date(2026, 12, 31),
        today=datetime.date(2026, 12, 1),
    )

    with django_assert_max_num_queries(3):
        result = reports.stock_aging(filters)

    rows = {row["label"]: row for row in result["rows"]}
    drill = rows["DR-1"]
    assert (drill["sold_new"], drill["sold_days_new"]) == (1, Decimal("30.0"))
    assert (drill["stock_new"], drill["stock_days_new"]) == (1, Decimal("334.0"))
    assert (drill["stock_used"], drill["stock_days_used"]) == (1, Decimal("183.0"))
    assert drill["oldest_days"] == 334
    assert drill["sell_through"] == Decimal("33.3")
    assert (rows["SW-1"]["stock_new"], rows["SW-1"]["oldest_days"]) == (1, 30)
    assert result["totals"]["stock"] == 3
    assert [unit.serial for unit in result["slowest"]] == ["D-2", "D-3", "S-1"]
    assert [unit.days for unit in result["slowest"]] == [334, 183, 30]


def test_stock_aging_by_category(aging_stock):
    filters = reports.AgingFilter(
        sold_from=datetime.date(2026, 1, 1),
        sold_to=datetime.date(2026, 12, 31),
        today=datetime.date(2026, 12, 1),
        group_by="category",
        slowest=1,
    )

    result = reports.stock_aging(filters)

    assert [(row["label"], row["sold"], row["stock"]) for row in result["rows"]] == [
        ("Tools", 1, 3)
    ]
    assert len(result["slowest"]) == 1


def test_aging_page_and_csv(manager_client, aging_stock):
    params = {
        "sold_from": "2026-01-01",
        "sold_to": "2026-12-31",
        "group_by": "product",
        "slowest": "10",
    }

    page = manager_client.get(reverse("assets:report-aging"), params)
    download = manager_client.get(reverse("assets:report-aging"), {**params, "format": "csv"})

    assert page.status_code == 200
    assert "D-2" in page.content.decode()
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Product"
    assert len(rows) == 3


# --- Charts -----------------------------------------------------------------------------


def test_bar_chart_has_one_bar_per_month():
    chart = charts.bar_chart(
        [("2025-01", Decimal("10")), ("2025-02", Decimal("30")), ("2025-03", Decimal("0"))],
        title="Depreciation per month",
    )

    svg = render_to_string("depreciation/report_chart_bars.html", {"chart": chart})

    assert svg.count('<rect class="bar"') == 3
    heights = [bar["height"] for bar in chart["bars"]]
    assert heights[1] > heights[0] > heights[2] == 0


def test_line_chart_escapes_labels():
    chart = charts.line_chart(
        [("<script>x</script>", Decimal("100")), ("b&c", Decimal("50"))],
        title='Book value, "<tax>" book',
    )

    svg = render_to_string("depreciation/report_chart_line.html", {"chart": chart})

    assert svg.count('<circle class="point"') == 2
    assert "<script>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg
    assert "b&amp;c" in svg
    assert "&quot;&lt;tax&gt;&quot;" in svg


def test_charts_accept_no_data():
    bars = charts.bar_chart([], title="Empty")
    line = charts.line_chart([], title="Empty")

    assert bars["bars"] == []
    assert line["points"] == []
    assert "polyline" not in render_to_string(
        "depreciation/report_chart_line.html", {"chart": line}
    ).replace("<!--", "")
