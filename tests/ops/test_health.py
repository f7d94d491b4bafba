import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inventory.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]


def test_live_answers_without_sign_in(client, db):
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_database_and_migrations(client, db):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_rejects_post(client, db):
    assert client.post("/health/live/").status_code == 405


def test_json_formatter_writes_one_object_with_extras():
    record = logging.makeLogRecord(
        {"name": "units", "levelname": "INFO", "msg": "Unit %s: sold", "args": (7,), "status": 200}
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Unit 7: sold"
    assert entry["status"] == 200
    assert entry["logger"] == "units"


def test_check_deploy_is_clean_with_production_settings():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a
    # production environment never has it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60 + "production-like-key-for-the-check",
        "ALLOWED_HOSTS": "shop.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_missing_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.django_db
def test_request_log_has_status_and_user(client, caplog, settings):
    from tests.factories import make_user

    user = make_user()
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="inventory.requests"):
        client.get("/health/live/")
    record = next(r for r in caplog.records if r.name == "inventory.requests")
    assert (record.status, record.path, record.user_id) == (200, "/health/live/", user.pk)
