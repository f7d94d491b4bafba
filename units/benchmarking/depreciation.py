"""Depreciation figures of the benchmark: monthly runs over 100,000 books and a year's report.

Books are inserted set-based (``INSERT ... SELECT`` over the benchmark's units), like
the units themselves, bypassing ``depreciation.books.book_create``: no asset period
is opened and no unit changes purpose. Synthetic data only. PostgreSQL only.
"""

import logging
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from depreciation import books
from depreciation.models import DepreciationBook, DepreciationRun
from units.benchmarking.builder import Catalog
from units.benchmarking.measure import Figure

#: Books built: one per unit, up to this many.
BOOKS = 100_000
#: Months posted, all of 2025; every book is in service by December 2024.
YEAR = 2025
#: Every tenth book uses double declining balance with a switch to straight line, which
#: goes through the engine; the others take the straight-line shortcut.
DECLINING_EVERY = 10

_BOOKS_SQL = """
INSERT INTO depreciation_depreciationbook (
    unit_id, name, method, in_service, cost, salvage, life_months, convention, factor,
    switch_to_sl, macrs_convention, status, disposal_kind, created_by_id, created_at
)
SELECT
    u.id,
    'company',
    CASE WHEN u.id %% %(every)s = 0 THEN 'declining_balance' ELSE 'straight_line' END,
    DATE '2022-01-01' + (u.id %% 1095)::int,
    100.00 + (u.id %% 500) * 99.99,
    (u.id %% 5) * 10.00,
    (ARRAY[36, 60, 84])[1 + u.id %% 3],
    'full_month', 2, u.id %% %(every)s = 0, 'half_year', 'active', '', %(user)s, now()
FROM (SELECT id FROM units_unit ORDER BY id LIMIT %(count)s) AS u
"""


def build_books(catalog: Catalog, count: int) -> int:
    """Insert one book per unit for the first ``count`` units; returns the books built."""
    with connection.cursor() as cursor:
        cursor.execute(
            _BOOKS_SQL, {"every": DECLINING_EVERY, "user": catalog.user.pk, "count": count}
        )
        cursor.execute("ANALYZE depreciation_depreciationbook")
    return DepreciationBook.objects.count()


def _post_month(catalog: Catalog, month: int) -> tuple[float, int]:
    run, _ = DepreciationRun.objects.get_or_create(
        year=YEAR, month=month, defaults={"started_by": catalog.user}
    )
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        books.run_post(run=run)
        seconds = time.perf_counter() - started
    return seconds, len(captured)


def measure_runs(catalog: Catalog, book_count: int) -> list[Figure]:
    """Post the 12 months of YEAR, then January again (which finds nothing to add)."""
    first = Figure(f"depreciation run, first month, {book_count:,} books")
    rest = Figure(f"depreciation run, median of months 2-12, {book_count:,} books")
    again = Figure("depreciation run, same month again (nothing to add)")
    durations = []
    for month in range(1, 13):
        seconds, queries = _post_month(catalog, month)
        if month == 1:
            first.median_ms, first.queries = round(seconds * 1000, 2), queries
        else:
            durations.append(seconds)
            rest.queries = queries
    rest.median_ms = round(statistics.median(durations) * 1000, 2)
    seconds, again.queries = _post_month(catalog, 1)
    again.median_ms = round(seconds * 1000, 2)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE depreciation_depreciationentry")
    return [first, rest, again]


def _timed_page(client: Client, name: str, url: str, runs: int = 5) -> Figure:
    figure = Figure(name)
    durations = []
    for _ in range(runs + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            durations.append(time.perf_counter() - started)
        if response.status_code != 200:
            figure.note = f"failed: status {response.status_code}"
            return figure
        figure.queries = len(captured)
    figure.median_ms = round(statistics.median(durations[1:]) * 1000, 2)
    return figure


def measure_reports(catalog: Catalog) -> list[Figure]:
    client = Client(HTTP_HOST="localhost")
    client.force_login(catalog.user)
    report = reverse("assets:report-depreciation")
    return [
        _timed_page(
            client,
            f"depreciation report {YEAR} by category",
            f"{report}?start={YEAR}-01&end={YEAR}-12&group_by=category",
        ),
        _timed_page(
            client,
            f"depreciation report {YEAR} by asset (first 500 rows)",
            f"{report}?start={YEAR}-01&end={YEAR}-12&group_by=asset",
        ),
        _timed_page(
            client,
            "asset register on 31 December (first 500 rows)",
            f"{reverse('assets:report-register')}?as_of={YEAR}-12-31&sort=serial",
        ),
    ]


def measure_all(catalog: Catalog, units: int) -> list[Figure]:
    """Build the books (unless kept from an earlier run) and measure runs and reports."""
    logging.getLogger("depreciation.books").setLevel(logging.WARNING)
    count = min(units, BOOKS)
    build = Figure(f"build {count:,} books set-based")
    started = time.perf_counter()
    if not DepreciationBook.objects.exists():
        build_books(catalog, count)
        build.median_ms = round((time.perf_counter() - started) * 1000, 2)
    else:
        build.note = "reused"
    count = DepreciationBook.objects.count()
    return [build, *measure_runs(catalog, count), *measure_reports(catalog)]
