"""The recall and RMA pages: permissions, recording, criteria, the recall page, CSV and RMAs."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Job
from recalls import views
from recalls.forms import MAX_SERIAL_FILE_BYTES
from recalls.models import AffectedUnit, Recall, RecallCriterion, Rma
from recalls.services import recall_place_holds, recall_run_matching
from tests import factories
from tests.recalls.builders import install, make_recall, make_unit, product_for
from units import sales
from units.models import Status

pytestmark = pytest.mark.django_db

LIST_URL = reverse("recalls:recall-list")
CREATE_URL = reverse("recalls:recall-create")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def recall(manager):
    return make_recall(manager, [{"serials": "SN-1 SN-2"}], reference="RC-2026-01")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def criterion_data(**fields) -> dict:
    data = {"code_source": "serial"}
    data.update(fields)
    return data


# --- Permissions -------------------------------------------------------------------------


def test_anonymous_redirected_to_login(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_counter_staff_can_view_recalls(client, counter, recall):
    client.force_login(counter)

    assert client.get(LIST_URL).status_code == 200
    assert client.get(recall.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("recalls:recall-create", "get"),
        ("recalls:recall-edit", "get"),
        ("recalls:criterion-add", "post"),
        ("recalls:recall-match", "post"),
        ("recalls:recall-holds", "post"),
        ("recalls:recall-close", "post"),
    ],
)
def test_counter_staff_cannot_manage(client, counter, recall, name, method):
    client.force_login(counter)
    url = CREATE_URL if name == "recalls:recall-create" else reverse(name, args=[recall.pk])

    response = getattr(client, method)(url)

    assert response.status_code == 403
    assert Recall.objects.get(pk=recall.pk).status == Recall.Status.OPEN
    assert not AffectedUnit.objects.exists()


@pytest.mark.parametrize("name", ["recalls:rma-list", "recalls:rma-create"])
def test_counter_staff_cannot_see_rmas(client, counter, name):
    client.force_login(counter)

    assert client.get(reverse(name)).status_code == 403


# --- Recording a recall and its criteria ---------------------------------------------------


def test_create_recall_from_form(manager_client):
    response = manager_client.post(
        CREATE_URL,
        {
            "reference": "RC-2026-05",
            "issuer_name": "CPSC",
            "issued_on": "2026-11-01",
            "description": "Heater may overheat",
            "hazard": "Fire",
            "remedy": "replace",
        },
    )

    recall = Recall.objects.get(reference="RC-2026-05")
    assert response.status_code == 302
    assert response["Location"] == recall.get_absolute_url()
    assert recall.issuer_name == "CPSC"
    assert recall.history.first().history_change_reason == "Recall recorded"


def test_create_recall_needs_issuer(manager_client):
    response = manager_client.post(
        CREATE_URL,
        {"reference": "RC-9", "issued_on": "2026-11-01", "description": "X", "remedy": "repair"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["issuer_name"] == [
        "Name the issuer: choose a party or type an agency name."
    ]
    assert not Recall.objects.exists()


def test_pasted_serials_become_criterion(manager_client, manager, recall):
    url = reverse("recalls:criterion-add", args=[recall.pk])

    response = manager_client.post(url, criterion_data(serials="AB-1, AB-2\nAB-3  AB-3"))

    criterion = recall.criteria.order_by("pk").last()
    assert response.status_code == 302
    assert sorted(criterion.serials.values_list("serial", flat=True)) == ["AB-1", "AB-2", "AB-3"]


def test_pasted_serials_match_units(manager_client, manager):
    make_unit(manager, "DW-100", "AB-1")
    make_unit(manager, "DW-100", "AB-7")
    recall = make_recall(manager, [{"serial_prefixes": "ZZ"}], reference="RC-2026-06")
    manager_client.post(
        reverse("recalls:criterion-add", args=[recall.pk]), criterion_data(serials="ab-1 AB-2")
    )

    manager_client.post(reverse("recalls:recall-match", args=[recall.pk]))

    serials = AffectedUnit.objects.filter(recall=recall).values_list("unit__serial", flat=True)
    assert list(serials) == ["AB-1"]


def test_uploaded_serial_file_accepted(manager_client, recall):
    upload = SimpleUploadedFile("serials.csv", b"\xef\xbb\xbfSN-10,SN-11\r\nSN-12\r\n")

    manager_client.post(
        reverse("recalls:criterion-add", args=[recall.pk]), criterion_data(serial_file=upload)
    )

    criterion = recall.criteria.order_by("pk").last()
    assert sorted(criterion.serials.values_list("serial", flat=True)) == ["SN-10", "SN-11", "SN-12"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x00\x00binary", "The file bad.bin is not a text file."),
        (b"\xff\xfe\xfa serials", "The file bad.bin is not UTF-8 text."),
        (b"A" * (MAX_SERIAL_FILE_BYTES + 1), "upload at most"),
    ],
)
def test_bad_serial_file_rejected(manager_client, recall, content, message):
    criteria_before = RecallCriterion.objects.count()
    upload = SimpleUploadedFile("bad.bin", content)

    response = manager_client.post(
        reverse("recalls:criterion-add", args=[recall.pk]), criterion_data(serial_file=upload)
    )

    assert response.status_code == 200
    (error,) = response.context["form"].errors["serial_file"]
    assert message in error
    assert RecallCriterion.objects.count() == criteria_before


def test_range_criterion_from_form(manager_client, recall):
    manager_client.post(
        reverse("recalls:criterion-add", args=[recall.pk]),
        criterion_data(range_start="ABC00950", range_end="ABC01200"),
    )

    criterion = recall.criteria.order_by("pk").last()
    assert (criterion.range_prefix, criterion.range_first, criterion.range_last) == (
        "ABC",
        950,
        1200,
    )


def test_empty_criterion_rejected(manager_client, recall):
    response = manager_client.post(
        reverse("recalls:criterion-add", args=[recall.pk]), criterion_data()
    )

    assert response.status_code == 200
    assert "The criterion has no condition" in response.context["form"].non_field_errors()[0]


# --- The recall page ------------------------------------------------------------------------


def test_page_shows_criteria_in_plain_words(manager_client, manager):
    recall = make_recall(
        manager,
        [{"range": ("ABC00950", "ABC01200", False)}, {"serials": "SN-1 SN-2 SN-3"}],
    )

    body = manager_client.get(recall.get_absolute_url()).content.decode()

    assert "Serials ABC00950 to ABC01200 (prefix ABC, numbers compared as numbers)" in body
    assert "Serial on the list of 3" in body


def test_page_counts_states_and_locations(manager_client, manager, recall):
    location = factories.make_location(code="BIN-7")
    for serial in ("SN-1", "SN-2"):
        factories.receive(manager, [serial], product=product_for("DW-100"), location=location)
    recall_run_matching(recall=recall, actor=manager)
    recall_place_holds(recall=recall, actor=manager)

    response = manager_client.get(recall.get_absolute_url())

    assert response.context["total"] == 2
    assert ("On hold", 2) in response.context["state_counts"]
    assert response.context["location_counts"] == [("BIN-7", 2)]
    assert response.context["chart"]["last_open"] == 2
    assert "<svg" in response.content.decode()


def test_page_lists_assembly_of_recalled_part(manager_client, manager):
    machine = make_unit(manager, "MACH-1", "M-1")
    part = make_unit(manager, "BELT-1", "B-1")
    install(manager, part, machine)
    recall = make_recall(manager, [{"products": ["BELT-1"], "host_products": ["MACH-1"]}])
    recall_run_matching(recall=recall, actor=manager)

    response = manager_client.get(recall.get_absolute_url())

    (entry,) = response.context["page"]
    assert entry.unit.installed_in == machine
    assert 'Fitted in <a class="serial"' in response.content.decode()


def test_page_filters_by_state(manager_client, manager, recall):
    for serial in ("SN-1", "SN-2"):
        make_unit(manager, "DW-100", serial)
    recall_run_matching(recall=recall, actor=manager)
    entry = AffectedUnit.objects.get(unit__serial="SN-2")
    entry.remedy_state = AffectedUnit.RemedyState.REPAIRED
    entry.save()

    response = manager_client.get(recall.get_absolute_url(), {"state": "repaired"})

    assert [e.unit.serial for e in response.context["page"]] == ["SN-2"]


def test_matching_runs_as_job_when_large(manager_client, manager, monkeypatch):
    make_unit(manager, "DW-100", "SN-1")
    recall = make_recall(manager, [{"serials": "SN-1"}])
    monkeypatch.setattr(views, "MATCHING_JOB_THRESHOLD", 0)

    response = manager_client.post(reverse("recalls:recall-match", args=[recall.pk]))

    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.kind == "recall-matching"
    assert job.params == {"recall_id": recall.pk}


def test_state_change_form(manager_client, manager, recall):
    make_unit(manager, "DW-100", "SN-1")
    recall_run_matching(recall=recall, actor=manager)
    entry = AffectedUnit.objects.get()

    response = manager_client.post(
        reverse("recalls:affected-state", args=[entry.pk]),
        {"remedy_state": "owner_notified", "reason": "Letter sent"},
        follow=True,
    )

    entry.refresh_from_db()
    assert entry.remedy_state == AffectedUnit.RemedyState.OWNER_NOTIFIED
    assert entry.history.first().history_change_reason == "Letter sent"
    assert "Unit SN-1 under recall RC-2026-01: Owner notified." in messages_of(response)


def test_close_releases_holds(manager_client, manager, recall):
    unit = make_unit(manager, "DW-100", "SN-1")
    recall_run_matching(recall=recall, actor=manager)
    recall_place_holds(recall=recall, actor=manager)

    manager_client.post(reverse("recalls:recall-close", args=[recall.pk]))

    unit.refresh_from_db()
    assert unit.status == Status.IN_STOCK
    assert Recall.objects.get(pk=recall.pk).status == Recall.Status.CLOSED


# --- CSV export ------------------------------------------------------------------------------


def test_owner_export_is_spreadsheet_safe(manager_client, manager):
    owner = factories.make_party(
        name="=cmd|' /C calc'!A0", email="a@example.com", phone="+1 555", is_customer=True
    )
    unit = make_unit(manager, "DW-100", "SN-1")
    sales.sale_create(
        actor=manager,
        customer=owner,
        lines=[sales.LineInput(unit_id=unit.pk, price="10.00")],
        invoice_number="INV-1",
    )
    recall = make_recall(manager, [{"serials": "SN-1"}])
    recall_run_matching(recall=recall, actor=manager)

    response = manager_client.get(reverse("recalls:recall-owners-csv", args=[recall.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][:5] == ["owner", "email", "phone", "address", "serial"]
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[1][2] == "'+1 555"
    assert rows[1][4] == "SN-1"
    assert len(rows) == 2


# --- Unit page and RMA pages -------------------------------------------------------------------


def test_unit_page_shows_recall_banner(manager_client, manager, recall):
    unit = make_unit(manager, "DW-100", "SN-1")
    recall_run_matching(recall=recall, actor=manager)
    recall_place_holds(recall=recall, actor=manager)

    body = manager_client.get(unit.get_absolute_url()).content.decode()

    assert 'id="recall-banner"' in body
    assert "Recall RC-2026-01:" in body
    assert 'id="defective-return"' in body


def test_unit_page_without_recall_has_no_banner(manager_client, manager):
    unit = make_unit(manager, "DW-100", "SN-5")

    body = manager_client.get(unit.get_absolute_url()).content.decode()

    assert 'id="recall-banner"' not in body
    assert f"{reverse('recalls:rma-create')}?unit={unit.pk}" in body
    assert f"/service/orders/new/?unit={unit.pk}" in body


def test_rma_from_recall_page(manager_client, manager, recall):
    supplier = factories.make_supplier(name="Acme Supply")
    factories.receive(manager, ["SN-1"], product=product_for("DW-100"), supplier=supplier)
    recall_run_matching(recall=recall, actor=manager)
    entry = AffectedUnit.objects.get()

    form = manager_client.get(reverse("recalls:rma-create"), {"affected": entry.pk})
    response = manager_client.post(
        reverse("recalls:rma-create"),
        {
            "affected": entry.pk,
            "supplier": form.context["form"].initial["supplier"].pk,
            "replacement_warranty": "carry_over",
        },
    )

    rma = Rma.objects.get()
    assert response["Location"] == rma.get_absolute_url()
    assert rma.recall == recall
    assert rma.lines.get().affected_unit == entry


def test_rma_status_page_rejects_illegal_move(manager_client, manager):
    supplier = factories.make_supplier(name="Acme Supply")
    unit = factories.receive(manager, ["SN-1"], product=product_for("DW-100")).units.get()
    manager_client.post(
        reverse("recalls:rma-create"),
        {
            "unit": unit.pk,
            "supplier": supplier.pk,
            "replacement_warranty": "carry_over",
            "reason": "Dead on arrival",
        },
    )
    rma = Rma.objects.get()

    response = manager_client.post(
        reverse("recalls:rma-status", args=[rma.pk]), {"status": "closed"}, follow=True
    )

    assert f"RMA {rma.number} cannot move from Requested to Closed." in messages_of(response)
    assert Rma.objects.get().status == Rma.Status.REQUESTED
