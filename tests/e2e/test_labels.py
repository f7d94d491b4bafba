import re

import pytest
from playwright.sync_api import expect

from inventory import roles
from tests import factories

pytestmark = pytest.mark.browser


def test_receipt_labels_print_as_pdf(signed_in_page, capture_responses, live_server):
    clerk = factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")
    receipt = factories.receive(clerk, ["SN-1", "SN-2", "SN-3"])
    page = signed_in_page(clerk)
    page.goto(receipt.get_absolute_url())

    page.get_by_role("link", name="Print labels").click()
    expect(page).to_have_url(live_server.url + f"/units/labels/?receipt={receipt.pk}")
    responses = capture_responses("**/units/labels/print/")
    form = page.locator("form[action$='/units/labels/print/']")
    with page.expect_response(re.compile(r"/units/labels/print/$")):
        form.locator("[type=submit]").first.click()

    assert len(responses) == 1
    assert responses[0]["status"] == 200
    assert responses[0]["headers"]["content-type"] == "application/pdf"
    assert responses[0]["body"].startswith(b"%PDF-")
