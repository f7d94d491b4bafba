"""The unit import run on real Snipe-IT and InvenTree exports."""

import datetime

import pytest

from inventory.models import Location, Party, Product
from tests.conftest import shared_file
from units.importing.services import ImportFileError, ImportOptions, import_units
from units.models import Status, Unit

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

SNIPEIT_BLANK_SERIAL_ROWS = [
    13,
    35,
    50,
    69,
    78,
    79,
    83,
    90,
    91,
    107,
    118,
    125,
    133,
    153,
    155,
    166,
    201,
]


def run(actor, *parts, dry_run=False, **options):
    path = shared_file(*parts)
    return import_units(
        actor=actor,
        data=path.read_bytes(),
        filename=path.name,
        options=ImportOptions(**options),
        dry_run=dry_run,
    )


def test_snipeit_sample_without_serial_column_is_rejected(clerk):
    with pytest.raises(ImportFileError) as info:
        run(clerk, "realworld", "snipe-it", "assets-sample.csv")
    assert str(info.value).startswith(
        "The file has no serial column, so no unit can be identified. Add a column named "
        "Serial or Serial Number. The columns found are: 'Company', 'Name', 'Asset Tag',"
    )
    assert Unit.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "line_ending"),
    [
        ("assets-sample-BAD.csv", "CR"),
        ("assets-sample-BLANKS.csv", "CR"),
        ("MOCK_ASSETS-2023-03.csv", "LF"),
    ],
)
def test_snipeit_encoding_detected_as_mac_roman(clerk, name, line_ending):
    report = run(clerk, "realworld", "snipe-it", name, dry_run=True)
    assert report.encoding == "mac_roman"
    assert report.encoding_detected
    assert report.line_ending == line_ending
    assert report.source_format == "snipeit"


@pytest.mark.parametrize(
    "name", ["assets-sample-BAD.csv", "assets-sample-BLANKS.csv", "MOCK_ASSETS-2023-03.csv"]
)
def test_snipeit_blank_serials_reject_whole_file(clerk, name):
    report = run(clerk, "realworld", "snipe-it", name)
    assert report.rejected
    assert report.bad_rows == SNIPEIT_BLANK_SERIAL_ROWS
    assert str(report.errors[0]).endswith(
        "The serial is empty. Every imported unit needs its serial; fill it in or delete the row."
    )
    assert report.units_created == 0
    assert Unit.objects.count() == 0
    assert Product.objects.count() == 0
    assert Party.objects.count() == 0
    assert Location.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["assets-sample-BAD.csv", "assets-sample-BLANKS.csv", "MOCK_ASSETS-2023-03.csv"]
)
def test_snipeit_skip_bad_rows_stores_the_rest(clerk, name):
    report = run(clerk, "realworld", "snipe-it", name, skip_bad_rows=True)
    assert report.units_created == 183
    assert Unit.objects.count() == 183
    assert not Unit.objects.filter(serial="").exists()


def test_snipeit_bad_first_row_stored_exactly(clerk):
    run(clerk, "realworld", "snipe-it", "assets-sample-BAD.csv", skip_bad_rows=True)
    unit = Unit.objects.get(serial="27aa8378-b0f4-4289-84a4-405da95c6147")
    assert unit.product.model_number == "massa id"
    assert unit.product.manufacturer.name == "Linkbridge"
    assert unit.product.category.name == "quam"
    assert unit.status == Status.ON_HOLD
    assert unit.in_house_tag == "970882174-8"
    assert unit.location.name == "Daping"
    assert unit.supplier.name == "Blogspan"
    assert unit.received_on == datetime.date(2016, 4, 5)
    assert "Purchase cost: 133289.59" in unit.notes
    assert "Status in Snipe-IT: Undeployable" in unit.notes


def test_snipeit_history_names_user_and_row(clerk):
    run(clerk, "realworld", "snipe-it", "assets-sample-BAD.csv", skip_bad_rows=True)
    record = Unit.objects.get(serial="27aa8378-b0f4-4289-84a4-405da95c6147").history.get()
    assert record.history_user == clerk
    assert record.history_change_reason == "Imported from assets-sample-BAD.csv row 2"


def test_snipeit_bad_reports_duplicate_headers(clerk):
    report = run(clerk, "realworld", "snipe-it", "assets-sample-BAD.csv", dry_run=True)
    assert (
        "Columns Category (F) and Category (M) all hold the category; the first non-empty "
        "value of each row is used, and a row where they differ is an error."
    ) in report.column_notes
    assert "Header 'Company' appears in columns Company (D) and Company (Q)." in report.column_notes


def test_snipeit_blanks_reports_empty_headers(clerk):
    report = run(clerk, "realworld", "snipe-it", "assets-sample-BLANKS.csv", dry_run=True)
    empty = [note for note in report.column_notes if "has no header" in note]
    assert empty == [
        "Column E has no header and is ignored.",
        "Column I has no header and is ignored.",
        "Column N has no header and is ignored.",
    ]


def test_snipeit_mangled_model_number_fallback(clerk):
    report = run(clerk, "realworld", "snipe-it", "MOCK_ASSETS-2023-03.csv", dry_run=True)
    assert report.warnings[0].startswith(
        "200 rows (first row 2) have a model number in scientific notation"
    )
    assert "massa id (massa id)" in report.to_create["products"]


def test_snipeit_dry_run_writes_nothing(clerk):
    report = run(
        clerk, "realworld", "snipe-it", "MOCK_ASSETS-2023-03.csv", dry_run=True, skip_bad_rows=True
    )
    assert report.units_planned == 183
    assert len(report.to_create["locations"]) == 182
    assert Unit.objects.count() == 0
    assert Party.objects.count() == 0
    assert Location.objects.count() == 0


def test_inventree_imports_all_serialized_items(clerk):
    report = run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    assert report.encoding == "utf-8"
    assert report.source_format == "inventree"
    assert report.errors == []
    assert report.units_created == 299
    assert Unit.objects.count() == 299
    assert Product.objects.count() == 8


def test_inventree_shared_serials_land_on_each_part(clerk):
    run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    products = sorted(Unit.objects.filter(serial="10").values_list("product__name", flat=True))
    assert len(products) == 4
    assert len(set(products)) == 4


def test_inventree_ipn_as_model_number(clerk):
    run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    assert Product.objects.get(name="Blue Widget").model_number == "widget.blue"
    assert Product.objects.get(name="Widget Assembly").model_number == "Widget Assembly"
    assert Product.objects.get(name="Blue Widget").manufacturer.name == "Unknown manufacturer"


def test_inventree_location_path_becomes_nested_locations(clerk):
    run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    unit = Unit.objects.get(product__name="Blue Widget", serial="1")
    assert unit.location.path == "Factory / Office Block / Room 101"
    assert unit.location.kind == Location.Kind.BIN
    assert unit.location.parent.parent.kind == Location.Kind.WAREHOUSE
    assert Location.objects.count() == 5


def test_inventree_customer_items_are_sold_to_customer(clerk):
    run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    sold = Unit.objects.filter(owner__name="Customer B")
    assert sold.count() == 8
    assert set(sold.values_list("status", flat=True)) == {Status.SOLD}
    assert Party.objects.get(name="Customer B").is_customer


def test_inventree_quarantined_items_are_on_hold(clerk):
    run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    held = Unit.objects.filter(status=Status.ON_HOLD)
    assert held.count() == 2
    assert all("Status in InvenTree: QUARANTINED" in unit.notes for unit in held)


def test_inventree_installed_in_kept_as_note(clerk):
    run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    unit = Unit.objects.get(product__name="Blue Widget", serial="1")
    assert unit.notes == "Installed in InvenTree stock item 206 (serial 2)"


def test_inventree_reimport_rejected_naming_existing_serials(clerk):
    run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    report = run(clerk, "realworld", "inventree-demo", "serialized_stock_items.csv")
    assert report.rejected
    assert len(report.bad_rows) == 299
    assert str(report.errors[0]) == (
        "Row 2, column serial (F): Serial 1 already exists for product widget.blue. "
        "Delete the row, or correct the serial if it was mistyped."
    )
    assert Unit.objects.count() == 299
    assert Unit.history.count() == 299
