"""Depreciation in the browser: post a month as a manager, then read the report and its chart."""

import datetime

import pytest
from playwright.sync_api import expect

from depreciation import books, costs, rentals
from depreciation.models import DepreciationEntry
from inventory import roles
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(db):
    return factories.make_user(roles.MANAGER, username="manager")


@pytest.fixture
def fleet_book(manager):
    product = factories.make_product(name="Mini excavator", model_number="EX-2")
    unit = factories.receive(
        manager, ["EX-0042"], product=product, received_on=datetime.date(2025, 1, 2)
    ).units.get()
    costs.unit_cost_add(
        actor=manager,
        unit=unit,
        kind="purchase",
        amount="24000.00",
        entry_date=datetime.date(2025, 1, 2),
    )
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=datetime.date(2025, 1, 2), reason="Fleet"
    )
    return books.book_create(
        actor=manager, unit=unit, name="company", method="straight_line", life_months=48
    )


def test_post_month_and_view_report(signed_in_page, manager, fleet_book, settings):
    # The immediate backend runs the job inside the request, as in development.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page = signed_in_page(manager)

    page.goto("/assets/depreciation/runs/")
    page.fill("#id_year", "2025")
    page.select_option("#id_month", "1")
    page.click("#run-start")
    expect(page.locator("main")).to_contain_text("Succeeded")
    expect(page.locator("main")).to_contain_text("Posted 2025-01: 1 entries, 500.00 in total.")
    assert DepreciationEntry.objects.get().amount == 500

    page.goto("/assets/reports/depreciation/?start=2025-01&end=2025-01&group_by=book")
    expect(page.locator("#report-total")).to_have_text("500.00")
    chart = page.locator("#depreciation-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count(1)
