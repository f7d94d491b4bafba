"""Labels rendered to PDF and ZPL, with every barcode read back by a real reader.

PDF pages are rendered with pdfium at two pixels per printer dot and decoded
with zxing-cpp. The decoded text must equal the stored serial, GTIN or URL.
"""

import csv
import time

import pypdfium2
import pytest
import zxingcpp

from tests import factories
from tests.conftest import shared_file
from units.labels import LabelError, labels_for_units, render_pdf, render_zpl
from units.labels.layout import layout_label
from units.labels.stocks import STOCKS, dots
from units.models import Unit
from units.services import in_house_units_create

THERMAL_STOCKS = ["2x1in", "4x6in", "62mm"]
SERIALS = [
    "999999",
    "990001",
    "00042",
    "0",
    "12345678901234567890",
    "SN-000123",
    "sn-lower-case",
    "ABC12345",
    "AB 12  34",
]


# --- Reading labels back ------------------------------------------------------


def page_images(pdf: bytes, dpi: int):
    """Render every page at two pixels per printer dot, so one-dot modules stay sharp."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=2 * dpi / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()


def decode(image, formats=None) -> list[tuple[str, str]]:
    """Return (format name, text) of each barcode found in image, sorted."""
    options = {"formats": formats} if formats is not None else {}
    return sorted(
        (found.format.name, found.text) for found in zxingcpp.read_barcodes(image, **options)
    )


def crop_cell(image, stock_key: str, slot: int, dpi: int):
    """Crop a sheet page image to the label at sheet position slot."""
    stock = STOCKS[stock_key]
    left, top = stock.cell_origin(slot)
    scale = 2 * dpi
    box = (left, top, left + stock.width, top + stock.height)
    return image.crop(tuple(round(edge * scale) for edge in box))


def code128_texts(image) -> list[str]:
    return [text for _format, text in decode(image, zxingcpp.BarcodeFormat.Code128)]


# --- Data -------------------------------------------------------------------------


def receive_units(user, serials, **product_fields) -> list[Unit]:
    product = factories.make_product(**{"name": "Dishwasher", **product_fields})
    receipt = factories.receive(user, serials, product=product)
    # In the order the serials were given; a receipt stores them in key order.
    by_serial = {unit.serial: unit for unit in receipt.units.select_related("product")}
    return [by_serial[serial.strip()] for serial in serials]


@pytest.fixture
def serial_units(clerk):
    return receive_units(clerk, SERIALS)


def gtin_vectors(valid: bool, kinds: tuple[str, ...]) -> list[str]:
    path = shared_file("realworld", "identifiers", "identifier_vectors.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            row["value"]
            for row in csv.DictReader(handle)
            if row["kind"].startswith(kinds) and (row["check_valid"] == "True") == valid
        ]


# --- Serial barcodes on each thermal stock ------------------------------------------


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("stock", THERMAL_STOCKS)
def test_thermal_labels_decode_to_stored_serials(serial_units, stock, dpi):
    pdf = render_pdf(labels_for_units(serial_units), stock, dpi)

    pages = page_images(pdf, dpi)

    assert len(pages) == len(serial_units)
    for unit, page in zip(serial_units, pages, strict=True):
        assert code128_texts(page) == [unit.serial]


def test_thermal_page_is_exact_label_size(serial_units):
    pdf = render_pdf(labels_for_units(serial_units[:1]), "62mm", 300)

    page = pypdfium2.PdfDocument(pdf)[0]

    assert page.get_size() == pytest.approx((62 / 25.4 * 72, 29 / 25.4 * 72))


def test_in_house_tag_label_decodes(clerk):
    category = factories.make_category(in_house_prefix="TAG-", in_house_width=6)
    product = factories.make_product(category=category, is_serialized=True)
    units = in_house_units_create(
        actor=clerk, product=product, location=factories.make_location(), count=1
    )
    unit = Unit.objects.select_related("product").get(pk=units[0].pk)

    pages = page_images(render_pdf(labels_for_units([unit]), "2x1in", 203), 203)

    assert code128_texts(pages[0]) == [unit.in_house_tag]


# --- Sheets ---------------------------------------------------------------------------


def test_avery_sheet_skip_and_copies(serial_units):
    units = serial_units[:3]
    pdf = render_pdf(labels_for_units(units), "avery5160", 300, skip=4, copies=2)

    (page,) = page_images(pdf, 300)

    expected = {4: units[0].serial, 5: units[0].serial, 6: units[1].serial,
                7: units[1].serial, 8: units[2].serial, 9: units[2].serial}  # fmt: skip
    for slot in range(30):
        texts = code128_texts(crop_cell(page, "avery5160", slot, 300))
        assert texts == ([expected[slot]] if slot in expected else []), slot


def test_avery_sheet_continues_on_second_page(clerk):
    units = receive_units(clerk, [f"SN-{number:04d}" for number in range(3)])

    pdf = render_pdf(labels_for_units(units), "avery5160", 203, skip=28)
    pages = page_images(pdf, 203)

    assert len(pages) == 2
    assert code128_texts(crop_cell(pages[0], "avery5160", 29, 203)) == ["SN-0001"]
    assert code128_texts(crop_cell(pages[1], "avery5160", 0, 203)) == ["SN-0002"]


@pytest.mark.parametrize("dpi", [203, 300])
def test_a4_sheet_labels_decode_in_order(serial_units, dpi):
    pdf = render_pdf(labels_for_units(serial_units), "a4-3x8", dpi)

    (page,) = page_images(pdf, dpi)

    for slot, unit in enumerate(serial_units):
        assert code128_texts(crop_cell(page, "a4-3x8", slot, dpi)) == [unit.serial]


def test_sheet_skip_beyond_sheet_rejected(serial_units):
    with pytest.raises(LabelError) as error:
        render_pdf(labels_for_units(serial_units[:1]), "a4-3x8", 300, skip=24)
    assert error.value.messages == ["A a4-3x8 sheet has 24 labels, so skip 0 to 23, not 24."]


def test_skip_on_roll_rejected(serial_units):
    with pytest.raises(LabelError) as error:
        render_pdf(labels_for_units(serial_units[:1]), "2x1in", 203, skip=1)
    assert error.value.messages == [
        "Skipping labels applies to sheets only; the 2x1in stock is a roll."
    ]


# --- GTIN barcodes -----------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [203, 300])
def test_valid_ean13_and_upca_decode_to_stored_gtin(clerk, dpi):
    gtins = gtin_vectors(True, ("EAN-13", "UPC-A"))
    gtins = [gtin for gtin in gtins if gtin.isdigit()]
    assert len(gtins) >= 6
    for gtin in gtins:
        units = receive_units(clerk, [f"SN-{gtin}"], gtin=gtin)
        pdf = render_pdf(labels_for_units(units, symbology="gtin"), "2x1in", dpi)

        (page,) = page_images(pdf, dpi)

        # zxing-cpp 3.1 reports a UPC-A as its 13-digit GTIN, with a leading zero.
        expected = ("UPCA", "0" + gtin) if len(gtin) == 12 else ("EAN13", gtin)
        retail = decode(page, getattr(zxingcpp.BarcodeFormat, expected[0]))
        assert retail == [expected], gtin


def test_gtin14_prints_as_gs1_128(clerk):
    units = receive_units(clerk, ["SN-1"], gtin="09521234543213")

    (page,) = page_images(render_pdf(labels_for_units(units, symbology="gtin"), "2x1in", 300), 300)

    assert code128_texts(page) == ["(01)09521234543213"]


@pytest.mark.parametrize(
    "gtin", ["1234567891012", "1234567890123", "2024012571997", "061058603532"]
)
def test_gtin_with_wrong_check_digit_rejected(clerk, gtin):
    units = receive_units(clerk, ["SN-1"], gtin=gtin, model_number="DW-9")

    with pytest.raises(LabelError) as error:
        labels_for_units(units, symbology="gtin")

    expected = {"1234567891012": ("2", "9"), "1234567890123": ("3", "8"),
                "2024012571997": ("7", "8"), "061058603532": ("2", "7")}[gtin]  # fmt: skip
    assert error.value.messages == [
        f"Product DW-9: GTIN {gtin!r} has check digit {expected[0]}, but its digits give "
        f"{expected[1]}. Re-scan or re-type the number from the package. "
        "Correct the GTIN on the product; labels never change a stored check digit."
    ]


def test_every_invalid_gtin_in_vectors_rejected(clerk):
    for gtin in gtin_vectors(False, ("EAN-13", "UPC-A", "GTIN")):
        units = receive_units(clerk, [f"SN-{gtin}"], gtin=gtin)
        with pytest.raises(LabelError):
            labels_for_units(units, symbology="gtin")


def test_product_without_gtin_rejected(clerk):
    units = receive_units(clerk, ["SN-1"], model_number="DW-8")

    with pytest.raises(LabelError) as error:
        labels_for_units(units, symbology="gtin")

    assert error.value.messages == [
        "Product DW-8 has no GTIN. Add it to the product or print the serial as the barcode."
    ]


# --- QR codes ---------------------------------------------------------------------------


@pytest.mark.parametrize("stock", ["2x1in", "4x6in", "62mm"])
def test_qr_code_decodes_to_unit_url(serial_units, stock):
    unit = serial_units[5]
    labels = labels_for_units([unit], qr_base_url="https://shop.example.com/")

    (page,) = page_images(render_pdf(labels, stock, 300), 300)

    assert decode(page) == [
        ("Code128", "SN-000123"),
        ("QRCode", f"https://shop.example.com/units/{unit.pk}/"),
    ]


# --- Refusals and geometry ------------------------------------------------------------------


def test_serial_too_long_for_2x1_rejected_with_reason(clerk):
    serial = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghij"
    units = receive_units(clerk, [serial])

    with pytest.raises(LabelError) as error:
        render_pdf(labels_for_units(units), "2x1in", 203)

    assert error.value.messages == [
        f"Serial {serial} needs 462 modules; the 2x1in label fits 384 at 203 dpi. "
        "Use a wider stock."
    ]


def test_same_serial_fits_on_4x6(clerk):
    serial = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghij"
    units = receive_units(clerk, [serial])

    (page,) = page_images(render_pdf(labels_for_units(units), "4x6in", 203), 203)

    assert code128_texts(page) == [serial]


def test_qr_code_narrows_room_and_names_remedy(clerk):
    units = receive_units(clerk, ["12345678901234567890123456"])
    labels = labels_for_units(units, qr_base_url="https://shop.example.com/")

    with pytest.raises(LabelError) as error:
        render_pdf(labels, "2x1in", 203)

    assert error.value.messages[0].endswith("Use a wider stock or leave out the QR code.")


def test_serial_text_too_wide_rejected_not_truncated(clerk):
    serial = "W" * 24
    units = receive_units(clerk, [serial])

    with pytest.raises(LabelError) as error:
        render_pdf(labels_for_units(units), "2x1in", 300)

    assert error.value.messages == [
        f"Serial {serial}: the text {serial!r} needs 48.0 mm at 6 pt, "
        "but the 2x1in label has 47.9 mm. Use a wider stock."
    ]


def test_serial_outside_ascii_rejected(clerk):
    units = receive_units(clerk, ["SN-Ü1"])

    with pytest.raises(LabelError) as error:
        labels_for_units(units)

    assert error.value.messages == [
        "Serial SN-Ü1 cannot be printed as Code 128: 'SN-Ü1' contains 'Ü' (U+00DC) at "
        "position 4, but Code 128 encodes only ASCII characters 0-127."
    ]


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("stock", list(STOCKS))
def test_bars_whole_dots_largest_module(serial_units, stock, dpi):
    for content in labels_for_units(serial_units):
        layout = layout_label(content, STOCKS[stock], dpi)
        module = layout.bars.module
        symbol = content.symbol
        column = layout.width - 2 * dots(STOCKS[stock].margin_x, dpi)

        assert all(
            isinstance(edge, int) and isinstance(width, int) for edge, width in layout.bars.bars
        )
        assert [width // module for _edge, width in layout.bars.bars] == list(symbol.widths[0::2])
        assert all(width % module == 0 for _edge, width in layout.bars.bars)
        assert module == 10 or (module + 1) * symbol.total_modules > column


def test_long_product_name_shortened_with_ellipsis(clerk):
    units = receive_units(clerk, ["SN-1"], name="Dishwasher " * 10)

    layout = layout_label(labels_for_units(units)[0], STOCKS["2x1in"], 203)

    assert layout.title.text.endswith("\u2026")
    assert layout.title.text.startswith("Dishwasher Dishwasher")


def test_more_than_2000_labels_rejected(clerk):
    units = receive_units(clerk, [f"SN-{number}" for number in range(21)])

    with pytest.raises(LabelError) as error:
        render_pdf(labels_for_units(units), "2x1in", 203, copies=100)

    assert error.value.messages == [
        "21 units x 100 copies make 2100 labels; one request prints at most 2000. "
        "Select fewer units or copies."
    ]


def test_500_labels_with_qr_render_quickly(clerk):
    units = receive_units(clerk, [f"SN-{number:06d}" for number in range(500)])
    labels = labels_for_units(units, qr_base_url="https://shop.example.com/")

    started = time.perf_counter()
    pdf = render_pdf(labels, "avery5160", 300)
    elapsed = time.perf_counter() - started

    assert pdf.startswith(b"%PDF")
    assert elapsed < 5


# --- ZPL --------------------------------------------------------------------------------------


def test_zpl_has_one_format_per_label(serial_units):
    zpl = render_zpl(labels_for_units(serial_units), "2x1in", 203, copies=3)

    assert zpl.count("^XA") == len(serial_units)
    assert zpl.count("^XZ") == len(serial_units)
    assert zpl.count("^PQ3\n") == len(serial_units)
    assert zpl.count("^CI28") == len(serial_units)


@pytest.mark.parametrize(
    ("serial", "field_data"),
    [
        ("999999", ">;999999"),
        ("00042", ">;0004>62"),
        ("SN-000123", ">:SN->5000123"),
        ("ABC12345", ">:ABC1>52345"),
    ],
)
def test_zpl_code128_data_reproduces_encoder(clerk, serial, field_data):
    units = receive_units(clerk, [serial])

    zpl = render_zpl(labels_for_units(units), "4x6in", 300)

    assert f"^BCN,375,N,N,N,N^FH^FD{field_data}^FS" in zpl


def test_zpl_escapes_caret_and_tilde_in_user_text(clerk):
    units = receive_units(clerk, ["A^B~C_D"], name="Fan ^XZ~JA")

    zpl = render_zpl(labels_for_units(units), "4x6in", 203)

    assert "^FH^FDFan _5EXZ_7EJA^FS" in zpl
    assert "^FH^FD>:A_5EB>=C_5FD^FS" in zpl
    assert "^FH^FDA_5EB_7EC_5FD^FS" in zpl
    assert "~JA" not in zpl
    assert zpl.count("^XZ") == 1


def test_zpl_gtin_uses_ean_and_upc_commands(clerk):
    ean = receive_units(clerk, ["SN-1"], gtin="4006381333931")
    upc = receive_units(clerk, ["SN-2"], gtin="036000291452")

    zpl = render_zpl(labels_for_units(ean + upc, symbology="gtin"), "2x1in", 203)

    assert "^BEN,105,N,N^FD400638133393^FS" in zpl
    assert "^BUN,105,N,N,Y^FD03600029145^FS" in zpl


def test_zpl_qr_code_carries_unit_url(serial_units):
    unit = serial_units[0]
    labels = labels_for_units([unit], qr_base_url="https://shop.example.com")

    zpl = render_zpl(labels, "4x6in", 203)

    assert f"^BQN,2,10^FH^FDMA,https://shop.example.com/units/{unit.pk}/^FS" in zpl


def test_zpl_rejects_sheet_stock(serial_units):
    with pytest.raises(LabelError) as error:
        render_zpl(labels_for_units(serial_units), "avery5160", 203)
    assert error.value.messages == [
        "ZPL is for thermal label printers; the avery5160 stock is a sheet. Choose PDF output."
    ]
