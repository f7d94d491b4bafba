import csv

import pytest
from django.core.exceptions import ValidationError

from inventory.identifiers import check_vin, gs1_check_digit, gtin_problem, normalize_gtin
from tests.conftest import shared_file
from tests.factories import make_product
from units.services import clean_vin


def _vectors():
    with shared_file("realworld", "identifiers", "identifier_vectors.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_identifier_vectors_agree_with_check_digits():
    rows = _vectors()
    assert rows
    for row in rows:
        if row["kind"] == "VIN":
            result = check_vin(row["value"])
            valid = result.error is None and result.warning is None
        elif row["kind"].startswith("SSCC"):
            valid = gs1_check_digit(row["value"][:-1]) == int(row["value"][-1])
        else:
            valid = gtin_problem(normalize_gtin(row["value"])) is None
        assert valid == (row["check_valid"] == "True"), row


@pytest.mark.parametrize("value", ["4006381333931", "036000291452", "96385074", "10614141000415"])
def test_valid_gtins_pass(value):
    assert gtin_problem(value) is None


def test_gtin_with_wrong_check_digit_names_both_digits():
    assert gtin_problem("4006381333932") == (
        "GTIN '4006381333932' has check digit 2, but its digits give 1. "
        "Re-scan or re-type the number from the package."
    )


@pytest.mark.parametrize("value", ["12345", "40063813339X1", ""])
def test_malformed_gtins_are_rejected(value):
    assert gtin_problem(value)


def test_north_american_vin_with_bad_check_digit_is_an_error():
    with pytest.raises(ValidationError) as info:
        clean_vin("1HGCM82643A004352")
    assert "check digit 4" in info.value.messages[0]


def test_non_north_american_vin_with_bad_check_digit_is_a_warning():
    vin, warning = clean_vin("WVWZZZ1JZXW000001")
    assert vin == "WVWZZZ1JZXW000001"
    assert "optional" in warning


@pytest.mark.parametrize("value", ["1HGCM82633A00435", "1HGCM82633A0043521", "1HGCM8263OA004352"])
def test_vin_of_wrong_shape_is_rejected(value):
    with pytest.raises(ValidationError):
        clean_vin(value)


def test_vin_is_upper_cased():
    assert clean_vin(" 1hgcm82633a004352 ")[0] == "1HGCM82633A004352"


@pytest.mark.django_db
def test_product_gtin_printed_with_spaces_is_stored_as_digits():
    product = make_product(gtin="0 56796 00498 2")
    product.full_clean()
    assert product.gtin == "056796004982"


@pytest.mark.django_db
def test_product_with_invalid_gtin_fails_validation():
    product = make_product(gtin="4006381333932")
    with pytest.raises(ValidationError) as info:
        product.full_clean()
    assert "gtin" in info.value.message_dict
