"""Fixtures for end-to-end tests that drive the real pages in headless Chromium.

The tests use Playwright's sync API against pytest-django's ``live_server``
(bound to 127.0.0.1) and Debian's Chromium package; no browser is downloaded.
Every test here is skipped when that Chromium binary is absent.

Typical use::

    @pytest.mark.browser
    def test_something(signed_in_page):
        page = signed_in_page(factories.make_user(roles.WAREHOUSE_CLERK, username="clerk"))
        page.goto("/units/")
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from inventory import roles

# Playwright's sync API runs an asyncio event loop in the test thread, and
# Django refuses database calls from a thread with a running loop unless
# this is set. The tests call the ORM directly to arrange and check data.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

#: Chromium from the distribution's package; override with CHROMIUM_PATH.
CHROMIUM_PATH = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Password that ``tests.factories.make_user`` gives every user.
TEST_PASSWORD = "pw-for-tests-only"

#: Milliseconds Playwright waits for an element or a navigation before failing.
DEFAULT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by all tests of the session."""
    if not CHROMIUM_PATH.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM_PATH}; set CHROMIUM_PATH to run it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _role_groups(transactional_db) -> None:
    """Recreate the role groups, which a transactional test's flush deletes."""
    if Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() < len(roles.ROLE_PERMISSIONS):
        roles.sync_roles()


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh browser profile (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context) -> Iterator:
    """A page that fails the test when its JavaScript raises an uncaught error."""
    page = browser_context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    yield page
    assert script_errors == [], f"JavaScript errors on {page.url}: {script_errors}"


@pytest.fixture
def signed_in_page(page) -> Callable:
    """Return a function that signs a user in through the login form and returns the page."""

    def sign_in(user, password: str = TEST_PASSWORD):
        page.goto("/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("form.stacked button[type=submit]")
        if "/login/" in page.url:
            raise AssertionError(f"Signing in as {user.get_username()} failed on {page.url}")
        return page

    return sign_in


@pytest.fixture
def capture_responses(page) -> Callable:
    """Return a function that records the server's responses to URLs matching a glob.

    ``response.body()`` is unreliable for a PDF: Chromium shows it in its viewer
    and Playwright reports the viewer's HTML, or no body for a download. Fetching
    through a route records the real status, headers and bytes.
    """

    def capture(url_glob: str) -> list[dict]:
        captured: list[dict] = []

        def pass_through(route) -> None:
            response = route.fetch()
            captured.append(
                {"status": response.status, "headers": response.headers, "body": response.body()}
            )
            route.fulfill(response=response)

        page.route(url_glob, pass_through)
        return captured

    return capture
