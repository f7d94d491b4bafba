"""Recalls in the browser: record one from a pasted serial list, then exchange a customer's unit."""

import pytest
from playwright.sync_api import expect

from inventory import roles
from recalls.models import AffectedUnit, Rma
from recalls.services import recall_run_matching
from tests import factories
from tests.recalls.builders import make_recall
from units import sales
from units.models import Status, Unit

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(db):
    return factories.make_user(roles.MANAGER, username="manager")


@pytest.fixture
def supplier(db):
    return factories.make_supplier(name="Acme Supply")


@pytest.fixture
def product(db):
    return factories.make_product(name="Space heater", model_number="SH-9")


def test_record_recall_from_pasted_serials(signed_in_page, manager, supplier, product):
    factories.receive(manager, ["SH-001", "SH-002", "SH-003"], product=product, supplier=supplier)
    page = signed_in_page(manager)

    page.goto("/recalls/")
    page.click("text=Record a recall")
    page.fill("#id_reference", "RC-2026-01")
    page.fill("#id_issuer_name", "CPSC")
    page.fill("#id_issued_on", "2026-11-01")
    page.fill("#id_description", "Heater may overheat")
    page.select_option("#id_remedy", "replace")
    page.click("#recall-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Recall RC-2026-01")

    page.click("text=Add a criterion")
    page.fill("#id_serials", "SH-001, sh-003\nSH-404")
    page.click("#criterion-form button[type=submit]")
    expect(page.locator("#criteria")).to_contain_text("Serial on the list of 3")

    page.click("#run-matching")
    expect(page.locator(".message.success")).to_have_text(
        "Recall RC-2026-01: 2 units newly matched."
    )
    expect(page.locator("#affected tbody tr")).to_have_count(2)
    expect(page.locator("#affected")).to_contain_text("SH-001")
    expect(page.locator("#affected")).to_contain_text("SH-003")

    page.click("#place-holds")
    expect(page.locator("#state-counts")).to_contain_text("On hold")
    page.goto(Unit.objects.get(serial="SH-001").get_absolute_url())
    expect(page.locator("#recall-banner")).to_contain_text("Recall RC-2026-01")


def test_exchange_customer_unit(signed_in_page, manager, supplier, product):
    customer = factories.make_party(name="Dana Buyer", is_customer=True)
    unit = factories.receive(manager, ["SH-001"], product=product, supplier=supplier).units.get()
    sales.sale_create(
        actor=manager,
        customer=customer,
        lines=[sales.LineInput(unit_id=unit.pk, price="80.00")],
        invoice_number="INV-1",
    )
    recall = make_recall(manager, [{"serials": "SH-001"}], reference="RC-2026-02")
    recall_run_matching(recall=recall, actor=manager)
    page = signed_in_page(manager)

    page.goto(recall.get_absolute_url())
    page.check("#affected input[name=affected]")
    page.click("#rma-form button[type=submit]")
    expect(page.locator("#id_supplier")).to_have_value(str(supplier.pk))
    page.click("#rma-create-form button[type=submit]")
    expect(page.locator("#rma-status")).to_have_text("Requested")

    page.select_option("#id_status", "authorised")
    page.fill("#id_supplier_rma_number", "ACME-77")
    page.click("#rma-status-form button[type=submit]")
    expect(page.locator("#rma-status")).to_have_text("Authorised")
    page.select_option("#id_status", "shipped")
    page.fill("#id_carrier", "Parcel Co")
    page.fill("#id_tracking_number", "TRK-1")
    page.click("#rma-status-form button[type=submit]")
    expect(page.locator("#rma-status")).to_have_text("Shipped")
    page.select_option("#id_status", "received_by_supplier")
    page.click("#rma-status-form button[type=submit]")
    expect(page.locator("#rma-status")).to_have_text("Received by supplier")

    page.fill(".replacement-form input[name=serial]", "SH-100")
    page.click(".replacement-form button[type=submit]")
    expect(page.locator(".message.success")).to_contain_text("exchanged for SH-100")
    expect(page.locator("#rma-status")).to_have_text("Replaced")

    page.goto(customer.get_absolute_url())
    expect(page.locator("main")).to_contain_text("SH-100")
    replacement = Unit.objects.get(serial="SH-100")
    assert replacement.owner == customer
    assert replacement.status == Status.SOLD
    assert Unit.objects.get(pk=unit.pk).status == Status.RETURNED_TO_SUPPLIER
    assert AffectedUnit.objects.get().remedy_state == AffectedUnit.RemedyState.REPLACED
    assert Rma.objects.get().status == Rma.Status.REPLACED

    page.goto(replacement.get_absolute_url())
    expect(page.locator("#rma-replaces")).to_contain_text("SH-001")
