"""Cost ledger services: add, reverse, total investment and margins, on PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from depreciation import costs, selectors
from depreciation.models import CostKind, UnitCost
from tests import factories
from units.models import SaleLine
from units.sales import LineInput, sale_create, sale_return

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def unit(manager, product):
    return factories.receive(manager, ["CST-1"], product=product).units.get()


def add(actor, unit, kind, amount, on=DAY, note=""):
    return costs.unit_cost_add(
        actor=actor, unit=unit, kind=kind, amount=amount, entry_date=on, note=note
    )


def test_add_stores_exact_amount(manager, unit):
    entry = add(manager, unit, CostKind.PURCHASE, "1,250.50", note="Invoice 77")

    entry.refresh_from_db()
    assert entry.amount == Decimal("1250.50")
    assert entry.kind == CostKind.PURCHASE
    assert entry.created_by == manager
    assert entry.reverses is None


def test_credit_negative_allowed(manager, unit):
    entry = add(manager, unit, CostKind.SUPPLIER_CREDIT, "-40.00")

    assert entry.amount == Decimal("-40.00")


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        (
            CostKind.PURCHASE,
            "-5",
            "The amount -5.00 is negative, but a purchase price cannot be. Enter a positive "
            "amount; to lower the cost, reverse the wrong entry or record a supplier credit.",
        ),
        (
            CostKind.SUPPLIER_CREDIT,
            "12.00",
            "The amount 12.00 is positive, but a supplier credit lowers the cost. "
            "Enter it with a minus sign, like -12.00.",
        ),
        (
            CostKind.FREIGHT,
            "NaN",
            "The amount NaN is out of range; enter at most 9999999999.99 either way.",
        ),
        (
            CostKind.FREIGHT,
            "Infinity",
            "The amount Infinity is out of range; enter at most 9999999999.99 either way.",
        ),
        (
            CostKind.FREIGHT,
            "1e20",
            "The amount 1e20 is out of range; enter at most 9999999999.99 either way.",
        ),
        (
            CostKind.PARTS,
            "10.005",
            "The amount 10.005 has more than two decimal places. Enter it in whole cents, like 19.99.",
        ),
        (CostKind.LABOUR, "ten", "The amount 'ten' is not a number. Enter an amount like 250.00."),
        (CostKind.LABOUR, "0", "The amount is 0.00; a cost entry needs an amount other than zero."),
    ],
)
def test_add_rejects_bad_amount(manager, unit, kind, amount, message):
    with pytest.raises(ValidationError) as caught:
        add(manager, unit, kind, amount)

    assert caught.value.messages == [message]
    assert not UnitCost.objects.exists()


def test_trailing_zero_decimals_accepted(manager, unit):
    entry = add(manager, unit, CostKind.PARTS, "10.500")

    assert entry.amount == Decimal("10.50")


def test_database_rejects_negative_purchase(manager, unit):
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitCost.objects.create(
            unit=unit,
            kind=CostKind.PURCHASE,
            amount=Decimal("-5"),
            entry_date=DAY,
            created_by=manager,
        )


def test_reverse_writes_opposite_entry(manager, unit):
    entry = add(manager, unit, CostKind.FREIGHT, "30.00", on=datetime.date(2026, 11, 5))

    reversal = costs.unit_cost_reverse(actor=manager, entry=entry, reason="Wrong invoice")

    assert reversal.amount == Decimal("-30.00")
    assert reversal.kind == CostKind.FREIGHT
    assert reversal.reverses == entry
    assert reversal.entry_date == datetime.date(2026, 11, 5)
    assert reversal.note == "Wrong invoice"
    entry.refresh_from_db()
    assert entry.amount == Decimal("30.00")


def test_reverse_credit_is_positive(manager, unit):
    entry = add(manager, unit, CostKind.SUPPLIER_CREDIT, "-15.00")

    reversal = costs.unit_cost_reverse(actor=manager, entry=entry, reason="Credit cancelled")

    assert reversal.amount == Decimal("15.00")


def test_reverse_twice_rejected(manager, unit):
    entry = add(manager, unit, CostKind.FREIGHT, "30.00")
    costs.unit_cost_reverse(actor=manager, entry=entry, reason="Wrong invoice")

    with pytest.raises(ValidationError) as caught:
        costs.unit_cost_reverse(actor=manager, entry=entry, reason="Again")

    assert caught.value.messages == [
        "The freight entry of 30.00 on 2026-11-02 is already reversed."
    ]
    assert UnitCost.objects.count() == 2


def test_reversal_cannot_be_reversed(manager, unit):
    entry = add(manager, unit, CostKind.FREIGHT, "30.00")
    reversal = costs.unit_cost_reverse(actor=manager, entry=entry, reason="Wrong invoice")

    with pytest.raises(ValidationError) as caught:
        costs.unit_cost_reverse(actor=manager, entry=reversal, reason="Undo")

    assert caught.value.messages == [
        "The entry of -30.00 on 2026-11-02 is itself a reversal and cannot be reversed. "
        "Add a new entry instead."
    ]
    assert UnitCost.objects.count() == 2


def test_reverse_requires_reason(manager, unit):
    entry = add(manager, unit, CostKind.FREIGHT, "30.00")

    with pytest.raises(ValidationError):
        costs.unit_cost_reverse(actor=manager, entry=entry, reason="  ")

    assert UnitCost.objects.count() == 1


def test_database_allows_one_reversal_only(manager, unit):
    entry = add(manager, unit, CostKind.FREIGHT, "30.00")
    costs.unit_cost_reverse(actor=manager, entry=entry, reason="Wrong invoice")

    with pytest.raises(IntegrityError), transaction.atomic():
        UnitCost.objects.create(
            unit=unit,
            kind=CostKind.FREIGHT,
            amount=Decimal("-30.00"),
            entry_date=DAY,
            reverses=entry,
            created_by=manager,
        )


def test_total_investment_sums_entries(manager, unit):
    add(manager, unit, CostKind.PURCHASE, "400.00")
    add(manager, unit, CostKind.FREIGHT, "25.50")
    add(manager, unit, CostKind.SUPPLIER_CREDIT, "-20.00")
    wrong = add(manager, unit, CostKind.PARTS, "99.99")
    costs.unit_cost_reverse(actor=manager, entry=wrong, reason="Typed twice")

    assert selectors.total_investment(unit) == Decimal("405.50")


def test_total_investment_as_of_date(manager, unit):
    add(manager, unit, CostKind.PURCHASE, "400.00", on=datetime.date(2026, 11, 2))
    add(manager, unit, CostKind.IMPROVEMENT, "60.00", on=datetime.date(2026, 12, 1))

    assert selectors.total_investment(unit, as_of=datetime.date(2026, 11, 30)) == Decimal("400.00")
    assert selectors.total_investment(unit) == Decimal("460.00")


def test_total_investment_of_unit_without_costs(unit):
    assert selectors.total_investment(unit) == Decimal("0.00")


def test_date_before_receipt_warns(unit):
    warning = costs.entry_date_warning(unit, datetime.date(2026, 10, 1))

    assert warning == (
        "The entry date 2026-10-01 is before unit CST-1 was received on 2026-11-02. Check the date."
    )
    assert costs.entry_date_warning(unit, DAY) is None


# --- Margins ---------------------------------------------------------------------------


def sell(actor, unit, price, on, invoice):
    customer = factories.make_party(name=f"Customer {invoice}", is_customer=True)
    return sale_create(
        actor=actor,
        customer=customer,
        lines=[LineInput(unit_id=unit.pk, price=price)],
        invoice_number=invoice,
        sold_on=on,
    )


@pytest.fixture
def sold_units(manager):
    """Three sold units on two products in two categories, and one returned sale."""
    fridge = factories.make_product(
        model_number="FR-1", category=factories.make_category(name="Cold")
    )
    oven = factories.make_product(model_number="OV-1", category=factories.make_category(name="Hot"))
    fridges = factories.receive(manager, ["FR-A", "FR-B"], product=fridge).units.order_by("serial")
    ovens = factories.receive(manager, ["OV-A", "OV-B"], product=oven).units.order_by("serial")
    fr_a, fr_b = list(fridges)
    ov_a, ov_b = list(ovens)
    add(manager, fr_a, CostKind.PURCHASE, "300.00")
    add(manager, fr_a, CostKind.FREIGHT, "20.00")
    # Dated after the sale, so not part of the margin.
    add(manager, fr_a, CostKind.PARTS, "50.00", on=datetime.date(2026, 12, 20))
    add(manager, fr_b, CostKind.PURCHASE, "310.00")
    add(manager, fr_b, CostKind.SUPPLIER_CREDIT, "-10.00")
    add(manager, ov_a, CostKind.PURCHASE, "500.00")
    add(manager, ov_b, CostKind.PURCHASE, "450.00")
    sell(manager, fr_a, "499.00", datetime.date(2026, 12, 1), "INV-1")
    sell(manager, fr_b, "480.00", datetime.date(2026, 12, 15), "INV-2")
    sell(manager, ov_a, "650.00", datetime.date(2027, 1, 10), "INV-3")
    sell(manager, ov_b, "600.00", datetime.date(2026, 12, 5), "INV-4")
    sale_return(
        actor=manager,
        unit=ov_b,
        customer=ov_b.sale_lines.get().sale.customer,
        reason="Changed mind",
        returned_on=datetime.date(2026, 12, 6),
    )
    return {"fr_a": fr_a, "fr_b": fr_b, "ov_a": ov_a, "ov_b": ov_b}


def test_margin_per_unit_uses_costs_as_of_sale(sold_units):
    lines = {line.unit.serial: line for line in selectors.margin_lines(selectors.MarginFilter())}

    assert set(lines) == {"FR-A", "FR-B", "OV-A"}
    assert lines["FR-A"].investment == Decimal("320.00")
    assert lines["FR-A"].margin == Decimal("179.00")
    assert lines["FR-B"].investment == Decimal("300.00")
    assert lines["FR-B"].margin == Decimal("180.00")
    assert lines["OV-A"].margin == Decimal("150.00")


def test_margin_report_by_product(sold_units, django_assert_num_queries):
    with django_assert_num_queries(2):
        report = selectors.margin_report(selectors.MarginFilter(), group_by="product")

    rows = {row["label"]: row for row in report["rows"]}
    assert rows["FR-1"]["units"] == 2
    assert rows["FR-1"]["revenue"] == Decimal("979.00")
    assert rows["FR-1"]["investment"] == Decimal("620.00")
    assert rows["FR-1"]["margin"] == Decimal("359.00")
    assert rows["OV-1"]["margin"] == Decimal("150.00")
    assert report["totals"]["units"] == 3
    assert report["totals"]["revenue"] == Decimal("1629.00")
    assert report["totals"]["investment"] == Decimal("1120.00")
    assert report["totals"]["margin"] == Decimal("509.00")


def test_margin_report_by_category_and_period(sold_units):
    filters = selectors.MarginFilter(
        date_from=datetime.date(2026, 12, 1), date_to=datetime.date(2026, 12, 31)
    )

    report = selectors.margin_report(filters, group_by="category")

    assert [(row["label"], row["units"], row["margin"]) for row in report["rows"]] == [
        ("Cold", 2, Decimal("359.00"))
    ]
    assert report["totals"]["margin"] == Decimal("359.00")


def test_margin_report_by_month(sold_units):
    report = selectors.margin_report(selectors.MarginFilter(), group_by="month")

    assert [(row["units"], row["margin"]) for row in report["rows"]] == [
        (2, Decimal("359.00")),
        (1, Decimal("150.00")),
    ]


def test_margin_report_empty_totals_zero(db):
    report = selectors.margin_report(selectors.MarginFilter())

    assert report["rows"] == []
    assert report["totals"]["units"] == 0
    assert report["totals"]["margin"] == Decimal("0.00")


def test_returned_sale_has_no_margin(sold_units):
    serials = selectors.margin_lines(selectors.MarginFilter()).values_list(
        "unit__serial", flat=True
    )

    assert "OV-B" not in serials
    assert SaleLine.objects.filter(unit=sold_units["ov_b"], end_kind="return").exists()
