import datetime

import pytest
from django.core.exceptions import ValidationError

from recalls.models import RecallCriterion
from recalls.scope import (
    criterion_problems,
    parse_notice_date,
    parse_serial_range,
    split_serial_text,
)
from recalls.selectors import recall_match
from tests.recalls.builders import make_recall, make_unit, product_for


def matched_serials(recall) -> set[str]:
    return set(recall_match(recall).values_list("serial", flat=True))


def receive_all(actor, model_number, serials, **fields):
    for serial in serials:
        make_unit(actor, model_number, serial, **fields)


# --- Serial ranges ------------------------------------------------------------


def test_range_compares_numbers_not_text(clerk):
    receive_all(
        clerk, "DW-100", ["ABC00950", "ABC01200", "ABC1000", "ABC00949", "ABC01201", "ABC9"]
    )
    recall = make_recall(clerk, [{"range": ("ABC00950", "ABC01200", False)}])

    assert matched_serials(recall) == {"ABC00950", "ABC01200", "ABC1000"}


def test_range_exact_width_rejects_other_padding(clerk):
    receive_all(clerk, "DW-100", ["ABC00950", "ABC0950", "ABC000950", "ABC01000"])
    recall = make_recall(clerk, [{"range": ("ABC00950", "ABC01200", True)}])

    assert matched_serials(recall) == {"ABC00950", "ABC01000"}


def test_range_is_case_insensitive(clerk):
    receive_all(clerk, "DW-100", ["abc01000", "AbC01100"])
    recall = make_recall(clerk, [{"range": ("ABC00950", "ABC01200", False)}])

    assert matched_serials(recall) == {"abc01000", "AbC01100"}


def test_range_prefix_with_hyphen(clerk):
    receive_all(clerk, "DW-100", ["SN-0042", "SN-0043", "SN0042", "SN-00X2", "SN--0042"])
    recall = make_recall(clerk, [{"range": ("SN-0040", "SN-0042", False)}])

    assert matched_serials(recall) == {"SN-0042"}


def test_range_prefix_that_is_a_number(clerk):
    receive_all(clerk, "DW-100", ["07120001", "07120099", "07130001", "0712A001"])
    recall = make_recall(clerk, [{"range": ("07120001", "07120050", False)}])

    # Parsed as one number (7120001..7120050): a digit prefix is part of the number.
    assert matched_serials(recall) == {"07120001"}


def test_range_with_explicit_digit_prefix(clerk):
    receive_all(clerk, "DW-100", ["07120001", "07120099", "07130001"])
    recall = make_recall(
        clerk,
        [
            {
                "range_prefix": "0712",
                "range_first": 1,
                "range_last": 99,
                "range_width": 4,
                "range_exact_width": True,
            }
        ],
    )

    assert matched_serials(recall) == {"07120001", "07120099"}


def test_range_ignores_overlong_digit_runs(clerk):
    long_digits = "9" * 25
    padded = "0" * 20 + "1000"
    receive_all(clerk, "DW-100", [f"ABC{long_digits}", f"ABC{padded}", "ABC1000"])
    recall = make_recall(clerk, [{"range": ("ABC950", "ABC1200", False)}])

    # 25 nines would overflow bigint and are skipped; leading zeros do not count.
    assert matched_serials(recall) == {f"ABC{padded}", "ABC1000"}


def test_range_without_prefix(clerk):
    receive_all(clerk, "DW-100", ["0701009633", "0804272329", "0804272330", "X0750000000"])
    recall = make_recall(clerk, [{"range": ("0701009633", "0804272329", True)}])

    assert matched_serials(recall) == {"0701009633", "0804272329"}


# --- Lists, prefixes, length --------------------------------------------------


def test_serial_list_matches_case_insensitively(clerk):
    receive_all(clerk, "DW-100", ["sn-001", "SN-002", "SN-003"])
    recall = make_recall(clerk, [{"serials": "SN-001  sn-002"}])

    assert matched_serials(recall) == {"sn-001", "SN-002"}


def test_prefix_list_keeps_punctuation(clerk):
    receive_all(clerk, "DW-100", ["DLG.1", "DLG1", "X-9", "x-10", "AX-9"])
    recall = make_recall(clerk, [{"serial_prefixes": "DLG.\nX-"}])

    assert matched_serials(recall) == {"DLG.1", "X-9", "x-10"}


def test_prefix_with_like_wildcards_is_literal(clerk):
    receive_all(clerk, "DW-100", ["A%1", "AB1", "A_2", "AC2"])
    recall = make_recall(clerk, [{"serial_prefixes": "A%\nA_"}])

    assert matched_serials(recall) == {"A%1", "A_2"}


def test_serial_length(clerk):
    receive_all(clerk, "DW-100", ["1234567", "12345678", "123456789"])
    recall = make_recall(clerk, [{"products": ["DW-100"], "serial_length": 8}])

    assert matched_serials(recall) == {"12345678"}


# --- Date codes ------------------------------------------------------------------


def test_date_code_year_month(clerk):
    receive_all(clerk, "DW-100", ["07111234", "07121234", "08021234", "08031234", "07131234"])
    recall = make_recall(
        clerk,
        [{"code_position": 1, "code_format": "YYMM", "code_first": 200712, "code_last": 200802}],
    )

    assert matched_serials(recall) == {"07121234", "08021234"}


def test_date_code_one_digit_year_wraps_decade(clerk):
    receive_all(clerk, "DW-100", ["71300000", "95200000", "00100000", "31900000", "32000000"])
    recall = make_recall(
        clerk,
        [{"code_position": 1, "code_format": "YWW", "code_first": 199713, "code_last": 200319}],
    )

    assert matched_serials(recall) == {"71300000", "95200000", "00100000", "31900000"}


def test_date_code_month_letter_inside_serial(clerk):
    receive_all(clerk, "FSG40T", ["MC91000001", "MD91000001", "mg91000001", "MH91000001", "M"])
    recall = make_recall(
        clerk,
        [{"code_position": 2, "code_format": "LYY", "code_first": 199104, "code_last": 199107}],
    )

    assert matched_serials(recall) == {"MD91000001", "mg91000001"}


def test_date_code_week_year_in_lot(clerk):
    for serial, lot in [("P1", "0106"), ("P2", "1808"), ("P3", "0109"), ("P4", "1908"), ("P5", "")]:
        make_unit(clerk, "PTAC", serial, lot=lot)
    recall = make_recall(
        clerk,
        [
            {
                "code_source": "lot",
                "code_position": 1,
                "code_format": "WWYY",
                "code_first": 200601,
                "code_last": 200818,
            }
        ],
    )

    assert matched_serials(recall) == {"P1", "P2"}


def test_date_code_rejects_invalid_month(clerk):
    receive_all(clerk, "DW-100", ["0713", "0712"])
    recall = make_recall(
        clerk,
        [{"code_position": 1, "code_format": "YYMM", "code_first": 200701, "code_last": 200812}],
    )

    assert matched_serials(recall) == {"0712"}


# --- Other parts and combinations ----------------------------------------------


def test_model_patterns_match_case_insensitively(clerk):
    make_unit(clerk, "FSG40T", "S1")
    make_unit(clerk, "pgx30", "S2")
    make_unit(clerk, "XFSG40", "S3")
    recall = make_recall(clerk, [{"model_patterns": "FSG*\nPGX??"}])

    assert matched_serials(recall) == {"S1", "S2"}


def test_dates_supplier_receipt_lot(clerk, supplier):
    make_unit(clerk, "DW-100", "A1", manufactured_on=datetime.date(2020, 5, 1), lot="L-7")
    make_unit(clerk, "DW-100", "A2", manufactured_on=datetime.date(2021, 5, 1), lot="l-7")
    make_unit(clerk, "DW-100", "A3", lot="L-8")
    recall = make_recall(
        clerk,
        [
            {
                "manufactured_from": datetime.date(2020, 1, 1),
                "manufactured_until": datetime.date(2020, 12, 31),
            },
            {"lots": "L-8"},
        ],
    )

    assert matched_serials(recall) == {"A1", "A3"}


def test_received_window_and_supplier(clerk):
    from tests import factories

    acme = factories.make_supplier(name="Acme")
    other = factories.make_supplier(name="Other")
    product = product_for("DW-100")
    first = factories.receive(clerk, ["R1"], product=product, supplier=acme)
    factories.receive(
        clerk, ["R2"], product=product, supplier=acme, received_on=datetime.date(2026, 12, 1)
    )
    factories.receive(clerk, ["R3"], product=product, supplier=other)
    by_window = make_recall(
        clerk,
        [{"supplier": acme, "received_until": datetime.date(2026, 11, 30)}],
    )
    by_receipt = make_recall(clerk, [{"receipt": first}])

    assert matched_serials(by_window) == {"R1"}
    assert matched_serials(by_receipt) == {"R1"}


def test_every_part_must_hold_within_criterion(clerk):
    make_unit(clerk, "DW-100", "0801-1")
    make_unit(clerk, "DW-200", "0801-2")
    make_unit(clerk, "DW-100", "0803-1")
    recall = make_recall(clerk, [{"products": ["DW-100"], "serial_prefixes": "0801"}])

    assert matched_serials(recall) == {"0801-1"}


def test_any_criterion_may_match(clerk):
    make_unit(clerk, "DW-100", "0801-1")
    make_unit(clerk, "DW-200", "Z-1")
    make_unit(clerk, "DW-300", "Z-2")
    recall = make_recall(clerk, [{"serial_prefixes": "0801"}, {"products": ["DW-200"]}])

    assert matched_serials(recall) == {"0801-1", "Z-1"}


def test_recall_without_criteria_matches_nothing(clerk):
    make_unit(clerk, "DW-100", "A1")
    recall = make_recall(clerk, [])

    assert matched_serials(recall) == set()


def test_match_is_one_query(clerk, django_assert_num_queries):
    make_unit(clerk, "DW-100", "A1")
    recall = make_recall(
        clerk,
        [{"products": ["DW-100"], "serials": "A1 A2"}, {"range": ("B1", "B9", False)}],
    )

    # Loading the criteria takes three queries (criteria, products, host products);
    # matching the units is one more.
    with django_assert_num_queries(4):
        assert matched_serials(recall) == {"A1"}


# --- Validation and parsing -------------------------------------------------------


def test_empty_criterion_is_rejected(clerk):
    with pytest.raises(ValidationError) as caught:
        make_recall(clerk, [{"label": "nothing"}])

    assert "would match every unit" in caught.value.message_dict["__all__"][0]
    assert not RecallCriterion.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"range_first": 5},
            "range_last",
            "Give both the first and the last number of the range.",
        ),
        (
            {"code_position": 1, "code_format": "YYMM", "code_first": 200713, "code_last": 200801},
            "code_first",
            "Write the period as year * 100 + month (1 to 12), such as 200712.",
        ),
        (
            {"code_position": 1, "code_format": "YWW", "code_first": 199001, "code_last": 200052},
            "code_last",
            "A 1-digit year cannot tell apart the years of a 11-year window; "
            "split it into several criteria.",
        ),
        (
            {"code_position": 1, "code_format": "QQ", "code_first": 199001, "code_last": 199002},
            "code_format",
            "Unknown date-code format QQ; use one of YYMM, MMYY, YYWW, WWYY, YWW, YMM, LYY, "
            "YYL, YYYYMM, YYYYWW.",
        ),
    ],
)
def test_contradictory_criterion_is_rejected(fields, field, message):
    with pytest.raises(ValidationError) as caught:
        criterion_problems(RecallCriterion(**fields))

    assert caught.value.message_dict[field] == [message]


def test_parse_serial_range_splits_prefix_and_number():
    assert parse_serial_range("ABC00950", "abc01200") == ("ABC", 950, 1200, 5)
    assert parse_serial_range("SN-9", "SN-10") == ("SN-", 9, 10, 1)


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        ("ABC", "ABD", "range_not_numeric"),
        ("ABC1", "XYZ2", "range_prefix_mismatch"),
        ("A20", "A10", "range_reversed"),
        ("A" + "9" * 19, "A" + "9" * 19, "range_too_large"),
    ],
)
def test_parse_serial_range_rejects(first, last, code):
    with pytest.raises(ValidationError) as caught:
        parse_serial_range(first, last)

    assert caught.value.code == code


def test_split_serial_text_handles_notice_layouts():
    text = '"2012012793 2012012808" M030139,  1003;\n"Q050656\tQ050657"'

    assert split_serial_text(text) == [
        "2012012793",
        "2012012808",
        "M030139",
        "1003",
        "Q050656",
        "Q050657",
    ]
    assert split_serial_text("SN 1\nSN 2\n", lines_only=True) == ["SN 1", "SN 2"]


def test_parse_notice_date_reads_zero_placeholder_as_unknown():
    assert parse_notice_date("0000-00-00") is None
    assert parse_notice_date("2011-06-17") == datetime.date(2011, 6, 17)
    with pytest.raises(ValidationError):
        parse_notice_date("2011-13-01")
