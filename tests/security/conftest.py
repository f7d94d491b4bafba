"""A small shop built through the real services, with one object of each kind a URL can name."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from depreciation import costs, rentals
from depreciation.models import AssetPeriod, Rental, UnitCost
from inventory import roles
from inventory.models import Job, Party, Product, StockLevel
from inventory.permissions import ADMINISTRATOR
from service import services as service_services
from service.models import LabourLine, PartLine, ServiceOrder
from tests import factories
from units.models import Ownership, Receipt, Sale, SaleLine, Unit
from units.sales import LineInput, sale_create

DAY = datetime.date(2026, 11, 2)

#: Tables whose row counts must not change after a rejected request.
WATCHED_MODELS = [
    Unit,
    Unit.history.model,
    Receipt,
    Sale,
    SaleLine,
    Ownership,
    ServiceOrder,
    ServiceOrder.history.model,
    LabourLine,
    PartLine,
    UnitCost,
    AssetPeriod,
    Rental,
    Job,
    Party,
    Product,
    StockLevel,
]


def _recall_model():
    try:
        from recalls.models import Recall
    except ImportError:
        return None
    return Recall


def snapshot() -> dict[str, object]:
    """Return the row count of every watched table and each unit's status, owner and place."""
    counts: dict[str, object] = {
        model._meta.label: model.objects.count() for model in WATCHED_MODELS
    }
    recall = _recall_model()
    if recall is not None:
        counts[recall._meta.label] = recall.objects.count()
    counts["unit states"] = list(
        Unit.objects.order_by("pk").values_list("pk", "status", "owner_id", "location_id")
    )
    return counts


@dataclass
class Shop:
    users: dict[str, User]
    customer: Party
    product: Product
    unit: Unit
    sold_unit: Unit
    fleet_unit: Unit
    receipt: Receipt
    sale: Sale
    order: ServiceOrder
    labour_line: LabourLine
    part_line: PartLine
    cost: UnitCost
    rental: Rental
    job: Job
    recall: object = None
    rma: object = None
    rma_line: object = None
    #: Not built yet: an affected unit needs matching, a book its own setup.
    affected_unit: object = None
    book: object = None

    def client_for(self, role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(self.users[role])
        return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash the test users' passwords cheaply; each test creates six users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shop(db) -> Shop:
    users = {role: factories.make_user(role) for role in factories.ROLE_NAMES}
    users[ADMINISTRATOR] = User.objects.create_superuser(
        "administrator", password="pw-for-tests-only"
    )
    manager = users[roles.MANAGER]
    technician = users[roles.SERVICE_TECHNICIAN]

    customer = factories.make_party(name="Dana Buyer", is_customer=True, phone="555-0100")
    product = factories.make_product(
        name="Dishwasher", model_number="DW-100", list_price=Decimal("499.00")
    )
    location = factories.make_location(name="Main warehouse", code="MAIN")
    supplier = factories.make_supplier(name="Acme Supply")
    receipt = factories.receive(
        manager,
        ["SEC-1", "SEC-2", "SEC-3"],
        product=product,
        supplier=supplier,
        location=location,
        received_on=DAY,
        reference="PO-1",
    )
    unit, sold_unit, fleet_unit = receipt.units.order_by("serial_sort")

    sale = sale_create(
        actor=manager,
        customer=customer,
        lines=[LineInput(sold_unit.pk, "499.00")],
        invoice_number="INV-1",
        sold_on=DAY + datetime.timedelta(days=1),
    )
    order = service_services.service_order_create(
        actor=manager, unit=sold_unit, customer=customer, problem="Does not drain"
    )
    labour_line = service_services.labour_line_add(
        order=order, actor=technician, description="Diagnosis", hours="1", rate="60"
    )
    part = factories.make_product(
        name="Drain pump", model_number="PUMP-1", is_serialized=False, list_price=Decimal("25")
    )
    StockLevel.objects.create(product=part, location=location, quantity=3)
    part_line = service_services.part_line_add_from_stock(
        order=order, actor=technician, product=part, quantity=1, location=location
    )
    cost = costs.unit_cost_add(
        actor=manager, unit=unit, kind="freight", amount="12.50", entry_date=DAY
    )
    rentals.asset_put_into_service(
        actor=manager, unit=fleet_unit, purpose="rental", on=DAY, reason="Hire fleet"
    )
    fleet_unit.refresh_from_db()
    rental = rentals.rental_start(
        actor=manager,
        unit=fleet_unit,
        customer=customer,
        starts_on=DAY + datetime.timedelta(days=2),
        due_on=DAY + datetime.timedelta(days=9),
        meter_out="100",
    )
    # Started by a user who is none of the roles, so no role owns it.
    job = Job.objects.create(kind="matrix-check", actor=factories.make_user())
    for item in (unit, sold_unit, fleet_unit):
        item.refresh_from_db()
    recall, rma = _recall_and_rma(manager, product, supplier, location)
    return Shop(
        users=users,
        customer=customer,
        product=product,
        unit=unit,
        sold_unit=sold_unit,
        fleet_unit=fleet_unit,
        receipt=receipt,
        sale=sale,
        order=order,
        labour_line=labour_line,
        part_line=part_line,
        cost=cost,
        rental=rental,
        job=job,
        recall=recall,
        rma=rma,
        rma_line=rma.lines.first() if rma else None,
    )


def _recall_and_rma(manager, product, supplier, location):
    """Return a recall and an RMA of one unit."""
    from recalls import rma as rma_services
    from recalls import services as recall_services

    recall = recall_services.recall_create(
        actor=manager,
        reference="RC-1",
        issued_on=DAY,
        description="Door latch may fail",
        remedy="repair",
        issuer_name="Product safety agency",
    )
    faulty = factories.receive(
        manager, ["SEC-RMA"], product=product, supplier=supplier, location=location
    ).units.get()
    rma = rma_services.rma_create(
        actor=manager,
        supplier=supplier,
        lines=[rma_services.RmaLineInput(unit_id=faulty.pk, reason="Dead on arrival")],
    )
    return recall, rma
