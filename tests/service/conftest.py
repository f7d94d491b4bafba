"""Shared data for service order tests, built through the real services."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import StockLevel
from service import services
from tests import factories
from units.sales import LineInput, sale_create


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def customer(db):
    return factories.make_party(name="Dana Buyer", is_customer=True)


@pytest.fixture
def parts_product(db):
    """A non-serialized spare part with a list price."""
    return factories.make_product(
        name="Drain pump", model_number="PUMP-1", is_serialized=False, list_price=Decimal("25.00")
    )


@pytest.fixture
def board_product(db):
    """A serialized spare part (a control board) with a list price."""
    return factories.make_product(
        name="Control board", model_number="BRD-9", list_price=Decimal("80.00")
    )


@pytest.fixture
def stock_level(parts_product, location):
    return StockLevel.objects.create(product=parts_product, location=location, quantity=3)


def receive_one(actor, serial, *, product, location=None, **extra):
    return factories.receive(
        actor, [serial], product=product, location=location, **extra
    ).units.get()


def sell(actor, customer, unit, *, sold_on, invoice="INV-1"):
    sale_create(
        actor=actor,
        customer=customer,
        lines=[LineInput(unit.pk, "499.00")],
        invoice_number=invoice,
        sold_on=sold_on,
    )
    unit.refresh_from_db()
    return unit


@pytest.fixture
def sold_unit(clerk, counter, customer, product):
    """Dishwasher DW-1 sold to the customer a year and a month ago; its warranty has ended."""
    unit = receive_one(clerk, "DW-1", product=product, received_on=days_ago(405))
    return sell(counter, customer, unit, sold_on=days_ago(400))


@pytest.fixture
def warranty_unit(clerk, counter, customer, product):
    """Dishwasher DW-2 sold to the customer last week, under its 12-month warranty."""
    unit = receive_one(clerk, "DW-2", product=product, received_on=days_ago(30))
    return sell(counter, customer, unit, sold_on=days_ago(7), invoice="INV-2")


@pytest.fixture
def order(counter, sold_unit, customer, technician):
    return services.service_order_create(
        actor=counter,
        unit=sold_unit,
        customer=customer,
        problem="Does not drain",
        technician=technician,
    )


def move(order, actor, *statuses, reason=""):
    for status in statuses:
        order = services.service_order_change_status(
            order=order, status=status, actor=actor, reason=reason
        )
    return order
