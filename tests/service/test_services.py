import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection

from inventory import roles
from inventory.models import StockLevel
from service import services
from service.models import LabourLine, OrderStatus, PartLine, ServiceOrder
from service.selectors import order_totals
from tests import factories
from tests.service.conftest import move, receive_one
from units.models import Ownership, Status, Unit
from units.services import unit_change_status, unit_mark_damaged

S = OrderStatus

# --- Intake ------------------------------------------------------------------------


def test_intake_records_new_customer_unit(counter, customer, product):
    order = services.service_order_create(
        actor=counter, serial=" CUST-77 ", product=product, customer=customer, problem="Noisy"
    )

    unit = Unit.objects.get()
    assert unit.serial == "CUST-77"
    assert unit.status == Status.IN_SERVICE
    assert unit.owner == customer
    assert unit.location is None
    assert order.unit == unit
    assert order.customer == customer
    assert order.unit_status_before == Status.CUSTOMER_OWNED
    assert order.status == S.RECEIVED
    assert Ownership.objects.filter(unit=unit, owner=customer).count() == 1
    assert unit.history.first().history_change_reason == (
        f"Taken in for service on order {order.number}"
    )
    assert unit.history.first().history_user == counter


def test_intake_reuses_record_of_sold_unit(counter, customer, sold_unit, product):
    before = Unit.objects.values("owner", "location", "receipt").get(pk=sold_unit.pk)

    order = services.service_order_create(
        actor=counter, serial="dw-1", problem="Leaks", customer=customer
    )

    assert Unit.objects.count() == 1
    unit = Unit.objects.get()
    assert order.unit == sold_unit
    assert unit.status == Status.IN_SERVICE
    assert Unit.objects.values("owner", "location", "receipt").get(pk=unit.pk) == before
    assert unit.sale_lines.filter(ended_on__isnull=True).count() == 1
    assert order.unit_status_before == Status.SOLD
    assert order.is_warranty is False


def test_intake_without_customer_uses_owner(counter, sold_unit, customer):
    order = services.service_order_create(actor=counter, unit=sold_unit, problem="Leaks")

    assert order.customer == customer


def test_intake_of_shop_stock_unit(counter, clerk, product, location):
    unit = receive_one(clerk, "STK-1", product=product, location=location)

    order = services.service_order_create(actor=counter, unit=unit, problem="Check before sale")

    unit.refresh_from_db()
    assert order.customer is None
    assert order.unit_status_before == Status.IN_STOCK
    assert unit.status == Status.IN_SERVICE
    assert unit.location == location


def test_intake_rejects_unit_in_service_naming_order(counter, order, sold_unit):
    with pytest.raises(ValidationError) as caught:
        services.service_order_create(actor=counter, unit=sold_unit, problem="Again")

    assert caught.value.messages == [
        f"Unit DW-1 is in service on order {order.number}. Open that order instead."
    ]
    assert ServiceOrder.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "state"),
    [(Status.DISPOSED, "disposed"), (Status.RETURNED_TO_SUPPLIER, "returned to supplier")],
)
def test_intake_rejects_unit_that_left_shop(counter, clerk, product, status, state):
    unit = receive_one(clerk, "GONE-1", product=product)
    unit_change_status(unit=unit, status=status, actor=clerk, reason="Gone")

    with pytest.raises(ValidationError) as caught:
        services.service_order_create(actor=counter, unit=unit, problem="x")

    assert caught.value.messages == [f"Unit GONE-1 is {state} and cannot be taken in for service."]
    assert ServiceOrder.objects.count() == 0
    unit.refresh_from_db()
    assert unit.status == status


def test_intake_of_new_serial_needs_product(counter, customer):
    with pytest.raises(ValidationError) as caught:
        services.service_order_create(actor=counter, serial="NEW-1", customer=customer, problem="x")

    assert caught.value.messages == [
        "Serial NEW-1 is not on file. Choose its product to record the customer's unit."
    ]
    assert Unit.objects.count() == 0


def test_intake_of_new_serial_needs_customer(counter, product):
    with pytest.raises(ValidationError) as caught:
        services.service_order_create(actor=counter, serial="NEW-1", product=product, problem="x")

    assert caught.value.messages == [
        "Serial NEW-1 is new to the shop. Choose the customer who owns it."
    ]
    assert Unit.objects.count() == 0


def test_intake_of_serial_on_two_products_needs_product(counter, clerk, product, customer):
    other = factories.make_product(name="Dryer", model_number="DR-1")
    receive_one(clerk, "TWIN", product=product)
    receive_one(clerk, "TWIN", product=other)

    with pytest.raises(ValidationError) as caught:
        services.service_order_create(actor=counter, serial="TWIN", problem="x")

    assert caught.value.messages == [
        "Serial TWIN exists on several products (DR-1, DW-100). Choose the product."
    ]
    order = services.service_order_create(actor=counter, serial="TWIN", product=other, problem="x")
    assert order.unit.product == other


def test_intake_without_problem_is_rejected(counter, sold_unit):
    with pytest.raises(ValidationError) as caught:
        services.service_order_create(actor=counter, unit=sold_unit, problem="  ")

    assert caught.value.messages == ["Describe the problem the customer reports."]
    assert ServiceOrder.objects.count() == 0


# --- Status workflow ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        ((), S.READY, "cannot move from Received to Ready for collection."),
        ((), S.COLLECTED, "cannot move from Received to Collected."),
        ((S.DIAGNOSING,), S.RECEIVED, "cannot move from Diagnosing to Received."),
        ((S.DIAGNOSING, S.WAITING_FOR_PARTS), S.READY,
         "cannot move from Waiting for parts to Ready for collection."),
    ],
)  # fmt: skip
def test_illegal_order_move_is_rejected(order, technician, path, target, message):
    order = move(order, technician, *path)
    count = order.history.count()

    with pytest.raises(services.OrderTransitionError) as caught:
        services.service_order_change_status(order=order, status=target, actor=technician)

    assert str(caught.value) == f"Service order {order.number} {message}"
    order.refresh_from_db()
    assert order.history.count() == count
    assert order.unit.status == Status.IN_SERVICE


def test_move_out_of_collected_is_rejected(order, technician, counter):
    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR, S.READY)
    order = services.service_order_collect(order=order, actor=counter)

    with pytest.raises(services.OrderTransitionError) as caught:
        services.service_order_change_status(order=order, status=S.IN_REPAIR, actor=technician)

    assert str(caught.value) == (
        f"Service order {order.number} cannot move from Collected to In repair."
    )


def test_status_change_leaves_history_with_user_and_reason(order, technician):
    move(order, technician, S.DIAGNOSING, reason="Bench 3")

    record = order.history.order_by("-history_id").first()
    assert record.status == S.DIAGNOSING
    assert record.history_user == technician
    assert record.history_change_reason == "Status changed from Received to Diagnosing: Bench 3"


def test_waiting_for_parts_and_repair_alternate(order, technician):
    order = move(order, technician, S.DIAGNOSING, S.WAITING_FOR_PARTS, S.IN_REPAIR)
    order = move(order, technician, S.WAITING_FOR_PARTS, S.IN_REPAIR, S.READY)

    assert order.status == S.READY


# --- Collection and cancellation ---------------------------------------------------


def test_collection_restores_sold_status(order, technician, counter, customer):
    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR, S.READY)

    order = services.service_order_collect(order=order, actor=counter)

    unit = Unit.objects.get(pk=order.unit_id)
    assert order.status == S.COLLECTED
    assert order.collected_at is not None
    assert unit.status == Status.SOLD
    assert unit.owner == customer
    assert unit.history.first().history_change_reason == (
        f"Collected after service order {order.number}"
    )
    assert unit.history.first().history_user == counter


def test_collection_restores_customer_owned_status(counter, technician, customer, product):
    order = services.service_order_create(
        actor=counter, serial="CUST-1", product=product, customer=customer, problem="x"
    )
    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR, S.READY)

    services.service_order_collect(order=order, actor=counter)

    assert Unit.objects.get().status == Status.CUSTOMER_OWNED


def test_collection_before_ready_is_rejected(order, technician, counter):
    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR)

    with pytest.raises(services.OrderTransitionError) as caught:
        services.service_order_collect(order=order, actor=counter)

    assert str(caught.value) == (
        f"Service order {order.number} is in repair, not ready for collection. Mark it ready first."
    )
    order.refresh_from_db()
    assert order.status == S.IN_REPAIR
    assert order.unit.status == Status.IN_SERVICE


def test_cancel_restores_unit_status(counter, clerk, technician, product, location):
    unit = receive_one(clerk, "STK-2", product=product, location=location)
    order = services.service_order_create(actor=counter, unit=unit, problem="x")

    order = move(order, technician, S.DIAGNOSING, S.CANCELLED, reason="Not worth repairing")

    unit.refresh_from_db()
    assert order.status == S.CANCELLED
    assert unit.status == Status.IN_STOCK
    assert unit.history.first().history_change_reason == (
        f"Returned after service order {order.number} was cancelled"
    )


def test_cancel_needs_reason(order, technician):
    with pytest.raises(ValidationError) as caught:
        move(order, technician, S.CANCELLED)

    assert caught.value.messages == [f"Give a reason for cancelling service order {order.number}."]
    order.refresh_from_db()
    assert order.status == S.RECEIVED


def test_unit_can_return_for_service_after_collection(order, technician, counter, sold_unit):
    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR, S.READY)
    services.service_order_collect(order=order, actor=counter)

    second = services.service_order_create(actor=counter, unit=sold_unit, problem="Again")

    assert second.unit_status_before == Status.SOLD


# --- Labour and warranty -----------------------------------------------------------


def test_labour_amount_rounds_half_up_to_cents(order, technician):
    line = services.labour_line_add(
        order=order, actor=technician, description="Replace hose", hours="1.25", rate="33.33"
    )

    # 1.25 x 33.33 = 41.6625, which rounds to 41.66.
    assert line.amount == Decimal("41.66")
    assert line.technician == technician
    assert line.is_warranty is False


def test_labour_half_cent_rounds_up(order, technician):
    line = services.labour_line_add(
        order=order, actor=technician, description="Test", hours="0.50", rate="0.05"
    )

    assert line.amount == Decimal("0.03")


def test_warranty_order_marks_lines_and_totals(
    counter, technician, warranty_unit, stock_level, parts_product, location
):
    order = services.service_order_create(actor=counter, unit=warranty_unit, problem="Dead")
    assert order.is_warranty is True

    services.labour_line_add(
        order=order, actor=technician, description="Diagnose", hours="1", rate="60"
    )
    services.part_line_add_from_stock(
        order=order, actor=technician, product=parts_product, quantity=2, location=location
    )
    services.labour_line_add(
        order=order,
        actor=technician,
        description="Clean filter (not covered)",
        hours="0.5",
        rate="60",
        is_warranty=False,
    )

    assert list(order.labour_lines.values_list("is_warranty", flat=True)) == [True, False]
    assert order.part_lines.get().is_warranty is True
    totals = order_totals(order)
    assert totals.warranty == Decimal("110.00")
    assert totals.charged == Decimal("30.00")


def test_manager_can_change_warranty_with_reason(order, manager, technician):
    services.labour_line_add(order=order, actor=technician, description="x", hours="1", rate="10")

    order = services.service_order_set_warranty(
        order=order, is_warranty=True, actor=manager, reason="Goodwill"
    )

    assert order.is_warranty is True
    assert order.labour_lines.get().is_warranty is True
    assert order.history.first().history_change_reason == "Warranty work set to yes: Goodwill"


def test_lines_rejected_on_collected_order(order, technician, counter):
    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR, S.READY)
    order = services.service_order_collect(order=order, actor=counter)

    with pytest.raises(services.ServiceOrderError) as caught:
        services.labour_line_add(order=order, actor=technician, description="x", hours=1, rate=1)

    assert str(caught.value) == (
        f"Service order {order.number} is collected; its lines can no longer change."
    )
    assert LabourLine.objects.count() == 0


# --- Parts from stock --------------------------------------------------------------


def test_stock_part_reduces_stock_level(order, technician, stock_level, parts_product, location):
    line = services.part_line_add_from_stock(
        order=order, actor=technician, product=parts_product, quantity=2, location=location
    )

    stock_level.refresh_from_db()
    assert stock_level.quantity == 1
    assert line.unit_price == Decimal("25.00")
    assert line.amount == Decimal("50.00")
    assert stock_level.history.first().history_change_reason == (
        f"Used on service order {order.number}"
    )


def test_stock_shortage_rejected_with_nothing_written(
    order, technician, stock_level, parts_product, location
):
    with pytest.raises(ValidationError) as caught:
        services.part_line_add_from_stock(
            order=order, actor=technician, product=parts_product, quantity=4, location=location
        )

    assert caught.value.messages == ["Not enough PUMP-1 at MAIN: 3 on hand, 4 requested."]
    stock_level.refresh_from_db()
    assert stock_level.quantity == 3
    assert stock_level.history.count() == 1
    assert PartLine.objects.count() == 0


def test_stock_part_at_location_without_stock_level(order, technician, parts_product, location):
    with pytest.raises(ValidationError) as caught:
        services.part_line_add_from_stock(
            order=order, actor=technician, product=parts_product, quantity=1, location=location
        )

    assert caught.value.messages == ["Not enough PUMP-1 at MAIN: 0 on hand, 1 requested."]
    assert StockLevel.objects.count() == 0


def test_removing_stock_part_returns_it(order, technician, stock_level, parts_product, location):
    line = services.part_line_add_from_stock(
        order=order, actor=technician, product=parts_product, quantity=2, location=location
    )

    services.part_line_remove(line=line, actor=technician)

    stock_level.refresh_from_db()
    line.refresh_from_db()
    assert stock_level.quantity == 3
    assert line.removed_at is not None
    assert order_totals(order).charged == Decimal("0.00")


def test_cancel_rejected_while_parts_fitted(
    order, technician, stock_level, parts_product, location
):
    services.part_line_add_from_stock(
        order=order, actor=technician, product=parts_product, quantity=1, location=location
    )

    with pytest.raises(ValidationError) as caught:
        move(order, technician, S.CANCELLED, reason="Customer declined")

    assert caught.value.messages == [
        f"Service order {order.number} still has 1 part line(s). "
        "Remove the parts before cancelling it."
    ]
    order.refresh_from_db()
    assert order.status == S.RECEIVED


# --- Serialized parts --------------------------------------------------------------


def test_installed_part_leaves_stock_and_stays_listed(
    order, clerk, technician, counter, board_product, location, customer
):
    board = receive_one(clerk, "BRD-0001", product=board_product, location=location)

    line = services.part_line_add_unit(order=order, actor=technician, serial="brd-0001")

    board.refresh_from_db()
    assert line.part_unit == board
    assert line.quantity == 1
    assert line.location == location
    assert line.unit_price == Decimal("80.00")
    assert board.status == Status.INSTALLED
    assert board.installed_in == order.unit
    assert board.owner == customer
    assert board.location is None
    assert board.history.first().history_change_reason == (
        f"Installed in DW-1 on service order {order.number}"
    )
    assert list(order.unit.installed_parts.all()) == [board]

    order = move(order, technician, S.DIAGNOSING, S.IN_REPAIR, S.READY)
    services.service_order_collect(order=order, actor=counter)

    assembly = Unit.objects.get(pk=order.unit_id)
    assert assembly.status == Status.SOLD
    assert list(assembly.installed_parts.all()) == [board]


def test_removing_installed_part_restocks_it(order, clerk, technician, board_product, location):
    bin_location = factories.make_location(name="Bin 4", code="BIN4")
    board = receive_one(clerk, "BRD-0002", product=board_product, location=location)
    line = services.part_line_add_unit(order=order, actor=technician, part=board)

    services.part_line_remove(line=line, actor=technician, location=bin_location)

    board.refresh_from_db()
    assert board.status == Status.IN_STOCK
    assert board.installed_in is None
    assert board.owner is None
    assert board.location == bin_location
    assert list(order.unit.installed_parts.all()) == []


@pytest.mark.parametrize(
    ("change", "state"),
    [("hold", "on hold"), ("damage", "damaged")],
)
def test_part_not_in_stock_is_rejected(
    order, clerk, technician, board_product, location, change, state
):
    board = receive_one(clerk, "BRD-0003", product=board_product, location=location)
    if change == "hold":
        unit_change_status(unit=board, status=Status.ON_HOLD, actor=clerk, reason="Recall check")
    else:
        unit_mark_damaged(unit=board, actor=clerk, reason="Cracked")

    with pytest.raises(ValidationError) as caught:
        services.part_line_add_unit(order=order, actor=technician, serial="BRD-0003")

    assert caught.value.messages == [
        f"Part BRD-0003 is {state} and cannot be fitted. Only parts in stock can be installed."
    ]
    assert PartLine.objects.count() == 0
    board.refresh_from_db()
    assert board.installed_in is None


def test_unknown_part_serial_is_rejected(order, technician):
    with pytest.raises(ValidationError) as caught:
        services.part_line_add_unit(order=order, actor=technician, serial="NOPE")

    assert caught.value.messages == [
        "Part serial NOPE is not on file. Receive the part into stock first."
    ]


@pytest.mark.django_db(transaction=True)
def test_two_orders_taking_last_part_at_once(product, parts_product, location):
    if Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() < len(roles.ROLE_PERMISSIONS):
        roles.sync_roles()
    clerk = factories.make_user(roles.WAREHOUSE_CLERK)
    technicians = [factories.make_user(roles.SERVICE_TECHNICIAN) for _ in range(2)]
    orders = [
        services.service_order_create(
            actor=clerk, unit=receive_one(clerk, f"RACE-{n}", product=product), problem="x"
        )
        for n in range(2)
    ]
    StockLevel.objects.create(product=parts_product, location=location, quantity=1)
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def fit(n: int) -> None:
        try:
            barrier.wait()
            outcomes[n] = services.part_line_add_from_stock(
                order=orders[n],
                actor=technicians[n],
                product=parts_product,
                quantity=1,
                location=location,
            )
        except ValidationError as error:
            outcomes[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=fit, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len([o for o in outcomes if isinstance(o, PartLine)]) == 1
    assert [error.messages for error in lost] == [
        ["Not enough PUMP-1 at MAIN: 0 on hand, 1 requested."]
    ]
    assert StockLevel.objects.get().quantity == 0
    assert PartLine.objects.count() == 1
