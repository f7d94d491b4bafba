"""The one place where serial-number text is normalised, compared and sorted.

Every entry point (forms, the scan box, receiving, import) calls
``normalize_serial``; lookups and uniqueness use ``serial_key``; ordering uses
``serial_sort_key``.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

#: Serials longer than this are rejected rather than stored; nothing is truncated.
MAX_SERIAL_LENGTH = 500

# Barcode scanners end a read with CR, LF or TAB; surrounding spaces come from
# pasted text. str.strip() removes all of them.
_DIGITS = re.compile(r"\d+")


def _describe_char(char: str) -> str:
    name = unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} ({name.title()})"


def normalize_serial(raw: object, *, field: str = "serial") -> str:
    """Return the canonical form of a serial number as typed, scanned or imported.

    Surrounding whitespace and scanner terminators are removed; case, leading
    zeros and inner spaces and hyphens are kept. Raises ValidationError for an
    empty value, a control or invisible formatting character, or an overlong value.
    """
    if raw is None:
        raise ValidationError("The %(field)s is empty.", code="empty", params={"field": field})
    text = unicodedata.normalize("NFC", str(raw)).strip()
    if not text:
        raise ValidationError(
            "The %(field)s is empty. Scan or type it again.", code="empty", params={"field": field}
        )
    for char in text:
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise ValidationError(
                "The %(field)s %(value)s contains the invisible character %(char)s. "
                "Remove it and scan or type the value again.",
                code="control_character",
                params={"field": field, "value": repr(text), "char": _describe_char(char)},
            )
    if len(text) > MAX_SERIAL_LENGTH:
        raise ValidationError(
            "The %(field)s starting %(start)s is %(length)d characters long; "
            "the maximum is %(max)d.",
            code="too_long",
            params={
                "field": field,
                "start": repr(text[:20]),
                "length": len(text),
                "max": MAX_SERIAL_LENGTH,
            },
        )
    return text


def serial_key(serial: str) -> str:
    """Return the case-insensitive key of a normalised serial (SQL ``LOWER`` agrees)."""
    return serial.lower()


def serial_sort_key(serial: str) -> str:
    """Return a key under which serials sort naturally, so SN-9 comes before SN-10.

    Each run of digits becomes its significant-digit count (two digits) followed
    by the digits without leading zeros, then a zero-count suffix keeps 007 after 7.
    The key sorts correctly under byte-wise ("C") collation.
    """

    def encode(match: re.Match[str]) -> str:
        digits = match.group()
        significant = digits.lstrip("0") or "0"
        leading_zeros = len(digits) - len(significant)
        return f"{len(significant):02d}{significant}{leading_zeros:02d}"

    return _DIGITS.sub(encode, serial.lower())


def looks_spreadsheet_mangled(serial: str) -> str | None:
    """Return why a serial looks like a number that a spreadsheet rewrote, else None.

    Spreadsheets turn long digit strings into scientific notation (6.38E+15) and
    append ".0" to whole numbers; the original digits are lost, so such values
    must never be stored as serials.
    """
    if re.fullmatch(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+", serial):
        return "is in scientific notation, so a spreadsheet has rounded it"
    if re.fullmatch(r"\d+\.0+", serial):
        return 'ends in ".0", so a spreadsheet has read it as a number'
    return None
