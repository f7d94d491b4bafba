"""Service work on the shop's own units becomes part of their cost."""

from decimal import Decimal

from depreciation.models import UnitCost
from service.models import OrderStatus as S
from service.services import labour_line_add, service_order_collect, service_order_create
from tests.service.conftest import move, receive_one, sell


def _repair(unit, counter, technician, *, warranty=None):
    order = service_order_create(actor=counter, problem="Rattles", unit=unit)
    labour_line_add(
        order=order,
        actor=technician,
        description="Tighten drum",
        hours="1.5",
        rate="60",
        is_warranty=warranty,
    )
    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR, S.READY)
    return service_order_collect(order=order, actor=counter)


def test_work_on_stock_unit_is_added_to_its_costs(clerk, counter, technician, product, location):
    unit = receive_one(clerk, "OWN-1", product=product, location=location)
    order = _repair(unit, counter, technician, warranty=False)
    entries = list(UnitCost.objects.filter(unit=unit).values_list("kind", "amount", "note"))
    assert entries == [("labour", Decimal("90.00"), f"Service order {order.number}")]


def test_warranty_work_on_stock_unit_adds_no_cost(clerk, counter, technician, product, location):
    unit = receive_one(clerk, "OWN-2", product=product, location=location)
    _repair(unit, counter, technician, warranty=True)
    assert not UnitCost.objects.filter(unit=unit).exists()


def test_work_on_customer_unit_adds_no_cost(
    clerk, counter, technician, customer, product, location
):
    unit = receive_one(clerk, "CUS-1", product=product, location=location)
    sell(counter, customer, unit, sold_on=unit.received_on)
    _repair(unit, counter, technician, warranty=False)
    assert not UnitCost.objects.filter(unit=unit).exists()
