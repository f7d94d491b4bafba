import pytest
from django.contrib.sessions.models import Session

from tests.factories import make_user, sign_in

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def user(db):
    return make_user(username="dana")


def test_sign_in_rotates_the_session_key(client, user):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    assert sign_in(client, "dana", PASSWORD)
    assert client.session.session_key != before


def test_repeated_failures_lock_the_user_out(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert not sign_in(client, "dana", "wrong")
    response = client.post("/login/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name(client, user, settings):
    make_user(username="eli")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "dana", "wrong")
    assert sign_in(client, "eli", PASSWORD)


def test_deactivating_a_user_ends_their_sessions(client, user):
    assert sign_in(client, "dana", PASSWORD)
    assert client.get("/").status_code == 200
    user.is_active = False
    user.save()
    assert not Session.objects.exists()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_every_page_needs_sign_in(client, db):
    response = client.get("/units/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/units/"
