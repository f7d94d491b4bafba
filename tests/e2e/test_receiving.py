import re

import pytest
from playwright.sync_api import expect

from inventory import roles
from tests import factories
from units.models import Receipt, Unit

pytestmark = pytest.mark.browser

RECEIVE_PATH = "/units/receipts/new/"


@pytest.fixture
def catalog(db):
    """The supplier, product and location of a delivery, as model instances."""
    return {
        "supplier": factories.make_supplier(name="Acme Supply"),
        "product": factories.make_product(name="Dishwasher", model_number="DW-100"),
        "location": factories.make_location(name="Main warehouse", code="MAIN"),
    }


@pytest.fixture
def clerk(db):
    return factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")


@pytest.fixture
def receiving_page(signed_in_page, clerk, catalog):
    """The receiving page with supplier, product and location chosen, focus in the scan input."""
    page = signed_in_page(clerk)
    page.goto(RECEIVE_PATH)
    expect(page.locator("#scan-serial")).to_be_focused()
    page.select_option("#id_supplier", str(catalog["supplier"].pk))
    page.select_option("#id_product", str(catalog["product"].pk))
    page.select_option("#id_location", str(catalog["location"].pk))
    page.fill("#id_reference", "DN-5512")
    page.locator("#scan-serial").focus()
    return page


def scan(page, serial: str) -> None:
    """Type a serial key by key and end it with Enter, as a barcode scanner does."""
    page.keyboard.type(serial)
    page.keyboard.press("Enter")


def listed_serials(page) -> list[str]:
    return page.locator("#scan-list li .serial").all_inner_texts()


def test_scan_page_focuses_scan_input(signed_in_page, clerk):
    page = signed_in_page(clerk)
    page.goto(RECEIVE_PATH)
    expect(page.locator("#scan-serial")).to_be_focused()
    expect(page.locator("#id_serials")).to_be_hidden()


def test_receive_by_scanning_flags_duplicate(receiving_page, catalog, live_server):
    page = receiving_page

    for serial in ["SN-1", "SN-2", " sn-1 "]:
        scan(page, serial)
        expect(page.locator("#scan-serial")).to_be_focused()
        expect(page.locator("#scan-serial")).to_have_value("")

    # Enter added serials; it did not submit the form.
    expect(page).to_have_url(live_server.url + RECEIVE_PATH)
    assert Receipt.objects.count() == 0
    expect(page.locator("#scan-feedback")).to_have_text(
        "Serial sn-1 is already in the list as entry 1 (SN-1). Remove one of them before saving."
    )
    duplicate = page.locator("#scan-list li").nth(2)
    expect(duplicate).to_have_class(re.compile(r"\bduplicate\b"))
    expect(duplicate.locator(".note")).to_have_text("duplicate of entry 1")
    expect(page.locator("#scan-count")).to_have_text("3")

    duplicate.get_by_role("button", name="Remove sn-1").click()
    expect(page.locator("#scan-count")).to_have_text("2")
    expect(page.locator("#scan-list li.duplicate")).to_have_count(0)
    expect(page.locator("#scan-serial")).to_be_focused()
    scan(page, "SN-10")
    assert listed_serials(page) == ["SN-1", "SN-2", "SN-10"]

    page.get_by_role("button", name="Save receipt").click()

    receipt = Receipt.objects.get()
    expect(page).to_have_url(live_server.url + receipt.get_absolute_url())
    expect(page.locator(".message.success")).to_have_text(
        f"Receipt {receipt.number}: 3 units of DW-100 received."
    )
    expect(page.locator("#receipt-units .serial")).to_have_text(["SN-1", "SN-2", "SN-10"])
    assert sorted(Unit.objects.values_list("serial", flat=True)) == ["SN-1", "SN-10", "SN-2"]


def test_scan_flags_serial_already_on_file(receiving_page, catalog, clerk):
    factories.receive(clerk, ["SN-5"], product=catalog["product"])
    page = receiving_page

    scan(page, "sn-5")

    entry = page.locator("#scan-list li").first
    expect(entry).to_have_class(re.compile(r"\bexists\b"))
    expect(page.locator("#scan-feedback")).to_have_text(
        "Serial sn-5 already exists for Dishwasher (DW-100). "
        "Remove it from the list, or check the label."
    )
    expect(page.locator("#scan-problems")).to_have_text(" (1 already on file)")


def test_paste_and_range_fill_the_list(receiving_page):
    page = receiving_page

    page.get_by_text("Paste a list").click()
    page.fill("#paste-box", "A-1\n\n  \nA-2\n")
    page.get_by_role("button", name="Add pasted serials").click()
    page.fill("#id_range_prefix", "ABC")
    page.fill("#id_range_first", "998")
    page.fill("#id_range_count", "3")
    page.fill("#id_range_width", "5")
    expect(page.locator("#range-preview")).to_have_text("Adds ABC00998 to ABC01000 (3 serials).")
    page.get_by_role("button", name="Add range").click()

    assert listed_serials(page) == ["A-1", "A-2", "ABC00998", "ABC00999", "ABC01000"]
    expect(page.locator("#scan-count")).to_have_text("5")
    expect(page.locator("#id_range_first")).to_have_value("")
    page.get_by_role("button", name="Save receipt").click()
    expect(page.locator(".message.success")).to_contain_text("5 units of DW-100 received.")


def test_rejected_save_keeps_scanned_list(receiving_page, catalog, clerk):
    factories.receive(clerk, ["SN-5"], product=catalog["product"])
    page = receiving_page
    scan(page, "SN-4")
    scan(page, "SN-5")

    page.get_by_role("button", name="Save receipt").click()

    expect(page.locator(".errorlist")).to_have_text(
        "Serial SN-5 already exists for product DW-100."
    )
    assert listed_serials(page) == ["SN-4", "SN-5"]
    assert Receipt.objects.count() == 1
