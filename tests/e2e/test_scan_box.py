import re

import pytest
from playwright.sync_api import expect

from inventory import roles
from tests import factories

pytestmark = pytest.mark.browser


def test_scan_box_opens_unit_page(signed_in_page, live_server):
    clerk = factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")
    product = factories.make_product(name="Dishwasher", model_number="DW-100")
    factories.receive(clerk, ["SN-77", "SN-78"], product=product)
    unit = product.units.get(serial="SN-77")
    page = signed_in_page(clerk)

    page.fill("#scan-input", "sn-77")
    page.press("#scan-input", "Enter")

    expect(page).to_have_url(live_server.url + f"/units/{unit.pk}/")
    expect(page.locator("h1")).to_contain_text("SN-77")


def test_scan_box_is_focused_on_dashboard(signed_in_page):
    page = signed_in_page(factories.make_user(roles.COUNTER_STAFF, username="counter"))
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#scan-input")).to_be_focused()
