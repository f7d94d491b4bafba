"""Turn the bytes of an uploaded CSV file into a header row and data rows.

The reader checks that the bytes are text, picks the character encoding
(or takes the caller's), accepts CR-only line ends from classic Mac exports
and finds the delimiter. Columns and units are handled elsewhere.
"""

import codecs
import csv
import dataclasses
import io
import logging

from charset_normalizer import from_bytes

logger = logging.getLogger(__name__)

#: Encodings tried for files that are not UTF-8, in the order used to break a tie.
SINGLE_BYTE_ENCODINGS = ("cp1252", "mac_roman", "latin_1")

_MAGIC_NUMBERS = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)

# Latin-1 maps bytes 0x80-0x9F to C1 control characters, which real text never
# contains; a file with such bytes is cp1252 or Mac Roman instead.
_C1_BYTES = frozenset(range(0x80, 0xA0))


class ImportFileError(Exception):
    """The file as a whole cannot be read. The message states why and what to do."""


@dataclasses.dataclass
class CsvTable:
    """A decoded CSV file: its header cells, its data rows and how it was read."""

    header: list[str]
    #: (spreadsheet row number, cells) of each non-blank data row; the header is row 1.
    rows: list[tuple[int, list[str]]]
    encoding: str
    #: True when the encoding was found by detection rather than given by the user.
    encoding_detected: bool
    delimiter: str
    line_ending: str


def read_table(data: bytes, *, encoding: str | None = None, max_bytes: int) -> CsvTable:
    """Decode ``data`` and split it into a header and rows.

    Raises ImportFileError for an empty, oversized, binary or undecodable file,
    and for a file with a header but no data rows.
    """
    _check_is_text(data, max_bytes=max_bytes)
    if encoding:
        text, used = _decode_as(data, encoding), encoding
    else:
        text, used = decode_detected(data)
    line_ending = _line_ending(text)
    delimiter = _sniff_delimiter(text)
    rows = _split_rows(text, delimiter=delimiter)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportFileError(
            "The file contains no header row. The first line must name the columns."
        )
    header = rows[0]
    # Blank rows are dropped but keep their place in the numbering, so row
    # numbers match what a spreadsheet shows (the header is row 1).
    data_rows = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    if not data_rows:
        raise ImportFileError(
            "The file has a header row but no data rows. Add at least one unit below the header."
        )
    header = [cell.lstrip("\ufeff") for cell in header]
    logger.info(
        "Import file read: %d bytes, encoding %s, %d data rows", len(data), used, len(data_rows)
    )
    return CsvTable(
        header=header,
        rows=data_rows,
        encoding=used,
        encoding_detected=not encoding,
        delimiter=delimiter,
        line_ending=line_ending,
    )


def _check_is_text(data: bytes, *, max_bytes: int) -> None:
    if not data:
        raise ImportFileError(
            "The file is empty. Choose a CSV file that contains a header row and units."
        )
    if len(data) > max_bytes:
        raise ImportFileError(
            f"The file is {len(data):,} bytes; the maximum is {max_bytes:,} bytes. "
            "Split it into smaller files and import them one after another."
        )
    for magic, kind in _MAGIC_NUMBERS:
        if data.startswith(magic):
            raise ImportFileError(
                f"The file is {kind}, not a CSV text file. Export it as CSV and upload that."
            )
    has_utf16_bom = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data[:65536] and not has_utf16_bom:
        raise ImportFileError(
            "The file contains binary data (NUL bytes), so it is not a CSV text file. "
            "Export the data as CSV and upload that."
        )


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportFileError(
            f"The encoding {encoding!r} is unknown. Use a name such as utf-8, cp1252, "
            "mac_roman or latin_1."
        ) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file cannot be read as {encoding}: byte 0x{data[error.start]:02X} at "
            f"position {error.start} is invalid in that encoding. Choose another encoding "
            "or leave the choice to detection."
        ) from None
    return text.removeprefix("\ufeff")


def decode_detected(data: bytes) -> tuple[str, str]:
    """Decode ``data`` with the encoding it most likely uses; return (text, encoding name).

    A byte-order mark decides first, then strict UTF-8. Otherwise the candidates
    are cp1252, Mac Roman and Latin-1; those that cannot decode the bytes (or
    would produce C1 control characters) drop out and charset-normalizer ranks
    the rest. CR-only line ends, the classic Mac convention, favour Mac Roman
    when the ranking ties.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16").removeprefix("\ufeff"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [name for name in SINGLE_BYTE_ENCODINGS if _decodes_cleanly(data, name)]
    if not candidates:
        raise ImportFileError(
            "The file's encoding could not be detected. Choose the encoding the file was saved in."
        )
    ranked = _rank_with_charset_normalizer(data, candidates)
    if _is_cr_only(data) and "mac_roman" in ranked[:2]:
        best_score = _chaos(data, ranked[0])
        if _chaos(data, "mac_roman") <= best_score:
            ranked.remove("mac_roman")
            ranked.insert(0, "mac_roman")
    return data.decode(ranked[0]), ranked[0]


def _decodes_cleanly(data: bytes, encoding: str) -> bool:
    if encoding == "latin_1":
        return not any(byte in _C1_BYTES for byte in data)
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _rank_with_charset_normalizer(data: bytes, candidates: list[str]) -> list[str]:
    matches = from_bytes(data, cp_isolation=candidates)
    ranked = [match.encoding for match in matches if match.encoding in candidates]
    return ranked + [name for name in candidates if name not in ranked]


def _chaos(data: bytes, encoding: str) -> float:
    match = from_bytes(data, cp_isolation=[encoding]).best()
    return match.chaos if match else 1.0


def _is_cr_only(data: bytes) -> bool:
    return b"\r" in data and b"\n" not in data


def _line_ending(text: str) -> str:
    if "\r\n" in text:
        return "CRLF"
    if "\r" in text and "\n" not in text:
        return "CR"
    return "LF"


def _split_rows(text: str, *, delimiter: str = ",") -> list[list[str]]:
    # newline="" lets the csv module see CR, LF and CRLF as row ends, and keep
    # line breaks inside quoted cells.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as error:
        raise ImportFileError(
            f"The file is not valid CSV near row {reader.line_num}: {error}. "
            "Check the quotes in that row."
        ) from None


def _sniff_delimiter(text: str) -> str:
    """Return the delimiter of the header line: comma, semicolon or tab."""
    first_line = text.splitlines()[0] if text else ""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","
