import datetime

import pytest

from recalls.models import AffectedUnit, Recall
from recalls.selectors import affected_units_with_assemblies, recall_state_counts, unit_recall_block
from recalls.services import (
    RecallClosedError,
    affected_unit_set_state,
    recall_check_new_units,
    recall_close,
    recall_place_holds,
    recall_run_matching,
)
from tests import factories
from tests.recalls.builders import install, make_recall, make_unit, product_for
from units.models import Status, Unit
from units.services import unit_change_status, unit_register

State = AffectedUnit.RemedyState


def status_of(unit: Unit) -> str:
    return Unit.objects.get(pk=unit.pk).status


def test_matching_is_idempotent(clerk):
    for serial in ["A1", "A2"]:
        make_unit(clerk, "DW-100", serial)
    recall = make_recall(clerk, [{"products": ["DW-100"]}])

    first = recall_run_matching(recall=recall, actor=clerk)
    second = recall_run_matching(recall=recall, actor=clerk)

    assert len(first) == 2
    assert second == []
    assert AffectedUnit.objects.filter(recall=recall).count() == 2


def test_matching_adds_only_new_units(clerk):
    make_unit(clerk, "DW-100", "A1", lot="L-7")
    recall = make_recall(clerk, [{"lots": "L-7"}])
    recall_run_matching(recall=recall, actor=clerk)
    # The lot is recorded after arrival, so only a new matching run finds it.
    make_unit(clerk, "DW-100", "A2", lot="L-7")

    added = recall_run_matching(recall=recall, actor=clerk)

    assert [entry.unit.serial for entry in added] == ["A2"]


def test_matching_records_history_with_actor(clerk):
    make_unit(clerk, "DW-100", "A1")
    recall = make_recall(clerk, [{"products": ["DW-100"]}], reference="CPSC-1")

    (entry,) = recall_run_matching(recall=recall, actor=clerk)

    record = entry.history.get()
    assert record.history_user == clerk
    assert record.history_change_reason == "Recall CPSC-1: matched"


def test_matching_finds_units_wherever_they_are(clerk):
    customer = factories.make_party(name="Customer", is_customer=True)
    in_stock = make_unit(clerk, "DW-100", "S-STOCK")
    sold = make_unit(clerk, "DW-100", "S-SOLD")
    unit_change_status(unit=sold, status=Status.SOLD, actor=clerk, reason="Sold", owner=customer)
    rented = make_unit(clerk, "DW-100", "S-RENTED")
    unit_change_status(unit=rented, status=Status.RENTED, actor=clerk, reason="Rented")
    internal = make_unit(clerk, "DW-100", "S-INTERNAL")
    unit_change_status(unit=internal, status=Status.INTERNAL_USE, actor=clerk, reason="Shop use")
    unit_register(
        actor=clerk,
        product=product_for("DW-100"),
        serial="S-OWNED",
        reason="Customer brought it in",
        status=Status.CUSTOMER_OWNED,
        owner=customer,
    )
    recall = make_recall(clerk, [{"products": ["DW-100"]}])

    recall_run_matching(recall=recall, actor=clerk)

    rows = {entry.unit.serial: entry.unit for entry in affected_units_with_assemblies(recall)}
    assert set(rows) == {"S-STOCK", "S-SOLD", "S-RENTED", "S-INTERNAL", "S-OWNED"}
    assert rows["S-SOLD"].owner == customer
    assert rows["S-OWNED"].owner == customer
    assert in_stock.pk in {unit.pk for unit in rows.values()}


def test_installed_part_lists_its_assembly(clerk):
    host = make_unit(clerk, "SIM-1957153", "HOST-1")
    belt = install(clerk, make_unit(clerk, "BELT-7", "BELT-001"), host)
    make_unit(clerk, "BELT-7", "BELT-002")
    recall = make_recall(clerk, [{"products": ["BELT-7"], "host_products": ["SIM-1957153"]}])

    recall_run_matching(recall=recall, actor=clerk)

    (entry,) = affected_units_with_assemblies(recall)
    assert entry.unit == belt
    assert entry.unit.installed_in == host
    assert entry.unit.installed_in.product.model_number == "SIM-1957153"


def test_affected_units_selector_query_count(clerk, django_assert_num_queries):
    host = make_unit(clerk, "SIM-1", "HOST-1")
    for number in range(3):
        install(clerk, make_unit(clerk, "BELT-7", f"BELT-{number}"), host)
    recall = make_recall(clerk, [{"products": ["BELT-7"]}])
    recall_run_matching(recall=recall, actor=clerk)

    with django_assert_num_queries(1):
        hosts = [
            entry.unit.installed_in.product.model_number
            for entry in affected_units_with_assemblies(recall)
        ]

    assert hosts == ["SIM-1"] * 3


def test_holds_stock_units_in_bulk(clerk):
    in_stock = make_unit(clerk, "DW-100", "H-1")
    damaged = make_unit(clerk, "DW-100", "H-2")
    unit_change_status(unit=damaged, status=Status.DAMAGED, actor=clerk, reason="Dropped")
    rented = make_unit(clerk, "DW-100", "H-3")
    unit_change_status(unit=rented, status=Status.RENTED, actor=clerk, reason="Rented")
    recall = make_recall(clerk, [{"products": ["DW-100"]}], reference="CPSC-2")
    recall_run_matching(recall=recall, actor=clerk)

    held = recall_place_holds(recall=recall, actor=clerk)

    assert sorted(held) == sorted([in_stock.pk, damaged.pk])
    assert status_of(in_stock) == Status.ON_HOLD
    assert status_of(damaged) == Status.ON_HOLD
    assert status_of(rented) == Status.RENTED
    assert recall_state_counts(recall) == {State.ON_HOLD: 2, State.IDENTIFIED: 1}


def test_hold_leaves_one_history_record_per_unit(clerk):
    units = [make_unit(clerk, "DW-100", f"H-{n}") for n in range(5)]
    recall = make_recall(clerk, [{"products": ["DW-100"]}], reference="CPSC-3")
    recall_run_matching(recall=recall, actor=clerk)

    recall_place_holds(recall=recall, actor=clerk)

    for unit in units:
        records = Unit.history.filter(id=unit.pk, status=Status.ON_HOLD)
        assert records.count() == 1
        assert records.get().history_change_reason == "Recall CPSC-3: on hold"
        assert records.get().history_user == clerk


def test_hold_rejected_on_closed_recall_writes_nothing(clerk):
    unit = make_unit(clerk, "DW-100", "H-1")
    recall = make_recall(clerk, [{"products": ["DW-100"]}], reference="CPSC-4")
    recall_run_matching(recall=recall, actor=clerk)
    recall_close(recall=recall, actor=clerk)

    with pytest.raises(RecallClosedError, match="Recall CPSC-4 is closed"):
        recall_place_holds(recall=recall, actor=clerk)

    assert status_of(unit) == Status.IN_STOCK
    assert recall_state_counts(recall) == {State.IDENTIFIED: 1}


def test_close_releases_holds(clerk):
    in_stock = make_unit(clerk, "DW-100", "H-1")
    damaged = make_unit(clerk, "DW-100", "H-2")
    unit_change_status(unit=damaged, status=Status.DAMAGED, actor=clerk, reason="Dropped")
    recall = make_recall(clerk, [{"products": ["DW-100"]}], reference="CPSC-5")
    recall_run_matching(recall=recall, actor=clerk)
    recall_place_holds(recall=recall, actor=clerk)

    released = recall_close(recall=recall, actor=clerk)

    assert sorted(released) == sorted([in_stock.pk, damaged.pk])
    assert status_of(in_stock) == Status.IN_STOCK
    assert status_of(damaged) == Status.DAMAGED
    recall.refresh_from_db()
    assert recall.status == Recall.Status.CLOSED
    assert recall.closed_on is not None
    assert recall_state_counts(recall) == {State.CLOSED: 2}
    record = Unit.history.filter(id=in_stock.pk).first()
    assert record.history_change_reason == "Recall CPSC-5: closed, hold released"


def test_close_keeps_hold_of_other_open_recall(clerk):
    unit = make_unit(clerk, "DW-100", "H-1")
    first = make_recall(clerk, [{"products": ["DW-100"]}], reference="R-1")
    second = make_recall(clerk, [{"serials": "H-1"}], reference="R-2")
    for recall in (first, second):
        recall_run_matching(recall=recall, actor=clerk)
        recall_place_holds(recall=recall, actor=clerk)

    assert recall_close(recall=first, actor=clerk) == []
    assert status_of(unit) == Status.ON_HOLD
    assert unit_recall_block(unit) == second

    assert recall_close(recall=second, actor=clerk) == [unit.pk]
    assert status_of(unit) == Status.IN_STOCK


def test_close_keeps_foreign_hold(clerk):
    unit = make_unit(clerk, "DW-100", "H-1")
    unit_change_status(unit=unit, status=Status.ON_HOLD, actor=clerk, reason="Customs check")
    recall = make_recall(clerk, [{"products": ["DW-100"]}])
    recall_run_matching(recall=recall, actor=clerk)
    recall_place_holds(recall=recall, actor=clerk)

    released = recall_close(recall=recall, actor=clerk)

    assert released == []
    assert status_of(unit) == Status.ON_HOLD


def test_close_twice_changes_nothing(clerk):
    make_unit(clerk, "DW-100", "H-1")
    recall = make_recall(clerk, [{"products": ["DW-100"]}])
    recall_close(recall=recall, actor=clerk)
    history_count = recall.history.count()

    assert recall_close(recall=recall, actor=clerk) == []
    assert recall.history.count() == history_count


def test_new_units_caught_on_arrival(clerk):
    recall = make_recall(clerk, [{"range": ("ABC00950", "ABC01200", False)}], reference="CPSC-6")
    other = make_recall(clerk, [{"products": ["OTHER"]}])
    closed = make_recall(clerk, [{"serial_prefixes": "ABC"}])
    recall_close(recall=closed, actor=clerk)
    unit_ids = [
        unit_register(
            actor=clerk, product=product_for("DW-100"), serial=serial, reason="Imported"
        ).pk
        for serial in ["ABC01000", "ABC02000"]
    ]

    # Registering checks the new units; a second check finds nothing new.
    assert recall_check_new_units(unit_ids=unit_ids, actor=clerk) == []
    (entry,) = AffectedUnit.objects.filter(unit_id__in=unit_ids)
    assert entry.recall == recall
    assert entry.unit.serial == "ABC01000"
    assert status_of(entry.unit) == Status.ON_HOLD
    assert AffectedUnit.objects.get(pk=entry.pk).remedy_state == State.ON_HOLD
    assert not AffectedUnit.objects.filter(recall__in=[other, closed]).exists()
    assert unit_recall_block(entry.unit) == recall


def test_new_units_check_is_idempotent(clerk):
    recall = make_recall(clerk, [{"products": ["DW-100"]}])
    unit = make_unit(clerk, "DW-100", "N-1")

    recall_check_new_units(unit_ids=[unit.pk], actor=clerk)
    again = recall_check_new_units(unit_ids=[unit.pk], actor=clerk)

    assert again == []
    assert AffectedUnit.objects.filter(recall=recall).count() == 1


def test_new_units_check_with_no_units_does_nothing(clerk, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert recall_check_new_units(unit_ids=[], actor=clerk) == []


def test_unit_recall_block_ends_when_remedied(clerk):
    unit = make_unit(clerk, "DW-100", "B-1")
    recall = make_recall(clerk, [{"products": ["DW-100"]}])
    assert unit_recall_block(unit) is None
    (entry,) = recall_run_matching(recall=recall, actor=clerk)
    assert unit_recall_block(unit) == recall

    affected_unit_set_state(entry=entry, remedy_state=State.REPAIRED, actor=clerk, reason="Fixed")

    assert unit_recall_block(unit) is None


def test_replacement_caught_by_expanded_recall(clerk):
    original = make_unit(clerk, "SM-N930W", "PHONE-1")
    first = make_recall(clerk, [{"serials": "PHONE-1"}], reference="NOTE7-1")
    (entry,) = recall_run_matching(recall=first, actor=clerk)
    affected_unit_set_state(entry=entry, remedy_state=State.REPLACED, actor=clerk, reason="Swap")
    replacement = make_unit(clerk, "SM-N930W", "PHONE-2")
    second = make_recall(clerk, [{"products": ["SM-N930W"]}], reference="NOTE7-2")

    recall_run_matching(recall=second, actor=clerk)

    assert set(AffectedUnit.objects.filter(recall=second).values_list("unit", flat=True)) == {
        original.pk,
        replacement.pk,
    }
    assert unit_recall_block(original) == second


# --- describe() -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (
            {"range": ("ABC00950", "ABC01200", False)},
            "Serials ABC00950 to ABC01200 (prefix ABC, numbers compared as numbers)",
        ),
        (
            {"range": ("0701009633", "0804272329", True)},
            "Serials 0701009633 to 0804272329 (no prefix, numbers compared as numbers, "
            "exactly 10 digits)",
        ),
        (
            {"products": ["GPG1"], "serial_prefixes": "0712\n0801\n0802"},
            "Product GPG1 and serial starting with 0712, 0801 or 0802",
        ),
        (
            {"model_patterns": "FSG*\nPGX*"},
            "Model number matching FSG* or PGX*",
        ),
        (
            {"serials": "700000 700001  400012"},
            "Serial on the list of 3",
        ),
        (
            {"serials": "M1"},
            "The one listed serial",
        ),
        (
            {
                "serial_length": 8,
                "code_position": 1,
                "code_format": "YWW",
                "code_first": 199713,
                "code_last": 199752,
            },
            "Serial 8 characters long and serial characters 1-3 read as YWW "
            "from week 13 of 1997 to week 52 of 1997",
        ),
        (
            {"code_position": 2, "code_format": "LYY", "code_first": 199104, "code_last": 199107},
            "Serial characters 2-4 read as LYY from April 1991 to July 1991",
        ),
        (
            {
                "code_source": "lot",
                "code_position": 1,
                "code_format": "WWYY",
                "code_first": 200601,
                "code_last": 200818,
            },
            "Lot characters 1-4 read as WWYY from week 1 of 2006 to week 18 of 2008",
        ),
        (
            {
                "products": ["CRIB-1"],
                "manufactured_from": datetime.date(1993, 1, 1),
                "manufactured_until": datetime.date(2009, 10, 31),
            },
            "Product CRIB-1 and manufactured 1993-01-01 to 2009-10-31",
        ),
        (
            {"received_from": datetime.date(2026, 1, 1), "lots": "L-1\nL-2"},
            "Received on or after 2026-01-01 and lot L-1 or L-2",
        ),
        (
            {"products": ["BELT-7"], "host_products": ["SIM-1", "SIM-2"]},
            "Product BELT-7 and fitted in an assembly of product SIM-1 or SIM-2",
        ),
    ],
)
def test_describe_text(clerk, spec, text):
    recall = make_recall(clerk, [spec])

    assert recall.criteria.get().describe() == text


def test_describe_supplier_and_receipt(clerk):
    acme = factories.make_supplier(name="Acme Supply")
    receipt = factories.receive(clerk, ["X1"], supplier=acme)
    recall = make_recall(clerk, [{"supplier": acme, "receipt": receipt}])

    assert recall.criteria.get().describe() == (
        f"Supplied by Acme Supply and received on receipt {receipt.number}"
    )
