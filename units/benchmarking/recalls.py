"""Timings of recall matching and holds on a database built by ``units.benchmarking.builder``.

The recalls go through ``recalls.services``, so the figures include the
history records that every matched and held unit gets.
"""

import datetime
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from recalls.models import Recall
from recalls.selectors import recall_match
from recalls.services import (
    recall_add_criterion,
    recall_create,
    recall_place_holds,
    recall_run_matching,
)
from units.benchmarking.builder import Catalog
from units.benchmarking.measure import Figure, _median_ms
from units.models import Status, Unit

#: Runs of the matching query; the median is reported.
MATCH_REPEATS = 7
#: Units that the hold figure puts on hold in one call.
HOLD_COUNT = 50_000

#: The range criterion: serials SN-00100000 to SN-00200000 printed with 8 digits,
#: which the builder gives every fifth product.
RANGE = {
    "range_prefix": "SN-",
    "range_first": 100_000,
    "range_last": 200_000,
    "range_width": 8,
    "range_exact_width": True,
}
#: The date-code criterion: characters 5-8 of the serial read as YYMM, in 2000.
DATE_CODE = {
    "code_source": "serial",
    "code_position": 5,
    "code_format": "YYMM",
    "code_first": 200001,
    "code_last": 200912,
}


def _recall(catalog: Catalog, purpose: str) -> Recall:
    # Earlier runs on a reused database left their recalls, so each gets a new reference.
    return recall_create(
        actor=catalog.user,
        reference=f"BENCH-{purpose}-{Recall.objects.count() + 1}",
        issued_on=datetime.date(2026, 11, 1),
        description=f"Benchmark recall: {purpose}",
        remedy=Recall.Remedy.REPAIR,
        issuer_name="Benchmark",
    )


def measure_match(catalog: Catalog) -> Figure:
    """Time counting the units of a recall with a range criterion and a date-code criterion.

    The date code is limited to one product, as a notice names the product
    whose serials carry the code.
    """
    recall = _recall(catalog, "match")
    recall_add_criterion(actor=catalog.user, recall=recall, **RANGE)
    recall_add_criterion(
        actor=catalog.user, recall=recall, products=[catalog.products[1]], **DATE_CODE
    )
    matched = recall_match(recall)
    durations = []
    for _ in range(MATCH_REPEATS):
        started = time.perf_counter()
        count = matched.count()
        durations.append(time.perf_counter() - started)
    figure = Figure(f"recall match, range and date code ({count:,} units)")
    figure.median_ms = _median_ms(durations)
    figure.queries = 1
    return figure


def _hold_recall(catalog: Catalog) -> Recall | None:
    """Return a recall listing ``HOLD_COUNT`` in-stock serials, or None when none is in stock."""
    serials = list(
        Unit.objects.filter(status=Status.IN_STOCK)
        .order_by("pk")
        .values_list("serial", flat=True)[:HOLD_COUNT]
    )
    if not serials:
        return None
    recall = _recall(catalog, "hold")
    recall_add_criterion(actor=catalog.user, recall=recall, serials=serials)
    return recall


def _timed(name: str, call) -> Figure:
    figure = Figure(name)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = call()
        figure.median_ms = round((time.perf_counter() - started) * 1000, 2)
    figure.queries = len(captured)
    figure.note = f"{len(result):,} units"
    return figure


def measure_holds(catalog: Catalog) -> list[Figure]:
    """Time recording and then holding ``HOLD_COUNT`` units, each with its history records."""
    recall = _hold_recall(catalog)
    if recall is None:
        return [Figure("recall: hold units with history", note="no unit in stock")]
    record = _timed(
        f"recall: record {HOLD_COUNT:,} listed units",
        lambda: recall_run_matching(recall=recall, actor=catalog.user),
    )
    hold = _timed(
        f"recall: hold {HOLD_COUNT:,} units with history",
        lambda: recall_place_holds(recall=recall, actor=catalog.user),
    )
    return [record, hold]


def measure_all(catalog: Catalog) -> list[Figure]:
    """Measure the recall figures; one run each, because holds change the data."""
    return [measure_match(catalog), *measure_holds(catalog)]
