"""Labels as ZPL II for Zebra thermal printers: one ^XA...^XZ format per label.

Positions and module widths come from the same layout as the PDF, so a label
that fits on paper fits on the printer. All user text goes through ^FH hex
escapes, so a "^" or "~" in a serial or product name cannot start a command.
Command syntax follows the ZPL II Programming Guide (^BC invocation codes in
its Code 128 table). NOTE: the output is checked by tests as text only, not
on a printer.
"""

from units.labels.code128 import CODE_A, CODE_B, CODE_C, FNC1, SHIFT, START
from units.labels.content import LabelContent, LabelError
from units.labels.layout import LabelLayout, TextLine, layout_labels
from units.labels.stocks import get_stock

#: ^FH escape character; "_" in data is escaped too.
_HEX_INDICATOR = "_"
_ESCAPED = {"^", "~", "_"}
#: ^BC invocation codes for the function and switch values, by code set.
_INVOCATIONS = {
    "A": {SHIFT: ">4", CODE_C: ">5", CODE_B: ">6", FNC1: ">8"},
    "B": {SHIFT: ">4", CODE_C: ">5", CODE_A: ">7", FNC1: ">8"},
    "C": {CODE_B: ">6", CODE_A: ">7", FNC1: ">8"},
}
_START_INVOCATIONS = {START["A"]: ">9", START["B"]: ">:", START["C"]: ">;"}
_SET_AFTER = {CODE_A: "A", CODE_B: "B", CODE_C: "C"}


def escape_field(text: str) -> str:
    """Return text for a ^FH field: ^, ~, _ and control characters become _XX hex escapes."""
    escaped = []
    for char in text:
        if char in _ESCAPED or ord(char) < 32 or ord(char) == 127:
            escaped.append(f"{_HEX_INDICATOR}{ord(char):02X}")
        else:
            escaped.append(char)
    return "".join(escaped)


def code128_field_data(values: tuple[int, ...], serial: str) -> str:
    """Return ^BC field data (mode N) reproducing exactly the given symbol values.

    values contains the start and data values, and the printer adds the check
    symbol and stop. Raises LabelError for ">" and control characters, which the
    invocation scheme cannot pass through unambiguously.
    """
    code_set = {v: k for k, v in START.items()}[values[0]]
    parts = [_START_INVOCATIONS[values[0]]]
    for value in values[1:]:
        if value in _INVOCATIONS[code_set]:
            parts.append(_INVOCATIONS[code_set][value])
            code_set = _SET_AFTER.get(value, code_set)
        elif code_set == "C":
            parts.append(f"{value:02d}")
        elif value <= 63 or (code_set == "B" and value <= 94):
            char = chr(value + 32)
            if char == ">":
                # NOTE: the guide's table gives "><" for ">", but its value column
                # is ambiguous, so ZPL output rejects ">" instead of risking wrong bars.
                raise LabelError(
                    [
                        f"Serial {serial} contains '>', which the ZPL output cannot encode. "
                        "Print it as PDF."
                    ]
                )
            # "~" is ZPL's control prefix, so it goes in as its invocation code.
            parts.append(">=" if char == "~" else escape_field(char))
        else:
            raise LabelError(
                [
                    f"Serial {serial} contains a control character, "
                    "which the ZPL output cannot encode."
                ]
            )
    return "".join(parts)


def render_zpl(labels: list[LabelContent], stock: str, dpi: int, copies: int = 1) -> str:
    """Return ZPL with one format per label, each printed copies times (^PQ).

    Only roll stocks are accepted; sheets go to office printers as PDF.
    Raises LabelError like render_pdf.
    """
    label_stock = get_stock(stock)
    if label_stock.is_sheet:
        raise LabelError(
            [f"ZPL is for thermal label printers; the {stock} stock is a sheet. Choose PDF output."]
        )
    layouts = layout_labels(labels, label_stock, dpi, copies=copies)
    return "".join(_format(layout, copies) for layout in layouts)


def _format(layout: LabelLayout, copies: int) -> str:
    commands = ["^XA", "^CI28", f"^PW{layout.width}", f"^LL{layout.height}", "^LH0,0"]
    if layout.title is not None:
        commands.append(_text(layout.title, layout.dpi))
    commands.append(_barcode(layout))
    commands.extend(_text(line, layout.dpi) for line in layout.lines)
    if layout.qr is not None:
        qr = layout.qr
        commands.append(
            f"^FO{qr.x},{qr.top}^BQN,2,{qr.module}^FH^FDMA,{escape_field(layout.content.qr_url)}^FS"
        )
    commands.append(f"^PQ{copies}")
    commands.append("^XZ")
    return "\n".join(commands) + "\n"


def _text(line: TextLine, dpi: int) -> str:
    # Font 0 is a condensed sans serif, so text that fits in Helvetica at the
    # same height fits here too; ^FB centres it in the line's box.
    height = round(line.size_pt * dpi / 72)
    return (
        f"^FO{line.x},{line.top}^A0N,{height}^FB{line.width},1,0,C,0"
        f"^FH^FD{escape_field(line.text)}^FS"
    )


def _barcode(layout: LabelLayout) -> str:
    bars, symbol = layout.bars, layout.content.symbol
    position = f"^FO{bars.x},{bars.top}^BY{bars.module}"
    if symbol.kind in {"code128", "gs1-128"}:
        data = code128_field_data(symbol.values[:-2], layout.content.serial)
        return f"{position}^BCN,{bars.height},N,N,N,N^FH^FD{data}^FS"
    # The printer computes the check digit from the digits before it; the
    # stored GTIN was validated, so the printed number is the stored one.
    if symbol.kind == "ean13":
        return f"{position}^BEN,{bars.height},N,N^FD{symbol.data[:12]}^FS"
    if symbol.kind == "upca":
        return f"{position}^BUN,{bars.height},N,N,Y^FD{symbol.data[:11]}^FS"
    return f"{position}^B8N,{bars.height},N,N^FD{symbol.data[:7]}^FS"
