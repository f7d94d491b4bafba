"""Map the header cells of an import file to the fields of a unit.

Headers are compared after normalisation (case, surrounding spaces, a byte-order
mark, underscores and hyphens do not matter), against a table of synonyms per
source format. ``docs/import.md`` lists the tables.
"""

import dataclasses
import enum
import re
from collections.abc import Iterable


class SourceFormat(enum.StrEnum):
    AUTO = "auto"
    SNIPEIT = "snipeit"
    INVENTREE = "inventree"
    GENERIC = "generic"


FORMAT_LABELS = {
    SourceFormat.AUTO: "Detect from the header",
    SourceFormat.SNIPEIT: "Snipe-IT asset export",
    SourceFormat.INVENTREE: "InvenTree stock export",
    SourceFormat.GENERIC: "Generic unit list",
}

#: Synonyms every format accepts, by field.
_COMMON = {
    "serial": ["serial", "serial number", "serial no", "serial #", "serialnumber", "sn", "s/n"],
    "manufacturer": ["manufacturer", "make", "brand", "mfr"],
    "category": ["category", "product category"],
    "supplier": ["supplier", "vendor"],
    "location": ["location", "location path", "location code"],
    "status": ["status", "status label"],
    "condition": ["condition"],
    "received_on": ["received on", "received", "date received", "purchase date"],
    "vin": ["vin"],
    "lot": ["lot", "lot number", "batch"],
    "notes": ["notes", "note", "comments", "comment"],
    "purchase_cost": ["purchase cost", "purchase price", "cost"],
}

_SPECIFIC = {
    SourceFormat.SNIPEIT: {
        "product_name": ["model", "model name"],
        "model_number": ["model number", "model no", "model #"],
        "asset_tag": ["asset tag"],
        "asset_name": ["item name", "asset name", "name"],
        "warranty_months": ["warranty", "warranty months"],
        "notes": ["asset notes"],
    },
    SourceFormat.INVENTREE: {
        "product_name": ["part name", "part"],
        "model_number": ["part ipn", "ipn"],
        "status": ["status code"],
        "customer": ["customer"],
        "installed_in": ["installed in stock item id", "installed in"],
        "installed_in_serial": ["installed in serial"],
    },
    SourceFormat.GENERIC: {
        "model_number": ["model number", "product", "model no", "part number", "mpn"],
        "product_name": ["product name", "model name", "name"],
        "customer": ["customer", "owner"],
    },
}

#: Human names of the fields, used in messages and the preview.
FIELD_LABELS = {
    "serial": "serial",
    "model_number": "model number",
    "product_name": "product name",
    "manufacturer": "manufacturer",
    "category": "category",
    "supplier": "supplier",
    "location": "location",
    "status": "status",
    "condition": "condition",
    "received_on": "received date",
    "vin": "VIN",
    "lot": "lot",
    "notes": "notes",
    "purchase_cost": "purchase cost",
    "asset_tag": "asset tag",
    "asset_name": "asset name",
    "warranty_months": "warranty months",
    "customer": "customer",
    "installed_in": "installed in",
    "installed_in_serial": "installed-in serial",
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_header(cell: str) -> str:
    """Return the comparison form of a header cell: lower case, single spaces, no colon."""
    text = cell.replace("\ufeff", "").strip().lower().rstrip(":").strip()
    return _SEPARATORS.sub(" ", text)


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a zero-based column index: 0 is A, 26 is AA."""
    letters, number = "", index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_label(index: int, header: str) -> str:
    """Return a column's name for messages, with its spreadsheet letter: "Serial (J)"."""
    if not header.strip():
        return column_letter(index)
    return f"{header.strip()} ({column_letter(index)})"


def synonyms(source_format: SourceFormat) -> dict[str, str]:
    """Return {normalised header: field} for one concrete format."""
    table: dict[str, str] = {}
    for field, names in [*_COMMON.items(), *_SPECIFIC[source_format].items()]:
        for name in names:
            table[normalize_header(name)] = field
    return table


def detect_format(header: list[str]) -> SourceFormat:
    """Guess the source format from the header cells; the generic format is the fallback."""
    names = {normalize_header(cell) for cell in header}
    if names & {"part name", "part"} and names & {"serial int", "status code", "part ipn", "ipn"}:
        return SourceFormat.INVENTREE
    if names & {"asset tag", "item name", "asset name", "model name"}:
        return SourceFormat.SNIPEIT
    return SourceFormat.GENERIC


@dataclasses.dataclass
class ColumnMapping:
    """The assignment of file columns to fields, with the columns left out."""

    source_format: SourceFormat
    header: list[str]
    #: Field name -> column indexes, in file order; more than one index means a duplicate.
    columns: dict[str, list[int]]
    ignored: list[int]
    empty_headers: list[int]

    def label(self, index: int) -> str:
        return column_label(index, self.header[index])

    @property
    def duplicated(self) -> dict[str, list[int]]:
        return {field: indexes for field, indexes in self.columns.items() if len(indexes) > 1}

    def notes(self) -> list[str]:
        """Return one message per duplicated, ignored or unnamed column."""
        notes = []
        for field, indexes in self.duplicated.items():
            notes.append(
                f"Columns {_join(self.label(i) for i in indexes)} all hold the "
                f"{FIELD_LABELS[field]}; the first non-empty value of each row is used, and a "
                "row where they differ is an error."
            )
        ignored_by_name: dict[str, list[int]] = {}
        for index in self.ignored:
            ignored_by_name.setdefault(normalize_header(self.header[index]), []).append(index)
        notes.extend(
            f"Header {self.header[indexes[0]].strip()!r} appears in columns "
            f"{_join(self.label(i) for i in indexes)}."
            for indexes in ignored_by_name.values()
            if len(indexes) > 1
        )
        notes.extend(
            f"Column {self.label(i)} is not used by the import and is ignored."
            for i in self.ignored
        )
        notes.extend(
            f"Column {column_letter(i)} has no header and is ignored." for i in self.empty_headers
        )
        return notes


def _join(labels: Iterable[str]) -> str:
    items = list(labels)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def map_columns(header: list[str], source_format: SourceFormat) -> ColumnMapping:
    """Map each header cell to a field of the given (concrete) format."""
    table = synonyms(source_format)
    columns: dict[str, list[int]] = {}
    ignored: list[int] = []
    empty: list[int] = []
    for index, cell in enumerate(header):
        name = normalize_header(cell)
        if not name:
            empty.append(index)
        elif name in table:
            columns.setdefault(table[name], []).append(index)
        else:
            ignored.append(index)
    return ColumnMapping(source_format, header, columns, ignored, empty)
