import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from inventory import roles
from service import selectors, services
from service.models import OrderStatus, ServiceOrder
from service.views import barcode_bars
from tests import factories
from tests.service.conftest import move, receive_one
from units.models import Status, Unit
from units.services import unit_change_status

S = OrderStatus


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def login(client, role):
    client.force_login(factories.make_user(role))
    return client


# --- Intake ------------------------------------------------------------------------


def test_counter_takes_in_unit_by_serial(client, counter, sold_unit, customer):
    client.force_login(counter)

    response = client.post(
        reverse("service:order-create"),
        {"serial": "DW-1", "problem": "Leaks", "customer": customer.pk},
        follow=True,
    )

    order = ServiceOrder.objects.get()
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert messages_of(response) == [
        f"Service order {order.number}: unit DW-1 taken in for service."
    ]
    assert order.created_by == counter
    assert Unit.objects.get().status == Status.IN_SERVICE


def test_intake_page_preselects_unit(client, counter, sold_unit):
    client.force_login(counter)

    response = client.get(reverse("service:order-create") + f"?unit={sold_unit.pk}")

    assert response.status_code == 200
    assert response.context["preselected"] == sold_unit
    assert response.context["form"]["unit"].value() == sold_unit.pk
    assert response.context["form"]["customer"].value() == sold_unit.owner_id


def test_intake_of_disposed_unit_shows_error(client, counter, clerk, product):
    unit = receive_one(clerk, "GONE-9", product=product)
    unit_change_status(unit=unit, status=Status.DISPOSED, actor=clerk, reason="Scrapped")
    client.force_login(counter)

    response = client.post(reverse("service:order-create"), {"serial": "GONE-9", "problem": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "serial": ["Unit GONE-9 is disposed and cannot be taken in for service."]
    }
    assert ServiceOrder.objects.count() == 0


def test_new_serial_without_product_asks_for_it(client, counter, customer):
    client.force_login(counter)

    response = client.post(
        reverse("service:order-create"),
        {"serial": "NEW-5", "problem": "x", "customer": customer.pk},
    )

    assert response.context["form"].errors == {
        "product": [
            "Serial NEW-5 is not on file. Choose its product to record the customer's unit."
        ]
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.COUNTER_STAFF, 200),
        (roles.SERVICE_TECHNICIAN, 200),
        (roles.MANAGER, 200),
        (roles.WAREHOUSE_CLERK, 403),
    ],
)
def test_intake_page_permission_by_role(db, client, role, status):
    login(client, role)

    response = client.get(reverse("service:order-create"))

    assert response.status_code == status


# --- Workshop permissions ----------------------------------------------------------


def test_counter_staff_cannot_change_status(client, order):
    login(client, roles.COUNTER_STAFF)

    response = client.post(
        reverse("service:order-change-status", args=[order.pk]), {"status": S.DIAGNOSING}
    )

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == S.RECEIVED


def test_counter_staff_cannot_add_labour(client, order):
    login(client, roles.COUNTER_STAFF)

    response = client.post(
        reverse("service:labour-add", args=[order.pk]),
        {"description": "x", "hours": "1", "rate": "10"},
    )

    assert response.status_code == 403
    assert order.labour_lines.count() == 0


def test_technician_cannot_change_warranty(client, order):
    login(client, roles.SERVICE_TECHNICIAN)

    response = client.post(
        reverse("service:order-set-warranty", args=[order.pk]),
        {"is_warranty": "on", "reason": "Goodwill"},
    )

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.is_warranty is False


def test_manager_changes_warranty(client, manager, order):
    client.force_login(manager)

    response = client.post(
        reverse("service:order-set-warranty", args=[order.pk]),
        {"is_warranty": "on", "reason": "Goodwill"},
        follow=True,
    )

    assert messages_of(response) == [f"Service order {order.number} is now warranty work."]
    order.refresh_from_db()
    assert order.is_warranty is True


# --- Order page --------------------------------------------------------------------


def test_status_form_offers_only_legal_moves(client, technician, order):
    client.force_login(technician)
    move(order, technician, S.DIAGNOSING, S.IN_REPAIR)

    response = client.get(order.get_absolute_url())

    choices = [value for value, _label in response.context["status_form"].fields["status"].choices]
    assert choices == [S.WAITING_FOR_PARTS, S.READY, S.CANCELLED]


def test_illegal_status_post_shows_message(client, technician, order):
    client.force_login(technician)

    response = client.post(
        reverse("service:order-change-status", args=[order.pk]), {"status": S.READY}, follow=True
    )

    assert messages_of(response) == [
        f"Service order {order.number} cannot move to ready from Received."
    ]
    order.refresh_from_db()
    assert order.status == S.RECEIVED


def test_technician_works_order_through_to_collection(client, technician, counter, order):
    client.force_login(technician)
    for status in (S.DIAGNOSING, S.IN_REPAIR):
        client.post(reverse("service:order-change-status", args=[order.pk]), {"status": status})
    client.post(
        reverse("service:labour-add", args=[order.pk]),
        {"description": "Replace pump", "hours": "1.5", "rate": "40"},
    )
    client.post(reverse("service:order-change-status", args=[order.pk]), {"status": S.READY})
    client.force_login(counter)

    response = client.post(reverse("service:order-collect", args=[order.pk]), follow=True)

    # Earlier messages stay queued because those posts were not followed.
    assert messages_of(response)[-1] == (
        f"Service order {order.number} collected; unit DW-1 is sold again."
    )
    order.refresh_from_db()
    assert order.status == S.COLLECTED
    assert order.labour_lines.get().amount == 60
    assert response.context["totals"].charged == 60


def test_stock_shortage_on_page_names_values(
    client, technician, order, stock_level, parts_product, location
):
    client.force_login(technician)

    response = client.post(
        reverse("service:stock-part-add", args=[order.pk]),
        {"product": parts_product.pk, "location": location.pk, "quantity": 5},
        follow=True,
    )

    assert messages_of(response) == ["Not enough PUMP-1 at MAIN: 3 on hand, 5 requested."]
    stock_level.refresh_from_db()
    assert stock_level.quantity == 3


def test_order_page_escapes_problem_markup(client, counter, sold_unit):
    order = services.service_order_create(
        actor=counter, unit=sold_unit, problem="<script>alert(1)</script> & hum"
    )
    client.force_login(counter)

    body = client.get(order.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; hum" in body


def test_order_page_shows_warranty_status(client, counter, warranty_unit):
    order = services.service_order_create(actor=counter, unit=warranty_unit, problem="Dead")
    client.force_login(counter)

    response = client.get(order.get_absolute_url())

    assert "Under warranty until" in response.context["warranty"].label
    assert b"<strong>warranty work</strong>" in response.content


# --- Printouts ---------------------------------------------------------------------


def test_ticket_escapes_serial_and_draws_barcode(client, counter, customer, product):
    order = services.service_order_create(
        actor=counter, serial='A<b>&"1', product=product, customer=customer, problem="<i>x</i>"
    )
    client.force_login(counter)

    body = client.get(reverse("service:order-ticket", args=[order.pk])).content.decode()

    assert 'A<b>&"1' not in body
    assert "A&lt;b&gt;&amp;&quot;1" in body
    assert "&lt;i&gt;x&lt;/i&gt;" in body
    assert order.number in body
    assert body.count('fill="#000"') == len(barcode_bars('A<b>&"1')["bars"])
    assert "@media print" in body


def test_ticket_without_code128_shows_reason(client, counter, customer, product):
    order = services.service_order_create(
        actor=counter, serial="SN-É1", product=product, customer=customer, problem="x"
    )
    client.force_login(counter)

    response = client.get(reverse("service:order-ticket", args=[order.pk]))

    assert "error" in response.context["barcode"]
    assert b"No barcode:" in response.content


def test_customer_copy_leaves_out_notes(client, counter, sold_unit):
    order = services.service_order_create(
        actor=counter,
        unit=sold_unit,
        problem="Leaks",
        notes="Customer was rude",
        promised_on=None,
    )
    client.force_login(counter)

    body = client.get(reverse("service:order-customer-copy", args=[order.pk])).content.decode()

    assert "Customer was rude" not in body
    assert order.number in body
    assert "DW-1" in body
    assert "Leaks" in body


# --- Lists, report and partials ----------------------------------------------------


def test_order_list_searches_number_and_serial(client, counter, order):
    client.force_login(counter)

    by_number = client.get(reverse("service:order-list"), {"q": order.number})
    by_serial = client.get(reverse("service:order-list"), {"q": "dw-1"})
    by_other = client.get(reverse("service:order-list"), {"q": "XYZ"})

    assert list(by_number.context["page"]) == [order]
    assert list(by_serial.context["page"]) == [order]
    assert list(by_other.context["page"]) == []


def test_order_list_filters_status_and_age(client, counter, order, technician):
    client.force_login(counter)
    ServiceOrder.objects.filter(pk=order.pk).update(
        received_at=order.received_at - datetime.timedelta(days=10)
    )

    old = client.get(reverse("service:order-list"), {"age": "8-14", "status": "open"})
    new = client.get(reverse("service:order-list"), {"age": "0-2"})
    mine = client.get(reverse("service:order-list"), {"technician": technician.pk})

    assert list(old.context["page"]) == [order]
    assert list(new.context["page"]) == []
    assert list(mine.context["page"]) == [order]


def test_open_orders_report_counts_by_status_and_age(client, counter, order, technician):
    move(order, technician, S.DIAGNOSING)
    client.force_login(counter)

    response = client.get(reverse("service:open-orders"))

    report = response.context["report"]
    rows = {row.status: row.counts for row in report.rows}
    assert rows[S.DIAGNOSING] == [1, 0, 0, 0]
    assert rows[S.RECEIVED] == [0, 0, 0, 0]
    assert report.total == 1


def test_unit_orders_selector_uses_one_query(django_assert_num_queries, order, sold_unit):
    with django_assert_num_queries(1):
        orders = selectors.unit_service_orders(sold_unit)
        [(o.customer, o.technician) for o in orders]

    assert orders == [order]


def test_customer_orders_partial_renders_in_one_query(django_assert_num_queries, order, customer):
    with django_assert_num_queries(1):
        html = render_to_string(
            "service/_customer_service_orders.html",
            {"orders": selectors.customer_service_orders(customer)},
        )

    assert order.number in html
    assert "DW-1" in html


def test_order_page_query_count_stays_flat(
    client, technician, order, stock_level, parts_product, location, django_assert_max_num_queries
):
    for _ in range(3):
        services.labour_line_add(
            order=order, actor=technician, description="Work", hours="1", rate="10"
        )
        services.part_line_add_from_stock(
            order=order, actor=technician, product=parts_product, quantity=1, location=location
        )
    client.force_login(technician)

    with django_assert_max_num_queries(12):
        response = client.get(order.get_absolute_url())

    assert len(response.context["part_lines"]) == 3
