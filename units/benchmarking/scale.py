"""Figures that show how search, lists, history and bulk paths grow with the unit table.

Called by ``manage.py benchmark`` after the scan, list, receiving and label
figures of ``units.benchmarking.measure``. Each figure records the 1-minute
load average when it started, because the benchmark machine is shared and a
busy machine slows every figure.
"""

import datetime
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from units.benchmarking.builder import Catalog, _column_sql
from units.benchmarking.measure import REPEATS, Figure, _capture, _median_ms, sample_units
from units.history_selectors import unit_status_counts_as_of, units_as_of
from units.importing.services import ImportOptions, import_units
from units.models import Unit
from units.selectors import unit_list, unit_search

#: History records of the one unit whose page is timed with a long history.
LONG_HISTORY = 1000
#: Runs of the figures that take seconds each. The median is reported.
SLOW_REPEATS = 3
IMPORT_ROWS = 10_000
#: Page of the location list that is timed besides page 1 (offset 9,950 at 50 per page).
DEEP_PAGE = 200
AS_OF_DAY = datetime.date(2024, 6, 1)

#: Scan-box texts that match no serial exactly but start at least 50 serials of
#: each serial style of the builder, so the page runs only the prefix query.
PREFIXES = ["SN-0000", "GEN-000", "0000000", "Ab-x00", "BK1"]
#: Texts inside serials but at the start of none, so the page runs the prefix
#: query (no rows) and then the substring query.
SUBSTRINGS = ["N-0000", "x0012", "0123", "4567", "EN-00001"]


@dataclass
class ScaleFigure(Figure):
    """A figure with the 1-minute load average when it started and the rows it returned."""

    load: float | None = None
    rows: int | None = None


def load_now() -> float:
    return round(os.getloadavg()[0], 2)


def _timed_pages(client: Client, figure: ScaleFigure, urls: list[str], expect: int) -> ScaleFigure:
    """Time GETs of ``urls`` (the first as a warm-up) and capture the queries of the first."""
    figure.load = load_now()
    durations = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        durations.append(time.perf_counter() - started)
        if response.status_code != expect:
            figure.note = f"failed: status {response.status_code} for {url}"
            return figure
    figure.median_ms = _median_ms(durations[1:])
    _capture(client, urls[0], figure)
    return figure


def _repeat(urls: list[str], count: int) -> list[str]:
    return [urls[index % len(urls)] for index in range(count)]


def measure_search(client: Client) -> list[ScaleFigure]:
    """Time the scan page's prefix search and its substring fallback."""
    scan = reverse("units:scan")
    prefix = ScaleFigure("scan page, prefix search")
    _timed_pages(client, prefix, _repeat([f"{scan}?q={q}" for q in PREFIXES], REPEATS + 1), 200)
    prefix.rows = len(unit_search(PREFIXES[0]))
    inner = ScaleFigure("scan page, substring search")
    _timed_pages(client, inner, _repeat([f"{scan}?q={q}" for q in SUBSTRINGS], REPEATS + 1), 200)
    inner.rows = len(unit_search(SUBSTRINGS[0]))
    return [prefix, inner]


def _location_url(catalog: Catalog, page: int) -> str:
    return f"{reverse('units:unit-list')}?location={catalog.bins[1].pk}&page={page}"


def measure_location_pages(client: Client, catalog: Catalog) -> list[ScaleFigure]:
    """Time page 1 and page ``DEEP_PAGE`` of the unit list filtered by one bin."""
    figures = []
    for page in (1, DEEP_PAGE):
        figure = ScaleFigure(f"unit list by location, page {page}")
        _timed_pages(client, figure, [_location_url(catalog, page)] * (REPEATS + 1), 200)
        queryset = unit_list(filters={"location": catalog.bins[1]})
        start = (page - 1) * 50
        figure.rows = len(queryset[start : start + 50])
        figures.append(figure)
    return figures


# --- A unit with a long history --------------------------------------------------

# Copies of the unit's newest history record, each an hour earlier than the last.
_LONG_HISTORY_EXPRESSIONS = {
    "history_type": "'~'",
    "history_date": "h.history_date - k * interval '1 hour'",
    "history_user_id": "h.history_user_id",
    "history_change_reason": "'Stock count checked'",
}


def add_history(unit: Unit, total: int) -> int:
    """Insert history records for ``unit`` until it has ``total``; return how many were added.

    The records copy the unit's newest record, dated an hour apart before it.
    PostgreSQL only, like the builder.
    """
    history = Unit.history.model
    missing = total - history.objects.filter(id=unit.pk).count()
    if missing <= 0:
        return 0
    columns, expressions, params = _column_sql(history, _LONG_HISTORY_EXPRESSIONS, "h")
    table = history._meta.db_table
    # Table and column names come from the model; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM generate_series(1, %(missing)s) AS k "
        f"CROSS JOIN LATERAL (SELECT * FROM {table} WHERE id = %(unit)s "
        "ORDER BY history_date DESC, history_id DESC LIMIT 1) AS h"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "missing": missing, "unit": unit.pk})
    return missing


def measure_long_history(client: Client) -> list[ScaleFigure]:
    """Time the page of a unit with ``LONG_HISTORY`` records: newest 100, then all."""
    unit = sample_units(3)[1]
    add_history(unit, LONG_HISTORY)
    url = reverse("units:unit-detail", args=[unit.pk])
    newest = ScaleFigure(f"unit page, {LONG_HISTORY:,} history records, newest 100 shown")
    _timed_pages(client, newest, [url] * (REPEATS + 1), 200)
    every = ScaleFigure(f"unit page, {LONG_HISTORY:,} history records, all shown")
    _timed_pages(client, every, [f"{url}?all=1"] * (SLOW_REPEATS + 1), 200)
    return [newest, every]


# --- Set-based and bulk figures -----------------------------------------------------


def _timed_calls(figure: ScaleFigure, call: Callable[[int], int], runs: int) -> ScaleFigure:
    """Time ``call(run)`` ``runs`` times; it returns the rows it produced."""
    figure.load = load_now()
    durations = []
    for run in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            figure.rows = call(run)
            durations.append(time.perf_counter() - started)
        figure.queries = len(captured)
    figure.median_ms = round(statistics.median(durations) * 1000, 2)
    return figure


def measure_as_of() -> ScaleFigure:
    figure = ScaleFigure(f"units per status as of {AS_OF_DAY} (history query)")
    return _timed_calls(
        figure, lambda _run: sum(unit_status_counts_as_of(AS_OF_DAY).values()), SLOW_REPEATS
    )


def measure_export(client: Client, catalog: Catalog) -> ScaleFigure:
    """Time the CSV export of one product's units (a tenth of all units), read to the end."""
    url = f"{reverse('units:unit-export')}?product={catalog.products[0].pk}"

    def export(_run: int) -> int:
        response = client.get(url)
        lines = b"".join(response.streaming_content).count(b"\n")
        return lines - 1

    return _timed_calls(ScaleFigure("CSV export of one product's units"), export, SLOW_REPEATS)


def import_csv(catalog: Catalog, rows: int, batch: str) -> bytes:
    """Return a generic-format CSV of ``rows`` new units of the catalog's first product."""
    product = catalog.products[0]
    lines = ["serial,model_number,product_name,manufacturer,category,status,received_on"]
    lines += [
        f"IMP{batch}-{number:06d},{product.model_number},{product.name},"
        f"{product.manufacturer.name},Bench equipment,,2024-01-02"
        for number in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def measure_import(catalog: Catalog, *, runs: int = 2) -> ScaleFigure:
    # Serials differ from those of earlier runs on a reused database.
    batch = Unit.objects.filter(serial__startswith="IMP").count()
    options = ImportOptions(location_code=catalog.bins[2].code, supplier_name=catalog.supplier.name)

    def run_import(run: int) -> int:
        report = import_units(
            actor=catalog.user,
            data=import_csv(catalog, IMPORT_ROWS, f"{batch}x{run}"),
            filename="bench.csv",
            options=options,
            dry_run=False,
        )
        if report.errors:
            raise RuntimeError(f"The benchmark import was rejected: {report.errors[:3]}")
        return report.units_created

    return _timed_calls(ScaleFigure(f"import {IMPORT_ROWS:,} CSV rows"), run_import, runs)


def measure_table_sizes() -> list[ScaleFigure]:
    """Return bytes per row of the unit and history tables, indexes and TOAST included."""
    figures = []
    for model in (Unit, Unit.history.model):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pg_total_relation_size(%s), (SELECT count(*) FROM {table})",  # noqa: S608
                [table],
            )
            size, count = cursor.fetchone()
        figure = ScaleFigure(f"{table}: bytes per row (table + indexes)", load=load_now())
        figure.rows = count
        figure.note = f"{size / max(count, 1):,.0f} B"
        figures.append(figure)
    return figures


# --- Plans ---------------------------------------------------------------------------


def explain_plans(catalog: Catalog) -> dict[str, str]:
    """Return EXPLAIN (ANALYZE, BUFFERS) of the search, list and history queries."""
    location = {"location": catalog.bins[1]}
    deep = (DEEP_PAGE - 1) * 50
    prefix = PREFIXES[0].lower()
    inner = SUBSTRINGS[2].lower()
    querysets = {
        "prefix search": Unit.objects.filter(serial_key__startswith=prefix).order_by("serial_key")[
            :50
        ],
        "substring search": Unit.objects.filter(serial_key__contains=inner).order_by("serial_key")[
            :50
        ],
        "unit list by location, page 1": unit_list(filters=location)[:51],
        f"unit list by location, page {DEEP_PAGE}": unit_list(filters=location)[deep : deep + 51],
        "units per status as of a date": units_as_of(AS_OF_DAY)
        .values("status")
        .annotate(units=Count("history_id")),
    }
    return {
        name: queryset.explain(analyze=True, buffers=True) for name, queryset in querysets.items()
    }


def measure_all(client: Client, catalog: Catalog) -> list[ScaleFigure]:
    """Measure every scale figure; the import runs last because it adds units."""
    return [
        *measure_search(client),
        *measure_location_pages(client, catalog),
        *measure_long_history(client),
        measure_as_of(),
        measure_export(client, catalog),
        measure_import(catalog),
        *measure_table_sizes(),
    ]
