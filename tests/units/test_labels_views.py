"""The label pages: preselection, permissions, downloads and errors shown on the form."""

import pytest
from django.urls import reverse

from inventory.models import Job
from tests import factories
from tests.units.test_labels_render import code128_texts, page_images

FORM_URL = reverse("units:labels")
PRINT_URL = reverse("units:labels-print")


def print_options(**overrides):
    options = {
        "stock": "2x1in",
        "dpi": "203",
        "symbology": "serial",
        "copies": "1",
        "skip": "0",
        "output": "pdf",
    }
    options.update(overrides)
    return options


@pytest.fixture
def receipt(clerk):
    product = factories.make_product(name="Dishwasher", model_number="DW-100")
    return factories.receive(clerk, ["SN-3", "SN-1", "SN-2"], product=product)


def test_form_preselects_units(clerk_client, receipt):
    unit = receipt.units.get(serial="SN-2")

    response = clerk_client.get(FORM_URL, {"unit": [unit.pk]})

    assert response.status_code == 200
    assert f'value="{unit.pk}"' in response.content.decode()
    assert "SN-2 · Dishwasher" in response.content.decode()


def test_form_preselects_receipt(clerk_client, receipt):
    response = clerk_client.get(FORM_URL, {"receipt": receipt.pk})

    assert response.status_code == 200
    assert "All 3 units of" in response.content.decode()
    assert f'name="receipt" value="{receipt.pk}"' in response.content.decode()


def test_user_without_print_labels_gets_403(client, receipt):
    client.force_login(factories.make_user())

    assert client.get(FORM_URL).status_code == 403
    assert client.post(PRINT_URL, print_options(receipt=receipt.pk)).status_code == 403


def test_counter_staff_may_print(client, counter, receipt):
    client.force_login(counter)

    response = client.post(PRINT_URL, print_options(receipt=receipt.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_receipt_prints_all_its_units_in_serial_order(clerk_client, receipt):
    response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk))

    pages = page_images(response.content, 203)
    assert [code128_texts(page) for page in pages] == [["SN-1"], ["SN-2"], ["SN-3"]]
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="labels-{receipt.number}-2x1in-'
    )
    assert response["Content-Disposition"].endswith('.pdf"')


def test_selected_units_print_only_those(clerk_client, receipt):
    units = list(receipt.units.filter(serial__in=["SN-1", "SN-3"]))

    response = clerk_client.post(PRINT_URL, print_options(unit=[u.pk for u in units]))

    assert [code128_texts(page) for page in page_images(response.content, 203)] == [
        ["SN-1"],
        ["SN-3"],
    ]


def test_zpl_download_is_plain_text_attachment(clerk_client, receipt):
    response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk, output="zpl"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].endswith('.zpl"')
    assert response.content.decode().count("^XA") == 3


def test_qr_code_uses_label_base_url(clerk_client, receipt, settings):
    settings.LABEL_BASE_URL = "https://shop.example.com"
    unit = receipt.units.get(serial="SN-1")

    response = clerk_client.post(PRINT_URL, print_options(unit=[unit.pk], qr="on", output="zpl"))

    assert f"^FDMA,https://shop.example.com/units/{unit.pk}/^FS" in response.content.decode()


def test_qr_code_falls_back_to_request_host(clerk_client, receipt, settings):
    settings.LABEL_BASE_URL = ""
    unit = receipt.units.get(serial="SN-1")

    response = clerk_client.post(PRINT_URL, print_options(unit=[unit.pk], qr="on", output="zpl"))

    assert f"^FDMA,http://testserver/units/{unit.pk}/^FS" in response.content.decode()


def test_nothing_selected_rerenders_form(clerk_client):
    response = clerk_client.post(PRINT_URL, print_options())

    assert response.status_code == 400
    assert response.templates[0].name == "units/labels_form.html"
    assert response.context["form"].non_field_errors() == [
        "No units are selected. Tick units in the unit list or open a receipt, "
        "then choose Print labels."
    ]


def test_label_too_small_rerenders_form_with_reason(clerk_client, clerk):
    serial = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghij"
    receipt = factories.receive(clerk, [serial])

    response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        f"Serial {serial} needs 462 modules; the 2x1in label fits 384 at 203 dpi. "
        "Use a wider stock."
    ]
    assert "No labels were printed." in response.content.decode()


def test_invalid_gtin_rerenders_form(clerk_client, clerk):
    product = factories.make_product(model_number="DW-7", gtin="1234567891012")
    receipt = factories.receive(clerk, ["SN-1"], product=product)

    response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk, symbology="gtin"))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Product DW-7: GTIN '1234567891012' has check digit 2, but its digits give 9. "
        "Re-scan or re-type the number from the package. "
        "Correct the GTIN on the product; labels never change a stored check digit."
    ]


def test_too_many_labels_rerenders_form(clerk_client, clerk):
    receipt = factories.receive(clerk, [f"SN-{number}" for number in range(21)])

    response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk, copies="100"))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "21 units x 100 copies make 2100 labels; one request prints at most 2000. "
        "Select fewer units or copies."
    ]


def test_unknown_unit_id_rerenders_form(clerk_client):
    response = clerk_client.post(PRINT_URL, print_options(unit=["999999"]))

    assert response.status_code == 400
    assert response.context["form"].errors["unit"] == [
        "Unit 999999 was not found. Select the units again from the list."
    ]


def test_copies_out_of_range_rerenders_form(clerk_client, receipt):
    response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk, copies="101"))

    assert response.status_code == 400
    assert response.context["form"].errors["copies"] == [
        "Ensure this value is less than or equal to 100."
    ]


def test_zpl_on_sheet_rerenders_form(clerk_client, receipt):
    response = clerk_client.post(
        PRINT_URL, print_options(receipt=receipt.pk, stock="avery5160", output="zpl")
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "ZPL is for thermal label printers; the avery5160 stock is a sheet. Choose PDF output."
    ]


def test_print_remembers_options_for_next_form(clerk_client, receipt):
    clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk, stock="62mm", dpi="300"))

    response = clerk_client.get(FORM_URL, {"receipt": receipt.pk})

    assert response.context["form"]["stock"].value() == "62mm"
    assert response.context["form"]["dpi"].value() == 300


def test_print_of_receipt_uses_few_queries(clerk_client, clerk, django_assert_max_num_queries):
    receipt = factories.receive(clerk, [f"SN-{number}" for number in range(50)])

    with django_assert_max_num_queries(12):
        response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk))

    assert response.status_code == 200


def test_get_on_print_url_not_allowed(clerk_client):
    assert clerk_client.get(PRINT_URL).status_code == 405


def test_large_batch_renders_in_background_job(
    clerk_client, clerk, settings, django_capture_on_commit_callbacks
):
    settings.LABEL_BACKGROUND_THRESHOLD = 2
    receipt = factories.receive(clerk, ["BG-1", "BG-2", "BG-3"])

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk))

    job = Job.objects.get(kind="label-batch")
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.actor == clerk
    download = clerk_client.get(job.result["url"])
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_background_batch_download_is_for_its_owner_only(
    clerk_client, clerk, client, settings, django_capture_on_commit_callbacks
):
    settings.LABEL_BACKGROUND_THRESHOLD = 0
    receipt = factories.receive(clerk, ["BG-9"])
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(PRINT_URL, print_options(receipt=receipt.pk))
    job = Job.objects.get(kind="label-batch")
    other = factories.make_user("Warehouse clerk", username="other-clerk")
    client.force_login(other)
    assert client.get(job.result["url"]).status_code == 403
