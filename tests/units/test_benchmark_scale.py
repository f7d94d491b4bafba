"""The scale benchmark's pieces on tiny data: history as of a date, long histories, CSV export."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories
from units.benchmarking import scale
from units.benchmarking.builder import build_dataset
from units.benchmarking.runner import format_report
from units.history_selectors import unit_status_counts_as_of, units_as_of
from units.importing.services import ImportOptions, import_units
from units.models import Status, Unit
from units.services import unit_change_status

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark builder writes PostgreSQL SQL"
)


def _date_history(unit: Unit, *days: datetime.date) -> None:
    """Date the unit's history records, oldest first, at noon on ``days``."""
    records = list(unit.history.order_by("history_date", "history_id"))
    assert len(records) == len(days)
    for record, day in zip(records, days, strict=True):
        moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        Unit.history.model.objects.filter(pk=record.pk).update(history_date=moment)


@pytest.fixture
def two_units(clerk):
    """Unit A was received on 1 March and damaged on 10 March. Unit B was received on 5 March."""
    first = factories.receive(clerk, ["AS-OF-A"]).units.get()
    second = factories.receive(clerk, ["AS-OF-B"]).units.get()
    unit_change_status(unit=first, status=Status.DAMAGED, actor=clerk, reason="Dropped")
    _date_history(first, datetime.date(2026, 3, 1), datetime.date(2026, 3, 10))
    _date_history(second, datetime.date(2026, 3, 5))
    return first, second


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 3, 1), {}),
        (datetime.date(2026, 3, 2), {"AS-OF-A": Status.IN_STOCK}),
        (datetime.date(2026, 3, 6), {"AS-OF-A": Status.IN_STOCK, "AS-OF-B": Status.IN_STOCK}),
        (datetime.date(2026, 3, 11), {"AS-OF-A": Status.DAMAGED, "AS-OF-B": Status.IN_STOCK}),
    ],
    ids=["before-any", "first-only", "both-in-stock", "after-damage"],
)
def test_units_as_of_returns_latest_record(two_units, day, expected):
    found = {record.serial: record.status for record in units_as_of(day)}

    assert found == expected


def test_units_as_of_skips_deleted_units(two_units):
    first, _second = two_units
    unit_id = first.pk
    first.delete()
    Unit.history.model.objects.filter(id=unit_id, history_type="-").update(
        history_date=datetime.datetime(2026, 3, 12, 12, tzinfo=datetime.UTC)
    )

    serials = {record.serial for record in units_as_of(datetime.date(2026, 3, 13))}

    assert serials == {"AS-OF-B"}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 3, 1), {}),
        (datetime.date(2026, 3, 6), {Status.IN_STOCK: 2}),
        (datetime.date(2026, 3, 11), {Status.DAMAGED: 1, Status.IN_STOCK: 1}),
    ],
    ids=["before-any", "both-in-stock", "after-damage"],
)
def test_status_counts_as_of(two_units, day, expected):
    assert unit_status_counts_as_of(day) == expected


def test_status_counts_skip_deleted_units(two_units):
    first, _second = two_units
    unit_id = first.pk
    first.delete()
    Unit.history.model.objects.filter(id=unit_id, history_type="-").update(
        history_date=datetime.datetime(2026, 3, 12, 12, tzinfo=datetime.UTC)
    )

    assert unit_status_counts_as_of(datetime.date(2026, 3, 13)) == {Status.IN_STOCK: 1}


@postgres_only
def test_add_history_fills_to_total(clerk):
    unit = factories.receive(clerk, ["LONG-1"]).units.get()
    newest = unit.history.order_by("-history_date").first()

    added = scale.add_history(unit, 25)

    assert added == 24
    assert unit.history.count() == 25
    assert unit.history.order_by("-history_date", "-history_id").first().pk == newest.pk
    assert unit.history.filter(history_date__gt=newest.history_date).count() == 0
    assert set(unit.history.values_list("history_user", flat=True)) == {clerk.pk}


@postgres_only
def test_add_history_adds_nothing_at_total(clerk):
    unit = factories.receive(clerk, ["LONG-2"]).units.get()
    scale.add_history(unit, 3)

    assert scale.add_history(unit, 3) == 0
    assert unit.history.count() == 3


@postgres_only
def test_import_csv_is_accepted(db):
    catalog = build_dataset(units=10, history_per_unit=1)
    options = ImportOptions(location_code=catalog.bins[2].code, supplier_name=catalog.supplier.name)

    report = import_units(
        actor=catalog.user,
        data=scale.import_csv(catalog, 20, "t"),
        filename="bench.csv",
        options=options,
        dry_run=False,
    )

    assert report.errors == []
    assert report.units_created == 20
    assert Unit.objects.filter(serial__startswith="IMPt-").count() == 20


def _export_rows(client, **params) -> list[list[str]]:
    response = client.get(reverse("units:unit-export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_unit_export_follows_filters(client, clerk):
    factories.receive(clerk, ["EXP-2", "EXP-10"])
    damaged = factories.receive(clerk, ["=EXP-3"]).units.get()
    unit_change_status(unit=damaged, status=Status.DAMAGED, actor=clerk, reason="Dropped")
    client.force_login(clerk)

    rows = _export_rows(client, status=Status.IN_STOCK)

    assert rows[0][0] == "serial"
    assert [row[0] for row in rows[1:]] == ["EXP-2", "EXP-10"]


def test_unit_export_quotes_formula_serials(client, clerk):
    factories.receive(clerk, ["=EXP-3"])
    client.force_login(clerk)

    rows = _export_rows(client)

    assert [row[0] for row in rows[1:]] == ["'=EXP-3"]


def test_unit_export_invalid_filter_exports_nothing(client, clerk):
    factories.receive(clerk, ["EXP-4"])
    client.force_login(clerk)

    rows = _export_rows(client, status="no-such-status")

    assert len(rows) == 1


def test_unit_export_needs_view_permission(client):
    client.force_login(factories.make_user())

    response = client.get(reverse("units:unit-export"))

    assert response.status_code == 403


def test_report_shows_load_and_rows():
    figure = {
        "name": "scan page, prefix search",
        "median_ms": 12.5,
        "queries": 6,
        "note": "",
        "load": 2.3,
        "rows": 50,
    }
    result = {"size": 10_000, "build_seconds": 1.0, "figures": [figure]}

    report = format_report([result])

    assert "| scan page, prefix search (ms) | 12.5 (load 2.3; 50 rows) |" in report
    assert "| scan page, prefix search (queries) | 6 |" in report


def test_units_as_of_excludes_that_day(two_units):
    # The damage at noon on 10 March is after the start of 10 March, so it is not seen yet.
    found = {record.serial: record.status for record in units_as_of(datetime.date(2026, 3, 10))}

    assert found["AS-OF-A"] == Status.IN_STOCK
