import pytest
from django.core.exceptions import ValidationError

from units.serials import looks_spreadsheet_mangled, normalize_serial, serial_key, serial_sort_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SN-0042", "SN-0042"),
        ("  SN-0042  ", "SN-0042"),
        ("SN-0042\r\n", "SN-0042"),
        ("SN-0042\n", "SN-0042"),
        ("\tSN-0042\t", "SN-0042"),
        ("00042", "00042"),
        ("AB 12 34", "AB 12 34"),
        ("abc-def", "abc-def"),
        (12345, "12345"),
    ],
)
def test_normalize_keeps_meaningful_characters(raw, expected):
    assert normalize_serial(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\t", None])
def test_normalize_rejects_empty(raw):
    with pytest.raises(ValidationError) as info:
        normalize_serial(raw)
    assert info.value.code == "empty"


@pytest.mark.parametrize("raw", ["AB\x00CD", "AB\x1dCD", "AB\u200bCD", "AB\nCD", "AB\x07"])
def test_normalize_rejects_inner_control_characters(raw):
    with pytest.raises(ValidationError) as info:
        normalize_serial(raw)
    assert info.value.code == "control_character"
    assert "U+" in info.value.messages[0]


def test_normalize_keeps_long_serial_whole():
    long = "X" * 100 + "-" + "9" * 150
    assert normalize_serial(long) == long


def test_normalize_rejects_overlong_serial_without_truncating():
    with pytest.raises(ValidationError) as info:
        normalize_serial("A" * 501)
    assert info.value.code == "too_long"


def test_serial_key_is_case_insensitive():
    assert serial_key("Sn-0042") == serial_key("SN-0042")


def test_sort_key_orders_naturally():
    serials = ["SN-10", "SN-9", "SN-100", "SN-09", "sn-11", "SN-1"]
    ordered = sorted(serials, key=serial_sort_key)
    assert ordered == ["SN-1", "SN-9", "SN-09", "SN-10", "sn-11", "SN-100"]


def test_sort_key_handles_huge_numbers():
    assert serial_sort_key("9" * 40) > serial_sort_key("9" * 39)


@pytest.mark.parametrize("value", ["6.38E+15", "6.37702E+15", "1e5", "12345.0", "12345.00"])
def test_mangled_serials_are_flagged(value):
    assert looks_spreadsheet_mangled(value)


@pytest.mark.parametrize("value", ["12345", "00042", "E12345", "1.2.3", "SN-1E5"])
def test_ordinary_serials_are_not_flagged(value):
    assert looks_spreadsheet_mangled(value) is None
