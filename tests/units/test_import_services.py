"""The unit import on small synthetic files: bad input, formats, options."""

import datetime
import time

import pytest

from tests import factories
from units.importing.services import ImportFileError, ImportOptions, import_units
from units.models import Condition, Status, Unit

pytestmark = pytest.mark.django_db

GENERIC_HEADER = "serial,model_number,product_name,manufacturer,category,status,received_on\n"


def run(actor, data, *, dry_run=False, filename="units.csv", **options):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return import_units(
        actor=actor, data=data, filename=filename, options=ImportOptions(**options), dry_run=dry_run
    )


def generic(*rows):
    return GENERIC_HEADER + "".join(row + "\n" for row in rows)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty. Choose a CSV file that contains a header row and units."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "The file is a PNG image, not a CSV text file. Export it as CSV and upload that.",
        ),
        (
            b"PK\x03\x04rest",
            "The file is an Excel workbook (.xlsx) or another ZIP archive, not a CSV text file. "
            "Export it as CSV and upload that.",
        ),
        (
            b"serial\x00,model\n1,2\n",
            "The file contains binary data (NUL bytes), so it is not a CSV text file. "
            "Export the data as CSV and upload that.",
        ),
        (
            GENERIC_HEADER.encode(),
            "The file has a header row but no data rows. Add at least one unit below the header.",
        ),
    ],
    ids=["empty", "png", "xlsx", "nul", "header-only"],
)
def test_unusable_file_rejected(clerk, data, message):
    with pytest.raises(ImportFileError) as info:
        run(clerk, data)
    assert str(info.value) == message
    assert Unit.objects.count() == 0


def test_file_over_cap_rejected(clerk, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError) as info:
        run(clerk, generic(*[f"SN-{n},M1,Mixer,Acme,Kitchen,,2024-01-02" for n in range(10)]))
    assert str(info.value).startswith("The file is 4")
    assert str(info.value).endswith(
        "bytes; the maximum is 100 bytes. Split it into smaller files and import them one "
        "after another."
    )


def test_generic_file_imported_with_all_fields(clerk):
    report = run(
        clerk,
        "serial,product,product_name,manufacturer,category,supplier,location,condition,"
        "status,received_on,vin,lot,notes\n"
        "SN-1,M1,Mixer,Acme,Kitchen,Supply Co,Shop/Back room,used,In stock,31.12.2023,"
        "1M8GDM9AXKP042788,L7,Scratched lid\n",
    )
    assert report.source_format == "generic"
    unit = Unit.objects.get()
    assert (unit.serial, unit.product.model_number, unit.product.name) == ("SN-1", "M1", "Mixer")
    assert unit.condition == Condition.USED
    assert unit.status == Status.IN_STOCK
    assert unit.received_on == datetime.date(2023, 12, 31)
    assert unit.vin == "1M8GDM9AXKP042788"
    assert unit.location.path == "Shop / Back room"
    assert unit.supplier.is_supplier
    assert (unit.lot, unit.notes) == ("L7", "Scratched lid")


def test_existing_catalog_matched_case_insensitively(clerk):
    product = factories.make_product(
        name="Mixer", model_number="M1", manufacturer=factories.make_party(name="ACME")
    )
    report = run(clerk, generic("SN-1,m1,mixer,acme,Kitchen,,"))
    assert report.to_create["products"] == []
    assert report.to_create["manufacturers"] == []
    assert Unit.objects.get().product == product


def test_existing_party_gets_manufacturer_role(clerk):
    factories.make_supplier(name="Acme")
    report = run(clerk, generic("SN-1,M1,Mixer,Acme,Kitchen,,"))
    assert report.role_changes == ["Acme will also be marked as manufacturer"]
    assert Unit.objects.get().product.manufacturer.is_manufacturer


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        (
            "6.38E+15",
            "Serial '6.38E+15' is in scientific notation, so a spreadsheet has rounded it. "
            "Export the serials as text and import the file again.",
        ),
        (
            "12345.0",
            "Serial '12345.0' ends in \".0\", so a spreadsheet has read it as a number. "
            "Export the serials as text and import the file again.",
        ),
        (
            "SN\x07-1",
            "The serial 'SN\\x07-1' contains the invisible character U+0007 (Control Character). "
            "Remove it and scan or type the value again.",
        ),
        (
            '=HYPERLINK("http://x")',
            "Value '=HYPERLINK(\"http://x\")' looks like a spreadsheet formula. Replace it with "
            "the plain value.",
        ),
    ],
    ids=["scientific", "dot-zero", "control", "formula"],
)
def test_bad_serial_is_row_error(clerk, serial, message):
    data = GENERIC_HEADER + f'"{serial.replace(chr(34), chr(34) * 2)}",M1,Mixer,Acme,Kitchen,,\n'
    report = run(clerk, data)
    assert [str(error) for error in report.errors] == [f"Row 2, column serial (A): {message}"]
    assert Unit.objects.count() == 0


def test_formula_in_other_column_is_row_error(clerk):
    report = run(clerk, generic("SN-1,M1,Mixer,@SUM(A1:A9),Kitchen,,"))
    assert [str(error) for error in report.errors] == [
        "Row 2, column manufacturer (D): Value '@SUM(A1:A9)' looks like a spreadsheet formula. "
        "Replace it with the plain value."
    ]


def test_duplicate_serial_names_both_rows(clerk):
    report = run(
        clerk,
        generic(
            "SN-1,M1,Mixer,Acme,Kitchen,,",
            "X,M1,Mixer,Acme,Kitchen,,",
            "sn-1,M1,Mixer,Acme,Kitchen,,",
        ),
    )
    assert [str(error) for error in report.errors] == [
        "Row 4, column serial (A): Serial sn-1 appears in rows 2 and 4 for product M1. "
        "Keep one of the two rows."
    ]
    assert Unit.objects.count() == 0


def test_same_serial_on_two_products_allowed(clerk):
    report = run(clerk, generic("SN-1,M1,Mixer,Acme,Kitchen,,", "SN-1,M2,Oven,Acme,Kitchen,,"))
    assert report.errors == []
    assert Unit.objects.count() == 2


def test_existing_serial_rejected(clerk, product):
    factories.receive(clerk, ["SN-1"], product=product)
    report = run(clerk, generic(f"sn-1,DW-100,,{product.manufacturer.name},,,"))
    assert [str(error) for error in report.errors] == [
        "Row 2, column serial (A): Serial sn-1 already exists for product DW-100. "
        "Delete the row, or correct the serial if it was mistyped."
    ]
    assert Unit.objects.count() == 1


def test_missing_serial_names_row(clerk):
    report = run(clerk, generic("SN-1,M1,Mixer,Acme,Kitchen,,", ",M1,Mixer,Acme,Kitchen,,"))
    assert [str(error) for error in report.errors] == [
        "Row 3, column serial (A): The serial is empty. Every imported unit needs its serial; "
        "fill it in or delete the row."
    ]


def test_impossible_date_names_value(clerk):
    report = run(clerk, generic("SN-1,M1,Mixer,Acme,Kitchen,,2/30/2024"))
    assert [str(error) for error in report.errors] == [
        "Row 2, column received_on (G): Date '2/30/2024' does not exist "
        "(day is out of range for month)."
    ]


@pytest.mark.parametrize(
    ("order", "expected"),
    [(None, datetime.date(2016, 4, 5)), ("dmy", datetime.date(2016, 5, 4))],
)
def test_slash_date_order_chosen_by_user(clerk, order, expected):
    run(clerk, generic("SN-1,M1,Mixer,Acme,Kitchen,,4/5/16"), date_order=order)
    assert Unit.objects.get().received_on == expected


def test_unknown_status_is_row_error(clerk):
    report = run(clerk, generic("SN-1,M1,Mixer,Acme,Kitchen,Borrowed,"))
    assert str(report.errors[0]).startswith(
        "Row 2, column status (F): Status 'Borrowed' is not known."
    )


@pytest.mark.parametrize(
    ("label", "status", "condition"),
    [
        ("Ready to Deploy", Status.IN_STOCK, Condition.NEW),
        ("Pending", Status.INSPECTION, Condition.NEW),
        ("Broken", Status.DAMAGED, Condition.DAMAGED),
        ("Out for Repair", Status.IN_SERVICE, Condition.NEW),
        ("Archived", Status.DISPOSED, Condition.NEW),
        ("55", Status.DAMAGED, Condition.DAMAGED),
        ("85", Status.INSPECTION, Condition.NEW),
    ],
)
def test_source_status_mapped(clerk, label, status, condition):
    run(clerk, generic(f"SN-1,M1,Mixer,Acme,Kitchen,{label},"))
    unit = Unit.objects.get()
    assert (unit.status, unit.condition) == (status, condition)


def test_cp1252_file_detected(clerk):
    data = generic("SN-1,M1,Caf\u00e9 cr\u00e8me,M\u00fcller & S\u00f6hne,K\u00fcche,,")
    report = run(clerk, data.encode("cp1252"))
    assert report.encoding == "cp1252"
    assert Unit.objects.get().product.manufacturer.name == "M\u00fcller & S\u00f6hne"


def test_encoding_override_used(clerk):
    data = generic("SN-1,M1,Caf\u00e9,Acme,Kitchen,,").encode("mac_roman")
    report = run(clerk, data, encoding="mac_roman")
    assert (report.encoding, report.encoding_detected) == ("mac_roman", False)
    assert Unit.objects.get().product.name == "Caf\u00e9"


def test_bom_and_header_case_and_spaces_tolerated(clerk):
    data = "\ufeff  SERIAL NUMBER , Model_Number ,Manufacturer\r\nSN-1,M1,Acme\r\n"
    report = run(clerk, data)
    assert report.errors == []
    assert Unit.objects.get().serial == "SN-1"


def test_classic_mac_line_ends_read(clerk):
    report = run(
        clerk,
        generic("SN-1,M1,Mixer,Acme,Kitchen,,", "SN-2,M1,Mixer,Acme,Kitchen,,").replace("\n", "\r"),
    )
    assert report.line_ending == "CR"
    assert report.units_created == 2


def test_semicolon_delimiter_detected(clerk):
    report = run(clerk, "serial;model_number;manufacturer\nSN-1;M1;Acme\n")
    assert report.delimiter == ";"
    assert report.units_created == 1


def test_default_location_must_exist(clerk):
    with pytest.raises(ImportFileError) as info:
        run(clerk, generic("SN-1,M1,Mixer,Acme,Kitchen,,"), location_code="NOPE")
    assert str(info.value) == (
        "Location code 'NOPE' was not found. Use the code of an existing location."
    )


def test_default_location_and_supplier_fill_blank_rows(clerk, location):
    run(
        clerk,
        generic("SN-1,M1,Mixer,Acme,Kitchen,,"),
        location_code="main",
        supplier_name="Acme Supply",
    )
    unit = Unit.objects.get()
    assert unit.location == location
    assert unit.supplier.name == "Acme Supply"


def test_skip_bad_rows_catalog_from_good_rows(clerk):
    report = run(
        clerk,
        generic("SN-1,M1,Mixer,Acme,Kitchen,,", "6.38E+15,M2,Oven,Other,Ovens,,"),
        skip_bad_rows=True,
    )
    assert report.units_created == 1
    assert report.to_create["products"] == ["Mixer (M1)"]
    assert report.bad_rows == [3]


def test_store_needs_actor(db):
    with pytest.raises(ImportFileError) as info:
        run(None, generic("SN-1,M1,Mixer,Acme,Kitchen,,"))
    assert str(info.value) == (
        "Name the importing user; every stored unit records who imported it."
    )


def test_ten_thousand_rows_import_quickly(clerk):
    data = generic(
        *[f"SN-{n:05d},M{n % 20},Model {n % 20},Acme,Kitchen,,2024-01-02" for n in range(10_000)]
    )
    started = time.perf_counter()
    report = run(clerk, data)
    elapsed = time.perf_counter() - started
    assert report.units_created == 10_000
    assert Unit.history.count() == 10_000
    assert elapsed < 30
