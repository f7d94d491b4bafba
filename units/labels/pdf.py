"""Labels as PDF: one label per page for rolls, or filled sheets, at the stock's exact size."""

import io

from reportlab.pdfgen.canvas import Canvas

from units.labels.content import LabelContent
from units.labels.layout import LabelLayout, layout_labels
from units.labels.stocks import Stock, get_stock

#: Distance from the top of a text line's box to its baseline, as a multiple of the font size.
BASELINE = 0.9


def render_pdf(
    labels: list[LabelContent], stock: str, dpi: int, skip: int = 0, copies: int = 1
) -> bytes:
    """Return a PDF with copies of every label, in order, skipping the first skip sheet positions.

    Raises LabelError when an option is out of range or a label does not fit.
    """
    label_stock = get_stock(stock)
    layouts = layout_labels(labels, label_stock, dpi, skip=skip, copies=copies)
    if label_stock.is_sheet:
        page_size = (label_stock.page_width * 72, label_stock.page_height * 72)
    else:
        page_size = (label_stock.width * 72, label_stock.height * 72)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page_size, pageCompression=1)
    canvas.setTitle("Labels")
    canvas.setCreator("Serialized Inventory")
    slot = skip
    for layout in layouts:
        for _ in range(copies):
            if slot and slot % label_stock.per_page == 0:
                canvas.showPage()
            _draw(canvas, layout, *_origin(label_stock, slot, dpi), page_size[1])
            slot += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _origin(stock: Stock, slot: int, dpi: int) -> tuple[int, int]:
    """Return the label's top-left corner in dots from the page's top-left, on the dot grid."""
    if not stock.is_sheet:
        return 0, 0
    left, top = stock.cell_origin(slot)
    return round(left * dpi), round(top * dpi)


def _draw(canvas: Canvas, layout: LabelLayout, left: int, top: int, page_height: float) -> None:
    scale = 72 / layout.dpi

    def x_pt(x_dots: float) -> float:
        return (left + x_dots) * scale

    def y_pt(y_dots: float) -> float:
        return page_height - (top + y_dots) * scale

    path = canvas.beginPath()
    bars = layout.bars
    for bar_x, bar_width in bars.bars:
        path.rect(x_pt(bar_x), y_pt(bars.top + bars.height), bar_width * scale, bars.height * scale)
    if layout.qr is not None:
        qr = layout.qr
        for row_index, row in enumerate(qr.matrix):
            row_top = qr.top + row_index * qr.module
            for start, length in _dark_runs(row):
                path.rect(
                    x_pt(qr.x + start * qr.module),
                    y_pt(row_top + qr.module),
                    length * qr.module * scale,
                    qr.module * scale,
                )
    canvas.drawPath(path, stroke=0, fill=1)

    for line in (layout.title, *layout.lines):
        if line is None:
            continue
        canvas.setFont(line.font, line.size_pt)
        baseline = line.top + BASELINE * line.size_pt * layout.dpi / 72
        canvas.drawCentredString(x_pt(line.x + line.width / 2), y_pt(baseline), line.text)


def _dark_runs(row: tuple[bool, ...]):
    """Yield (start, length) of each run of dark modules in a QR code row."""
    start = None
    for index, dark in enumerate((*row, False)):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            yield start, index - start
            start = None
