import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from units import services
from units.models import Receipt, Status, Unit


def test_receipt_creates_units_with_history(clerk, product, supplier, location):
    receipt = factories.receive(
        clerk,
        ["SN-1", "SN-2\r\n", "  00042 "],
        product=product,
        supplier=supplier,
        location=location,
    )
    units = list(receipt.units.order_by("serial_sort"))
    assert [u.serial for u in units] == ["00042", "SN-1", "SN-2"]
    assert all(u.status == Status.IN_STOCK for u in units)
    record = units[0].history.get()
    assert record.history_user == clerk
    assert "Acme Supply" in record.history_change_reason
    assert receipt.number in record.history_change_reason


def test_receipt_rejects_duplicate_in_batch_and_stores_nothing(clerk, product, supplier, location):
    with pytest.raises(ValidationError) as info:
        factories.receive(
            clerk, ["SN-1", "SN-2", "sn-1"], product=product, supplier=supplier, location=location
        )
    assert "Line 3: serial sn-1 is already on line 1." in info.value.messages
    assert Unit.objects.count() == 0
    assert Receipt.objects.count() == 0


def test_receipt_rejects_existing_serials_naming_each(clerk, product, supplier, location):
    factories.receive(
        clerk, ["SN-1", "SN-2"], product=product, supplier=supplier, location=location
    )
    with pytest.raises(ValidationError) as info:
        factories.receive(
            clerk, ["SN-3", "sn-1", "SN-2"], product=product, supplier=supplier, location=location
        )
    assert info.value.messages == [
        "Serial sn-1 already exists for product DW-100.",
        "Serial SN-2 already exists for product DW-100.",
    ]
    assert Unit.objects.count() == 2
    assert Unit.history.count() == 2


def test_same_serial_allowed_on_another_product(clerk, product):
    factories.receive(clerk, ["SN-1"], product=product)
    factories.receive(clerk, ["SN-1"])
    assert Unit.objects.filter(serial_key="sn-1").count() == 2


def test_serial_range_keeps_zero_padding():
    assert services.serial_range(prefix="ABC", first=998, count=3, width=5) == [
        "ABC00998",
        "ABC00999",
        "ABC01000",
    ]


def test_serial_range_rejects_overflowing_width():
    with pytest.raises(ValidationError) as info:
        services.serial_range(prefix="A", first=98, count=5, width=2)
    assert info.value.code == "range_width"


def test_pasted_list_never_reads_hyphen_as_range():
    assert services.parse_serial_list("1-5\r\nAB 12\n\n  \nX-9\t Y-10") == [
        "1-5",
        "AB 12",
        "X-9",
        " Y-10",
    ]


def test_status_change_refuses_illegal_transition(clerk, product):
    unit = factories.receive(clerk, ["SN-1"], product=product).units.get()
    services.unit_change_status(unit=unit, status=Status.SOLD, actor=clerk, reason="Sold")
    with pytest.raises(services.TransitionNotAllowedError) as info:
        services.unit_change_status(unit=unit, status=Status.RENTED, actor=clerk, reason="Rent")
    assert str(info.value) == "Unit SN-1 cannot move from Sold to Rented out."
    unit.refresh_from_db()
    assert unit.status == Status.SOLD
    assert unit.history.count() == 2


def test_mark_damaged_leaves_sellable_stock_with_reason(clerk, product):
    unit = factories.receive(clerk, ["SN-1"], product=product).units.get()
    unit = services.unit_mark_damaged(unit=unit, actor=clerk, reason="Dented in transit")
    assert unit.status == Status.DAMAGED
    assert not unit.is_sellable
    latest = unit.history.first()
    assert latest.history_change_reason == "Dented in transit"
    assert latest.history_user == clerk


def test_change_product_keeps_serial_and_records_reason(clerk, product):
    unit = factories.receive(clerk, ["SN-1"], product=product).units.get()
    right = factories.make_product(model_number="DW-200")
    unit = services.unit_change_product(unit=unit, product=right, actor=clerk, reason="Wrong box")
    assert unit.product == right
    assert unit.serial_scope == f"p{right.pk}"
    assert unit.history.first().history_change_reason == "Product corrected from DW-100: Wrong box"


def test_change_product_refuses_clash(clerk, product):
    right = factories.make_product(model_number="DW-200")
    factories.receive(clerk, ["SN-1"], product=right)
    unit = factories.receive(clerk, ["sn-1"], product=product).units.get()
    with pytest.raises(ValidationError) as info:
        services.unit_change_product(unit=unit, product=right, actor=clerk, reason="Wrong box")
    assert info.value.messages == ["Serial sn-1 already exists for product DW-200."]
    unit.refresh_from_db()
    assert unit.product == product


def test_in_house_serials_are_gap_free(clerk, location):
    product = factories.make_product(in_house_prefix="INH-", in_house_width=5)
    first = services.in_house_units_create(actor=clerk, product=product, location=location, count=3)
    second = services.in_house_units_create(
        actor=clerk, product=product, location=location, count=2
    )
    assert [u.serial for u in first + second] == [
        "INH-00001",
        "INH-00002",
        "INH-00003",
        "INH-00004",
        "INH-00005",
    ]
    assert all(u.in_house_tag == u.serial for u in first)


def test_bulk_status_change_writes_history_per_unit(clerk, product):
    units = list(factories.receive(clerk, ["A1", "A2", "A3"], product=product).units.all())
    services.units_bulk_change_status(
        units=units, status=Status.ON_HOLD, actor=clerk, reason="Audit"
    )
    for unit in units:
        latest = unit.history.first()
        assert latest.status == Status.ON_HOLD
        assert latest.history_change_reason == "Audit"
        assert latest.history_user == clerk
        assert latest.serial == unit.serial
        assert latest.history_type == "~"


def test_received_on_defaults_to_today(clerk, product, supplier, location):
    receipt = services.receipt_create(
        actor=clerk, supplier=supplier, product=product, location=location, serials=["Z1"]
    )
    assert receipt.received_on <= timezone.localdate()
