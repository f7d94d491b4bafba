"""Timings of the hot pages and services on a database built by ``units.benchmarking.builder``.

Pages are requested through Django's test Client in this process, so the
times include URL routing, the view, the queries and template rendering, but
no web server or network.
"""

import re
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from units.benchmarking.builder import Catalog
from units.models import Receipt, Status, Unit
from units.services import receipt_create

#: Requests per page figure; the median is reported.
REPEATS = 15
LABEL_COUNT = 500
RECEIPT_SERIALS = 1000

_NUMBER = re.compile(r"\b\d+\b")


@dataclass
class Figure:
    """One measured figure: median milliseconds, queries per request and a note."""

    name: str
    median_ms: float | None = None
    queries: int | None = None
    note: str = ""
    #: The slowest queries of one request as (milliseconds, SQL), slowest first.
    slowest: list[tuple[float, str]] = field(default_factory=list)
    #: Statements that one request ran more than twice, as (count, SQL with numbers
    #: replaced by "N"); usually a query per row that select_related would remove.
    repeated: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _median_ms(durations: list[float]) -> float:
    return round(statistics.median(durations) * 1000, 2)


def _timed_get(client: Client, url: str) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url, follow=True)
    return time.perf_counter() - started, response


def _capture(client: Client, url: str, figure: Figure) -> None:
    """Store the query count, slowest queries and repeated statements of one request."""
    with CaptureQueriesContext(connection) as captured:
        client.get(url, follow=True)
    statements = [query["sql"] for query in captured.captured_queries]
    timed = sorted(
        ((float(query["time"]) * 1000, query["sql"]) for query in captured.captured_queries),
        reverse=True,
    )
    shapes = Counter(_NUMBER.sub("N", statement) for statement in statements)
    figure.queries = len(statements)
    figure.slowest = [(round(milliseconds, 2), statement) for milliseconds, statement in timed[:3]]
    figure.repeated = [(count, shape) for shape, count in shapes.most_common() if count > 2]


def sample_units(count: int) -> list[Unit]:
    """Return ``count`` units spread evenly over the id range."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM units_unit")
        low, high = cursor.fetchone()
    step = max(1, (high - low) // count)
    return list(Unit.objects.filter(pk__in=range(low, high + 1, step)).order_by("pk")[:count])


def measure_scan(client: Client) -> Figure:
    """Time GET /units/scan/?q=<serial> following the redirect to the unit page."""
    figure = Figure("scan to unit page")
    units = sample_units(REPEATS + 1)
    durations = []
    for unit in units:
        duration, response = _timed_get(client, f"{reverse('units:scan')}?q={unit.serial}")
        if response.status_code != 200 or response.request["PATH_INFO"] != unit.get_absolute_url():
            figure.note = f"placeholder or error: status {response.status_code}"
            return figure
        durations.append(duration)
    # The first request warms caches and connections, so it is left out.
    figure.median_ms = _median_ms(durations[1:])
    _capture(client, f"{reverse('units:scan')}?q={units[0].serial}", figure)
    return figure


def measure_list(client: Client, catalog: Catalog) -> Figure:
    """Time the first page of GET /units/?status=in_stock&location=<bin>."""
    figure = Figure("unit list, status and location filter")
    url = f"{reverse('units:unit-list')}?status={Status.IN_STOCK}&location={catalog.bins[0].pk}"
    durations = []
    for _ in range(REPEATS + 1):
        duration, response = _timed_get(client, url)
        if response.status_code != 200:
            figure.note = f"placeholder or error: status {response.status_code}"
            return figure
        durations.append(duration)
    figure.median_ms = _median_ms(durations[1:])
    _capture(client, url, figure)
    return figure


def measure_receipt(catalog: Catalog, *, runs: int = 3) -> Figure:
    """Time receipt_create with ``RECEIPT_SERIALS`` new serials, median of ``runs`` receipts."""
    figure = Figure(f"receive {RECEIPT_SERIALS:,} serials in one receipt")
    durations = []
    # Serials differ from those of earlier runs on a reused database.
    batch = Receipt.objects.count()
    for run in range(runs):
        serials = [f"RCV{batch}-{run}-{number:06d}" for number in range(RECEIPT_SERIALS)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            receipt_create(
                actor=catalog.user,
                supplier=catalog.supplier,
                product=catalog.products[0],
                location=catalog.bins[0],
                serials=serials,
                reference=f"BENCH-RECEIPT-{run}",
            )
            durations.append(time.perf_counter() - started)
        figure.queries = len(captured)
    figure.median_ms = _median_ms(durations)
    return figure


def measure_labels(client: Client, *, runs: int = 3) -> Figure:
    """Time a POST to units:labels-print for a ``LABEL_COUNT``-label PDF."""
    figure = Figure(f"{LABEL_COUNT}-label PDF")
    data = {
        "unit": [unit.pk for unit in sample_units(LABEL_COUNT)],
        "stock": "avery5160",
        "dpi": "203",
        "symbology": "serial",
        "output": "pdf",
        "skip": "0",
        "copies": "1",
    }
    durations = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(reverse("units:labels-print"), data)
            durations.append(time.perf_counter() - started)
        figure.queries = len(captured)
        if response.status_code == 501:
            figure.note = "labels: not available yet"
            return figure
        if response.status_code != 200 or response.get("Content-Type") != "application/pdf":
            figure.note = (
                f"failed: status {response.status_code}, type {response.get('Content-Type')}"
            )
            return figure
    figure.median_ms = _median_ms(durations)
    return figure


def measure_all(catalog: Catalog) -> list[Figure]:
    """Measure every figure as the catalog's manager-role user."""
    # The test Client's default host, "testserver", is not in ALLOWED_HOSTS
    # outside the test runner.
    client = Client(HTTP_HOST="localhost")
    client.force_login(catalog.user)
    return [
        measure_scan(client),
        measure_list(client, catalog),
        measure_receipt(catalog),
        measure_labels(client),
    ]
