import re

import pytest
from playwright.sync_api import expect

from inventory import roles
from tests import factories

pytestmark = pytest.mark.browser


def test_login_form_signs_user_in(page, live_server):
    factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")
    page.goto("/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("button", name="Sign out clerk")).to_be_visible()


def test_login_form_rejects_wrong_password(page):
    factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")
    page.goto("/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("form.stacked")).to_contain_text("Please enter a correct username")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_signed_out_user_is_sent_to_login(page):
    page.goto("/units/receipts/new/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/units/receipts/new/$"))
