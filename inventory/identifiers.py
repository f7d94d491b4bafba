"""Check digits of GS1 identifiers (GTIN, UPC, EAN, SSCC) and vehicle identification numbers.

GS1 mod-10: from the right, digits before the check digit are weighted 3, 1, 3, ...
(GS1 General Specifications, section 7.9). VIN: ISO 3779 transliteration with the
weights of 49 CFR 565.15; position 9 holds the check character ("X" for 10).
"""

from dataclasses import dataclass

GTIN_LENGTHS = (8, 12, 13, 14)


def gs1_check_digit(body: str) -> int:
    """Return the GS1 mod-10 check digit for the digits that precede it."""
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def normalize_gtin(raw: str) -> str:
    """Remove the spaces and hyphens that packages print between digit groups."""
    return "".join(raw.split()).replace("-", "")


def gtin_problem(value: str) -> str | None:
    """Return why value is not a valid GTIN-8/12/13/14, or None when it is."""
    if not value.isascii() or not value.isdigit():
        return f"GTIN {value!r} must contain digits only."
    if len(value) not in GTIN_LENGTHS:
        return f"GTIN {value!r} has {len(value)} digits; a GTIN has 8, 12, 13 or 14."
    expected = gs1_check_digit(value[:-1])
    if int(value[-1]) != expected:
        return (
            f"GTIN {value!r} has check digit {value[-1]}, but its digits give {expected}. "
            "Re-scan or re-type the number from the package."
        )
    return None


_VIN_LETTER_VALUES = {
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
#: World manufacturer identifiers starting with these characters are assigned to
#: North America (ISO 3780 regions 1-5), where the check digit is mandatory.
NORTH_AMERICAN_WMI_START = "12345"


@dataclass(frozen=True)
class VinCheck:
    vin: str
    error: str | None = None
    warning: str | None = None


def vin_check_character(vin: str) -> str:
    total = 0
    for char, weight in zip(vin, _VIN_WEIGHTS, strict=True):
        value = int(char) if char.isdigit() else _VIN_LETTER_VALUES[char]
        total += value * weight
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_vin(raw: str) -> VinCheck:
    """Validate a VIN: 17 characters of A-Z and 0-9 without I, O and Q.

    A wrong check digit is an error for North American VINs and a warning for
    the others, because check digits are optional outside North America.
    """
    vin = raw.strip().upper()
    if len(vin) != 17:
        return VinCheck(vin, error=f"VIN {vin!r} has {len(vin)} characters; a VIN has 17.")
    bad = sorted({c for c in vin if not (c.isascii() and (c.isdigit() or c in _VIN_LETTER_VALUES))})
    if bad:
        return VinCheck(
            vin,
            error=(
                f"VIN {vin!r} contains {', '.join(bad)}; VINs use 0-9 and A-Z without I, O and Q."
            ),
        )
    expected = vin_check_character(vin)
    if vin[8] == expected:
        return VinCheck(vin)
    message = f"VIN {vin!r} has check digit {vin[8]}, but its characters give {expected}."
    if vin[0] in NORTH_AMERICAN_WMI_START:
        return VinCheck(vin, error=message + " Check the VIN on the vehicle and type it again.")
    return VinCheck(vin, warning=message + " Outside North America the check digit is optional.")
