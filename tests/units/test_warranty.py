import datetime
from types import SimpleNamespace

import pytest

from units.warranty import warranty_end, warranty_status


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime.date(2024, 2, 29), 12, datetime.date(2025, 2, 28)),
        (datetime.date(2024, 2, 29), 48, datetime.date(2028, 2, 29)),
        (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 3, 15), 12, datetime.date(2026, 3, 15)),
        (datetime.date(2025, 12, 31), 6, datetime.date(2026, 6, 30)),
    ],
)
def test_warranty_end_uses_calendar_months(start, months, end):
    assert warranty_end(start, months) == end


def test_zero_months_means_no_warranty():
    assert warranty_end(datetime.date(2025, 1, 1), 0) is None


def _unit(**dates):
    fields = {
        "warranty_starts_on": None,
        "warranty_parts_until": None,
        "warranty_labour_until": None,
        "extended_warranty_until": None,
    }
    fields.update(dates)
    return SimpleNamespace(**fields)


def test_last_day_is_covered_and_the_next_is_not():
    unit = _unit(
        warranty_starts_on=datetime.date(2024, 2, 29),
        warranty_parts_until=datetime.date(2025, 2, 28),
        warranty_labour_until=datetime.date(2025, 2, 28),
    )
    assert warranty_status(unit, datetime.date(2025, 2, 28)).covered
    after = warranty_status(unit, datetime.date(2025, 3, 1))
    assert not after.covered
    assert after.label == "Warranty expired on 2025-02-28"


def test_parts_only_cover_is_labelled():
    unit = _unit(
        warranty_starts_on=datetime.date(2024, 1, 1),
        warranty_parts_until=datetime.date(2026, 1, 1),
        warranty_labour_until=datetime.date(2025, 1, 1),
    )
    status = warranty_status(unit, datetime.date(2025, 6, 1))
    assert (status.parts, status.labour) == (True, False)
    assert status.label == "Parts under warranty until 2026-01-01; labour expired"


def test_extended_warranty_after_standard_cover():
    unit = _unit(
        warranty_starts_on=datetime.date(2024, 1, 1),
        warranty_parts_until=datetime.date(2025, 1, 1),
        warranty_labour_until=datetime.date(2025, 1, 1),
        extended_warranty_until=datetime.date(2027, 1, 1),
    )
    status = warranty_status(unit, datetime.date(2026, 1, 1))
    assert status.covered
    assert status.label == "Extended warranty until 2027-01-01"


def test_unit_never_sold_has_no_warranty():
    assert warranty_status(_unit(), datetime.date(2025, 1, 1)).label == "No warranty"
