"""Pages of the cost ledger, margins, fleet and rentals: permissions, flows, escaping, CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from depreciation import costs, rentals
from depreciation.models import CostKind, Rental, UnitCost
from inventory import roles
from tests import factories
from units.models import Purpose, Status
from units.sales import LineInput, sale_create

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def unit(manager, product):
    return factories.receive(manager, ["VW-1"], product=product).units.get()


@pytest.fixture
def fleet_unit(manager, unit):
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=DAY, reason="Hire fleet"
    )
    unit.refresh_from_db()
    return unit


@pytest.fixture
def customer(db):
    return factories.make_party(name="Builder Ltd", is_customer=True)


@pytest.fixture
def counter_client(client, counter):
    client.force_login(counter)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Permissions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "name", "expected"),
    [
        (roles.COUNTER_STAFF, "unit-costs", 403),
        (roles.WAREHOUSE_CLERK, "unit-costs", 403),
        (roles.MANAGER, "unit-costs", 200),
        (roles.COUNTER_STAFF, "put-into-service", 403),
        (roles.SERVICE_TECHNICIAN, "unit-assets", 403),
        (roles.COUNTER_STAFF, "unit-assets", 200),
        (roles.MANAGER, "put-into-service", 200),
    ],
)
def test_unit_pages_check_permission(client, unit, role, name, expected):
    client.force_login(factories.make_user(role))

    response = client.get(reverse(f"assets:{name}", args=[unit.pk]))

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "name", "expected"),
    [
        (roles.COUNTER_STAFF, "margin-report", 403),
        (roles.WAREHOUSE_CLERK, "margin-report", 403),
        (roles.MANAGER, "margin-report", 200),
        (roles.SERVICE_TECHNICIAN, "fleet", 403),
        (roles.COUNTER_STAFF, "fleet", 200),
        (roles.WAREHOUSE_CLERK, "rental-create", 403),
        (roles.COUNTER_STAFF, "rental-create", 200),
        (roles.COUNTER_STAFF, "internal-use", 403),
        (roles.MANAGER, "internal-use", 200),
    ],
)
def test_list_pages_check_permission(client, role, name, expected):
    client.force_login(factories.make_user(role))

    response = client.get(reverse(f"assets:{name}"))

    assert response.status_code == expected


def test_cost_add_forbidden_for_counter(counter_client, unit):
    response = counter_client.post(
        reverse("assets:cost-add", args=[unit.pk]),
        {"kind": "purchase", "amount": "100", "entry_date": "2026-11-02"},
    )

    assert response.status_code == 403
    assert not UnitCost.objects.exists()


def test_return_forbidden_for_technician(client, manager, fleet_unit, customer):
    rental = rentals.rental_start(
        actor=manager, unit=fleet_unit, customer=customer, starts_on=DAY, due_on=DAY, meter_out="1"
    )
    client.force_login(factories.make_user(roles.SERVICE_TECHNICIAN))

    response = client.post(
        reverse("assets:rental-return", args=[rental.pk]),
        {"meter_in": "5", "returned_on": "2026-11-03"},
    )

    assert response.status_code == 403
    rental.refresh_from_db()
    assert rental.returned_on is None


# --- Costs -------------------------------------------------------------------------------


def test_cost_add_page_flow(manager_client, unit):
    response = manager_client.post(
        reverse("assets:cost-add", args=[unit.pk]),
        {"kind": "purchase", "amount": "1,200.00", "entry_date": "2026-11-02", "note": "Inv 9"},
        follow=True,
    )

    assert messages_of(response) == ["Purchase price of 1200.00 added to unit VW-1."]
    assert UnitCost.objects.get().amount == Decimal("1200.00")
    assert "1200.00" in response.content.decode()


def test_cost_add_reports_bad_amount(manager_client, unit):
    response = manager_client.post(
        reverse("assets:cost-add", args=[unit.pk]),
        {"kind": "purchase", "amount": "-5", "entry_date": "2026-11-02"},
        follow=True,
    )

    assert messages_of(response) == [
        "The amount -5.00 is negative, but a purchase price cannot be. Enter a positive amount; "
        "to lower the cost, reverse the wrong entry or record a supplier credit."
    ]
    assert not UnitCost.objects.exists()


def test_cost_add_warns_on_date_before_receipt(manager_client, unit):
    response = manager_client.post(
        reverse("assets:cost-add", args=[unit.pk]),
        {"kind": "purchase", "amount": "10", "entry_date": "2026-10-01"},
        follow=True,
    )

    assert messages_of(response)[1] == (
        "The entry date 2026-10-01 is before unit VW-1 was received on 2026-11-02. Check the date."
    )
    assert UnitCost.objects.count() == 1


def test_cost_reverse_page_flow(manager_client, manager, unit):
    entry = costs.unit_cost_add(
        actor=manager, unit=unit, kind=CostKind.FREIGHT, amount="30", entry_date=DAY
    )

    response = manager_client.post(
        reverse("assets:cost-reverse", args=[entry.pk]), {"reason": "Wrong invoice"}, follow=True
    )

    assert messages_of(response) == [
        "Freight of 30.00 on unit VW-1 reversed by an entry of -30.00."
    ]
    assert response.context["total_investment"] == Decimal("0.00")
    again = manager_client.post(
        reverse("assets:cost-reverse", args=[entry.pk]), {"reason": "Again"}, follow=True
    )
    assert messages_of(again) == ["The freight entry of 30.00 on 2026-11-02 is already reversed."]
    assert UnitCost.objects.count() == 2


def test_cost_note_markup_escaped(manager_client, manager, unit):
    costs.unit_cost_add(
        actor=manager,
        unit=unit,
        kind=CostKind.PARTS,
        amount="5",
        entry_date=DAY,
        note="<script>alert(1)</script>",
    )

    body = manager_client.get(reverse("assets:unit-costs", args=[unit.pk])).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_cost_csv_keeps_formula_as_text(manager_client, manager, unit):
    costs.unit_cost_add(
        actor=manager,
        unit=unit,
        kind=CostKind.PARTS,
        amount="5",
        entry_date=DAY,
        note='=HYPERLINK("http://example.invalid","x")',
    )

    response = manager_client.get(reverse("assets:unit-costs", args=[unit.pk]) + "?format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[1][5] == '\'=HYPERLINK("http://example.invalid","x")'
    assert rows[1][3] == "5.00"


# --- Margins -------------------------------------------------------------------------------


@pytest.fixture
def sold(manager, unit):
    costs.unit_cost_add(
        actor=manager, unit=unit, kind=CostKind.PURCHASE, amount="300", entry_date=DAY
    )
    costs.unit_cost_add(
        actor=manager, unit=unit, kind=CostKind.FREIGHT, amount="25.50", entry_date=DAY
    )
    sale_create(
        actor=manager,
        customer=factories.make_party(name="Buyer", is_customer=True),
        lines=[LineInput(unit_id=unit.pk, price="499.99")],
        invoice_number="=cmd|' /C calc'!A0",
        sold_on=datetime.date(2026, 12, 1),
    )
    return unit


def test_margin_report_page_figures(manager_client, sold, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = manager_client.get(
            reverse("assets:margin-report"),
            {"date_from": "2026-12-01", "date_to": "2026-12-31", "group_by": "category"},
        )

    totals = response.context["report"]["totals"]
    assert totals["units"] == 1
    assert totals["revenue"] == Decimal("499.99")
    assert totals["investment"] == Decimal("325.50")
    assert totals["margin"] == Decimal("174.49")
    assert "174.49" in response.content.decode()


def test_margin_report_outside_period_empty(manager_client, sold):
    response = manager_client.get(
        reverse("assets:margin-report"), {"date_from": "2027-01-01", "date_to": "2027-01-31"}
    )

    assert response.context["report"]["totals"]["units"] == 0


def test_margin_csv_safe(manager_client, sold):
    response = manager_client.get(reverse("assets:margin-report"), {"format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Sold on",
        "Invoice",
        "Serial",
        "Product",
        "Category",
        "Price",
        "Investment",
        "Margin",
    ]
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][5:] == ["499.99", "325.50", "174.49"]


def test_margin_print_page(manager_client, sold):
    response = manager_client.get(reverse("assets:margin-report"), {"format": "print"})

    assert response.status_code == 200
    assert "window.print()" in response.content.decode()


# --- Fleet and rentals -----------------------------------------------------------------------


def test_put_into_service_page(manager_client, unit):
    response = manager_client.post(
        reverse("assets:put-into-service", args=[unit.pk]),
        {"purpose": "rental", "on": "2026-11-02", "reason": "Hire fleet"},
        follow=True,
    )

    assert messages_of(response) == ["Unit VW-1 moved into the rental fleet."]
    unit.refresh_from_db()
    assert unit.purpose == Purpose.RENTAL


def test_take_out_page_to_sale(manager_client, fleet_unit):
    response = manager_client.post(
        reverse("assets:take-out", args=[fleet_unit.pk]),
        {"ending": "to_sale", "on": "2027-01-02", "reason": "Fleet renewed"},
        follow=True,
    )

    assert messages_of(response) == ["Unit VW-1 taken out of service: back to sale as used."]
    fleet_unit.refresh_from_db()
    assert fleet_unit.purpose == Purpose.SALE


def test_rent_out_by_scanned_serial(counter_client, fleet_unit, customer):
    response = counter_client.post(
        reverse("assets:rental-create"),
        {
            "serial": " vw-1 ",
            "customer": customer.pk,
            "starts_on": "2026-11-10",
            "due_on": "2026-11-17",
            "meter_unit": "hours",
            "meter_out": "12.5",
            "price": "45.00",
            "notes": "<b>bold</b>",
        },
        follow=True,
    )

    rental = Rental.objects.get()
    assert messages_of(response) == [
        f"Unit VW-1 rented out to Builder Ltd on rental {rental.number}, due 2026-11-17."
    ]
    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.RENTED
    body = response.content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    assert "<b>bold</b>" not in body


def test_rent_out_unknown_serial(counter_client, customer):
    response = counter_client.post(
        reverse("assets:rental-create"),
        {
            "serial": "NOPE-9",
            "customer": customer.pk,
            "starts_on": "2026-11-10",
            "due_on": "2026-11-17",
            "meter_unit": "hours",
            "meter_out": "1",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["serial"] == [
        "No unit has the serial NOPE-9. Check the label and scan it again."
    ]
    assert not Rental.objects.exists()


def test_return_page_rejects_lower_meter(counter_client, manager, fleet_unit, customer):
    rental = rentals.rental_start(
        actor=manager,
        unit=fleet_unit,
        customer=customer,
        starts_on=DAY,
        due_on=DAY,
        meter_out="100",
    )

    response = counter_client.post(
        reverse("assets:rental-return", args=[rental.pk]),
        {"meter_in": "90", "returned_on": "2026-11-05"},
    )

    assert messages_of(response) == [
        "The meter reading 90.00 of unit VW-1 is lower than its last reading, 100.00 on "
        "2026-11-02. Check the meter and enter the value shown."
    ]
    rental.refresh_from_db()
    assert rental.returned_on is None


def test_return_page_flow(counter_client, manager, fleet_unit, customer):
    rental = rentals.rental_start(
        actor=manager,
        unit=fleet_unit,
        customer=customer,
        starts_on=DAY,
        due_on=DAY,
        meter_out="100",
    )

    response = counter_client.post(
        reverse("assets:rental-return", args=[rental.pk]),
        {"meter_in": "140", "returned_on": "2026-11-05", "condition_note": "Scratched"},
        follow=True,
    )

    assert messages_of(response) == [f"Unit VW-1 is back from rental {rental.number}."]
    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.IN_STOCK
    assert "40.00" in response.content.decode()


def test_fleet_list_marks_overdue(counter_client, manager, fleet_unit, customer):
    rentals.rental_start(
        actor=manager,
        unit=fleet_unit,
        customer=customer,
        starts_on=datetime.date(2020, 1, 1),
        due_on=datetime.date(2020, 1, 5),
        meter_out="1",
    )

    body = counter_client.get(reverse("assets:fleet")).content.decode()

    assert 'class="overdue"' in body
    assert "2020-01-05 (overdue)" in body
    assert "Builder Ltd" in body


def test_fleet_list_query_count_fixed(
    counter_client, manager, product, customer, django_assert_num_queries
):
    serials = [f"FL-{n}" for n in range(6)]
    units = list(factories.receive(manager, serials, product=product).units.order_by("pk"))
    for fleet in units:
        rentals.asset_put_into_service(
            actor=manager, unit=fleet, purpose="rental", on=DAY, reason="Hire fleet"
        )
    for fleet in units[:3]:
        rentals.rental_start(
            actor=manager, unit=fleet, customer=customer, starts_on=DAY, due_on=DAY, meter_out="1"
        )
    counter_client.get(reverse("assets:fleet"))

    with django_assert_num_queries(6) as captured:
        response = counter_client.get(reverse("assets:fleet"))

    assert response.status_code == 200
    assert len(captured.captured_queries) == 6


def test_internal_use_list(manager_client, manager, unit):
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="internal", on=DAY, reason="Workshop <tool>"
    )

    body = manager_client.get(reverse("assets:internal-use")).content.decode()

    assert "VW-1" in body
    assert "Workshop &lt;tool&gt;" in body
