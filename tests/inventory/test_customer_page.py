from service.services import service_order_create
from tests import factories


def test_customer_page_lists_service_orders(
    client, counter, product, django_assert_max_num_queries
):
    customer = factories.make_party(name="Fay <b>Owner</b>", is_customer=True)
    order = service_order_create(
        actor=counter,
        problem="Drum does not <i>spin</i>",
        serial="CUST-9",
        product=product,
        customer=customer,
    )
    client.force_login(factories.make_user("Manager"))
    with django_assert_max_num_queries(14):
        response = client.get(customer.get_absolute_url())
    body = response.content.decode()
    assert order.number in body
    assert "Drum does not &lt;i&gt;spin&lt;/i&gt;" in body
    assert "<b>Owner</b>" not in body
