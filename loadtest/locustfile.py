"""Load test of the counter and warehouse pages against a server on the loopback address.

Half of the simulated users are counter staff (scan, search, list, sell), half
warehouse clerks (scan, search, list, receive). Every user signs in through
the login form with the password from ``loadtest/prepare.py``. The run stops
after ``LOADTEST_MAX_REQUESTS`` requests (default 20,000) or at ``--run-time``,
whichever comes first. See ``loadtest/run``.
"""

import datetime
import itertools
import json
import os
import random
import re
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

DATA = json.loads(Path(os.environ.get("LOADTEST_DATA", "loadtest/data.json")).read_text())
MAX_REQUESTS = int(os.environ.get("LOADTEST_MAX_REQUESTS", "20000"))
PREFIXES = ["SN-0000", "GEN-000", "0000000", "Ab-x00", "BK1"]
SUBSTRINGS = ["N-0000", "x0012", "0123", "4567", "EN-00001"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SUBMISSION = re.compile(r'name="submission_token" value="([^"]+)"')
_sellers = itertools.cycle(DATA["sellers"])
_clerks = itertools.cycle(DATA["clerks"])
_lock = threading.Lock()
_requests = itertools.count(1)
# Picks test data, not secrets.
_random = random.Random()  # noqa: S311


@events.init.add_listener
def _check_host(environment, **_kwargs):
    host = urlsplit(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"The load test only targets the loopback address; --host is {host!r}.")


_environment = None


@events.init.add_listener
def _remember_environment(environment, **_kwargs):
    global _environment
    _environment = environment


@events.request.add_listener
def _stop_at_cap(**_kwargs):
    # The request cap bounds the run even when --run-time is long.
    if next(_requests) == MAX_REQUESTS and _environment is not None:
        _environment.runner.quit()


class ShopUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    usernames = _sellers

    def on_start(self):
        with _lock:
            self.username = next(self.usernames)
        page = self.client.get("/login/", name="login form")
        token = _CSRF.search(page.text).group(1)
        with self.client.post(
            "/login/",
            {"username": self.username, "password": DATA["password"], "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in of {self.username} failed: {response.status_code}")

    @task(6)
    def scan(self):
        serial = _random.choice(DATA["scan_serials"])
        with self.client.get(
            "/units/scan/", params={"q": serial}, name="scan", catch_response=True
        ) as response:
            if "/units/scan/" in response.url:
                response.failure(f"scan of {serial} did not open the unit page")

    @task(2)
    def search_prefix(self):
        self.client.get(
            "/units/scan/", params={"q": _random.choice(PREFIXES)}, name="search prefix"
        )

    @task(2)
    def search_substring(self):
        self.client.get(
            "/units/scan/", params={"q": _random.choice(SUBSTRINGS)}, name="search substring"
        )

    @task(3)
    def list_location(self):
        params = {"location": _random.choice(DATA["bin_ids"]), "page": _random.randint(1, 20)}
        self.client.get("/units/", params=params, name="list by location")


class CounterStaff(ShopUser):
    usernames = _sellers

    @task(3)
    def sell(self):
        form = self.client.get("/units/sales/new/", name="sale form")
        csrf, submission = _CSRF.search(form.text), _SUBMISSION.search(form.text)
        if not csrf or not submission:
            return
        unit_id = _random.choice(DATA["sale_unit_ids"])
        data = {
            "csrfmiddlewaretoken": csrf.group(1),
            "submission_token": submission.group(1),
            "customer": _random.choice(DATA["customer_ids"]),
            "invoice_number": f"LT-{self.username}-{uuid.uuid4().hex[:12]}",
            "sold_on": _today(),
            "notes": "",
            "line_unit": [unit_id],
            "line_price": ["100.00"],
        }
        with self.client.post(
            "/units/sales/new/", data, name="sell", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302:
                response.success()
            elif response.status_code == 200:
                # The unit was sold earlier or by a competing seller, and the page shows why.
                response.request_meta["name"] = "sell (unit not sellable)"
                response.success()
            else:
                response.failure(f"sale failed: {response.status_code}")


class WarehouseClerk(ShopUser):
    usernames = _clerks

    @task(2)
    def receive(self):
        form = self.client.get("/units/receipts/new/", name="receipt form")
        csrf = _CSRF.search(form.text)
        if not csrf:
            return
        batch = f"LT-{self.username}-{uuid.uuid4().hex[:12]}"
        data = {
            "csrfmiddlewaretoken": csrf.group(1),
            "supplier": DATA["supplier_id"],
            "product": _random.choice(DATA["product_ids"]),
            "location": _random.choice(DATA["bin_ids"]),
            "reference": batch,
            "received_on": _today(),
            "condition": "new",
            "notes": "",
            "serials": "\n".join(f"{batch}-{number}" for number in range(5)),
        }
        with self.client.post(
            "/units/receipts/new/",
            data,
            name="receive 5",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"receipt failed: {response.status_code}")


def _today() -> str:
    # The server's TIME_ZONE defaults to UTC, so its today is UTC's today.
    return datetime.datetime.now(datetime.UTC).date().isoformat()
