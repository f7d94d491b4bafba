"""Label stocks: the size of each label and, for sheets, where the labels sit on the page.

Sizes are the nominal sizes of the stock. Margins are this project's choice:
room for the printer's registration tolerance on thermal rolls and for the
unprintable page edge of office printers on sheets.
"""

from dataclasses import dataclass

from units.labels.content import LabelError

MM = 1 / 25.4
#: Printer resolutions offered, in dots per inch.
DPI_CHOICES = (203, 300)


@dataclass(frozen=True)
class Stock:
    key: str
    name: str
    #: Label size in inches.
    width: float
    height: float
    #: Space kept free inside each label edge, in inches.
    margin_x: float
    margin_y: float
    #: Preferred font sizes in points; text may shrink to MIN_TEXT_PT.
    title_pt: float
    text_pt: float
    #: Tallest bar height worth printing, in inches.
    max_bar_height: float
    #: Sheet layout; thermal stocks print one label per page and leave these at 0.
    page_width: float = 0
    page_height: float = 0
    columns: int = 0
    rows: int = 0
    #: Top-left corner of the first label and the distance between label corners, in inches.
    left: float = 0
    top: float = 0
    pitch_x: float = 0
    pitch_y: float = 0

    @property
    def is_sheet(self) -> bool:
        return self.columns > 0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows if self.is_sheet else 1

    def cell_origin(self, index: int) -> tuple[float, float]:
        """Return the top-left corner of sheet position index, in inches from the page's."""
        row, column = divmod(index % self.per_page, self.columns)
        return self.left + column * self.pitch_x, self.top + row * self.pitch_y


STOCKS: dict[str, Stock] = {
    stock.key: stock
    for stock in (
        Stock("2x1in", '2" x 1" thermal label', 2.0, 1.0, 1.5 * MM, 1 * MM, 7, 9, 0.75),
        Stock("4x6in", '4" x 6" thermal label', 4.0, 6.0, 4 * MM, 4 * MM, 14, 18, 1.25),
        # Die-cut labels on 62 mm tape, 29 mm long (the length is this project's choice).
        Stock("62mm", "62 mm x 29 mm tape label", 62 * MM, 29 * MM, 2 * MM, 1.5 * MM, 7, 9, 0.75),
        # Avery 5160 on US Letter: 3 columns x 10 rows of 2 5/8" x 1", 1/8" between columns.
        Stock(
            "avery5160", 'Avery 5160 sheet (Letter, 30 labels of 2 5/8" x 1")',
            2.625, 1.0, 2.5 * MM, 1.5 * MM, 7, 9, 0.75,
            page_width=8.5, page_height=11.0, columns=3, rows=10,
            left=0.1875, top=0.5, pitch_x=2.75, pitch_y=1.0,
        ),
        # A4 with 3 columns x 8 rows of 70 mm x 37 mm, edge to edge across the width
        # and 0.5 mm above the first row. The wider side margin keeps text clear of
        # the 4-5 mm most office printers cannot print at the page edge.
        Stock(
            "a4-3x8", "A4 sheet (24 labels of 70 x 37 mm)",
            70 * MM, 37 * MM, 5 * MM, 2 * MM, 8, 10, 0.75,
            page_width=210 * MM, page_height=297 * MM, columns=3, rows=8,
            left=0, top=0.5 * MM, pitch_x=70 * MM, pitch_y=37 * MM,
        ),
    )
}  # fmt: skip


def dots(inches: float, dpi: int) -> int:
    """Return the whole printer dots that fit in a length (rounded down)."""
    return int(inches * dpi + 1e-9)


def get_stock(key: str) -> Stock:
    """Return the stock called key; raises LabelError naming the known stocks."""
    if key not in STOCKS:
        raise LabelError([f"Unknown label stock {key!r}; choose one of {', '.join(STOCKS)}."])
    return STOCKS[key]
