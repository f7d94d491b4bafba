import pytest
from django.db import connection
from django.db.models import Count

from units.benchmarking.builder import UNITS_PER_RECEIPT, build_dataset
from units.benchmarking.runner import format_report, size_label
from units.models import Status, Unit
from units.serials import serial_key, serial_sort_key
from units.services import serial_scope

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark builder writes PostgreSQL SQL"
)

BUILD_SIZE = 5 * UNITS_PER_RECEIPT
HISTORY_PER_UNIT = 3


@pytest.fixture
def built(db):
    return build_dataset(units=BUILD_SIZE, history_per_unit=HISTORY_PER_UNIT)


@postgres_only
def test_builder_creates_requested_units(built):
    assert Unit.objects.count() == BUILD_SIZE
    assert len(built.receipt_ids) == -(-BUILD_SIZE // UNITS_PER_RECEIPT)


@postgres_only
def test_builder_serial_keys_match_serials_module(built):
    mismatched = [
        unit.serial
        for unit in Unit.objects.select_related("product")
        if unit.serial_key != serial_key(unit.serial)
        or unit.serial_sort != serial_sort_key(unit.serial)
        or unit.serial_scope != serial_scope(unit.product)
    ]
    assert mismatched == []


@postgres_only
@pytest.mark.parametrize(
    ("serial", "product_index"),
    [("SN-00000001", 0), ("0000000501", 1), ("BK1001", 2), ("GEN-0001501", 3), ("Ab-x002001", 4)],
)
def test_builder_serial_style_per_product(built, serial, product_index):
    unit = Unit.objects.get(serial=serial)
    assert unit.product == built.products[product_index]
    assert unit.serial_sort == serial_sort_key(serial)


@postgres_only
def test_builder_gives_every_unit_history(built):
    counts = set(
        Unit.history.values("id").annotate(n=Count("history_id")).values_list("n", flat=True)
    )
    assert counts == {HISTORY_PER_UNIT}
    assert Unit.history.filter(history_type="+").count() == BUILD_SIZE
    assert Unit.history.filter(history_user__isnull=True).count() == 0


@postgres_only
def test_builder_last_history_record_matches_unit(built):
    for unit in Unit.objects.order_by("pk")[:: BUILD_SIZE // 40]:
        latest = unit.history.order_by("-history_date", "-history_id").first()
        assert latest.status == unit.status
        assert latest.location_id == unit.location_id
        assert latest.owner_id == unit.owner_id


@postgres_only
def test_builder_sold_units_belong_to_customers(built):
    sold = Unit.objects.filter(status=Status.SOLD)
    assert sold.count() == BUILD_SIZE // 4
    assert sold.filter(owner__is_customer=True, location__isnull=True).count() == sold.count()


@postgres_only
def test_builder_rejects_zero_units(db):
    with pytest.raises(ValueError, match="at least 1 unit"):
        build_dataset(units=0)


@pytest.mark.parametrize(
    ("size", "label"), [(10_000, "10k"), (1_000_000, "1m"), (2_500, "2500"), (300, "300")]
)
def test_size_label(size, label):
    assert size_label(size) == label


def test_report_shows_growth_ratio_and_notes():
    def result(size, scan_ms, note=""):
        figures = [
            {"name": "scan", "median_ms": scan_ms, "queries": 9, "note": note},
            {"name": "labels", "median_ms": None, "queries": None, "note": "not available yet"},
        ]
        return {"size": size, "build_seconds": 1.5, "figures": figures}

    lines = format_report([result(10_000, 10.0), result(1_000_000, 12.5)]).splitlines()
    assert lines[0] == "| figure | 10k | 1m | 1m / 10k |"
    assert lines[2] == "| build units + history (s) | 1.5 | 1.5 | 1.00 |"
    assert "| scan (ms) | 10.0 | 12.5 | 1.25 |" in lines
    assert "| scan (queries) | 9 | 9 | 1.00 |" in lines
    assert "| labels (ms) | not available yet | not available yet | n/a |" in lines
