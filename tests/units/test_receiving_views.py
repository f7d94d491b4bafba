import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from inventory.models import InHouseSerialSequence
from tests import factories
from units import services
from units.models import Condition, Receipt, Unit

RECEIVE_URL = reverse("units:receipt-create")
CHECK_URL = reverse("units:receipt-check-serial")
IN_HOUSE_URL = reverse("units:in-house-create")


@pytest.fixture
def receipt_data(product, supplier, location):
    """POST data for a receipt with every field filled except the serials."""
    return {
        "supplier": supplier.pk,
        "product": product.pk,
        "location": location.pk,
        "reference": "DN-5512",
        "received_on": "2026-11-02",
        "condition": Condition.NEW,
        "notes": "",
        "serials": "",
        "range_prefix": "",
        "range_first": "",
        "range_count": "",
        "range_width": "",
        "range_suffix": "",
    }


@pytest.fixture
def in_house_product(db):
    category = factories.make_category(name="Cables", in_house_prefix="CBL-", in_house_width=4)
    return factories.make_product(name="Patch cable", model_number="PC-2", category=category)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def serials_in_db() -> list[str]:
    return sorted(Unit.objects.values_list("serial", flat=True))


# --- Permissions ---------------------------------------------------------------


@pytest.mark.parametrize("url", [RECEIVE_URL, IN_HOUSE_URL, CHECK_URL + "?product=1&serial=A"])
def test_counter_staff_gets_403(client, counter, url):
    client.force_login(counter)
    response = client.get(url)
    assert response.status_code == 403


def test_counter_staff_cannot_post_receipt(client, counter, receipt_data):
    client.force_login(counter)
    response = client.post(RECEIVE_URL, {**receipt_data, "serials": "SN-1"})
    assert response.status_code == 403
    assert Unit.objects.count() == 0


def test_signed_out_user_is_sent_to_login(client):
    response = client.get(RECEIVE_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- The receiving form -------------------------------------------------------------


def test_receive_form_defaults_to_today(clerk_client):
    response = clerk_client.get(RECEIVE_URL)
    assert response.status_code == 200
    assert response.context["form"]["received_on"].value() == timezone.localdate()


def test_receive_form_focuses_scan_input_not_top_bar(clerk_client):
    html = clerk_client.get(RECEIVE_URL).content.decode()
    assert 'id="scan-serial"' in html
    assert html.count("autofocus") == 1
    assert 'enterkeyhint="enter" autofocus' in html


def test_receive_form_lists_only_suppliers(clerk_client, supplier):
    customer = factories.make_party(name="Walk-in customer", is_customer=True)
    form = clerk_client.get(RECEIVE_URL).context["form"]
    suppliers = list(form.fields["supplier"].queryset)
    assert suppliers == [supplier]
    assert customer not in suppliers


def test_receive_stores_units_and_redirects(clerk_client, clerk, receipt_data):
    receipt_data["serials"] = "SN-2\r\nSN-1\r\nSN-10"
    response = clerk_client.post(RECEIVE_URL, receipt_data, follow=True)
    receipt = Receipt.objects.get()
    assert response.redirect_chain == [(receipt.get_absolute_url(), 302)]
    assert messages_of(response) == [f"Receipt {receipt.number}: 3 units of DW-100 received."]
    assert serials_in_db() == ["SN-1", "SN-10", "SN-2"]
    assert receipt.reference == "DN-5512"
    assert receipt.received_on == datetime.date(2026, 11, 2)
    assert receipt.created_by == clerk


def test_receive_message_for_one_unit_is_singular(clerk_client, receipt_data):
    receipt_data["serials"] = "SN-1"
    response = clerk_client.post(RECEIVE_URL, receipt_data, follow=True)
    receipt = Receipt.objects.get()
    assert messages_of(response) == [f"Receipt {receipt.number}: 1 unit of DW-100 received."]


def test_receive_records_history_with_clerk(clerk_client, clerk, receipt_data):
    receipt_data["serials"] = "SN-1"
    clerk_client.post(RECEIVE_URL, receipt_data)
    record = Unit.objects.get().history.get()
    assert record.history_user == clerk
    assert record.history_change_reason.startswith("Received from Acme Supply")


def test_receive_rejects_duplicate_in_list_and_stores_nothing(clerk_client, receipt_data):
    receipt_data["serials"] = "SN-1\nSN-2\n sn-1 "
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.status_code == 200
    assert response.context["form"].errors["serials"] == [
        "Line 3: serial sn-1 is already on line 1."
    ]
    assert Receipt.objects.count() == 0
    assert Unit.objects.count() == 0


def test_rejected_receipt_keeps_the_list(clerk_client, receipt_data):
    receipt_data["serials"] = "SN-1\nSN-2\nsn-1"
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"]["serials"].value() == "SN-1\nSN-2\nsn-1"
    assert "SN-1\nSN-2\nsn-1</textarea>" in response.content.decode()


def test_receive_rejects_existing_serials_naming_each(clerk_client, clerk, product, receipt_data):
    factories.receive(clerk, ["SN-1", "SN-2"], product=product)
    receipt_data["serials"] = "SN-3\nsn-1\nSN-2"
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["serials"] == [
        "Serial sn-1 already exists for product DW-100.",
        "Serial SN-2 already exists for product DW-100.",
    ]
    assert Receipt.objects.count() == 1
    assert serials_in_db() == ["SN-1", "SN-2"]


def test_receive_rejects_empty_list(clerk_client, receipt_data):
    receipt_data["serials"] = "\n  \n"
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["serials"] == [
        "No serials were entered. Scan or type at least one."
    ]
    assert Receipt.objects.count() == 0


def test_receive_pasted_list_skips_blank_lines(clerk_client, receipt_data):
    receipt_data["serials"] = "\r\nA-100\r\n\r\n   \r\nA-101\r\n\r\n"
    clerk_client.post(RECEIVE_URL, receipt_data)
    assert serials_in_db() == ["A-100", "A-101"]


def test_receive_never_reads_hyphen_as_range(clerk_client, receipt_data):
    receipt_data["serials"] = "1-5"
    clerk_client.post(RECEIVE_URL, receipt_data)
    assert serials_in_db() == ["1-5"]


def test_receive_range_control_adds_padded_serials(clerk_client, receipt_data):
    receipt_data.update(range_prefix="ABC", range_first="998", range_count="3", range_width="5")
    clerk_client.post(RECEIVE_URL, receipt_data)
    assert serials_in_db() == ["ABC00998", "ABC00999", "ABC01000"]


def test_receive_range_control_appends_suffix(clerk_client, receipt_data):
    receipt_data.update(range_first="7", range_count="2", range_suffix="-EU")
    clerk_client.post(RECEIVE_URL, receipt_data)
    assert serials_in_db() == ["7-EU", "8-EU"]


def test_receive_combines_list_and_range(clerk_client, receipt_data):
    receipt_data.update(serials="X-1", range_prefix="R", range_first="1", range_count="2")
    clerk_client.post(RECEIVE_URL, receipt_data)
    assert serials_in_db() == ["R1", "R2", "X-1"]


def test_receive_rejects_range_wider_than_width(clerk_client, receipt_data):
    receipt_data.update(range_prefix="A", range_first="98", range_count="5", range_width="2")
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["range_count"] == [
        "The range ends at 102, which needs 3 digits, but the width is 2. "
        "Increase the width or lower the count."
    ]
    assert Unit.objects.count() == 0


def test_receive_range_without_count_asks_for_it(clerk_client, receipt_data):
    receipt_data.update(range_prefix="A", range_first="1")
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["range_count"] == [
        "Enter how many serials the range holds."
    ]
    assert Unit.objects.count() == 0


def test_receive_range_names_non_numeric_first(clerk_client, receipt_data):
    receipt_data.update(range_first="12a", range_count="2")
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["range_first"] == [
        "12a is not a whole number. Enter digits only, such as 25."
    ]


def test_receive_range_duplicate_of_list_is_rejected(clerk_client, receipt_data):
    receipt_data.update(serials="A2", range_prefix="A", range_first="1", range_count="3")
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["serials"] == ["Line 3: serial A2 is already on line 1."]
    assert Unit.objects.count() == 0


def test_receive_rejects_spreadsheet_number(clerk_client, receipt_data):
    receipt_data["serials"] = "SN-1\n6.38E+15"
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["serials"] == [
        "Line 2: Serial 6.38E+15 is in scientific notation, so a spreadsheet has rounded it. "
        "Copy the serials as text, or scan them."
    ]
    assert Unit.objects.count() == 0


def test_receive_rejects_future_date(clerk_client, receipt_data):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    receipt_data.update(serials="SN-1", received_on=tomorrow.isoformat())
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["received_on"] == [
        f"The received date {tomorrow.isoformat()} is in the future. "
        "Enter the date the goods arrived."
    ]
    assert Unit.objects.count() == 0


def test_receive_names_unreadable_date(clerk_client, receipt_data):
    receipt_data.update(serials="SN-1", received_on="2.11.26")
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["received_on"] == [
        "2.11.26 is not a date. Enter it as YYYY-MM-DD, for example 2026-11-02."
    ]


def test_receive_rejects_party_that_is_not_supplier(clerk_client, receipt_data):
    customer = factories.make_party(name="Walk-in customer", is_customer=True)
    receipt_data.update(serials="SN-1", supplier=customer.pk)
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["supplier"] == [
        f"Supplier {customer.pk} is not on the list of suppliers. Choose one from the list."
    ]
    assert Unit.objects.count() == 0


def test_receive_rejects_unserialized_product(clerk_client, receipt_data):
    bulk = factories.make_product(model_number="SCREWS", is_serialized=False)
    receipt_data.update(serials="SN-1", product=bulk.pk)
    response = clerk_client.post(RECEIVE_URL, receipt_data)
    assert response.context["form"].errors["product"] == [
        f"Product {bulk.pk} is not on the list. Choose one from the list."
    ]


# --- Checking one serial ---------------------------------------------------------------


def test_check_serial_reports_existing(clerk_client, clerk, product):
    factories.receive(clerk, ["SN-1"], product=product)
    response = clerk_client.get(CHECK_URL, {"product": product.pk, "serial": "  sn-1\r\n"})
    assert response.json() == {"serial": "sn-1", "exists": True, "error": None}


def test_check_serial_reports_new(clerk_client, product):
    response = clerk_client.get(CHECK_URL, {"product": product.pk, "serial": "SN-9"})
    assert response.json() == {"serial": "SN-9", "exists": False, "error": None}


def test_check_serial_is_per_product(clerk_client, clerk, product):
    factories.receive(clerk, ["SN-1"])
    response = clerk_client.get(CHECK_URL, {"product": product.pk, "serial": "SN-1"})
    assert response.json()["exists"] is False


def test_check_serial_reports_invalid_serial(clerk_client, product):
    response = clerk_client.get(CHECK_URL, {"product": product.pk, "serial": "SN\x001"})
    assert response.status_code == 200
    assert response.json() == {
        "serial": "SN\x001",
        "exists": False,
        "error": "The serial 'SN\\x001' contains the invisible character U+0000 "
        "(Control Character). Remove it and scan or type the value again.",
    }


def test_check_serial_reports_spreadsheet_number(clerk_client, product):
    response = clerk_client.get(CHECK_URL, {"product": product.pk, "serial": "12345.0"})
    assert response.json()["error"] == (
        'Serial 12345.0 ends in ".0", so a spreadsheet has read it as a number. '
        "Copy the serials as text, or scan them."
    )


@pytest.mark.parametrize("product_id", ["", "abc", "999999"])
def test_check_serial_rejects_unknown_product(clerk_client, product_id):
    response = clerk_client.get(CHECK_URL, {"product": product_id, "serial": "SN-1"})
    assert response.status_code == 400
    assert response.json()["exists"] is False
    assert response.json()["error"].endswith("was not found. Choose the product first.")


def test_check_serial_rejects_post(clerk_client, product):
    response = clerk_client.post(CHECK_URL, {"product": product.pk, "serial": "SN-1"})
    assert response.status_code == 405


# --- Receipt list and detail ---------------------------------------------------------------


def test_receipt_list_is_newest_first(clerk_client, clerk):
    older = factories.receive(clerk, ["A"], received_on=datetime.date(2026, 1, 5))
    newer = factories.receive(clerk, ["B"], received_on=datetime.date(2026, 3, 1))
    page = clerk_client.get(reverse("units:receipt-list")).context["page"]
    assert list(page) == [newer, older]


@pytest.mark.parametrize("query", ["dn-77", "Northwind", "DW-100", "dishwasher"])
def test_receipt_list_search_finds_match(clerk_client, clerk, product, query):
    supplier = factories.make_supplier(name="Northwind Traders")
    match = factories.receive(clerk, ["A"], product=product, supplier=supplier, reference="DN-7781")
    factories.receive(clerk, ["B"], reference="OTHER")
    page = clerk_client.get(reverse("units:receipt-list"), {"q": query}).context["page"]
    assert list(page) == [match]


def test_receipt_list_search_by_receipt_number(clerk_client, clerk):
    match = factories.receive(clerk, ["A"])
    factories.receive(clerk, ["B"])
    page = clerk_client.get(reverse("units:receipt-list"), {"q": match.number}).context["page"]
    assert list(page) == [match]


def test_receipt_list_counts_units(clerk_client, clerk):
    factories.receive(clerk, ["A", "B", "C"])
    page = clerk_client.get(reverse("units:receipt-list")).context["page"]
    assert page[0].unit_count == 3


def test_receipt_list_readable_by_counter_staff(client, counter):
    client.force_login(counter)
    assert client.get(reverse("units:receipt-list")).status_code == 200


def test_receipt_detail_lists_units_in_natural_order(clerk_client, clerk):
    receipt = factories.receive(clerk, ["SN-10", "SN-9", "SN-100"])
    response = clerk_client.get(receipt.get_absolute_url())
    assert [unit.serial for unit in response.context["units"]] == ["SN-9", "SN-10", "SN-100"]


def test_receipt_detail_links_units_and_labels(clerk_client, clerk):
    receipt = factories.receive(clerk, ["SN-1"])
    unit = receipt.units.get()
    html = clerk_client.get(receipt.get_absolute_url()).content.decode()
    assert f'href="/units/{unit.pk}/"' in html
    assert f'href="/units/labels/?receipt={receipt.pk}"' in html


def test_receipt_detail_query_count_is_flat(clerk_client, clerk, django_assert_max_num_queries):
    receipt = factories.receive(clerk, [f"SN-{n}" for n in range(60)])
    with django_assert_max_num_queries(12):
        clerk_client.get(receipt.get_absolute_url())


def test_receipt_detail_unknown_is_404(clerk_client):
    assert clerk_client.get(reverse("units:receipt-detail", args=[999999])).status_code == 404


# --- In-house serials ---------------------------------------------------------------


def test_in_house_generates_numbered_units(clerk_client, clerk, in_house_product, location):
    response = clerk_client.post(
        IN_HOUSE_URL,
        {"product": in_house_product.pk, "location": location.pk, "count": 3, "condition": "new"},
        follow=True,
    )
    assert response.redirect_chain == [(IN_HOUSE_URL + "?batch=last", 302)]
    assert messages_of(response) == ["3 in-house serials generated for PC-2: CBL-0001 to CBL-0003."]
    assert serials_in_db() == ["CBL-0001", "CBL-0002", "CBL-0003"]
    assert sorted(Unit.objects.values_list("in_house_tag", flat=True)) == serials_in_db()


def test_in_house_result_lists_tags_and_labels_link(clerk_client, in_house_product, location):
    response = clerk_client.post(
        IN_HOUSE_URL,
        {"product": in_house_product.pk, "location": location.pk, "count": 2, "condition": "new"},
        follow=True,
    )
    units = list(Unit.objects.order_by("pk"))
    assert list(response.context["units"]) == units
    assert response.context["labels_url"] == (
        f"/units/labels/?unit={units[0].pk}&unit={units[1].pk}"
    )


def test_in_house_continues_the_sequence(clerk_client, clerk, in_house_product, location):
    services.in_house_units_create(
        actor=clerk, product=in_house_product, location=location, count=2
    )
    clerk_client.post(
        IN_HOUSE_URL,
        {"product": in_house_product.pk, "location": location.pk, "count": 1, "condition": "new"},
    )
    assert serials_in_db() == ["CBL-0001", "CBL-0002", "CBL-0003"]


def test_in_house_without_prefix_names_product(clerk_client, product, location):
    response = clerk_client.post(
        IN_HOUSE_URL,
        {"product": product.pk, "location": location.pk, "count": 1, "condition": "new"},
    )
    assert response.context["form"].errors["product"] == [
        f"Product DW-100 and its category {product.category.name} have no in-house serial "
        "prefix. Set one on the product or the category first."
    ]
    assert Unit.objects.count() == 0
    assert InHouseSerialSequence.objects.count() == 0


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("0", "0 is too small; enter at least 1."),
        ("1001", "1001 is too large; enter at most 1000."),
        ("ten", "ten is not a whole number. Enter digits only, such as 25."),
    ],
)
def test_in_house_rejects_bad_count(clerk_client, in_house_product, location, count, message):
    response = clerk_client.post(
        IN_HOUSE_URL,
        {"product": in_house_product.pk, "location": location.pk, "count": count},
    )
    assert response.context["form"].errors["count"] == [message]
    assert Unit.objects.count() == 0


def test_in_house_result_without_batch_shows_form(clerk_client):
    response = clerk_client.get(IN_HOUSE_URL + "?batch=last")
    assert response.templates[0].name == "units/in_house_form.html"


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------


def run_together(*workers):
    """Run each worker in its own thread and connection, all released at once.

    Returns, per worker, its return value or the exception it raised.
    """
    barrier = threading.Barrier(len(workers))
    outcomes: list[object] = [None] * len(workers)

    def run(index, worker):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = worker()
        except Exception as error:  # the test inspects what each thread raised
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, worker)) for index, worker in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


pytestmark_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent writers need PostgreSQL"
)


@pytestmark_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_store_each_serial_once():
    # Users without a role: a transactional test flushes the role groups.
    first_clerk = factories.make_user(username="clerk-a")
    second_clerk = factories.make_user(username="clerk-b")
    product = factories.make_product(model_number="DW-100")
    supplier = factories.make_supplier(name="Acme Supply")
    location = factories.make_location()
    batch_a = [f"SN-{n:03d}" for n in range(1, 51)]
    batch_b = [f"SN-{n:03d}" for n in range(40, 91)]

    def receive(actor, serials):
        return lambda: services.receipt_create(
            actor=actor, supplier=supplier, product=product, location=location, serials=serials
        )

    outcomes = run_together(receive(first_clerk, batch_a), receive(second_clerk, batch_b))

    winners = [o for o in outcomes if isinstance(o, Receipt)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(winners) == 1
    assert len(losers) == 1
    overlap = [f"SN-{n:03d}" for n in range(40, 51)]
    assert losers[0].messages == [f"Serial {s} already exists for product DW-100." for s in overlap]
    won = batch_a if winners[0].created_by == first_clerk else batch_b
    assert serials_in_db() == sorted(won)
    assert Receipt.objects.count() == 1
    assert Unit.history.count() == len(won)


@pytestmark_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_in_house_numbers_are_distinct_and_gap_free():
    clerks = [factories.make_user(username=f"clerk-{n}") for n in range(3)]
    category = factories.make_category(name="Cables", in_house_prefix="CBL-", in_house_width=4)
    product = factories.make_product(model_number="PC-2", category=category)
    location = factories.make_location()

    def generate(actor):
        return lambda: services.in_house_units_create(
            actor=actor, product=product, location=location, count=20
        )

    outcomes = run_together(*(generate(actor) for actor in clerks))

    assert all(isinstance(o, list) for o in outcomes), outcomes
    numbers = sorted(int(tag.removeprefix("CBL-")) for tag in serials_in_db())
    assert numbers == list(range(1, 61))
    for batch in outcomes:
        batch_numbers = [int(unit.serial.removeprefix("CBL-")) for unit in batch]
        assert batch_numbers == list(range(batch_numbers[0], batch_numbers[0] + 20))
    assert InHouseSerialSequence.objects.get(prefix="CBL-").last_number == 60
