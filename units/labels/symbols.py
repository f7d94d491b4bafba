"""Linear barcode symbols ready to draw: module widths, quiet zones and the text they carry.

EAN-13, UPC-A and EAN-8 are encoded here rather than with python-barcode,
because python-barcode 0.16.1 replaces a wrong check digit instead of
rejecting it (it turns 1234567891012 into 1234567891019). Here a GTIN is
printed exactly as stored or not at all.
"""

from dataclasses import dataclass

from inventory.identifiers import gtin_problem
from units.labels import code128


class SymbolError(ValueError):
    """Raised when a value cannot be encoded in the requested barcode.

    The message gives the reason and names the value.
    """


@dataclass(frozen=True)
class Symbol:
    """One linear barcode: what it encodes and its bars as module widths."""

    #: "code128", "gs1-128", "ean13", "upca" or "ean8".
    kind: str
    #: The text a barcode reader returns for this symbol.
    data: str
    #: Human-readable interpretation printed under the bars.
    text: str
    #: Bar and space widths in modules, starting and ending with a bar.
    widths: tuple[int, ...]
    #: Quiet zone on each side, in modules.
    quiet_left: int
    quiet_right: int
    #: Code 128 symbol values (start, data, check, stop); empty for EAN/UPC.
    values: tuple[int, ...] = ()

    @property
    def modules(self) -> int:
        """Width of the bars alone, in modules."""
        return sum(self.widths)

    @property
    def total_modules(self) -> int:
        """Width including both quiet zones, in modules."""
        return self.modules + self.quiet_left + self.quiet_right


def code128_symbol(text: str) -> Symbol:
    """Return the Code 128 symbol of text; raises SymbolError for characters outside ASCII."""
    try:
        values = code128.symbol_values(text)
    except code128.Code128Error as error:
        raise SymbolError(str(error)) from error
    return _code128_from_values("code128", text, text, values)


def gs1_128_gtin_symbol(gtin: str) -> Symbol:
    """Return a GS1-128 symbol carrying GTIN-14 gtin in application identifier (01)."""
    values = code128.symbol_values_for_items(code128.gs1_items([("01", gtin)]))
    return _code128_from_values("gs1-128", f"(01){gtin}", f"(01) {gtin}", values)


def _code128_from_values(kind: str, data: str, text: str, values: list[int]) -> Symbol:
    all_values = (*values, code128.check_value(values), code128.STOP)
    return Symbol(
        kind=kind,
        data=data,
        text=text,
        widths=tuple(code128.module_widths(values)),
        quiet_left=code128.QUIET_ZONE_MODULES,
        quiet_right=code128.QUIET_ZONE_MODULES,
        values=all_values,
    )


# --- EAN/UPC ----------------------------------------------------------------

#: Left-hand odd-parity (set A) digit patterns; 1 is a dark module.
_SET_A = ("0001101", "0011001", "0010011", "0111101", "0100011",
          "0110001", "0101111", "0111011", "0110111", "0001011")  # fmt: skip
#: Right-hand (set C) patterns are set A inverted; even-parity (set B) is set C reversed.
_SET_C = tuple(pattern.translate(str.maketrans("01", "10")) for pattern in _SET_A)
_SET_B = tuple(pattern[::-1] for pattern in _SET_C)
#: Parity of the six left digits of EAN-13, selected by the leading digit.
_EAN13_PARITY = ("AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB",
                 "ABBAAB", "ABBBAA", "ABABAB", "ABABBA", "ABBABA")  # fmt: skip
_GUARD = "101"
_CENTRE = "01010"


def _runs(modules: str) -> tuple[int, ...]:
    """Convert a module string starting with a dark module into run widths."""
    widths = []
    current, count = modules[0], 0
    for module in modules:
        if module == current:
            count += 1
        else:
            widths.append(count)
            current, count = module, 1
    widths.append(count)
    return tuple(widths)


def _ean_modules(left: str, right: str, parity: str) -> str:
    patterns = {"A": _SET_A, "B": _SET_B}
    left_part = "".join(patterns[p][int(d)] for d, p in zip(left, parity, strict=True))
    right_part = "".join(_SET_C[int(d)] for d in right)
    return _GUARD + left_part + _CENTRE + right_part + _GUARD


def ean13_symbol(gtin: str) -> Symbol:
    """Return the EAN-13 symbol of a valid 13-digit GTIN (quiet zones 11 and 7 modules)."""
    modules = _ean_modules(gtin[1:7], gtin[7:], _EAN13_PARITY[int(gtin[0])])
    return Symbol("ean13", gtin, f"{gtin[0]} {gtin[1:7]} {gtin[7:]}", _runs(modules), 11, 7)


def upca_symbol(gtin: str) -> Symbol:
    """Return the UPC-A symbol of a valid 12-digit GTIN (quiet zones 9 modules each side)."""
    modules = _ean_modules(gtin[:6], gtin[6:], "AAAAAA")
    text = f"{gtin[0]} {gtin[1:6]} {gtin[6:11]} {gtin[11]}"
    return Symbol("upca", gtin, text, _runs(modules), 9, 9)


def ean8_symbol(gtin: str) -> Symbol:
    """Return the EAN-8 symbol of a valid 8-digit GTIN (quiet zones 7 modules each side)."""
    modules = _ean_modules(gtin[:4], gtin[4:], "AAAA")
    return Symbol("ean8", gtin, f"{gtin[:4]} {gtin[4:]}", _runs(modules), 7, 7)


def gtin_symbol(gtin: str) -> Symbol:
    """Return the symbol for a stored GTIN: EAN-8, UPC-A, EAN-13 or GS1-128 for GTIN-14.

    The GTIN is checked with ``gtin_problem`` and printed exactly as stored;
    a wrong check digit raises SymbolError instead of being replaced.
    """
    problem = gtin_problem(gtin)
    if problem:
        raise SymbolError(problem)
    builders = {8: ean8_symbol, 12: upca_symbol, 13: ean13_symbol, 14: gs1_128_gtin_symbol}
    return builders[len(gtin)](gtin)
