"""Recall holds in the other apps: receiving, sale, transfer, rental and part installation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from depreciation import rentals
from recalls.models import AffectedUnit
from recalls.services import recall_place_holds, recall_run_matching
from service.models import PartLine
from service.services import part_line_add_unit, service_order_create
from tests import factories
from tests.recalls.builders import make_recall, make_unit, product_for
from units import sales
from units.models import Condition, Ownership, Purpose, Sale, Status, Unit
from units.services import in_house_units_create

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
State = AffectedUnit.RemedyState


@pytest.fixture
def customer(db):
    return factories.make_party(name="Dana Buyer", is_customer=True)


def held_recall(actor, serials: str, reference: str = "RC-2026-01"):
    """Record a recall over a serial list, match it and put the stock on hold."""
    recall = make_recall(actor, [{"serials": serials}], reference=reference)
    recall_run_matching(recall=recall, actor=actor)
    recall_place_holds(recall=recall, actor=actor)
    return recall


def sell(actor, customer, unit, invoice="INV-1"):
    return sales.sale_create(
        actor=actor,
        customer=customer,
        lines=[sales.LineInput(unit_id=unit.pk, price="100.00")],
        invoice_number=invoice,
        sold_on=TODAY,
    )


# --- Receiving -------------------------------------------------------------------------


def test_receiving_holds_unit_of_open_recall(manager):
    recall = make_recall(manager, [{"serials": "SN-1 SN-9"}], reference="RC-2026-01")

    receipt = factories.receive(manager, ["SN-1", "SN-2"], product=product_for("DW-100"))

    caught = receipt.units.get(serial="SN-1")
    assert caught.status == Status.ON_HOLD
    assert receipt.units.get(serial="SN-2").status == Status.IN_STOCK
    entry = AffectedUnit.objects.get(unit=caught)
    assert entry.recall == recall
    assert entry.remedy_state == State.ON_HOLD
    assert caught.history.first().history_change_reason == "Recall RC-2026-01: on hold"


def test_receiving_ignores_closed_recall(manager):
    recall = make_recall(manager, [{"serials": "SN-1"}])
    from recalls.services import recall_close

    recall_close(recall=recall, actor=manager)

    receipt = factories.receive(manager, ["SN-1"], product=product_for("DW-100"))

    assert receipt.units.get().status == Status.IN_STOCK
    assert not AffectedUnit.objects.exists()


def test_receiving_page_names_recall(client, manager, supplier, location):
    make_recall(manager, [{"serials": "SN-1\nSN-2"}], reference="RC-2026-01")
    product = product_for("DW-100")
    client.force_login(manager)

    response = client.post(
        reverse("units:receipt-create"),
        {
            "supplier": supplier.pk,
            "product": product.pk,
            "location": location.pk,
            "reference": "DN-1",
            "received_on": "2026-11-02",
            "condition": Condition.NEW,
            "serials": "SN-1\nSN-2\nSN-3",
        },
        follow=True,
    )

    texts = [str(message) for message in response.context["messages"]]
    assert "2 units are under recall RC-2026-01 and were put on hold." in texts


# --- Sale and transfer -------------------------------------------------------------------


def test_sale_rejects_held_unit_naming_recall(manager, customer):
    unit = make_unit(manager, "DW-100", "SN-1")
    held_recall(manager, "SN-1")

    with pytest.raises(ValidationError) as raised:
        sell(manager, customer, unit)

    assert raised.value.messages == [
        "Unit SN-1 is on hold for recall RC-2026-01 and cannot be sold; remove it from this sale."
    ]
    assert not Sale.objects.exists()
    assert Unit.objects.get(pk=unit.pk).status == Status.ON_HOLD


def test_sale_rejects_identified_unit_in_stock(manager, customer):
    unit = make_unit(manager, "DW-100", "SN-1")
    recall = make_recall(manager, [{"serials": "SN-1"}], reference="RC-2026-02")
    recall_run_matching(recall=recall, actor=manager)

    with pytest.raises(ValidationError) as raised:
        sell(manager, customer, unit)

    assert "recall RC-2026-02" in raised.value.messages[0]
    assert Unit.objects.get(pk=unit.pk).status == Status.IN_STOCK


def test_sale_rejects_fleet_unit(manager, customer):
    unit = make_unit(manager, "DW-100", "SN-1")
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=TODAY, reason="Hire fleet"
    )

    with pytest.raises(ValidationError) as raised:
        sell(manager, customer, unit)

    assert raised.value.messages == [
        "Unit SN-1 is in the rental fleet and cannot be sold; take it out of the fleet first."
    ]
    unit.refresh_from_db()
    assert (unit.status, unit.purpose) == (Status.IN_STOCK, Purpose.RENTAL)


def test_sale_still_sells_unit_after_recall_closed(manager, customer):
    unit = make_unit(manager, "DW-100", "SN-1")
    recall = held_recall(manager, "SN-1")
    from recalls.services import recall_close

    recall_close(recall=recall, actor=manager)

    sale = sell(manager, customer, unit)

    assert sale.lines.get().unit == unit


def test_transfer_rejects_recalled_customer_unit(manager, customer):
    unit = make_unit(manager, "DW-100", "SN-1")
    sell(manager, customer, unit)
    recall = make_recall(manager, [{"serials": "SN-1"}], reference="RC-2026-03")
    recall_run_matching(recall=recall, actor=manager)
    other = factories.make_party(name="Next Owner", is_customer=True)
    owners_before = Ownership.objects.filter(unit=unit).count()

    with pytest.raises(ValidationError) as raised:
        sales.ownership_transfer(
            actor=manager, unit=unit, new_owner=other, effective_on=TODAY, reason="Gift"
        )

    assert raised.value.messages == [
        "Unit SN-1 is on hold for recall RC-2026-03 and cannot be transferred to another owner "
        "until its remedy is done."
    ]
    assert Unit.objects.get(pk=unit.pk).owner == customer
    assert Ownership.objects.filter(unit=unit).count() == owners_before


# --- Rental ------------------------------------------------------------------------------


def test_rental_rejects_recalled_fleet_unit(manager, customer):
    unit = make_unit(manager, "DW-100", "SN-1")
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=TODAY, reason="Hire fleet"
    )
    held_recall(manager, "SN-1")

    with pytest.raises(ValidationError) as raised:
        rentals.rental_start(
            actor=manager,
            unit=unit,
            customer=customer,
            starts_on=TODAY,
            due_on=TODAY + datetime.timedelta(days=3),
            meter_out="10",
        )

    assert raised.value.messages == [
        "Unit SN-1 is on hold for recall RC-2026-01 and cannot be rented out; "
        "choose another fleet unit."
    ]
    assert not unit.rentals.exists()


# --- Part installation ---------------------------------------------------------------------


def test_part_installation_rejects_recalled_part(manager, customer):
    board = factories.make_product(model_number="BRD-9", list_price=Decimal("80.00"))
    part = factories.receive(manager, ["BRD-1"], product=board).units.get()
    machine = make_unit(manager, "DW-100", "M-1")
    sell(manager, customer, machine)
    order = service_order_create(actor=manager, unit=machine, problem="Does not start")
    held_recall(manager, "BRD-1", reference="RC-2026-04")

    with pytest.raises(ValidationError) as raised:
        part_line_add_unit(order=order, actor=manager, part=part)

    assert raised.value.messages == [
        "Part BRD-1 is on hold for recall RC-2026-04 and cannot be fitted; choose another part."
    ]
    assert not PartLine.objects.exists()
    assert Unit.objects.get(pk=part.pk).installed_in is None


# --- Other ways units arrive ------------------------------------------------------------


def test_in_house_units_are_checked_against_open_recalls(manager, location):
    product = product_for("HT-1")
    product.in_house_prefix = "HT-"
    product.in_house_width = 3
    product.save()
    make_recall(manager, [{"serials": "HT-002"}], reference="RC-2026-07")

    units = in_house_units_create(actor=manager, product=product, location=location, count=3)

    statuses = {unit.serial: Unit.objects.get(pk=unit.pk).status for unit in units}
    assert statuses == {
        "HT-001": Status.IN_STOCK,
        "HT-002": Status.ON_HOLD,
        "HT-003": Status.IN_STOCK,
    }


def test_customer_intake_records_unit_under_open_recall(manager):
    recall = make_recall(manager, [{"serials": "CUST-5"}], reference="RC-2026-08")
    customer = factories.make_party(name="Gus", is_customer=True)

    unit, created = sales.customer_unit_intake(
        actor=manager, customer=customer, product=product_for("DW-100"), serial="CUST-5"
    )

    assert created
    assert AffectedUnit.objects.get(unit=unit).recall == recall
    assert unit.status == Status.CUSTOMER_OWNED


def test_imported_units_are_checked_against_open_recalls(manager):
    from units.importing.services import ImportOptions, import_units

    make_recall(manager, [{"serials": "IMP-2"}], reference="RC-2026-09")
    data = b"serial,model_number,manufacturer\nIMP-1,M1,Acme\nIMP-2,M1,Acme\n"

    import_units(
        actor=manager, data=data, filename="units.csv", options=ImportOptions(), dry_run=False
    )

    assert Unit.objects.get(serial="IMP-2").status == Status.ON_HOLD
    assert Unit.objects.get(serial="IMP-1").status == Status.IN_STOCK


def test_unit_moved_to_recalled_product_is_caught(manager):
    make_recall(manager, [{"products": ["DW-900"]}], reference="RC-2026-10")
    unit = factories.receive(manager, ["MV-1"], product=product_for("DW-100")).units.get()

    from units.services import unit_change_product

    unit_change_product(unit=unit, product=product_for("DW-900"), actor=manager, reason="Wrong box")

    assert Unit.objects.get(pk=unit.pk).status == Status.ON_HOLD
