"""The import page: upload, preview, confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from units.models import Unit
from units.views.importing import PENDING_KEY, _pending_folder

pytestmark = pytest.mark.django_db

URL = reverse("units:import")
GOOD = b"serial,model_number,manufacturer\nSN-1,M1,Acme\nSN-2,M1,Acme\n"
ONE_BAD = b"serial,model_number,manufacturer\nSN-1,M1,Acme\n6.38E+15,M1,Acme\n"


def upload(client, data, name="units.csv", **fields):
    return client.post(
        URL,
        {
            "action": "upload",
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
            "source_format": "auto",
            "encoding": "",
            "date_order": "mdy",
            **fields,
        },
    )


def test_page_forbidden_without_permission(client, counter):
    client.force_login(counter)
    assert client.get(URL).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert Unit.objects.count() == 0


def test_upload_shows_preview_without_storing(clerk_client):
    response = upload(clerk_client, GOOD)
    assert response.status_code == 302
    preview = clerk_client.get(URL)
    assert b"Import 2 units" in preview.content
    assert b"Nothing has been stored yet." in preview.content
    assert Unit.objects.count() == 0


def test_confirm_imports_and_shows_report(clerk_client, clerk):
    upload(clerk_client, GOOD)
    token = clerk_client.session[PENDING_KEY]["token"]
    response = clerk_client.post(URL, {"action": "confirm"}, follow=True)
    assert b"2 units imported from units.csv." in response.content
    assert b"Imported 2 units from units.csv" in response.content
    assert Unit.objects.count() == 2
    assert Unit.history.first().history_user == clerk
    assert not (_pending_folder() / token).exists()
    assert PENDING_KEY not in clerk_client.session


def test_preview_lists_row_errors(clerk_client):
    upload(clerk_client, ONE_BAD)
    content = clerk_client.get(URL).content.decode()
    assert "&#x27;6.38E+15&#x27; is in scientific notation" in content
    assert "Skip the 1 bad row and import 1 unit" in content


def test_confirm_rejected_stores_nothing(clerk_client):
    upload(clerk_client, ONE_BAD)
    response = clerk_client.post(URL, {"action": "confirm"}, follow=True)
    assert b"1 row has errors, so nothing was stored." in response.content
    assert Unit.objects.count() == 0


def test_confirm_skipping_bad_rows_stores_the_rest(clerk_client):
    upload(clerk_client, ONE_BAD)
    clerk_client.post(URL, {"action": "confirm", "skip_bad_rows": "1"})
    assert list(Unit.objects.values_list("serial", flat=True)) == ["SN-1"]


def test_binary_upload_shows_form_error(clerk_client):
    response = upload(clerk_client, b"PK\x03\x04zipdata", name="units.xlsx")
    assert response.status_code == 400
    assert b"not a CSV text file" in response.content
    assert PENDING_KEY not in clerk_client.session


def test_upload_over_cap_shows_form_error(clerk_client, settings):
    settings.IMPORT_MAX_BYTES = 10
    response = upload(clerk_client, GOOD)
    assert response.status_code == 400
    assert b"the maximum is 10 bytes" in response.content


def test_cancel_discards_upload(clerk_client):
    upload(clerk_client, GOOD)
    token = clerk_client.session[PENDING_KEY]["token"]
    clerk_client.post(URL, {"action": "cancel"})
    assert not (_pending_folder() / token).exists()
    assert b"Check the file" in clerk_client.get(URL).content


def test_large_confirmed_import_runs_as_job(
    clerk_client, clerk, settings, django_capture_on_commit_callbacks
):
    from inventory.models import Job

    settings.IMPORT_BACKGROUND_ROWS = 1
    upload(clerk_client, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(URL, {"action": "confirm"})
    job = Job.objects.get(kind="unit-import")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.result["summary"] == "2 units imported from units.csv."
    assert Unit.objects.count() == 2
    assert {record.history_user for record in Unit.history.all()} == {clerk}
    assert PENDING_KEY not in clerk_client.session


def test_large_import_with_bad_rows_fails_job_and_stores_nothing(
    clerk_client, settings, django_capture_on_commit_callbacks
):
    from inventory.models import Job

    settings.IMPORT_BACKGROUND_ROWS = 0
    upload(clerk_client, ONE_BAD)
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(URL, {"action": "confirm"})
    job = Job.objects.get(kind="unit-import")
    assert job.state == Job.State.FAILED
    assert job.message == (
        "1 row has errors in units.csv, so nothing was stored. Upload the file again to see them."
    )
    assert Unit.objects.count() == 0
