"""The Code 128 encoder against published symbol values and a real barcode reader."""

import csv
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from tests.conftest import shared_file
from units.labels import code128


def vector_rows():
    path = shared_file("realworld", "reference", "code128_vectors.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values = [
                int(token) for token in re.findall(r"\d+(?=\(|\s|$)", row["symbol_values_in_order"])
            ]
            yield row["text"], values, int(row["checksum_value"])


def encode_text(text: str) -> list[int]:
    """Encode plain text, or GS1 text written as (AI)value groups."""
    if text.startswith("("):
        elements = re.findall(r"\((\d+)\)([^(]*)", text)
        return code128.symbol_values_for_items(code128.gs1_items(elements))
    return code128.symbol_values(text)


def bars_image(values: list[int], dots_per_module: int = 2) -> Image.Image:
    widths = code128.module_widths(values)
    quiet = code128.QUIET_ZONE_MODULES * dots_per_module
    image = Image.new("L", (sum(widths) * dots_per_module + 2 * quiet, 80), 255)
    draw = ImageDraw.Draw(image)
    x = quiet
    for index, width in enumerate(widths):
        if index % 2 == 0:
            draw.rectangle([x, 0, x + width * dots_per_module - 1, 79], fill=0)
        x += width * dots_per_module
    return image


def read(values: list[int]) -> list[str]:
    found = zxingcpp.read_barcodes(bars_image(values), formats=zxingcpp.BarcodeFormat.Code128)
    return [barcode.text for barcode in found]


def test_vectors_checksums_match_published_values():
    for text, values, checksum in vector_rows():
        assert code128.check_value(values) == checksum, text


@pytest.mark.parametrize("text", ["0123456789", "PJJ123C"])
def test_vectors_encoded_exactly(text):
    expected = {row[0]: row[1] for row in vector_rows()}[text]
    assert code128.symbol_values(text) == expected


def test_vectors_decode_with_no_more_symbols():
    # The published encodings stay in code set B for trailing digits; this
    # encoder switches to set C where that is shorter, as the vectors allow.
    for text, values, _checksum in vector_rows():
        ours = encode_text(text)
        assert len(ours) <= len(values), text
        assert read(ours) == [text], text


def test_gs1_vector_starts_fnc1_set_c():
    values = encode_text("(01)09521234543213(21)SN12345")
    assert values[:11] == [105, 102, 1, 9, 52, 12, 34, 54, 32, 13, 21]


def test_gs1_variable_length_element_followed_by_fnc1():
    items = code128.gs1_items([("21", "SN1"), ("01", "09521234543213")])
    assert items.count(code128.FNC1_MARK) == 2


def test_gs1_rejects_fixed_element_of_wrong_length():
    with pytest.raises(code128.Code128Error) as error:
        code128.gs1_items([("01", "123")])
    assert str(error.value) == (
        "GS1 element (01)123 has 5 characters with its identifier; (01) requires 16."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("999999", [105, 99, 99, 99]),
        ("990001", [105, 99, 0, 1]),
        ("0", [104, 16]),
        ("12345678901234567890", [105, 12, 34, 56, 78, 90, 12, 34, 56, 78, 90]),
    ],
)
def test_numeric_values_use_code_set_c(text, expected):
    assert code128.symbol_values(text) == expected


def test_odd_digit_run_ends_in_set_c():
    assert code128.symbol_values("ABC12345") == [104, 33, 34, 35, 17, 99, 23, 45]


def test_odd_leading_digit_run_ends_in_set_b():
    assert code128.symbol_values("00042") == [105, 0, 4, 100, 18]


@pytest.mark.parametrize(
    "text",
    ["999999", "990001", "00042", "0", "12345678901234567890", "SN-000123", "sn-000123",
     "ABC12345", "AB 12  34", "a~^>_`{|}", "TAG000001", "1a2b3c4d"],
)  # fmt: skip
def test_encoded_text_decodes_to_itself(text):
    assert read(code128.symbol_values(text)) == [text]


def test_control_characters_use_code_set_a_or_shift():
    values = code128.symbol_values("a\tb")
    assert values == [104, 65, code128.SHIFT, 73, 66]


def test_rejects_character_outside_ascii():
    with pytest.raises(code128.Code128Error) as error:
        code128.symbol_values("SN-é1")
    assert str(error.value) == (
        "'SN-é1' contains 'é' (U+00E9) at position 4, "
        "but Code 128 encodes only ASCII characters 0-127."
    )


def test_rejects_empty_text():
    with pytest.raises(code128.Code128Error):
        code128.symbol_values("")


def test_every_pattern_is_eleven_modules_with_even_bars():
    for pattern in code128.PATTERNS:
        widths = [int(width) for width in pattern]
        assert sum(widths) == 11, pattern
        assert sum(widths[0::2]) % 2 == 0, pattern
