"""manage.py import_units."""

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import shared_file
from units.models import Unit

pytestmark = pytest.mark.django_db


def write(tmp_path, text, name="units.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_command_imports_and_reports(clerk, tmp_path, capsys):
    path = write(tmp_path, "serial,model_number,manufacturer\nSN-1,M1,Acme\n")
    call_command("import_units", str(path), "--user", "clerk")
    out = capsys.readouterr().out
    assert "1 units imported." in out
    assert Unit.objects.get().history.get().history_change_reason == "Imported from units.csv row 2"


def test_command_needs_user_unless_dry_run(db, tmp_path):
    path = write(tmp_path, "serial,model_number,manufacturer\nSN-1,M1,Acme\n")
    with pytest.raises(CommandError) as info:
        call_command("import_units", str(path))
    assert str(info.value) == "Name the importing user with --user USERNAME."


def test_command_dry_run_stores_nothing(db, tmp_path, capsys):
    path = write(tmp_path, "serial,model_number,manufacturer\nSN-1,M1,Acme\n")
    call_command("import_units", str(path), "--dry-run")
    assert "Dry run: 1 units would be imported; nothing was stored." in capsys.readouterr().out
    assert Unit.objects.count() == 0


def test_command_fails_on_row_errors(clerk, tmp_path):
    path = write(tmp_path, "serial,model_number,manufacturer\nSN-1,M1,Acme\n,M1,Acme\n")
    with pytest.raises(CommandError) as info:
        call_command("import_units", str(path), "--user", "clerk")
    assert str(info.value) == (
        "1 rows have errors, so nothing was stored. Fix them, or run again with "
        "--skip-bad-rows to store the other rows."
    )
    assert Unit.objects.count() == 0


def test_command_rejects_file_over_cap(clerk, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 10
    path = write(tmp_path, "serial,model_number,manufacturer\nSN-1,M1,Acme\n")
    with pytest.raises(CommandError) as info:
        call_command("import_units", str(path), "--user", "clerk")
    assert str(info.value) == (
        "units.csv is 46 bytes; the maximum is 10 bytes (setting IMPORT_MAX_BYTES). Split the file."
    )


@pytest.mark.realdata
def test_command_skip_bad_rows_on_snipeit_file(clerk, capsys):
    path = shared_file("realworld", "snipe-it", "assets-sample-BAD.csv")
    call_command(
        "import_units", str(path), "--user", "clerk", "--skip-bad-rows", "--encoding", "mac_roman"
    )
    out = capsys.readouterr().out
    assert "Encoding: mac_roman (as given); line ends: CR only (classic Mac)." in out
    assert "183 units imported; 17 bad rows skipped." in out
    assert Unit.objects.count() == 183
