"""The import upload: checked by content and size, stored under a generated name, never served."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from units.models import Unit
from units.views.importing import PENDING_KEY, _pending_folder

pytestmark = pytest.mark.django_db

URL = reverse("units:import")
GOOD = b"serial,model_number,manufacturer\nUP-1,M1,Acme\n"


def upload(client, data: bytes, name: str):
    return client.post(
        URL,
        {
            "action": "upload",
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
            "source_format": "auto",
            "encoding": "",
            "date_order": "mdy",
        },
    )


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\boot.ini", "x.html", "a\x00b.csv"])
def test_upload_is_stored_under_generated_name(clerk_client, name):
    response = upload(clerk_client, GOOD, name)

    assert response.status_code == 302
    token = clerk_client.session[PENDING_KEY]["token"]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert (_pending_folder() / token).read_bytes() == GOOD
    shown = clerk_client.session[PENDING_KEY]["filename"]
    assert "/" not in shown
    assert "\\" not in shown
    assert "\x00" not in shown


def test_html_upload_is_not_served_back(clerk_client):
    markup = b"serial,model_number,manufacturer\n<script>alert(1)</script>,M1,Acme\n"

    upload(clerk_client, markup, "x.html")
    preview = clerk_client.get(URL)
    body = preview.content.decode()

    assert preview["Content-Type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in body


def test_binary_upload_is_rejected(clerk_client):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8

    response = upload(clerk_client, png, "units.csv")

    assert response.status_code == 400
    assert PENDING_KEY not in clerk_client.session
    assert Unit.objects.count() == 0


def test_oversized_upload_is_rejected(clerk_client, settings):
    settings.IMPORT_MAX_BYTES = 1000
    big = GOOD + b"".join(b"UP-%d,M1,Acme\n" % n for n in range(2, 500))

    response = upload(clerk_client, big, "units.csv")

    assert response.status_code == 400
    assert PENDING_KEY not in clerk_client.session
    assert Unit.objects.count() == 0


def test_no_url_serves_the_upload_folder(clerk_client):
    upload(clerk_client, GOOD, "units.csv")
    token = clerk_client.session[PENDING_KEY]["token"]

    for address in (f"/{token}", f"/media/{token}", f"/static/{token}", f"/units/import/{token}"):
        assert clerk_client.get(address).status_code == 404
