import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from inventory import roles
from tests import factories
from units import sales, services
from units.models import Condition, Ownership, Sale, SaleLine, Status, Unit
from units.sales import LineInput

SOLD_ON = datetime.date(2025, 6, 10)


@pytest.fixture
def customer(db):
    return factories.make_party(name="Dana Buyer", is_customer=True, email="dana@example.com")


@pytest.fixture
def other_customer(db):
    return factories.make_party(name="Eli Other", is_customer=True)


@pytest.fixture
def stock(clerk, product):
    product.warranty_parts_months = 24
    product.warranty_labour_months = 12
    product.save()
    receipt = factories.receive(
        clerk, ["SN-1", "SN-2", "SN-3"], product=product, received_on=datetime.date(2025, 1, 5)
    )
    return {u.serial: u for u in receipt.units.all()}


def sell(actor, customer, units, *, invoice="INV-1", price="499.00", **extra):
    return sales.sale_create(
        actor=actor,
        customer=customer,
        lines=[LineInput(u.pk, price) for u in units],
        invoice_number=invoice,
        sold_on=extra.pop("sold_on", SOLD_ON),
        **extra,
    )


def test_sale_moves_units_to_customer_with_warranty(counter, customer, stock):
    sale = sell(counter, customer, [stock["SN-1"], stock["SN-2"]], price="499.005")
    unit = Unit.objects.get(pk=stock["SN-1"].pk)
    assert unit.status == Status.SOLD
    assert unit.owner == customer
    assert unit.warranty_starts_on == SOLD_ON
    assert unit.warranty_parts_until == datetime.date(2027, 6, 10)
    assert unit.warranty_labour_until == datetime.date(2026, 6, 10)
    assert [line.price for line in sale.lines.all()] == [Decimal("499.01"), Decimal("499.01")]
    latest = unit.history.first()
    assert latest.history_change_reason == "Sold to Dana Buyer on invoice INV-1"
    assert latest.history_user == counter


def test_sale_records_chain_of_owners(counter, customer, stock):
    sell(counter, customer, [stock["SN-1"]])
    chain = list(Ownership.objects.filter(unit=stock["SN-1"]).order_by("started_on", "pk"))
    assert [(o.owner, o.started_on, o.ended_on) for o in chain] == [
        (None, datetime.date(2025, 1, 5), SOLD_ON),
        (customer, SOLD_ON, None),
    ]


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (Status.DAMAGED, "damaged"),
        (Status.ON_HOLD, "on hold"),
        (Status.RESERVED, "reserved"),
        (Status.IN_SERVICE, "in service"),
    ],
)
def test_sale_refuses_unsellable_unit_naming_serial_and_state(
    counter, manager, customer, stock, status, state
):
    services.unit_change_status(unit=stock["SN-1"], status=status, actor=manager, reason="Test")
    with pytest.raises(ValidationError) as info:
        sell(counter, customer, [stock["SN-2"], stock["SN-1"]])
    assert info.value.messages == [
        f"Unit SN-1 is {state} and cannot be sold; remove it from this sale."
    ]
    assert Sale.objects.count() == 0
    assert Unit.objects.get(pk=stock["SN-2"].pk).status == Status.IN_STOCK


def test_sale_refuses_unit_sold_earlier_naming_the_sale(counter, customer, other_customer, stock):
    sell(counter, customer, [stock["SN-1"]], invoice="INV-1")
    with pytest.raises(ValidationError) as info:
        sell(counter, other_customer, [stock["SN-1"]], invoice="INV-2")
    assert info.value.messages == [
        "Unit SN-1 was already sold on invoice INV-1 to Dana Buyer; remove it from this sale."
    ]


def test_sale_refuses_same_unit_twice(counter, customer, stock):
    with pytest.raises(ValidationError) as info:
        sales.sale_create(
            actor=counter,
            customer=customer,
            lines=[LineInput(stock["SN-1"].pk, "1"), LineInput(stock["SN-1"].pk, "2")],
            invoice_number="INV-9",
        )
    assert info.value.messages == ["Unit SN-1 is listed twice in this sale; keep it once."]
    assert Sale.objects.count() == 0


@pytest.mark.parametrize("price", ["-1", "abc", "NaN", "Infinity", "1e20"])
def test_sale_rejects_bad_price(counter, customer, stock, price):
    with pytest.raises(ValidationError) as info:
        sell(counter, customer, [stock["SN-1"]], price=price)
    assert "SN-1" in info.value.messages[0]
    assert Sale.objects.count() == 0


def test_sale_rejects_reused_invoice_number(counter, customer, stock):
    sell(counter, customer, [stock["SN-1"]], invoice="INV-1")
    with pytest.raises(ValidationError) as info:
        sell(counter, customer, [stock["SN-2"]], invoice="INV-1")
    assert info.value.messages == [
        "Invoice number INV-1 is already used by another sale. Check the number on the invoice."
    ]
    assert Unit.objects.get(pk=stock["SN-2"].pk).status == Status.IN_STOCK


def test_repeated_submission_token_returns_first_sale(counter, customer, stock):
    first = sell(counter, customer, [stock["SN-1"]], submission_token="tok-1")
    second = sell(counter, customer, [stock["SN-1"]], submission_token="tok-1")
    assert first == second
    assert Sale.objects.count() == 1
    assert SaleLine.objects.count() == 1


def test_return_then_resale_to_another_customer(counter, customer, other_customer, stock):
    unit = stock["SN-1"]
    sell(counter, customer, [unit], invoice="INV-1")
    returned = sales.sale_return(
        actor=counter,
        unit=unit,
        customer=customer,
        reason="Did not fit",
        returned_on=datetime.date(2025, 6, 20),
    )
    assert returned.status == Status.IN_STOCK
    assert returned.condition == Condition.USED
    assert returned.owner is None
    assert returned.warranty_parts_until is None
    sell(counter, other_customer, [unit], invoice="INV-2", sold_on=datetime.date(2025, 7, 1))
    unit.refresh_from_db()
    assert unit.owner == other_customer
    assert unit.warranty_starts_on == datetime.date(2025, 7, 1)
    reasons = [h.history_change_reason for h in unit.history.order_by("history_date", "history_id")]
    assert reasons[1:] == [
        "Sold to Dana Buyer on invoice INV-1",
        "Returned by Dana Buyer: Did not fit",
        "Sold to Eli Other on invoice INV-2",
    ]
    first_line = SaleLine.objects.get(sale__invoice_number="INV-1")
    assert first_line.end_kind == SaleLine.EndKind.RETURN
    assert first_line.price == Decimal("499.00")


def test_return_to_inspection(counter, customer, stock):
    sell(counter, customer, [stock["SN-1"]])
    unit = sales.sale_return(
        actor=counter, unit=stock["SN-1"], customer=customer, reason="Noisy", to_inspection=True
    )
    assert unit.status == Status.INSPECTION


def test_return_by_wrong_customer_is_refused(counter, customer, other_customer, stock):
    sell(counter, customer, [stock["SN-1"]])
    with pytest.raises(ValidationError) as info:
        sales.sale_return(actor=counter, unit=stock["SN-1"], customer=other_customer, reason="x")
    assert info.value.messages == [
        "Unit SN-1 belongs to Dana Buyer, not Eli Other. A manager can accept the return "
        "with an override reason."
    ]
    assert Unit.objects.get(pk=stock["SN-1"].pk).status == Status.SOLD


def test_override_of_wrong_customer_needs_a_manager(counter, customer, other_customer, stock):
    sell(counter, customer, [stock["SN-1"]])
    with pytest.raises(ValidationError) as info:
        sales.sale_return(
            actor=counter,
            unit=stock["SN-1"],
            customer=other_customer,
            reason="x",
            override_reason="Gift",
        )
    assert "Only a manager" in info.value.messages[0]


def test_manager_override_accepts_return_and_records_it(
    manager, counter, customer, other_customer, stock
):
    sell(counter, customer, [stock["SN-1"]])
    unit = sales.sale_return(
        actor=manager,
        unit=stock["SN-1"],
        customer=other_customer,
        reason="Gift return",
        override_reason="Receipt shown",
    )
    assert unit.status == Status.IN_STOCK
    assert "manager override: Receipt shown" in unit.history.first().history_change_reason


def test_return_of_unsold_unit_is_refused(counter, customer, stock):
    with pytest.raises(ValidationError) as info:
        sales.sale_return(actor=counter, unit=stock["SN-1"], customer=customer, reason="x")
    assert info.value.messages == ["Unit SN-1 is in stock, not sold, so it cannot be returned."]


def test_sold_unit_found_on_shelf_can_be_sold_again(counter, customer, other_customer, stock):
    sell(counter, customer, [stock["SN-1"]])
    unit = sales.sold_unit_back_in_stock(
        actor=counter, unit=stock["SN-1"], reason="Stocktake 2025-06"
    )
    assert unit.status == Status.IN_STOCK
    assert unit.owner is None
    sell(counter, other_customer, [unit], invoice="INV-2", sold_on=timezone.localdate())
    assert SaleLine.objects.get(sale__invoice_number="INV-1").end_kind == "correction"


def test_transfer_between_customers_keeps_warranty_and_sale(
    counter, customer, other_customer, stock
):
    sell(counter, customer, [stock["SN-1"]])
    unit = sales.ownership_transfer(
        actor=counter,
        unit=stock["SN-1"],
        new_owner=other_customer,
        effective_on=datetime.date(2025, 8, 1),
        reason="Sold privately",
    )
    assert unit.owner == other_customer
    assert unit.warranty_parts_until == datetime.date(2027, 6, 10)
    assert SaleLine.objects.get().ended_on is None
    owners = [o.owner for o in Ownership.objects.filter(unit=unit).order_by("started_on", "pk")]
    assert owners == [None, customer, other_customer]
    assert Unit.objects.count() == 3


def test_transfer_before_current_owner_began_is_refused(counter, customer, other_customer, stock):
    sell(counter, customer, [stock["SN-1"]])
    with pytest.raises(ValidationError) as info:
        sales.ownership_transfer(
            actor=counter,
            unit=stock["SN-1"],
            new_owner=other_customer,
            effective_on=datetime.date(2025, 5, 1),
            reason="x",
        )
    assert "before the current owner's period began on 2025-06-10" in info.value.messages[0]
    assert Unit.objects.get(pk=stock["SN-1"].pk).owner == customer


def test_trade_in_brings_unit_into_stock_as_used(counter, customer, stock, location):
    sell(counter, customer, [stock["SN-1"]])
    unit = sales.ownership_transfer(
        actor=counter,
        unit=stock["SN-1"],
        new_owner=None,
        effective_on=datetime.date(2025, 9, 1),
        reason="Trade-in against a new model",
        location=location,
    )
    assert (unit.status, unit.condition, unit.owner) == (Status.IN_STOCK, Condition.USED, None)


def test_intake_of_unit_sold_a_year_earlier_reuses_its_record(counter, customer, stock, product):
    sell(counter, customer, [stock["SN-1"]], sold_on=datetime.date(2024, 6, 1))
    unit, created = sales.customer_unit_intake(
        actor=counter, customer=customer, product=product, serial=" sn-1\r\n"
    )
    assert not created
    assert unit.pk == stock["SN-1"].pk
    assert Unit.objects.count() == 3


def test_intake_of_unknown_unit_creates_customer_owned_record(counter, customer, product):
    unit, created = sales.customer_unit_intake(
        actor=counter, customer=customer, product=product, serial="CUST-77"
    )
    assert created
    assert unit.status == Status.CUSTOMER_OWNED
    assert unit.owner == customer
    assert unit.location is None


@pytest.mark.django_db(transaction=True)
def test_two_counters_selling_one_unit_at_once(product):
    clerk = factories.make_user(roles.WAREHOUSE_CLERK)
    unit = factories.receive(clerk, ["RACE-1"], product=product).units.get()
    sellers = [factories.make_user(roles.COUNTER_STAFF) for _ in range(2)]
    buyers = [factories.make_party(name=f"Buyer {n}", is_customer=True) for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def counter(n: int) -> None:
        try:
            barrier.wait()
            outcomes[n] = sales.sale_create(
                actor=sellers[n],
                customer=buyers[n],
                lines=[LineInput(unit.pk, "100")],
                invoice_number=f"RACE-INV-{n}",
            )
        except ValidationError as error:
            outcomes[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=counter, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    won = [o for o in outcomes if isinstance(o, Sale)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(won) == 1
    assert len(lost) == 1
    winner = won[0]
    assert lost[0].messages == [
        f"Unit RACE-1 was already sold on invoice {winner.invoice_number} to "
        f"{winner.customer.name}; remove it from this sale."
    ]
    assert SaleLine.objects.filter(unit=unit).count() == 1
    assert Unit.objects.get(pk=unit.pk).owner == winner.customer
