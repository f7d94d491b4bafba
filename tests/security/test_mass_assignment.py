"""Write views store only their forms' declared fields; extra POST fields change nothing."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from depreciation.models import Rental, UnitCost
from inventory import roles
from service.models import ServiceOrder
from tests import factories
from units.models import Receipt, Sale, Status, Unit

#: Fields an attacker might add, each set to a value the view must ignore.
EXTRA_FIELDS = {
    "is_superuser": "on",
    "is_staff": "on",
    "status": Status.DISPOSED,
    "serial_key": "INJECTED",
    "history_change_reason": "injected reason",
}


@pytest.fixture
def intruder(db):
    """Another user whose id the attacker tries to set as owner or author."""
    return factories.make_user(username="intruder")


def _extras(intruder: User, owner) -> dict:
    return {
        **EXTRA_FIELDS,
        "owner": owner.pk,
        "created_by": intruder.pk,
        "history_user": intruder.pk,
        "actor": intruder.pk,
    }


def _assert_untouched(actor: User, unit: Unit) -> None:
    actor.refresh_from_db()
    assert not actor.is_superuser
    assert not actor.is_staff
    assert unit.serial_key != "INJECTED"
    assert unit.status != Status.DISPOSED
    latest = unit.history.order_by("-history_id").first()
    assert latest.history_user_id == actor.pk
    assert latest.history_change_reason != "injected reason"


def test_receipt_create_ignores_extra_fields(client, clerk, intruder, product, supplier, location):
    client.force_login(clerk)
    decoy = factories.make_party(name="Decoy owner")

    client.post(
        reverse("units:receipt-create"),
        {
            "supplier": supplier.pk,
            "product": product.pk,
            "location": location.pk,
            "received_on": "2026-11-02",
            "condition": "new",
            "serials": "MA-1",
            **_extras(intruder, decoy),
        },
    )

    receipt = Receipt.objects.get()
    unit = receipt.units.get()
    assert receipt.created_by == clerk
    assert unit.status == Status.IN_STOCK
    assert unit.owner_id != decoy.pk
    _assert_untouched(clerk, unit)


def test_sale_create_ignores_extra_fields(client, clerk, counter, intruder, product):
    unit = factories.receive(clerk, ["MA-2"], product=product).units.get()
    customer = factories.make_party(name="Buyer", is_customer=True)
    decoy = factories.make_party(name="Decoy owner")
    client.force_login(counter)

    client.post(
        reverse("units:sale-create"),
        {
            "customer": customer.pk,
            "invoice_number": "INV-MA",
            "sold_on": "2026-11-03",
            "submission_token": "token-ma",
            "line_unit": str(unit.pk),
            "line_price": "10.00",
            **_extras(intruder, decoy),
        },
    )

    sale = Sale.objects.get()
    unit.refresh_from_db()
    assert sale.created_by == counter
    assert sale.customer == customer
    assert unit.owner == customer
    assert unit.status == Status.SOLD
    _assert_untouched(counter, unit)


def test_mark_damaged_ignores_extra_fields(client, clerk, intruder, product):
    unit = factories.receive(clerk, ["MA-3"], product=product).units.get()
    decoy = factories.make_party(name="Decoy owner")
    client.force_login(clerk)

    client.post(
        reverse("units:unit-mark-damaged", args=[unit.pk]),
        {"reason": "Dented", **_extras(intruder, decoy)},
    )

    unit.refresh_from_db()
    assert unit.status == Status.DAMAGED
    assert unit.owner_id != decoy.pk
    _assert_untouched(clerk, unit)


def test_intake_ignores_extra_fields(client, counter, intruder, product):
    customer = factories.make_party(name="Owner", is_customer=True)
    decoy = factories.make_party(name="Decoy owner")
    client.force_login(counter)

    client.post(
        reverse("units:unit-intake"),
        {
            "customer": customer.pk,
            "product": product.pk,
            "serial": "MA-4",
            "reason": "Brought in",
            **_extras(intruder, decoy),
        },
    )

    unit = Unit.objects.get(serial="MA-4")
    assert unit.owner == customer
    _assert_untouched(counter, unit)


def test_service_order_create_ignores_extra_fields(client, clerk, counter, intruder, product):
    unit = factories.receive(clerk, ["MA-5"], product=product).units.get()
    decoy = factories.make_party(name="Decoy owner")
    client.force_login(counter)

    client.post(
        reverse("service:order-create"),
        {"unit": unit.pk, "problem": "Noisy", **_extras(intruder, decoy)},
    )

    order = ServiceOrder.objects.get()
    unit.refresh_from_db()
    assert order.created_by == counter
    assert order.status != Status.DISPOSED
    assert unit.owner_id != decoy.pk
    _assert_untouched(counter, unit)


def test_cost_add_ignores_extra_fields(client, clerk, manager, intruder, product):
    unit = factories.receive(clerk, ["MA-6"], product=product).units.get()
    decoy = factories.make_party(name="Decoy owner")
    client.force_login(manager)

    client.post(
        reverse("assets:cost-add", args=[unit.pk]),
        {
            "kind": "freight",
            "amount": "5",
            "entry_date": "2026-11-03",
            "unit": "999",
            "reverses": "1",
            **_extras(intruder, decoy),
        },
    )

    entry = UnitCost.objects.get()
    assert entry.created_by == manager
    assert entry.unit == unit
    assert entry.reverses_id is None
    manager.refresh_from_db()
    assert not manager.is_superuser


def test_rental_create_ignores_extra_fields(client, manager, intruder, product):
    from depreciation import rentals

    unit = factories.receive(manager, ["MA-7"], product=product).units.get()
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=datetime.date(2026, 11, 2), reason="Fleet"
    )
    customer = factories.make_party(name="Hirer", is_customer=True)
    decoy = factories.make_party(name="Decoy owner")
    counter = factories.make_user(roles.COUNTER_STAFF)
    client.force_login(counter)

    client.post(
        reverse("assets:rental-create"),
        {
            "serial": unit.serial,
            "customer": customer.pk,
            "starts_on": "2026-11-03",
            "due_on": "2026-11-10",
            "meter_out": "10",
            "meter_unit": "hours",
            **_extras(intruder, decoy),
        },
    )

    rental = Rental.objects.get()
    unit.refresh_from_db()
    assert rental.customer == customer
    assert rental.created_by == counter
    assert unit.owner_id != decoy.pk
    assert unit.owner_id != customer.pk
    _assert_untouched(counter, unit)
