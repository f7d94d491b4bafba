"""Place the parts of one label on a grid of whole printer dots.

Every position and size here is an integer number of dots at the chosen
resolution, measured from the label's top-left corner. Bars are k dots per
module, k being the largest whole number that fits the symbol and its quiet
zones in the width available, so no printer has to round a bar edge.
"""

from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfbase.pdfmetrics import stringWidth

from units.labels.content import LabelContent, LabelError
from units.labels.stocks import DPI_CHOICES, Stock, dots

#: Smallest font size printed; text that does not fit at this size is rejected.
MIN_TEXT_PT = 6.0
#: Widest module in dots: ZPL's ^BY and ^BQ accept 1 to 10.
MAX_MODULE_DOTS = 10
#: Shortest bars printed, in inches (about 5 mm).
MIN_BAR_HEIGHT = 0.2
#: Light modules around a QR code on every side (ISO/IEC 18004).
QR_QUIET_MODULES = 4
QR_MASK_PATTERN = 0
TITLE_FONT = "Helvetica"
TEXT_FONT = "Helvetica-Bold"
ELLIPSIS = "\u2026"
#: Line height as a multiple of the font size.
LEADING = 1.2


@dataclass(frozen=True)
class TextLine:
    text: str
    font: str
    size_pt: float
    #: Box the text is centred in: left edge, width and top edge, in dots.
    x: int
    width: int
    top: int
    #: Line height in dots (LEADING times the font size).
    height: int


@dataclass(frozen=True)
class BarsBlock:
    #: Left edge of the first bar (inside the left quiet zone) and top of the bars, in dots.
    x: int
    top: int
    height: int
    #: Dots per module.
    module: int
    #: (left edge, width) of each bar in dots, relative to the label.
    bars: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class QrBlock:
    #: Top-left corner of the first module (inside the quiet zone), in dots.
    x: int
    top: int
    #: Dots per module.
    module: int
    #: Dark modules, row by row, without the quiet zone.
    matrix: tuple[tuple[bool, ...], ...]

    @property
    def side(self) -> int:
        return len(self.matrix) * self.module


@dataclass(frozen=True)
class LabelLayout:
    content: LabelContent
    dpi: int
    width: int
    height: int
    title: TextLine | None
    bars: BarsBlock
    lines: tuple[TextLine, ...]
    qr: QrBlock | None


def check_dpi(dpi: int) -> None:
    if dpi not in DPI_CHOICES:
        raise LabelError([f"Printer resolution {dpi} dpi is not supported; use 203 or 300."])


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """Return the dark modules of a QR code for url (error correction level M, no border).

    The mask pattern is fixed, which any reader accepts: choosing the best of
    eight masks took about 10 ms per code with qrcode 8.2 and dominated the
    time for 500 labels.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK_PATTERN)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def layout_label(content: LabelContent, stock: Stock, dpi: int) -> LabelLayout:
    """Return the geometry of one label; raises LabelError when a part does not fit.

    Landscape labels put the QR code at the right of the barcode; portrait
    labels put it under the text.
    """
    width, height = dots(stock.width, dpi), dots(stock.height, dpi)
    margin_x, margin_y = dots(stock.margin_x, dpi), dots(stock.margin_y, dpi)
    column_x, column_width = margin_x, width - 2 * margin_x
    bottom = height - margin_y
    landscape = width >= height

    qr_matrix_rows = qr_matrix(content.qr_url) if content.qr_url else None
    qr_side = 0
    if qr_matrix_rows is not None:
        span = len(qr_matrix_rows) + 2 * QR_QUIET_MODULES
        if landscape:
            available = height - 2 * margin_y
        else:
            available = min(column_width // 2, (height - 2 * margin_y) // 3)
        qr_module = min(MAX_MODULE_DOTS, available // span)
        if qr_module < 1:
            raise LabelError([_qr_too_small(content, stock, dpi, span, available)])
        qr_side = span * qr_module
        if landscape:
            column_width -= qr_side

    # Only a QR code beside the barcode narrows it, so only then is leaving it out a remedy.
    remedy = (
        "Use a wider stock or leave out the QR code."
        if qr_side and landscape
        else "Use a wider stock."
    )
    module = _module_dots(content, stock, dpi, column_width, remedy)
    title = _title_line(content.title, stock, dpi, column_x, column_width, margin_y)
    bars_top = (title.top + title.height) if title else margin_y
    lines = _text_lines(content, stock, dpi, column_x, column_width, remedy)
    lines_height = sum(line.height for line in lines)
    room = bottom - bars_top - lines_height - (0 if landscape else qr_side)
    bar_height = min(room, dots(stock.max_bar_height, dpi))
    if bar_height < dots(MIN_BAR_HEIGHT, dpi):
        raise LabelError([_too_short(content, stock, dpi)])
    bars = _bars(content.symbol, module, (column_x, column_width), (bars_top, bar_height))

    placed_lines = []
    top = bars_top + bar_height
    for line in lines:
        placed_lines.append(_moved(line, top))
        top += line.height

    qr = None
    if qr_matrix_rows is not None:
        qr_module = qr_side // (len(qr_matrix_rows) + 2 * QR_QUIET_MODULES)
        quiet = QR_QUIET_MODULES * qr_module
        if landscape:
            qr_x = width - margin_x - qr_side
            qr_top = (height - qr_side) // 2
        else:
            qr_x = (width - qr_side) // 2
            qr_top = top
        qr = QrBlock(qr_x + quiet, qr_top + quiet, qr_module, qr_matrix_rows)

    return LabelLayout(content, dpi, width, height, title, bars, tuple(placed_lines), qr)


def _moved(line: TextLine, top: int) -> TextLine:
    return TextLine(line.text, line.font, line.size_pt, line.x, line.width, top, line.height)


def _line_height(size_pt: float, dpi: int) -> int:
    return int(size_pt * LEADING * dpi / 72 + 0.5)


def _text_width_dots(text: str, font: str, size_pt: float, dpi: int) -> float:
    return stringWidth(text, font, size_pt) * dpi / 72


def _title_line(title, stock, dpi, x, width, top) -> TextLine | None:
    """Fit the product name at the stock's title size, ending it with an ellipsis if needed."""
    title = " ".join(title.split())
    if not title:
        return None
    size = stock.title_pt
    if _text_width_dots(title, TITLE_FONT, size, dpi) > width:
        while title and _text_width_dots(title + ELLIPSIS, TITLE_FONT, size, dpi) > width:
            title = title[:-1]
        title = title.rstrip() + ELLIPSIS
    return TextLine(title, TITLE_FONT, size, x, width, top, _line_height(size, dpi))


def _text_lines(content, stock, dpi, x, width, remedy) -> list[TextLine]:
    """Fit each human-readable line, shrinking it to MIN_TEXT_PT; never shortens the text."""
    lines = []
    for text in content.text_lines:
        size = stock.text_pt
        while size > MIN_TEXT_PT and _text_width_dots(text, TEXT_FONT, size, dpi) > width:
            size = max(MIN_TEXT_PT, size - 0.5)
        needed = _text_width_dots(text, TEXT_FONT, size, dpi)
        if needed > width:
            raise LabelError(
                [
                    f"Serial {content.serial}: the text {text!r} needs "
                    f"{needed / dpi * 25.4:.1f} mm at {MIN_TEXT_PT:g} pt, but the {stock.key} label has "
                    f"{width / dpi * 25.4:.1f} mm. {remedy}"
                ]
            )
        lines.append(TextLine(text, TEXT_FONT, size, x, width, 0, _line_height(size, dpi)))
    return lines


def _module_dots(content, stock, dpi, width, remedy) -> int:
    """Return the largest whole dots per module that fit the symbol and its quiet zones."""
    symbol = content.symbol
    module = min(MAX_MODULE_DOTS, width // symbol.total_modules)
    if module < 1:
        raise LabelError(
            [
                f"Serial {content.serial} needs {symbol.total_modules} modules; the {stock.key} "
                f"label fits {width} at {dpi} dpi. {remedy}"
            ]
        )
    return module


def _bars(symbol, module, column, rows) -> BarsBlock:
    (x, width), (top, height) = column, rows
    left = x + (width - symbol.total_modules * module) // 2 + symbol.quiet_left * module
    bars = []
    position = left
    for index, modules in enumerate(symbol.widths):
        if index % 2 == 0:
            bars.append((position, modules * module))
        position += modules * module
    return BarsBlock(left, top, height, module, tuple(bars))


def _qr_too_small(content, stock, dpi, span, available) -> str:
    return (
        f"Serial {content.serial}: the QR code needs {span} modules; the {stock.key} label "
        f"has room for {available} at {dpi} dpi. Use a larger stock or leave out the QR code."
    )


def _too_short(content, stock, dpi) -> str:
    return (
        f"Serial {content.serial}: the {stock.key} label leaves less than "
        f"{MIN_BAR_HEIGHT * 25.4:.0f} mm for the bars at {dpi} dpi. "
        "Use a taller stock or leave out the QR code."
    )


#: Most labels one request may produce (labels times copies).
MAX_LABELS = 2000
#: Most distinct problems reported at once; the rest are counted.
MAX_PROBLEMS = 20


def layout_labels(
    labels: list[LabelContent], stock: Stock, dpi: int, *, skip: int = 0, copies: int = 1
) -> list[LabelLayout]:
    """Check the print options and lay out every label once (copies are not repeated here).

    Raises LabelError listing the problems of all labels at once.
    """
    check_dpi(dpi)
    problems = option_problems(len(labels), stock, skip, copies)
    if problems:
        raise LabelError(problems)
    layouts = []
    for content in labels:
        try:
            layouts.append(layout_label(content, stock, dpi))
        except LabelError as error:
            problems.extend(message for message in error.messages if message not in problems)
    if problems:
        if len(problems) > MAX_PROBLEMS:
            hidden = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], f"{hidden} more labels have problems like these."]
        raise LabelError(problems)
    return layouts


def option_problems(count: int, stock: Stock, skip: int, copies: int) -> list[str]:
    problems = []
    if count == 0:
        problems.append("No units were selected. Choose at least one unit to print labels for.")
    if not 1 <= copies <= 100:
        problems.append(f"Copies must be between 1 and 100; {copies} was given.")
    elif count * copies > MAX_LABELS:
        problems.append(
            f"{count} units x {copies} copies make {count * copies} labels; one request prints "
            f"at most {MAX_LABELS}. Select fewer units or copies."
        )
    if skip < 0:
        problems.append(f"Labels to skip must be 0 or more; {skip} was given.")
    elif skip and not stock.is_sheet:
        problems.append(f"Skipping labels applies to sheets only; the {stock.key} stock is a roll.")
    elif skip >= stock.per_page and stock.is_sheet:
        problems.append(
            f"A {stock.key} sheet has {stock.per_page} labels, so skip 0 to {stock.per_page - 1}, "
            f"not {skip}."
        )
    return problems
