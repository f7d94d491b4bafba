import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory import roles
from tests import factories
from units import services
from units.models import Sale, Status, Unit

pytestmark = pytest.mark.browser

SALE_PATH = "/units/sales/new/"


@pytest.fixture
def shop(db):
    """A customer, a product with a list price and three units in stock."""
    clerk = factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")
    product = factories.make_product(
        name="Dishwasher", model_number="DW-100", list_price=Decimal("499.00")
    )
    receipt = factories.receive(clerk, ["SN-1", "SN-2", "SN-3"], product=product)
    customer = factories.make_party(name="Dana Buyer", is_customer=True, phone="555-0101")
    return {"product": product, "units": receipt.units.all(), "customer": customer}


@pytest.fixture
def counter(db):
    return factories.make_user(roles.COUNTER_STAFF, username="counter")


def scan(page, serial: str) -> None:
    """Type a serial key by key and end it with Enter, as a barcode scanner does."""
    page.keyboard.type(serial)
    page.keyboard.press("Enter")


def test_counter_sale_by_scanning(signed_in_page, counter, shop, live_server):
    page = signed_in_page(counter)
    page.goto(SALE_PATH)
    scan_input = page.locator("#scan-serial")
    expect(scan_input).to_be_focused()

    page.fill("#id_customer_q", "0101")
    expect(page.locator("#id_customer")).to_have_value(str(shop["customer"].pk))

    scan_input.focus()
    for serial in ["SN-1", "sn-2"]:
        scan(page, serial)
        expect(page.locator("#sale-lines tbody tr")).to_have_count(1 if serial == "SN-1" else 2)
        expect(scan_input).to_be_focused()
        expect(scan_input).to_have_value("")
    scan(page, "SN-1")

    expect(page.locator("#scan-feedback")).to_have_text(
        "Unit SN-1 is already in this sale (line 1). It was not added again."
    )
    expect(page.locator("#sale-lines tbody tr").first).to_have_class(re.compile(r"\bduplicate\b"))
    expect(page.locator("#sale-lines tbody tr")).to_have_count(2)
    # Enter added units; it did not submit the form.
    expect(page).to_have_url(live_server.url + SALE_PATH)
    assert Sale.objects.count() == 0

    expect(page.get_by_label("Price of SN-1")).to_have_value("499.00")
    page.get_by_label("Price of SN-2").fill("450.50")
    expect(page.locator("#sale-total")).to_have_text("949.50")
    page.fill("#id_invoice_number", "INV-1")
    page.get_by_role("button", name="Save sale").click()

    sale = Sale.objects.get()
    expect(page).to_have_url(live_server.url + sale.get_absolute_url())
    expect(page.locator(".message.success")).to_have_text("Sale INV-1: 2 units sold to Dana Buyer.")
    expect(page.locator("#sale-total")).to_have_text("949.50")
    sold = Unit.objects.filter(status=Status.SOLD, owner=shop["customer"])
    assert sorted(sold.values_list("serial", flat=True)) == ["SN-1", "SN-2"]
    assert sorted(sale.lines.values_list("price", flat=True)) == [
        Decimal("450.50"),
        Decimal("499.00"),
    ]


def test_unsellable_scan_is_flagged_and_not_added(signed_in_page, counter, shop):
    manager = factories.make_user(roles.MANAGER, username="manager")
    unit = shop["units"].get(serial="SN-3")
    services.unit_change_status(unit=unit, status=Status.DAMAGED, actor=manager, reason="Dropped")
    page = signed_in_page(counter)
    page.goto(SALE_PATH)

    scan(page, "SN-3")

    expect(page.locator("#scan-feedback")).to_have_text(
        "Unit SN-3 is damaged and cannot be sold; remove it from this sale."
    )
    expect(page.locator("#sale-lines tbody tr")).to_have_count(0)


def test_serial_on_two_products_offers_a_choice(signed_in_page, counter, shop):
    clerk = factories.make_user(roles.WAREHOUSE_CLERK, username="clerk2")
    dryer = factories.make_product(name="Dryer", model_number="DR-1")
    factories.receive(clerk, ["SN-1"], product=dryer)
    page = signed_in_page(counter)
    page.goto(SALE_PATH)

    scan(page, "SN-1")
    page.get_by_role("button", name="Dryer (DR-1) · In stock").click()

    expect(page.locator("#sale-lines tbody tr")).to_have_count(1)
    expect(page.locator("#sale-lines tbody tr td").nth(1)).to_have_text("Dryer (DR-1)")
    expect(page.locator("#scan-serial")).to_be_focused()
