"""scripts/backup and scripts/restore: a dump restored into a new database has every unit and history record."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from inventory import roles
from tests import factories
from units import services
from units.models import Status, Unit

ROOT = Path(__file__).resolve().parents[2]

#: The queries name the tables literally; these checks keep the names true.
assert Unit._meta.db_table == "units_unit"
assert Unit.history.model._meta.db_table == "units_historicalunit"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backup and restore use pg_dump and pg_restore"
)


def _client_tools_present() -> bool:
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None and not list(
            Path("/usr/lib/postgresql").glob(f"*/bin/{tool}")
        ):
            return False
    return True


def _url(database: str) -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "postgres")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{database}"


def _run(script: str, *arguments: str, database: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": _url(database)}
    return subprocess.run(
        [str(ROOT / "scripts" / script), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _rows(database: str, query: str) -> list[tuple]:
    with psycopg.connect(_url(database)) as scratch:
        return scratch.execute(query).fetchall()


@pytest.fixture
def scratch_database():
    """Create an empty database with a unique name and drop it afterwards."""
    name = f"restore_check_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def units_with_history(transactional_db):
    clerk = factories.make_user(roles.WAREHOUSE_CLERK)
    manager = factories.make_user(roles.MANAGER)
    receipt = factories.receive(clerk, ["BK-001", "BK-002", "BK-003", "0042"])
    first = receipt.units.get(serial="BK-001")
    services.unit_mark_damaged(unit=first, actor=clerk, reason="Dropped from the forklift")
    services.unit_change_status(
        unit=receipt.units.get(serial="BK-002"),
        status=Status.RESERVED,
        actor=manager,
        reason="Held for a customer",
    )
    return receipt


@pytest.mark.skipif(not _client_tools_present(), reason="pg_dump, pg_restore or psql is absent")
def test_restore_has_every_unit_and_history(units_with_history, scratch_database, tmp_path):
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "inventory.dump"

    backup = _run("backup", str(dump), database=source)
    restore = _run("restore", str(dump), database=scratch_database)

    assert backup.returncode == 0, backup.stderr
    assert restore.returncode == 0, restore.stderr
    units_query = "SELECT id, serial, status, product_id, location_id FROM units_unit ORDER BY id"
    history_query = (
        "SELECT history_id, id, status, history_type, history_change_reason, history_user_id "
        "FROM units_historicalunit ORDER BY history_id"
    )
    assert _rows(scratch_database, units_query) == _rows(source, units_query)
    assert _rows(scratch_database, history_query) == _rows(source, history_query)
    assert len(_rows(scratch_database, history_query)) >= 6
    damaged = _rows(scratch_database, "SELECT status FROM units_unit WHERE serial = 'BK-001'")
    assert damaged == [(Status.DAMAGED.value,)]
    reasons = _rows(
        scratch_database,
        "SELECT history_change_reason FROM units_historicalunit WHERE history_change_reason "
        "LIKE '%forklift%'",
    )
    assert len(reasons) == 1


@pytest.mark.skipif(not _client_tools_present(), reason="pg_dump, pg_restore or psql is absent")
def test_restore_rejects_database_with_tables(units_with_history, scratch_database, tmp_path):
    dump = tmp_path / "inventory.dump"
    assert _run("backup", str(dump), database=connection.settings_dict["NAME"]).returncode == 0
    assert _run("restore", str(dump), database=scratch_database).returncode == 0
    count_query = "SELECT count(*) FROM units_unit"
    before = _rows(scratch_database, count_query)

    again = _run("restore", str(dump), database=scratch_database)
    forced = _run("restore", "--force", str(dump), database=scratch_database)

    assert again.returncode == 1
    assert "empty database" in again.stderr
    assert forced.returncode == 0, forced.stderr
    assert _rows(scratch_database, count_query) == before


def test_backup_without_file_prints_usage():
    result = _run("backup", database="postgres")

    assert result.returncode == 2
    assert "Usage" in result.stderr
