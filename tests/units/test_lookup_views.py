import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from units import services
from units.models import Status, Unit


@pytest.fixture
def units(clerk, product, supplier, location):
    serials = ["SN-9", "SN-10", "SN-1", "AB-00042"]
    return factories.receive(
        clerk, serials, product=product, supplier=supplier, location=location
    ).units.all()


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(reverse("units:unit-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_scan_opens_the_single_matching_unit(clerk_client, units):
    unit = units.get(serial="SN-10")
    response = clerk_client.get(reverse("units:scan"), {"q": "sn-10\r\n"})
    assert response.status_code == 302
    assert response["Location"] == unit.get_absolute_url()


def test_scan_offers_a_choice_when_serial_is_on_two_products(clerk_client, clerk, units):
    other = factories.make_product(name="Dryer", model_number="DR-1")
    factories.receive(clerk, ["SN-10"], product=other)
    response = clerk_client.get(reverse("units:scan"), {"q": "SN-10"})
    assert response.status_code == 200
    assert "exists on 2 products" in response.content.decode()
    assert len(response.context["exact"]) == 2


def test_scan_finds_a_unit_by_vin(clerk_client, clerk, product):
    unit = services.unit_register(
        actor=clerk, product=product, serial="TRUCK-1", vin="1HGCM82633A004352", reason="Test"
    )
    response = clerk_client.get(reverse("units:scan"), {"q": "1hgcm82633a004352"})
    assert response["Location"] == unit.get_absolute_url()


def test_scan_falls_back_to_partial_search(clerk_client, units):
    response = clerk_client.get(reverse("units:scan"), {"q": "00042"})
    assert response.status_code == 200
    assert [u.serial for u in response.context["partial"]] == ["AB-00042"]


def test_scan_reports_control_characters(clerk_client, units):
    response = clerk_client.get(reverse("units:scan"), {"q": "SN\x00-1"})
    assert response.status_code == 400
    assert "invisible character" in response.content.decode()


def test_unit_list_sorts_serials_naturally(clerk_client, units):
    response = clerk_client.get(reverse("units:unit-list"))
    assert [u.serial for u in response.context["units"]] == ["AB-00042", "SN-1", "SN-9", "SN-10"]


def test_unit_list_filters_by_status(clerk_client, clerk, units):
    services.unit_mark_damaged(unit=units.get(serial="SN-9"), actor=clerk, reason="Dropped")
    response = clerk_client.get(reverse("units:unit-list"), {"status": Status.DAMAGED})
    assert [u.serial for u in response.context["units"]] == ["SN-9"]


def test_unit_list_ignores_unknown_sort(clerk_client, units):
    response = clerk_client.get(reverse("units:unit-list"), {"sort": "password"})
    assert response.status_code == 200
    assert response.context["sort"] == "serial"


def test_unit_list_rejects_bad_dates_with_a_message(clerk_client, units):
    response = clerk_client.get(
        reverse("units:unit-list"), {"received_from": "2026-02-30", "received_to": "x"}
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_unit_list_query_count_is_fixed(clerk_client, units, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        clerk_client.get(reverse("units:unit-list"), {"status": "in_stock"})


def test_unit_detail_shows_history_with_user_and_reason(clerk_client, clerk, units):
    unit = services.unit_mark_damaged(
        unit=units.get(serial="SN-1"), actor=clerk, reason="Cracked door"
    )
    body = clerk_client.get(unit.get_absolute_url()).content.decode()
    assert "Cracked door" in body
    assert "Status: In stock → Damaged" in body
    assert "clerk" in body


def test_unit_detail_shows_state_as_of_a_past_date(clerk_client, clerk, units):
    unit = units.get(serial="SN-1")
    services.unit_mark_damaged(unit=unit, actor=clerk, reason="Cracked door")
    # Move the first record back in time, as if the unit arrived last week.
    first = unit.history.order_by("history_date").first()
    first.history_date = timezone.now() - datetime.timedelta(days=7)
    first.save()
    last_week = (timezone.localdate() - datetime.timedelta(days=6)).isoformat()
    response = clerk_client.get(unit.get_absolute_url(), {"as_of": last_week})
    assert response.context["past"].status == Status.IN_STOCK
    before = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    response = clerk_client.get(unit.get_absolute_url(), {"as_of": before})
    assert response.context["past"] is None


def test_unit_detail_query_count_is_fixed(
    clerk_client, clerk, units, django_assert_max_num_queries
):
    unit = units.get(serial="SN-1")
    for n in range(5):
        services.unit_change_status(
            unit=unit, status=Status.ON_HOLD, actor=clerk, reason=f"Hold {n}"
        )
        services.unit_change_status(
            unit=unit, status=Status.IN_STOCK, actor=clerk, reason=f"Free {n}"
        )
    # The page gathers counter, service, cost, rental, book and recall facts;
    # the count stays the same however long the history is.
    with django_assert_max_num_queries(20):
        clerk_client.get(unit.get_absolute_url())


def test_mark_damaged_view_records_reason(clerk_client, clerk, units):
    unit = units.get(serial="SN-1")
    response = clerk_client.post(
        reverse("units:unit-mark-damaged", args=[unit.pk]), {"reason": "Water damage"}, follow=True
    )
    assert "Unit SN-1 marked damaged; it is no longer for sale." in response.content.decode()
    unit.refresh_from_db()
    assert unit.status == Status.DAMAGED


def test_mark_damaged_view_requires_reason(clerk_client, units):
    unit = units.get(serial="SN-1")
    clerk_client.post(reverse("units:unit-mark-damaged", args=[unit.pk]), {"reason": "  "})
    unit.refresh_from_db()
    assert unit.status == Status.IN_STOCK
    assert unit.history.count() == 1


def test_counter_staff_cannot_mark_damaged(client, counter, units):
    client.force_login(counter)
    unit = units.get(serial="SN-1")
    response = client.post(reverse("units:unit-mark-damaged", args=[unit.pk]), {"reason": "x"})
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.status == Status.IN_STOCK


def test_change_product_view_moves_unit(clerk_client, units):
    unit = units.get(serial="SN-1")
    right = factories.make_product(model_number="DW-200")
    response = clerk_client.post(
        reverse("units:unit-change-product", args=[unit.pk]),
        {"product": right.pk, "reason": "Label said DW-200"},
        follow=True,
    )
    assert "moved from product DW-100 to DW-200" in response.content.decode()
    assert Unit.objects.get(pk=unit.pk).product == right


def test_change_status_view_refuses_illegal_move(manager_client, manager, units):
    unit = units.get(serial="SN-1")
    services.unit_change_status(unit=unit, status=Status.SOLD, actor=manager, reason="Sold")
    response = manager_client.post(
        reverse("units:unit-change-status", args=[unit.pk]),
        {"status": Status.RENTED, "reason": "Try"},
        follow=True,
    )
    assert "Select a valid choice." in response.content.decode()
    unit.refresh_from_db()
    assert unit.status == Status.SOLD


def test_unit_list_names_nested_bins_without_extra_queries(
    clerk_client, clerk, product, supplier, django_assert_max_num_queries
):
    store = factories.make_location(name="Store", code="ST")
    shelf = factories.make_location(name="Shelf", code="ST-S", parent=store, kind="bin")
    for n in range(6):
        bin_ = factories.make_location(name=f"Bin {n}", code=f"ST-S-{n}", parent=shelf, kind="bin")
        factories.receive(clerk, [f"N-{n}"], product=product, supplier=supplier, location=bin_)
    with django_assert_max_num_queries(8):
        response = clerk_client.get(reverse("units:unit-list"))
    assert "Store / Shelf / Bin 3" in response.content.decode()


def test_scan_choice_shows_warranty_of_each_unit(clerk_client, clerk, units):
    other = factories.make_product(name="Dryer", model_number="DR-1")
    factories.receive(clerk, ["SN-10"], product=other)
    body = clerk_client.get(reverse("units:scan"), {"q": "SN-10"}).content.decode()
    assert "Warranty today" in body
    assert body.count("No warranty") == 2


@pytest.mark.parametrize("sort", ["serial", "-serial"])
def test_next_links_walk_the_list_like_page_numbers(clerk_client, clerk, product, sort):
    import re
    from html import unescape

    serials = [f"K-{n}" for n in range(1, 121)] + ["K-7a", "K-007"]
    factories.receive(clerk, serials, product=product)
    url = reverse("units:unit-list")

    walked, link = [], f"?sort={sort}"
    while link:
        response = clerk_client.get(url + link)
        walked.extend(u.serial for u in response.context["units"])
        found = re.search(r'href="(\?[^"]*)" rel="next"', response.content.decode())
        link = unescape(found.group(1)) if found else None
        if link:
            assert "after_key=" in link

    by_page = []
    for page in (1, 2, 3):
        response = clerk_client.get(url, {"sort": sort, "page": page})
        by_page.extend(u.serial for u in response.context["units"])
    assert walked == by_page
    assert len(walked) == 122
