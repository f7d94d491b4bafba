"""Import units from a CSV file: check every row, then store all of them or none.

``import_units`` is the one entry point for the command and the upload page.
It reads the file, maps its columns, checks each row and the rows against each
other and against the database, and returns an ``ImportReport``. Unless the
caller asked for a dry run, it then stores the units, and the catalog entries
they need, in one transaction. With ``skip_bad_rows`` the good rows are stored
and the bad ones listed; without it any row error stores nothing.
"""

import dataclasses
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from inventory.identifiers import check_vin
from inventory.models import Location, Product
from units.importing.catalog import UNCATEGORIZED, UNKNOWN_MANUFACTURER, CatalogPlan, name_key
from units.importing.mapping import (
    FIELD_LABELS,
    ColumnMapping,
    SourceFormat,
    detect_format,
    map_columns,
)
from units.importing.reader import CsvTable, ImportFileError, read_table
from units.importing.values import (
    INVENTREE_CODE_NAMES,
    DateOrder,
    StatusMapping,
    cell_problem,
    parse_amount,
    parse_condition,
    parse_date,
    parse_status,
    parse_whole_number,
)
from units.models import Condition, Status, Unit
from units.serials import looks_spreadsheet_mangled, normalize_serial, serial_key
from units.services import assign_serial, check_open_recalls, existing_serials

logger = logging.getLogger(__name__)

__all__ = ["ImportFileError", "ImportOptions", "ImportReport", "RowError", "import_units"]

_LOCATION_SEPARATORS = {
    SourceFormat.INVENTREE: "/",
    SourceFormat.GENERIC: "/",
    SourceFormat.SNIPEIT: None,
}
_SOURCE_NAMES = {
    SourceFormat.INVENTREE: "InvenTree",
    SourceFormat.SNIPEIT: "Snipe-IT",
    SourceFormat.GENERIC: "the file",
}
_MAX_LENGTHS = {
    "model_number": 100,
    "product_name": 200,
    "manufacturer": 200,
    "supplier": 200,
    "customer": 200,
    "category": 100,
    "lot": 100,
    "asset_tag": 40,
}


@dataclasses.dataclass(frozen=True)
class ImportOptions:
    source_format: SourceFormat = SourceFormat.AUTO
    #: Empty to detect the encoding.
    encoding: str = ""
    #: How slash dates are read; None uses month first, Snipe-IT's order.
    date_order: DateOrder | None = None
    skip_bad_rows: bool = False
    #: Code of an existing location for rows that name none.
    location_code: str = ""
    #: Supplier for rows that name none; created when missing.
    supplier_name: str = ""


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int
    #: Column label with its spreadsheet letter, or "" for a problem of the whole row.
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Row {self.row}, column {self.column}: {self.message}"
        return f"Row {self.row}: {self.message}"


@dataclasses.dataclass
class ImportReport:
    """The findings and results of one import, shown by the preview and the final report."""

    filename: str
    encoding: str
    encoding_detected: bool
    source_format: SourceFormat
    date_order: DateOrder
    line_ending: str
    delimiter: str
    rows_read: int
    skip_bad_rows: bool
    dry_run: bool
    column_notes: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    errors: list[RowError] = dataclasses.field(default_factory=list)
    to_create: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    role_changes: list[str] = dataclasses.field(default_factory=list)
    #: Units the good rows describe: stored unless this is a dry run or the import is rejected.
    units_planned: int = 0
    units_created: int = 0

    @property
    def bad_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    @property
    def rejected(self) -> bool:
        """True when row errors stop an all-or-nothing import."""
        return bool(self.errors) and not self.skip_bad_rows

    @property
    def catalog_count(self) -> int:
        return sum(len(names) for names in self.to_create.values())


@dataclasses.dataclass
class _ParsedRow:
    number: int
    serial: str
    manufacturer: str
    model_number: str
    product_name: str
    category: str
    status: str
    condition: str
    location: str = ""
    supplier: str = ""
    customer: str = ""
    received_on: object = None
    vin: str = ""
    lot: str = ""
    asset_tag: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def product_key(self) -> tuple[str, str]:
        return (name_key(self.manufacturer), name_key(self.model_number))


class _RowReader:
    """The cells of one row by field, collecting the row's errors."""

    def __init__(self, mapping: ColumnMapping, number: int, cells: list[str]) -> None:
        self.mapping = mapping
        self.number = number
        self.cells = cells
        self.errors: list[RowError] = []

    def column(self, field: str) -> str:
        indexes = self.mapping.columns.get(field)
        return self.mapping.label(indexes[0]) if indexes else ""

    def error(self, field: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.column(field), message))

    def get(self, field: str, *, multiline: bool = False, checked: bool = True) -> str:
        """Return the field's text, the first non-empty one where the column repeats."""
        found = [
            (index, self.cells[index].strip())
            for index in self.mapping.columns.get(field, [])
            if index < len(self.cells) and self.cells[index].strip()
        ]
        if not found:
            return ""
        first_index, value = found[0]
        for index, other in found[1:]:
            if other != value:
                self.errors.append(
                    RowError(
                        self.number,
                        self.mapping.label(index),
                        f"The {FIELD_LABELS[field]} is {value!r} in column "
                        f"{self.mapping.label(first_index)} but {other!r} here. Make the "
                        "columns agree or delete one of them.",
                    )
                )
        if checked and (problem := cell_problem(value, multiline=multiline)):
            self.errors.append(RowError(self.number, self.mapping.label(first_index), problem))
            return ""
        limit = _MAX_LENGTHS.get(field)
        if limit and len(value) > limit:
            self.error(
                field,
                f"The {FIELD_LABELS[field]} {value[:30]!r}... is {len(value)} characters long; "
                f"the maximum is {limit}.",
            )
            return ""
        return value


def display_name(filename: str) -> str:
    """Return the file's base name, cleaned for use in history reasons and messages."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return base[:100] or "upload.csv"


def import_units(
    *,
    actor: AbstractBaseUser | None,
    data: bytes,
    filename: str,
    options: ImportOptions,
    dry_run: bool,
) -> ImportReport:
    """Check the CSV ``data`` and, unless ``dry_run``, store its units.

    Raises ImportFileError when the file as a whole cannot be used (not text,
    too large, no serial column...). Row problems do not raise; they are in
    the returned report, and without ``options.skip_bad_rows`` they mean that
    nothing was stored.
    """
    if actor is None and not dry_run:
        raise ImportFileError("Name the importing user; every stored unit records who imported it.")
    table = read_table(data, encoding=options.encoding or None, max_bytes=settings.IMPORT_MAX_BYTES)
    importer = _Importer(table, options, display_name(filename), dry_run=dry_run)
    report = importer.plan()
    if dry_run or report.rejected or not report.units_planned:
        return report
    try:
        with transaction.atomic():
            importer.store(actor)
    except IntegrityError:
        # Another user stored some of these serials, tags or VINs after the
        # check; planning again names them from the committed data.
        logger.warning("Import %s: conflict while storing; checking again", importer.name)
        report = _Importer(table, options, importer.name, dry_run=dry_run).plan()
        if report.errors:
            report.skip_bad_rows = False
            return report
        raise
    report.units_created = report.units_planned
    logger.info("Import %s: %d units stored", importer.name, report.units_created)
    return report


class _Importer:
    def __init__(
        self, table: CsvTable, options: ImportOptions, name: str, *, dry_run: bool
    ) -> None:
        self.table = table
        self.options = options
        self.name = name
        self.source_format = (
            detect_format(table.header)
            if options.source_format == SourceFormat.AUTO
            else SourceFormat(options.source_format)
        )
        self.mapping = map_columns(table.header, self.source_format)
        self.date_order = options.date_order or DateOrder.MDY
        self.catalog = CatalogPlan(location_separator=_LOCATION_SEPARATORS[self.source_format])
        self.report = ImportReport(
            filename=name,
            encoding=table.encoding,
            encoding_detected=table.encoding_detected,
            source_format=self.source_format,
            date_order=self.date_order,
            line_ending=table.line_ending,
            delimiter=table.delimiter,
            rows_read=len(table.rows),
            skip_bad_rows=options.skip_bad_rows,
            dry_run=dry_run,
            column_notes=self.mapping.notes(),
        )
        self.default_location: Location | None = None
        self.good_rows: list[_ParsedRow] = []
        self.mangled_model_rows: list[int] = []

    # --- Checking -------------------------------------------------------------

    def plan(self) -> ImportReport:
        self._require_columns()
        self._load_catalog()
        parsed = []
        for number, cells in self.table.rows:
            reader = _RowReader(self.mapping, number, cells)
            row = self._parse(reader)
            self.report.errors.extend(reader.errors)
            if not reader.errors:
                parsed.append(row)
        rejected = self._check_against_each_other(parsed) | self._check_against_database(parsed)
        self.good_rows = [row for row in parsed if row.number not in rejected]
        self.report.errors.sort(key=lambda error: error.row)
        for row in self.good_rows:
            self._plan_catalog(row)
        self.report.to_create = self.catalog.to_create()
        self.report.role_changes = self.catalog.role_changes()
        self.report.units_planned = len(self.good_rows)
        self._add_warnings()
        return self.report

    def _require_columns(self) -> None:
        found = ", ".join(repr(cell.strip()) for cell in self.table.header if cell.strip())
        if "serial" not in self.mapping.columns:
            raise ImportFileError(
                "The file has no serial column, so no unit can be identified. Add a column "
                f"named Serial or Serial Number. The columns found are: {found}."
            )
        if not {"model_number", "product_name"} & self.mapping.columns.keys():
            raise ImportFileError(
                "The file has no column naming the product. Add a Model Number or Model Name "
                f"column (part name or IPN for InvenTree). The columns found are: {found}."
            )
        if self.options.location_code:
            code = self.options.location_code.strip()
            self.default_location = Location.objects.filter(code__iexact=code).first()
            if self.default_location is None:
                raise ImportFileError(
                    f"Location code {code!r} was not found. Use the code of an existing location."
                )

    def _load_catalog(self) -> None:
        party_names: set[str] = {UNKNOWN_MANUFACTURER, self.options.supplier_name}
        category_names: set[str] = {UNCATEGORIZED}
        for field, names in (
            ("manufacturer", party_names),
            ("supplier", party_names),
            ("customer", party_names),
            ("category", category_names),
        ):
            for index in self.mapping.columns.get(field, []):
                names.update(cells[index] for _, cells in self.table.rows if index < len(cells))
        self.catalog.load(party_names=party_names, category_names=category_names)

    def _parse(self, reader: _RowReader) -> _ParsedRow:
        model_number = reader.get("model_number")
        product_name = reader.get("product_name")
        if model_number and looks_spreadsheet_mangled(model_number):
            self.mangled_model_rows.append(reader.number)
            model_number = ""
        if not model_number and not product_name:
            reader.error(
                "model_number" if "model_number" in self.mapping.columns else "product_name",
                "The product is missing. Fill in the model number or the product name.",
            )
        status, condition, status_notes = self._status(reader)
        row = _ParsedRow(
            number=reader.number,
            serial=self._serial(reader),
            manufacturer=reader.get("manufacturer") or UNKNOWN_MANUFACTURER,
            model_number=model_number or product_name,
            product_name=product_name or model_number,
            category=reader.get("category") or UNCATEGORIZED,
            status=status,
            condition=condition,
            location=reader.get("location"),
            supplier=reader.get("supplier") or self.options.supplier_name.strip(),
            customer=reader.get("customer"),
            lot=reader.get("lot"),
            asset_tag=reader.get("asset_tag"),
        )
        if row.customer:
            row.status = Status.SOLD
        row.received_on = self._date(reader)
        row.vin = self._vin(reader)
        row.notes = [*self._notes(reader), *status_notes]
        return row

    def _serial(self, reader: _RowReader) -> str:
        raw = reader.get("serial", checked=False)
        if not raw:
            reader.error(
                "serial",
                "The serial is empty. Every imported unit needs its serial; fill it in or "
                "delete the row.",
            )
            return ""
        try:
            serial = normalize_serial(raw)
        except ValidationError as error:
            reader.error("serial", error.messages[0])
            return ""
        if problem := cell_problem(serial):
            reader.error("serial", problem)
            return ""
        if why := looks_spreadsheet_mangled(serial):
            reader.error(
                "serial",
                f"Serial {serial!r} {why}. Export the serials as text and import the file again.",
            )
            return ""
        return serial

    def _status(self, reader: _RowReader) -> tuple[str, str, list[str]]:
        text = reader.get("status")
        mapping = StatusMapping(Status.IN_STOCK, None, False)
        notes = []
        if text:
            try:
                mapping = parse_status(text)
            except ValueError as error:
                reader.error("status", str(error))
        if text and mapping.keep_label:
            label = INVENTREE_CODE_NAMES.get(text, text)
            notes.append(f"Status in {_SOURCE_NAMES[self.source_format]}: {label}")
        condition = mapping.condition or Condition.NEW
        if condition_text := reader.get("condition"):
            try:
                condition = parse_condition(condition_text)
            except ValueError as error:
                reader.error("condition", str(error))
        return mapping.status, condition, notes

    def _date(self, reader: _RowReader) -> object:
        text = reader.get("received_on")
        if not text:
            return None
        try:
            return parse_date(text, order=self.date_order)
        except ValueError as error:
            reader.error("received_on", str(error))
            return None

    def _vin(self, reader: _RowReader) -> str:
        text = reader.get("vin")
        if not text:
            return ""
        check = check_vin(text)
        if check.error:
            reader.error("vin", check.error)
            return ""
        return check.vin

    def _notes(self, reader: _RowReader) -> Iterable[str]:
        if notes := reader.get("notes", multiline=True):
            yield notes
        if asset_name := reader.get("asset_name"):
            yield f"Asset name: {asset_name}"
        if cost := reader.get("purchase_cost"):
            try:
                yield f"Purchase cost: {parse_amount(cost)}"
            except ValueError as error:
                reader.error("purchase_cost", str(error))
        if warranty := reader.get("warranty_months"):
            try:
                months = parse_whole_number(warranty, what="warranty in months")
                yield f"Warranty: {months} months"
            except ValueError as error:
                reader.error("warranty_months", str(error))
        if installed_in := reader.get("installed_in"):
            serial = reader.get("installed_in_serial")
            suffix = f" (serial {serial})" if serial else ""
            source = _SOURCE_NAMES[self.source_format]
            yield f"Installed in {source} stock item {installed_in}{suffix}"

    def _scope(self, row: _ParsedRow) -> tuple[str, ...]:
        if settings.SERIAL_UNIQUE_SCOPE == "manufacturer":
            return (name_key(row.manufacturer),)
        return row.product_key

    def _scope_label(self, row: _ParsedRow) -> str:
        if settings.SERIAL_UNIQUE_SCOPE == "manufacturer":
            return f"manufacturer {row.manufacturer}"
        return f"product {row.model_number}"

    def _reject(self, row: _ParsedRow, field: str, message: str, rejected: set[int]) -> None:
        indexes = self.mapping.columns.get(field)
        column = self.mapping.label(indexes[0]) if indexes else ""
        self.report.errors.append(RowError(row.number, column, message))
        rejected.add(row.number)

    def _check_against_each_other(self, rows: list[_ParsedRow]) -> set[int]:
        rejected: set[int] = set()
        seen_serials: dict[tuple, int] = {}
        seen_tags: dict[str, int] = {}
        seen_vins: dict[str, int] = {}
        for row in rows:
            key = (*self._scope(row), serial_key(row.serial))
            if key in seen_serials:
                self._reject(
                    row,
                    "serial",
                    f"Serial {row.serial} appears in rows {seen_serials[key]} and {row.number} "
                    f"for {self._scope_label(row)}. Keep one of the two rows.",
                    rejected,
                )
            seen_serials.setdefault(key, row.number)
            for value, seen, field in (
                (row.asset_tag, seen_tags, "asset_tag"),
                (row.vin, seen_vins, "vin"),
            ):
                if value and value in seen:
                    self._reject(
                        row,
                        field,
                        f"The {FIELD_LABELS[field]} {value} appears in rows {seen[value]} and "
                        f"{row.number}. Keep one of the two rows.",
                        rejected,
                    )
                if value:
                    seen.setdefault(value, row.number)
        return rejected

    def _check_against_database(self, rows: list[_ParsedRow]) -> set[int]:
        rejected: set[int] = set()
        by_product: dict[tuple, list[_ParsedRow]] = defaultdict(list)
        for row in rows:
            by_product[row.product_key].append(row)
        for key, product_rows in by_product.items():
            product = self._scope_product(key)
            if product is None:
                continue
            if product.pk and not product.is_serialized:
                for row in product_rows:
                    self._reject(
                        row,
                        "model_number"
                        if "model_number" in self.mapping.columns
                        else "product_name",
                        f"Product {product.model_number} is not serialized, so it cannot be "
                        "imported as units. Receive it as a quantity instead.",
                        rejected,
                    )
                continue
            taken = {
                serial_key(s) for s in existing_serials(product, [r.serial for r in product_rows])
            }
            for row in product_rows:
                if serial_key(row.serial) in taken:
                    self._reject(
                        row,
                        "serial",
                        f"Serial {row.serial} already exists for {self._scope_label(row)}. "
                        "Delete the row, or correct the serial if it was mistyped.",
                        rejected,
                    )
        self._check_unique_field(rows, "asset_tag", "in_house_tag", rejected)
        self._check_unique_field(rows, "vin", "vin", rejected)
        return rejected

    def _scope_product(self, key: tuple[str, str]) -> Product | None:
        """Return a product whose serial scope matches key's, unsaved if only its maker exists."""
        if product := self.catalog.products.get(key):
            return product
        manufacturer = self.catalog.parties.get(key[0])
        if settings.SERIAL_UNIQUE_SCOPE == "manufacturer" and manufacturer is not None:
            return Product(manufacturer=manufacturer)
        return None

    def _check_unique_field(
        self, rows: list[_ParsedRow], field: str, unit_field: str, rejected: set[int]
    ) -> None:
        values = {getattr(row, field) for row in rows if getattr(row, field)}
        if not values:
            return
        taken = set(
            Unit.objects.filter(**{f"{unit_field}__in": values}).values_list(unit_field, flat=True)
        )
        for row in rows:
            if getattr(row, field) in taken:
                self._reject(
                    row,
                    field,
                    f"The {FIELD_LABELS[field]} {getattr(row, field)} is already on another unit.",
                    rejected,
                )

    def _plan_catalog(self, row: _ParsedRow) -> None:
        manufacturer = self.catalog.party(row.manufacturer, "manufacturer")
        category = self.catalog.category(row.category)
        self.catalog.product(
            manufacturer=manufacturer,
            model_number=row.model_number,
            name=row.product_name,
            category=category,
        )
        if row.supplier:
            self.catalog.party(row.supplier, "supplier")
        if row.customer:
            self.catalog.party(row.customer, "customer")
        if row.location:
            self.catalog.location(row.location)

    def _add_warnings(self) -> None:
        if self.mangled_model_rows:
            rows = self.mangled_model_rows
            self.report.warnings.append(
                f"{len(rows)} rows (first row {rows[0]}) have a model number in scientific "
                "notation, such as 6.37702E+15, because a spreadsheet rounded it; those rows "
                "use the model name as the model number."
            )
        if "purchase_cost" in self.mapping.columns:
            self.report.warnings.append(
                "Purchase costs are written into the unit notes, because units do not store "
                "costs yet."
            )

    # --- Storing ----------------------------------------------------------------

    def store(self, actor: AbstractBaseUser) -> list[Unit]:
        """Create the planned catalog entries and units; call inside a transaction."""
        self.catalog.create(actor=actor, reason=f"Created by the import of {self.name}")
        units = []
        for row in self.good_rows:
            unit = Unit(
                product=self.catalog.products[row.product_key],
                status=row.status,
                condition=row.condition,
                location=(
                    self.catalog.get_location(self.catalog.location(row.location))
                    if row.location
                    else self.default_location
                ),
                supplier=self.catalog.parties.get(name_key(row.supplier)) if row.supplier else None,
                owner=self.catalog.parties.get(name_key(row.customer)) if row.customer else None,
                received_on=row.received_on,
                vin=row.vin or None,
                in_house_tag=row.asset_tag or None,
                lot=row.lot,
                notes="\n".join(row.notes),
            )
            assign_serial(unit, row.serial)
            unit._change_reason = f"Imported from {self.name} row {row.number}"
            units.append(unit)
        created = bulk_create_with_history(
            units,
            Unit,
            batch_size=1000,
            default_user=actor,
            default_change_reason=f"Imported from {self.name}",
        )
        check_open_recalls([unit.pk for unit in created], actor=actor)
        return created
