import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory import roles
from service.models import OrderStatus, ServiceOrder
from tests import factories
from units.models import Status, Unit
from units.sales import LineInput, sale_create

pytestmark = pytest.mark.browser


@pytest.fixture
def sold_unit(db):
    """Dishwasher DW-1 sold to Dana Buyer over a year ago, so its warranty has ended."""
    clerk = factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")
    counter = factories.make_user(roles.COUNTER_STAFF, username="seller")
    customer = factories.make_party(name="Dana Buyer", is_customer=True)
    product = factories.make_product(name="Dishwasher", model_number="DW-100")
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    unit = factories.receive(clerk, ["DW-1"], product=product, received_on=long_ago).units.get()
    sale_create(
        actor=counter,
        customer=customer,
        lines=[LineInput(unit.pk, "499.00")],
        invoice_number="INV-1",
        sold_on=long_ago,
    )
    unit.refresh_from_db()
    return unit


def change_status(page, label: str) -> None:
    page.select_option("#status_status", label=label)
    page.get_by_role("button", name="Change status").click()


def test_service_intake_through_collection(signed_in_page, sold_unit, live_server):
    technician = factories.make_user(roles.SERVICE_TECHNICIAN, username="tech")
    page = signed_in_page(technician)
    page.goto("/service/orders/new/")

    expect(page.locator("#id_serial")).to_be_focused()
    # A scanner types the serial and ends it with Enter, which moves on to the problem.
    page.keyboard.type("dw-1")
    page.keyboard.press("Enter")
    expect(page.locator("#id_problem")).to_be_focused()
    assert ServiceOrder.objects.count() == 0
    page.fill("#id_problem", "Does not drain <b>at all</b>")
    page.get_by_role("button", name="Take in for service").click()

    order = ServiceOrder.objects.get()
    expect(page).to_have_url(live_server.url + order.get_absolute_url())
    expect(page.locator(".message.success")).to_have_text(
        f"Service order {order.number}: unit DW-1 taken in for service."
    )
    expect(page.locator("#order-problem")).to_have_text("Does not drain <b>at all</b>")
    assert Unit.objects.get().status == Status.IN_SERVICE

    change_status(page, "Diagnosing")
    expect(page.locator(".message.success")).to_have_text(
        f"Service order {order.number} moved from Received to Diagnosing."
    )
    change_status(page, "In repair")

    page.fill("#labour_description", "Replace drain pump")
    page.fill("#labour_hours", "1.5")
    page.fill("#labour_rate", "40")
    page.get_by_role("button", name="Add labour").click()
    expect(page.locator("#labour-lines tbody tr")).to_have_count(1)
    expect(page.locator("#total-charged")).to_have_text("60.00")

    change_status(page, "Ready for collection")
    page.get_by_role("button", name="Collect: hand DW-1 back").click()

    expect(page.locator(".message.success")).to_have_text(
        f"Service order {order.number} collected; unit DW-1 is sold again."
    )
    order.refresh_from_db()
    unit = Unit.objects.get()
    assert order.status == OrderStatus.COLLECTED
    assert unit.status == Status.SOLD
    assert unit.owner.name == "Dana Buyer"
