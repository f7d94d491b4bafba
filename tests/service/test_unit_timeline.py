"""The unit page's timeline shows the service work done on a unit."""

from service.services import part_line_add_unit, service_order_create
from tests.service.conftest import receive_one, sell


def test_timeline_shows_part_fitted_and_warranty_dates(
    client, clerk, counter, technician, customer, product, board_product, location
):
    assembly = receive_one(clerk, "ASM-1", product=product, location=location)
    sell(counter, customer, assembly, sold_on=assembly.received_on)
    board = receive_one(clerk, "BRD-77", product=board_product, location=location)
    order = service_order_create(actor=counter, problem="No power", unit=assembly)
    part_line_add_unit(order=order, actor=technician, part=board)

    client.force_login(technician)
    body = client.get(assembly.get_absolute_url()).content.decode()

    assert f"{board_product.model_number} BRD-77 on service order {order.number}" in body
    assert "Part fitted" in body
    assert "Parts warranty until: — →" in body
