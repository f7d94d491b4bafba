import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inventory.models import Party
from tests import factories
from units import sales, services
from units.models import Ownership, Sale, SaleLine, Status, Unit
from units.sales import LineInput

TODAY = timezone.localdate()
SOLD_ON = TODAY - datetime.timedelta(days=10)
SALE_URL = reverse("units:sale-create")
LOOKUP_URL = reverse("units:counter-lookup")


@pytest.fixture
def customer(db):
    return factories.make_party(
        name="Dana Buyer", is_customer=True, email="dana@example.com", phone="555-0101"
    )


@pytest.fixture
def other_customer(db):
    return factories.make_party(name="Eli Other", is_customer=True)


@pytest.fixture
def stock(clerk, product, location):
    product.list_price = Decimal("499.00")
    product.warranty_parts_months = 24
    product.warranty_labour_months = 12
    product.save()
    receipt = factories.receive(
        clerk,
        ["SN-1", "SN-2", "SN-3"],
        product=product,
        location=location,
        received_on=TODAY - datetime.timedelta(days=400),
    )
    return {u.serial: u for u in receipt.units.all()}


@pytest.fixture
def counter_client(client, counter):
    client.force_login(counter)
    return client


def sell(actor, customer, units, *, invoice="INV-1", sold_on=SOLD_ON):
    return sales.sale_create(
        actor=actor,
        customer=customer,
        lines=[LineInput(u.pk, "499.00") for u in units],
        invoice_number=invoice,
        sold_on=sold_on,
    )


def sale_post(customer, lines, **extra):
    data = {
        "customer": customer.pk if customer else "",
        "invoice_number": "INV-1",
        "sold_on": SOLD_ON.isoformat(),
        "notes": "",
        "submission_token": "token-1",
        "line_unit": [str(unit.pk) for unit, _price in lines],
        "line_price": [price for _unit, price in lines],
    }
    data.update(extra)
    return data


def page_text(response) -> str:
    return response.content.decode()


# --- Permissions ---------------------------------------------------------------------


def test_sale_page_forbidden_to_technician(client, technician):
    client.force_login(technician)
    assert client.get(SALE_URL).status_code == 403


def test_sale_page_sends_anonymous_user_to_login(client, db):
    response = client.get(SALE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["units:unit-return", "units:unit-back-in-stock", "units:unit-transfer"]
)
def test_unit_counter_pages_forbidden_to_clerk(clerk_client, stock, name):
    assert clerk_client.get(reverse(name, args=[stock["SN-1"].pk])).status_code == 403


def test_lookup_forbidden_to_clerk(clerk_client, stock):
    assert clerk_client.get(LOOKUP_URL, {"q": "SN-1"}).status_code == 403


# --- Sale ------------------------------------------------------------------------------


def test_sale_form_has_token_and_today(counter_client, db):
    response = counter_client.get(SALE_URL)
    form = response.context["form"]
    assert len(form.initial["submission_token"]) >= 30
    assert form.initial["sold_on"] == TODAY
    assert 'name="submission_token"' in page_text(response)


def test_sale_page_preloads_unit_from_unit_page(counter_client, stock):
    response = counter_client.get(SALE_URL, {"unit": stock["SN-2"].pk})
    rows = response.context["rows"]
    assert [(row["unit"].serial, row["price"]) for row in rows] == [("SN-2", "499.00")]


def test_complete_sale_sells_units_and_redirects(counter_client, counter, customer, stock):
    data = sale_post(customer, [(stock["SN-1"], "499.00"), (stock["SN-2"], "450")])

    response = counter_client.post(SALE_URL, data, follow=True)

    sale = Sale.objects.get()
    assert response.redirect_chain == [(sale.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Sale INV-1: 2 units sold to Dana Buyer."
    ]
    assert sale.customer == customer
    assert sale.sold_on == SOLD_ON
    assert sale.created_by == counter
    assert [(line.unit.serial, line.price) for line in sale.lines.order_by("pk")] == [
        ("SN-1", Decimal("499.00")),
        ("SN-2", Decimal("450.00")),
    ]
    assert set(Unit.objects.filter(status=Status.SOLD).values_list("serial", flat=True)) == {
        "SN-1",
        "SN-2",
    }
    text = page_text(response)
    assert "949.00" in text
    assert "Dana Buyer" in text


def test_sale_with_new_customer_creates_customer(counter_client, stock):
    data = sale_post(
        None,
        [(stock["SN-1"], "499.00")],
        new_name="Finn New",
        new_email="finn@example.com",
        new_phone="555-0199",
    )

    counter_client.post(SALE_URL, data)

    finn = Party.objects.get(name="Finn New")
    assert finn.is_customer
    assert finn.email == "finn@example.com"
    assert Sale.objects.get().customer == finn


def test_sale_with_bad_new_customer_email_keeps_everything(counter_client, stock):
    data = sale_post(None, [(stock["SN-1"], "499.00")], new_name="Finn New", new_email="finn@")

    response = counter_client.post(SALE_URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors["new_email"] == [
        "E-mail address finn@ is not valid. Enter it like name@example.com."
    ]
    assert [row["unit"].serial for row in response.context["rows"]] == ["SN-1"]
    assert not Party.objects.filter(name="Finn New").exists()
    assert Sale.objects.count() == 0


def test_sale_without_customer_is_rejected(counter_client, stock):
    response = counter_client.post(SALE_URL, sale_post(None, [(stock["SN-1"], "499.00")]))
    assert response.context["form"].errors["customer"] == [
        "Choose the customer, or enter a new customer's name."
    ]
    assert Sale.objects.count() == 0


def test_sale_of_unsellable_unit_stores_nothing(counter_client, clerk, customer, stock):
    services.unit_change_status(
        unit=stock["SN-2"], status=Status.DAMAGED, actor=clerk, reason="Dropped"
    )
    data = sale_post(customer, [(stock["SN-1"], "499.00"), (stock["SN-2"], "499.00")])

    response = counter_client.post(SALE_URL, data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Unit SN-2 is damaged and cannot be sold; remove it from this sale."
    ]
    assert "Unit SN-2 is damaged and cannot be sold; remove it from this sale." in page_text(
        response
    )
    rows = response.context["rows"]
    assert [(row["unit"].serial, row["price"], bool(row["refusal"])) for row in rows] == [
        ("SN-1", "499.00", False),
        ("SN-2", "499.00", True),
    ]
    assert Sale.objects.count() == 0
    assert SaleLine.objects.count() == 0
    assert Unit.objects.get(pk=stock["SN-1"].pk).status == Status.IN_STOCK


def test_sale_with_bad_price_names_serial(counter_client, customer, stock):
    data = sale_post(customer, [(stock["SN-1"], "12.3x")])

    response = counter_client.post(SALE_URL, data)

    assert response.context["form"].non_field_errors() == [
        "The price '12.3x' of unit SN-1 is not a number. Enter an amount like 499.00."
    ]
    assert Sale.objects.count() == 0


def test_sale_without_invoice_number_shows_field_error(counter_client, customer, stock):
    data = sale_post(customer, [(stock["SN-1"], "499.00")], invoice_number=" ")

    response = counter_client.post(SALE_URL, data)

    assert response.context["form"].errors["invoice_number"] == [
        "Enter the invoice number for this sale."
    ]
    assert Sale.objects.count() == 0


def test_sale_in_future_is_rejected(counter_client, customer, stock):
    tomorrow = TODAY + datetime.timedelta(days=1)
    data = sale_post(customer, [(stock["SN-1"], "499.00")], sold_on=tomorrow.isoformat())

    response = counter_client.post(SALE_URL, data)

    assert response.context["form"].errors["sold_on"] == [
        f"The sale date {tomorrow} is in the future. Enter today's date or an earlier one."
    ]
    assert Sale.objects.count() == 0


def test_double_submit_with_same_token_creates_one_sale(counter_client, customer, stock):
    data = sale_post(customer, [(stock["SN-1"], "499.00")])

    first = counter_client.post(SALE_URL, data)
    second = counter_client.post(SALE_URL, data)

    sale = Sale.objects.get()
    assert first["Location"] == sale.get_absolute_url()
    assert second["Location"] == sale.get_absolute_url()
    assert SaleLine.objects.count() == 1


def test_double_submit_with_new_customer_creates_one_customer(counter_client, stock):
    data = sale_post(None, [(stock["SN-1"], "499.00")], new_name="Finn New")

    counter_client.post(SALE_URL, data)
    counter_client.post(SALE_URL, data)

    assert Party.objects.filter(name="Finn New").count() == 1
    assert Sale.objects.count() == 1


def test_find_customer_button_searches_without_selling(counter_client, customer, stock):
    data = sale_post(None, [(stock["SN-1"], "499.00")], customer_q="0101", find_customer="1")

    response = counter_client.post(SALE_URL, data)

    assert response.status_code == 200
    choices = list(response.context["form"].fields["customer"].widget.choices)
    assert choices[1:] == [(customer.pk, "Dana Buyer · 555-0101 · dana@example.com")]
    assert [row["unit"].serial for row in response.context["rows"]] == ["SN-1"]
    assert Sale.objects.count() == 0


# --- Lookup --------------------------------------------------------------------------


def test_lookup_returns_sellable_unit(counter_client, stock):
    response = counter_client.get(LOOKUP_URL, {"q": " sn-1\r\n"})
    assert response.json() == [
        {
            "id": stock["SN-1"].pk,
            "serial": "SN-1",
            "product": "Dishwasher",
            "model_number": "DW-100",
            "condition": "new",
            "condition_label": "New",
            "status": "in_stock",
            "status_label": "In stock",
            "sellable": True,
            "refusal": None,
            "list_price": "499.00",
        }
    ]


def test_lookup_explains_why_sold_unit_is_unsellable(counter, counter_client, customer, stock):
    sell(counter, customer, [stock["SN-1"]], invoice="INV-7")

    [match] = counter_client.get(LOOKUP_URL, {"q": "SN-1"}).json()

    assert match["sellable"] is False
    assert match["status_label"] == "Sold"
    assert match["refusal"] == (
        "Unit SN-1 was already sold on invoice INV-7 to Dana Buyer; remove it from this sale."
    )


def test_lookup_returns_every_product_of_ambiguous_serial(counter_client, clerk, stock):
    dryer = factories.make_product(name="Dryer", model_number="DR-1")
    factories.receive(clerk, ["SN-1"], product=dryer)

    matches = counter_client.get(LOOKUP_URL, {"q": "SN-1"}).json()

    assert sorted(m["model_number"] for m in matches) == ["DR-1", "DW-100"]
    assert all(m["sellable"] for m in matches)


def test_lookup_of_unknown_serial_is_empty(counter_client, stock):
    assert counter_client.get(LOOKUP_URL, {"q": "NOPE"}).json() == []


def test_lookup_rejects_control_characters(counter_client, stock):
    response = counter_client.get(LOOKUP_URL, {"q": "SN\x00-1"})
    assert response.status_code == 400
    assert "invisible character" in response.json()["error"]


def test_lookup_finds_customers_by_phone(counter_client, customer, other_customer):
    response = counter_client.get(LOOKUP_URL, {"customer": "555 0101"})
    assert response.json() == [
        {
            "id": customer.pk,
            "name": "Dana Buyer",
            "phone": "555-0101",
            "email": "dana@example.com",
            "label": "Dana Buyer · 555-0101 · dana@example.com",
        }
    ]


# --- Return ------------------------------------------------------------------------------


def return_post(customer, **extra):
    data = {
        "serial_confirm": "SN-1",
        "customer": customer.pk,
        "reason": "Did not fit",
        "destination": "stock",
        "location": "",
        "returned_on": TODAY.isoformat(),
    }
    data.update(extra)
    return data


def test_return_flow_puts_unit_back_as_used(counter_client, counter, customer, stock):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])
    url = reverse("units:unit-return", args=[unit.pk])

    response = counter_client.post(url, return_post(customer, serial_confirm="sn-1"), follow=True)

    assert response.redirect_chain == [(unit.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Unit SN-1 returned by Dana Buyer; it is now in stock."
    ]
    unit.refresh_from_db()
    assert unit.status == Status.IN_STOCK
    assert unit.condition == "used"
    assert unit.owner is None
    assert SaleLine.objects.get().end_kind == SaleLine.EndKind.RETURN


def test_return_page_defaults_to_owner_and_hides_override(counter_client, counter, customer, stock):
    sell(counter, customer, [stock["SN-1"]])
    response = counter_client.get(reverse("units:unit-return", args=[stock["SN-1"].pk]))
    form = response.context["form"]
    assert form.initial["customer"] == customer.pk
    assert "override_reason" not in form.fields
    assert "Manager override reason" not in page_text(response)


def test_return_requires_matching_serial(counter_client, counter, customer, stock):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])

    response = counter_client.post(
        reverse("units:unit-return", args=[unit.pk]), return_post(customer, serial_confirm="SN-2")
    )

    assert response.context["form"].errors["serial_confirm"] == [
        "Serial SN-2 does not match unit SN-1. Scan the serial on the unit that came back; "
        "if it is another unit, open that unit's page."
    ]
    assert Unit.objects.get(pk=unit.pk).status == Status.SOLD


def test_wrong_customer_return_refused_for_counter_staff(
    counter_client, counter, customer, other_customer, stock
):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])

    response = counter_client.post(
        reverse("units:unit-return", args=[unit.pk]),
        return_post(other_customer, override_reason="Receipt shown"),
    )

    assert response.context["form"].errors["customer"] == [
        "Unit SN-1 belongs to Dana Buyer, not Eli Other. A manager can accept the return "
        "with an override reason."
    ]
    assert Unit.objects.get(pk=unit.pk).status == Status.SOLD
    assert SaleLine.objects.get().ended_on is None


def test_wrong_customer_return_accepted_with_manager_override(
    manager_client, counter, customer, other_customer, stock
):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])

    response = manager_client.post(
        reverse("units:unit-return", args=[unit.pk]),
        return_post(other_customer, override_reason="Receipt shown", destination="inspection"),
    )

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == Status.INSPECTION
    assert unit.history.first().history_change_reason == (
        "Returned by Eli Other: Did not fit (manager override: Receipt shown)"
    )


def test_back_in_stock_correction(counter_client, counter, customer, stock):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])

    response = counter_client.post(
        reverse("units:unit-back-in-stock", args=[unit.pk]),
        {"kind": "correction", "reason": "Stocktake", "location": "", "on": TODAY.isoformat()},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Unit SN-1 is back in stock (stocktake: the unit is on the shelf although recorded as sold)."
    ]
    unit.refresh_from_db()
    assert unit.status == Status.IN_STOCK
    assert SaleLine.objects.get().end_kind == SaleLine.EndKind.CORRECTION


def test_back_in_stock_of_unsold_unit_is_rejected(counter_client, stock):
    response = counter_client.post(
        reverse("units:unit-back-in-stock", args=[stock["SN-1"].pk]),
        {"kind": "buy_back", "reason": "x", "location": "", "on": TODAY.isoformat()},
    )
    assert response.context["form"].non_field_errors() == [
        "Unit SN-1 is in stock, not sold; nothing to correct."
    ]


# --- Transfer and intake --------------------------------------------------------------------


def test_transfer_to_another_customer(counter_client, counter, customer, other_customer, stock):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])

    response = counter_client.post(
        reverse("units:unit-transfer", args=[unit.pk]),
        {"customer": other_customer.pk, "effective_on": TODAY.isoformat(), "reason": "Gift"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Unit SN-1 transferred from Dana Buyer to Eli Other."
    ]
    unit.refresh_from_db()
    assert unit.owner == other_customer
    owners = [o.owner for o in Ownership.objects.filter(unit=unit).order_by("started_on", "pk")]
    assert owners == [None, customer, other_customer]


def test_trade_in_needs_location(counter_client, counter, customer, stock):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])

    response = counter_client.post(
        reverse("units:unit-transfer", args=[unit.pk]),
        {"trade_in": "on", "effective_on": TODAY.isoformat(), "reason": "Upgrade"},
    )

    assert response.context["form"].errors["location"] == [
        "Choose the location where the traded-in unit is stocked."
    ]
    assert Unit.objects.get(pk=unit.pk).owner == customer


def test_trade_in_brings_unit_into_stock(counter_client, counter, customer, stock, location):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])

    response = counter_client.post(
        reverse("units:unit-transfer", args=[unit.pk]),
        {
            "trade_in": "on",
            "location": location.pk,
            "effective_on": TODAY.isoformat(),
            "reason": "Upgrade",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Unit SN-1 traded in by Dana Buyer; it is in stock as used at Main warehouse."
    ]
    unit.refresh_from_db()
    assert (unit.status, unit.owner, unit.condition) == (Status.IN_STOCK, None, "used")


def test_intake_finds_unit_sold_a_year_earlier(counter_client, counter, customer, stock, product):
    unit = stock["SN-1"]
    sell(counter, customer, [unit], sold_on=TODAY - datetime.timedelta(days=365))

    response = counter_client.post(
        reverse("units:unit-intake"),
        {"customer": customer.pk, "product": product.pk, "serial": " sn-1 "},
        follow=True,
    )

    assert response.redirect_chain == [(unit.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Unit SN-1 of DW-100 was found on file (sold, owner: Dana Buyer); "
        "no second record was made."
    ]
    assert Unit.objects.filter(serial_key="sn-1").count() == 1
    assert f"/service/orders/new/?unit={unit.pk}" in page_text(response)


def test_intake_records_new_customer_unit(counter_client, customer, product):
    response = counter_client.post(
        reverse("units:unit-intake"),
        {"customer": customer.pk, "product": product.pk, "serial": "OWN-77"},
    )

    unit = Unit.objects.get(serial="OWN-77")
    assert response["Location"] == unit.get_absolute_url()
    assert unit.status == Status.CUSTOMER_OWNED
    assert unit.owner == customer
    assert unit.location is None


def test_intake_forbidden_to_technician(client, technician):
    client.force_login(technician)
    assert client.get(reverse("units:unit-intake")).status_code == 403


# --- Customer page and unit page ---------------------------------------------------------------


def test_customer_page_shows_current_and_former_units(
    counter_client, counter, customer, other_customer, stock
):
    sell(counter, customer, [stock["SN-1"], stock["SN-2"]])
    sales.ownership_transfer(
        actor=counter,
        unit=stock["SN-2"],
        new_owner=other_customer,
        effective_on=TODAY,
        reason="Sold privately",
    )

    response = counter_client.get(customer.get_absolute_url())

    current = response.context["units"].current
    former = response.context["units"].former
    assert [owned.unit.serial for owned in current] == ["SN-1"]
    assert [owned.unit.serial for owned in former] == ["SN-2"]
    parts_end = stock["SN-1"].product.warranty_parts_months
    assert parts_end == 24
    label = Unit.objects.get(pk=stock["SN-1"].pk).warranty_parts_until
    assert current[0].warranty.label == f"Under warranty until {label:%Y-%m-%d}"
    text = page_text(response)
    assert f"Under warranty until {label:%Y-%m-%d}" in text
    assert stock["SN-2"].get_absolute_url() in text
    assert "INV-1" in text
    assert "<h2>Service orders</h2>" in text


def test_customer_page_query_count_is_fixed(
    counter_client, counter, customer, stock, clerk, product, django_assert_max_num_queries
):
    receipt = factories.receive(clerk, [f"X-{n}" for n in range(12)], product=product)
    for index, unit in enumerate(receipt.units.all()):
        sell(counter, customer, [unit], invoice=f"INV-X{index}")
    for unit in list(receipt.units.all())[:5]:
        sales.sale_return(actor=counter, unit=unit, customer=customer, reason="Unwanted")

    # Session, user, permissions, party, units, their periods, former units, sales.
    with django_assert_max_num_queries(10):
        response = counter_client.get(customer.get_absolute_url())

    assert len(response.context["units"].current) == 7
    assert len(response.context["units"].former) == 5


def test_unit_page_shows_counter_facts(counter_client, counter, customer, stock):
    unit = stock["SN-1"]
    sell(counter, customer, [unit], invoice="INV-9")

    response = counter_client.get(unit.get_absolute_url())

    text = page_text(response)
    unit.refresh_from_db()
    assert f"Under warranty until {unit.warranty_parts_until:%Y-%m-%d}" in text
    assert reverse("units:unit-return", args=[unit.pk]) in text
    assert reverse("units:unit-transfer", args=[unit.pk]) in text
    assert f"{SALE_URL}?unit={unit.pk}" not in text
    owners = response.context["counter"].owners
    assert [o.owner for o in owners] == [None, customer]
    assert [line.sale.invoice_number for line in response.context["counter"].sale_lines] == [
        "INV-9"
    ]


def test_unit_page_offers_sell_for_stock_unit(counter_client, stock):
    unit = stock["SN-1"]
    text = page_text(counter_client.get(unit.get_absolute_url()))
    assert f"{SALE_URL}?unit={unit.pk}" in text
    assert "The shop since" in text
    assert reverse("units:unit-return", args=[unit.pk]) not in text


def test_unit_page_query_count_is_fixed(
    counter_client, counter, customer, other_customer, stock, django_assert_max_num_queries
):
    unit = stock["SN-1"]
    sell(counter, customer, [unit])
    for owner in (other_customer, customer, other_customer):
        sales.ownership_transfer(
            actor=counter, unit=unit, new_owner=owner, effective_on=TODAY, reason="Passed on"
        )

    with django_assert_max_num_queries(20):
        response = counter_client.get(unit.get_absolute_url())

    assert len(response.context["counter"].owners) == 5


# --- Warranty report ------------------------------------------------------------------------------


@pytest.fixture
def warranty_units(counter, clerk, product, customer):
    """Units sold so that their labour warranty ends in 5 and 20 days and parts in 400."""
    product.warranty_parts_months = 0
    product.warranty_labour_months = 12
    product.save()
    sold = {}
    for serial, days_left in (("=1+1", 5), ("-5", 20), ("LATE", 60)):
        unit = factories.receive(clerk, [serial], product=product).units.get()
        end = TODAY + datetime.timedelta(days=days_left)
        sold_on = end - datetime.timedelta(days=365)
        sell(counter, customer, [unit], invoice=f"INV-{serial}", sold_on=sold_on)
        Unit.objects.filter(pk=unit.pk).update(warranty_labour_until=end)
        sold[serial] = unit
    return sold


def test_warranty_report_lists_units_ending_in_window(counter_client, warranty_units, customer):
    response = counter_client.get(reverse("units:warranty-ending"), {"days": "30"})

    assert [unit.serial for unit in response.context["page"]] == ["=1+1", "-5"]
    assert "555-0101" in page_text(response)


def test_warranty_report_sorts_latest_first(counter_client, warranty_units):
    response = counter_client.get(reverse("units:warranty-ending"), {"days": "90", "sort": "-end"})
    assert [unit.serial for unit in response.context["page"]] == ["LATE", "-5", "=1+1"]


def test_warranty_report_rejects_days_out_of_range(counter_client, warranty_units):
    response = counter_client.get(reverse("units:warranty-ending"), {"days": "0"})
    assert response.context["form"].errors["days"] == ["0 days is too few; enter 1 to 3650."]


def test_warranty_csv_neutralises_formulas(counter_client, warranty_units):
    response = counter_client.get(reverse("units:warranty-ending"), {"days": "30", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="warranty-ending-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Serial", "Product", "Model number", "Ends on"]
    assert [row[0] for row in rows[1:]] == ["'=1+1", "'-5"]
    assert rows[1][3] == (TODAY + datetime.timedelta(days=5)).isoformat()
    assert rows[1][8:10] == ["Dana Buyer", "555-0101"]


# --- Escaping -------------------------------------------------------------------------------------


def test_markup_in_names_serials_and_reasons_is_escaped(counter_client, counter, clerk, product):
    script = "<script>alert(1)</script>"
    customer = factories.make_party(name=f"Eve {script}", is_customer=True)
    unit = factories.receive(clerk, [f"S{script}"], product=product).units.get()
    sale = sell(counter, customer, [unit], invoice="INV-X")
    sales.sale_return(actor=counter, unit=unit, customer=customer, reason=f"Bad {script}")

    pages = [
        customer.get_absolute_url(),
        unit.get_absolute_url(),
        sale.get_absolute_url(),
        reverse("units:sale-list"),
    ]
    for url in pages:
        text = page_text(counter_client.get(url))
        assert script not in text, url
        assert "&lt;script&gt;" in text, url


# --- Prices typed at the counter ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["499,00", "1,5", "12,34.00", ",500"])
def test_clean_price_rejects_decimal_comma(raw):
    with pytest.raises(ValidationError) as info:
        sales.clean_price(raw, serial="SN-1")
    assert info.value.messages == [
        f"The price {raw} of unit SN-1 has a comma that is not a thousands separator. "
        "Write decimals with a point, like 499.00."
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,299.00", Decimal("1299.00")),
        ("12,345,678", Decimal("12345678.00")),
        ("499", Decimal("499.00")),
    ],
)
def test_clean_price_accepts_thousands_separators(raw, expected):
    assert sales.clean_price(raw, serial="SN-1") == expected


def test_sale_with_decimal_comma_stores_nothing(counter_client, customer, stock):
    response = counter_client.post(SALE_URL, sale_post(customer, [(stock["SN-1"], "499,00")]))

    assert response.context["form"].non_field_errors() == [
        "The price 499,00 of unit SN-1 has a comma that is not a thousands separator. "
        "Write decimals with a point, like 499.00."
    ]
    assert Sale.objects.count() == 0
