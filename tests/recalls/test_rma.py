"""RMAs: the status workflow, the exchange of a customer's unit and supplier credits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from depreciation.models import CostKind, UnitCost
from recalls import rma as rma_services
from recalls.models import AffectedUnit, Rma, RmaLine
from recalls.rma import RmaError, RmaLineInput
from recalls.selectors import unit_recall_facts
from recalls.services import recall_run_matching
from tests import factories
from tests.recalls.builders import make_recall, product_for
from units import sales
from units.models import Ownership, Status, Unit

pytestmark = pytest.mark.django_db

SOLD_ON = datetime.date(2026, 3, 1)
EXCHANGED_ON = datetime.date(2026, 11, 20)
State = AffectedUnit.RemedyState


@pytest.fixture
def supplier(db):
    return factories.make_supplier(name="Acme Supply")


@pytest.fixture
def customer(db):
    return factories.make_party(name="Dana Buyer", is_customer=True, email="dana@example.com")


@pytest.fixture
def product(db):
    return product_for("DW-100")


@pytest.fixture
def sold_unit(manager, supplier, customer, product):
    unit = factories.receive(manager, ["SN-1"], product=product, supplier=supplier).units.get()
    sales.sale_create(
        actor=manager,
        customer=customer,
        lines=[sales.LineInput(unit_id=unit.pk, price="500.00")],
        invoice_number="INV-1",
        sold_on=SOLD_ON,
    )
    return Unit.objects.get(pk=unit.pk)


@pytest.fixture
def recall_entry(manager, sold_unit):
    recall = make_recall(manager, [{"serials": "SN-1"}], reference="RC-2026-01")
    recall_run_matching(recall=recall, actor=manager)
    return AffectedUnit.objects.get(recall=recall, unit=sold_unit)


def recall_rma(manager, supplier, entry, **extra) -> Rma:
    return rma_services.rma_create(
        actor=manager,
        supplier=supplier,
        recall=entry.recall,
        lines=[RmaLineInput(unit_id=entry.unit_id, affected_unit_id=entry.pk)],
        **extra,
    )


def move_to_received(manager, rma: Rma) -> Rma:
    rma = rma_services.rma_change_status(
        rma=rma, status=Rma.Status.AUTHORISED, actor=manager, supplier_rma_number="ACME-77"
    )
    rma = rma_services.rma_change_status(
        rma=rma,
        status=Rma.Status.SHIPPED,
        actor=manager,
        carrier="Parcel Co",
        tracking_number="TRK-1",
        shipped_on=datetime.date(2026, 11, 10),
    )
    return rma_services.rma_change_status(
        rma=rma, status=Rma.Status.RECEIVED_BY_SUPPLIER, actor=manager
    )


# --- Creating ------------------------------------------------------------------------------


def test_create_records_line_for_recall(manager, supplier, recall_entry):
    rma = recall_rma(manager, supplier, recall_entry)

    line = rma.lines.get()
    assert rma.status == Rma.Status.REQUESTED
    assert rma.recall == recall_entry.recall
    assert line.affected_unit == recall_entry
    assert line.reason == "Recall RC-2026-01"
    assert line.original_status == Status.SOLD
    assert rma.history.first().history_change_reason == "RMA requested"


def test_create_needs_reason_outside_recall(manager, supplier, sold_unit):
    with pytest.raises(ValidationError) as raised:
        rma_services.rma_create(
            actor=manager, supplier=supplier, lines=[RmaLineInput(unit_id=sold_unit.pk)]
        )

    assert raised.value.messages == [
        "Give the fault of unit SN-1; a unit outside a recall needs a reason."
    ]
    assert not Rma.objects.exists()


def test_create_rejects_unit_on_open_rma(manager, supplier, sold_unit):
    line = RmaLineInput(unit_id=sold_unit.pk, reason="Leaks")
    first = rma_services.rma_create(actor=manager, supplier=supplier, lines=[line])

    with pytest.raises(ValidationError) as raised:
        rma_services.rma_create(actor=manager, supplier=supplier, lines=[line])

    assert raised.value.messages == [
        f"Unit SN-1 is already on {first.number}, which is still open."
    ]
    assert Rma.objects.count() == 1


def test_create_rejects_rented_unit(manager, supplier, product):
    from depreciation import rentals

    unit = factories.receive(manager, ["RNT-1"], product=product).units.get()
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="internal", on=SOLD_ON, reason="Workshop"
    )

    with pytest.raises(ValidationError) as raised:
        rma_services.rma_create(
            actor=manager, supplier=supplier, lines=[RmaLineInput(unit_id=unit.pk, reason="Dead")]
        )

    assert raised.value.messages == [
        "Unit RNT-1 is in internal use, so it cannot be sent back to the supplier. Only units "
        "in stock, on hold, damaged, awaiting inspection or with a customer can."
    ]


# --- Workflow --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        ([], Rma.Status.SHIPPED, "RMA {number} cannot move from Requested to Shipped."),
        ([], Rma.Status.CLOSED, "RMA {number} cannot move from Requested to Closed."),
        (
            [Rma.Status.CANCELLED],
            Rma.Status.AUTHORISED,
            "RMA {number} cannot move from Cancelled to Authorised.",
        ),
        (
            [Rma.Status.AUTHORISED],
            Rma.Status.CREDITED,
            "RMA {number} cannot move from Authorised to Credited.",
        ),
    ],
)
def test_illegal_transition_rejected(manager, supplier, sold_unit, path, target, message):
    rma = rma_services.rma_create(
        actor=manager, supplier=supplier, lines=[RmaLineInput(unit_id=sold_unit.pk, reason="Dead")]
    )
    for status in path:
        rma = rma_services.rma_change_status(rma=rma, status=status, actor=manager)
    history_count = rma.history.count()

    with pytest.raises(RmaError) as raised:
        rma_services.rma_change_status(rma=rma, status=target, actor=manager)

    assert str(raised.value) == message.format(number=rma.number)
    assert Rma.objects.get(pk=rma.pk).status == (path[-1] if path else Rma.Status.REQUESTED)
    assert rma.history.count() == history_count


def test_shipping_needs_carrier_and_tracking(manager, supplier, sold_unit):
    rma = rma_services.rma_create(
        actor=manager, supplier=supplier, lines=[RmaLineInput(unit_id=sold_unit.pk, reason="Dead")]
    )
    rma = rma_services.rma_change_status(rma=rma, status=Rma.Status.AUTHORISED, actor=manager)

    with pytest.raises(ValidationError) as raised:
        rma_services.rma_change_status(rma=rma, status=Rma.Status.SHIPPED, actor=manager)

    assert raised.value.messages == ["Give the carrier and the tracking number of the shipment."]
    assert Unit.objects.get(pk=sold_unit.pk).status == Status.SOLD


def test_shipping_sends_customer_unit_back(manager, supplier, recall_entry):
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))

    unit = Unit.objects.get(pk=recall_entry.unit_id)
    assert unit.status == Status.RETURNED_TO_SUPPLIER
    reasons = list(
        unit.history.order_by("-history_id").values_list("history_change_reason", flat=True)[:2]
    )
    assert reasons == [
        f"Sent back to Acme Supply on {rma.number}",
        f"Collected from Dana Buyer for {rma.number}",
    ]
    assert (rma.carrier, rma.tracking_number) == ("Parcel Co", "TRK-1")
    assert rma.supplier_rma_number == "ACME-77"


def test_line_actions_wait_for_supplier_receipt(manager, supplier, recall_entry):
    rma = recall_rma(manager, supplier, recall_entry)

    with pytest.raises(ValidationError) as raised:
        rma_services.rma_line_receive_replacement(
            line=rma.lines.get(), serial="SN-NEW", actor=manager
        )

    assert raised.value.messages == [
        f"RMA {rma.number} is requested; record credits and replacements once the supplier "
        "has received the units."
    ]
    assert not Unit.objects.filter(serial="SN-NEW").exists()


# --- Exchange ---------------------------------------------------------------------------------


def test_exchange_gives_customer_the_replacement(manager, supplier, customer, recall_entry):
    faulty_before = Unit.objects.get(pk=recall_entry.unit_id)
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))

    replacement = rma_services.rma_line_receive_replacement(
        line=rma.lines.get(), serial="SN-100", actor=manager, received_on=EXCHANGED_ON
    )

    replacement.refresh_from_db()
    faulty = Unit.objects.get(pk=recall_entry.unit_id)
    line = RmaLine.objects.get(rma=rma)
    # The replacement takes the faulty unit's place with the customer.
    assert replacement.owner == customer
    assert replacement.status == Status.SOLD
    assert replacement.product == faulty.product
    assert replacement.supplier == supplier
    assert replacement.warranty_starts_on == faulty_before.warranty_starts_on == SOLD_ON
    assert replacement.warranty_parts_until == faulty_before.warranty_parts_until
    assert replacement.warranty_labour_until == faulty_before.warranty_labour_until
    # The faulty unit leaves for the supplier, shop-owned and without warranty.
    assert faulty.status == Status.RETURNED_TO_SUPPLIER
    assert faulty.owner is None
    assert faulty.warranty_parts_until is None
    # Both point to each other.
    assert line.replaced_by == replacement
    assert replacement.replaces == line
    assert line.replaced_on == EXCHANGED_ON
    assert unit_recall_facts(faulty).replaced_by_serial == "SN-100"
    assert unit_recall_facts(replacement).replaces_serial == "SN-1"
    # The recall and the RMA record the outcome.
    assert AffectedUnit.objects.get(pk=recall_entry.pk).remedy_state == State.REPLACED
    assert Rma.objects.get(pk=rma.pk).status == Rma.Status.REPLACED


def test_exchange_leaves_history_and_owners(manager, supplier, customer, recall_entry):
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))

    replacement = rma_services.rma_line_receive_replacement(
        line=rma.lines.get(), serial="SN-100", actor=manager, received_on=EXCHANGED_ON
    )

    faulty = Unit.objects.get(pk=recall_entry.unit_id)
    assert faulty.history.first().history_change_reason == f"Exchanged for SN-100 on {rma.number}"
    assert replacement.history.last().history_change_reason == (
        f"Replacement for SN-1 on {rma.number}, exchanged to Dana Buyer"
    )
    faulty_owners = list(Ownership.objects.filter(unit=faulty).order_by("started_on", "pk"))
    assert faulty_owners[-2].owner == customer
    assert faulty_owners[-2].ended_on == EXCHANGED_ON
    assert faulty_owners[-1].owner is None
    assert faulty_owners[-1].reason == f"Exchanged for SN-100 on {rma.number}; returned to supplier"
    (new_owner,) = Ownership.objects.filter(unit=replacement)
    assert (new_owner.owner, new_owner.started_on, new_owner.ended_on) == (
        customer,
        EXCHANGED_ON,
        None,
    )
    assert list(customer.owned_units.values_list("serial", flat=True)) == ["SN-100"]


def test_exchange_fresh_warranty_option(manager, supplier, recall_entry):
    rma = recall_rma(
        manager, supplier, recall_entry, replacement_warranty=Rma.ReplacementWarranty.FRESH
    )
    rma = move_to_received(manager, rma)

    replacement = rma_services.rma_line_receive_replacement(
        line=rma.lines.get(), serial="SN-100", actor=manager, received_on=EXCHANGED_ON
    )

    replacement.refresh_from_db()
    assert replacement.warranty_starts_on == EXCHANGED_ON
    assert replacement.warranty_parts_until == datetime.date(2027, 11, 20)


def test_exchange_twice_rejected(manager, supplier, recall_entry):
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))
    line = rma.lines.get()
    rma_services.rma_line_receive_replacement(line=line, serial="SN-100", actor=manager)

    with pytest.raises(ValidationError) as raised:
        rma_services.rma_line_receive_replacement(line=line, serial="SN-101", actor=manager)

    assert raised.value.messages == ["Unit SN-1 was already replaced by SN-100."]
    assert not Unit.objects.filter(serial="SN-101").exists()


def test_exchange_rejects_recalled_replacement(manager, supplier, recall_entry):
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))
    make_recall(manager, [{"serial_prefixes": "BAD-"}], reference="RC-2026-09")

    with pytest.raises(ValidationError) as raised:
        rma_services.rma_line_receive_replacement(
            line=rma.lines.get(), serial="BAD-1", actor=manager
        )

    assert raised.value.messages == [
        "The replacement BAD-1 falls under open recall RC-2026-09 too, so it cannot go to the "
        "customer. Ask the supplier for a unit outside the recall."
    ]
    assert not Unit.objects.filter(serial="BAD-1").exists()
    assert RmaLine.objects.get(rma=rma).replaced_by is None


def test_exchange_of_shop_unit_into_stock(manager, supplier, product):
    location = factories.make_location(code="BACK")
    unit = factories.receive(manager, ["SN-7"], product=product, supplier=supplier).units.get()
    rma = rma_services.rma_create(
        actor=manager, supplier=supplier, lines=[RmaLineInput(unit_id=unit.pk, reason="DOA")]
    )
    rma = move_to_received(manager, rma)

    replacement = rma_services.rma_line_receive_replacement(
        line=rma.lines.get(), serial="SN-8", actor=manager, location=location
    )

    assert replacement.status == Status.IN_STOCK
    assert replacement.owner is None
    assert replacement.location == location
    assert Unit.objects.get(pk=unit.pk).status == Status.RETURNED_TO_SUPPLIER


# --- Credits -------------------------------------------------------------------------------------


def test_credit_recorded_as_cost_entry(manager, supplier, recall_entry):
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))

    line = rma_services.rma_line_record_credit(
        line=rma.lines.get(), amount="120.50", actor=manager, credited_on=EXCHANGED_ON
    )

    (entry,) = UnitCost.objects.filter(unit_id=recall_entry.unit_id)
    assert entry.kind == CostKind.SUPPLIER_CREDIT
    assert entry.amount == Decimal("-120.50")
    assert entry.entry_date == EXCHANGED_ON
    assert entry.note == f"Credit 120.50 from Acme Supply on {rma.number}"
    assert line.credit_amount == Decimal("120.50")
    assert Rma.objects.get(pk=rma.pk).status == Rma.Status.CREDITED
    assert AffectedUnit.objects.get(pk=recall_entry.pk).remedy_state == State.REFUNDED


@pytest.mark.parametrize("amount", ["-5", "abc", "0", "1.234"])
def test_credit_rejects_bad_amount(manager, supplier, recall_entry, amount):
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))

    with pytest.raises(ValidationError):
        rma_services.rma_line_record_credit(line=rma.lines.get(), amount=amount, actor=manager)

    assert not UnitCost.objects.exists()
    assert RmaLine.objects.get(rma=rma).credit_amount is None


def test_credit_twice_rejected(manager, supplier, recall_entry):
    rma = move_to_received(manager, recall_rma(manager, supplier, recall_entry))
    line = rma.lines.get()
    rma_services.rma_line_record_credit(
        line=line, amount="10.00", actor=manager, credited_on=EXCHANGED_ON
    )

    with pytest.raises(ValidationError) as raised:
        rma_services.rma_line_record_credit(line=line, amount="10.00", actor=manager)

    assert raised.value.messages == ["Unit SN-1 was already credited 10.00 on 2026-11-20."]
    assert UnitCost.objects.count() == 1
