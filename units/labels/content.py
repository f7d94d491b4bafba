"""Label content, built from units that were loaded with their products."""

from collections.abc import Iterable
from dataclasses import dataclass

from units.labels.symbols import Symbol, SymbolError, code128_symbol, gtin_symbol

SYMBOLOGY_SERIAL = "serial"
SYMBOLOGY_GTIN = "gtin"
SYMBOLOGIES = (SYMBOLOGY_SERIAL, SYMBOLOGY_GTIN)


class LabelError(ValueError):
    """Raised when labels cannot be produced as requested.

    ``messages`` lists every reason, worded for the user.
    """

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class LabelContent:
    """Everything printed on one label."""

    #: Product name; shortened with an ellipsis when it does not fit.
    title: str
    #: The unit's serial, printed in full or not at all.
    serial: str
    #: The barcode: Code 128 of the serial or the product's GTIN.
    symbol: Symbol
    #: Absolute address of the unit's page for the QR code; empty for no QR code.
    qr_url: str = ""

    @property
    def text_lines(self) -> list[str]:
        """Lines printed under the bars: the barcode's text, then the serial if it differs."""
        if self.symbol.data == self.serial:
            return [self.serial]
        return [self.symbol.text, f"S/N {self.serial}"]


def unit_url(base_url: str, unit) -> str:
    """Return the absolute address of unit's page under base_url."""
    return base_url.rstrip("/") + unit.get_absolute_url()


def labels_for_units(
    units: Iterable, *, symbology: str = SYMBOLOGY_SERIAL, qr_base_url: str = ""
) -> list[LabelContent]:
    """Return one LabelContent per unit, in the order given.

    Units should come with ``select_related("product")``; nothing else is read
    from the database. Raises LabelError listing each serial that Code 128
    cannot encode, or each product whose GTIN is missing or invalid. A GTIN is
    printed as stored, never corrected.
    """
    if symbology not in SYMBOLOGIES:
        raise LabelError([f"Unknown barcode type {symbology!r}; use 'serial' or 'gtin'."])
    labels: list[LabelContent] = []
    problems: list[str] = []
    gtin_symbols: dict[int, Symbol | str] = {}
    for unit in units:
        product = unit.product
        if symbology == SYMBOLOGY_SERIAL:
            try:
                symbol = code128_symbol(unit.serial)
            except SymbolError as error:
                problems.append(f"Serial {unit.serial} cannot be printed as Code 128: {error}")
                continue
        else:
            if product.pk not in gtin_symbols:
                gtin_symbols[product.pk] = _gtin_symbol_or_problem(product)
            symbol = gtin_symbols[product.pk]
            if isinstance(symbol, str):
                if symbol not in problems:
                    problems.append(symbol)
                continue
        url = unit_url(qr_base_url, unit) if qr_base_url else ""
        labels.append(
            LabelContent(title=product.name, serial=unit.serial, symbol=symbol, qr_url=url)
        )
    if problems:
        raise LabelError(problems)
    return labels


def _gtin_symbol_or_problem(product) -> Symbol | str:
    if not product.gtin:
        return (
            f"Product {product.model_number} has no GTIN. "
            "Add it to the product or print the serial as the barcode."
        )
    try:
        return gtin_symbol(product.gtin)
    except SymbolError as error:
        return (
            f"Product {product.model_number}: {error} "
            "Correct the GTIN on the product; labels never change a stored check digit."
        )
