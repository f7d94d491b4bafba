"""Rental fleet in the browser: put a unit in, rent it out by scanning, take it back."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from depreciation.models import MeterReading, Rental
from inventory import roles
from tests import factories
from units.models import Purpose, Status

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(db):
    return factories.make_user(roles.MANAGER, username="manager")


@pytest.fixture
def unit(manager):
    product = factories.make_product(name="Mini excavator", model_number="EX-2")
    return factories.receive(manager, ["EX-0042"], product=product).units.get()


@pytest.fixture
def customer(db):
    return factories.make_party(name="Hill Builders", is_customer=True)


def test_rent_out_and_take_back(signed_in_page, manager, unit, customer):
    page = signed_in_page(manager)
    today = timezone.localdate()

    page.goto(f"/assets/units/{unit.pk}/")
    page.click("#put-into-service")
    page.check("input[name=purpose][value=rental]")
    page.fill("#id_reason", "Hire fleet")
    page.click("#put-into-service-form button[type=submit]")
    expect(page.locator(".message.success")).to_have_text(
        "Unit EX-0042 moved into the rental fleet."
    )
    expect(page.locator("#unit-purpose")).to_have_text("Rental")

    page.goto("/assets/rentals/new/")
    expect(page.locator("#id_serial")).to_be_focused()
    page.keyboard.type("ex-0042")
    page.keyboard.press("Enter")
    expect(page.locator("#id_customer")).to_be_focused()
    page.select_option("#id_customer", str(customer.pk))
    page.fill("#id_due_on", (today + datetime.timedelta(days=7)).isoformat())
    page.fill("#id_meter_out", "120.5")
    page.click("#rental-form button[type=submit]")
    expect(page.locator(".message.success")).to_contain_text(
        "Unit EX-0042 rented out to Hill Builders"
    )
    expect(page.locator("#unit-status")).to_have_text("Rented out")

    page.goto("/assets/fleet/")
    expect(page.locator("#fleet tbody tr")).to_contain_text("Hill Builders")
    page.click("#fleet >> text=Take back")
    expect(page.locator("#id_meter_in")).to_be_focused()
    page.fill("#id_meter_in", "100")
    page.click("#return-form button[type=submit]")
    expect(page.locator(".message.error")).to_contain_text(
        "The meter reading 100.00 of unit EX-0042 is lower than its last reading, 120.50"
    )
    page.fill("#id_meter_in", "131")
    page.click("#return-form button[type=submit]")
    expect(page.locator(".message.success")).to_contain_text("Unit EX-0042 is back from rental")

    history = page.locator("#unit-rentals tbody tr")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("Hill Builders")
    expect(history).to_contain_text("120.50")
    expect(history).to_contain_text("131.00")
    expect(history).to_contain_text("10.50")
    unit.refresh_from_db()
    assert unit.status == Status.IN_STOCK
    assert unit.purpose == Purpose.RENTAL
    assert Rental.objects.get().meter_in == Decimal("131.00")
    assert list(MeterReading.objects.values_list("value", flat=True).order_by("pk")) == [
        Decimal("120.50"),
        Decimal("131.00"),
    ]
