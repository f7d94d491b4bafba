import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from inventory import roles
from inventory.demo import DEMO_ADMIN, DEMO_USERS, demo_vin
from inventory.identifiers import check_vin, gtin_problem
from inventory.models import Product
from tests.factories import sign_in
from units.models import Status, Unit

DEMO_SIZE = 80


@pytest.fixture
def demo(db):
    call_command("load_demo", units=DEMO_SIZE, stdout=None)


def test_demo_creates_requested_unit_count(demo):
    assert Unit.objects.count() == DEMO_SIZE
    assert Unit.objects.filter(in_house_tag__isnull=False).count() == DEMO_SIZE // 20
    assert Unit.objects.filter(vin__isnull=False).count() == 1


@pytest.mark.parametrize(("username", "role", "password"), DEMO_USERS)
def test_demo_user_signs_in(demo, client, username, role, password):
    assert sign_in(client, username, password)
    assert list(User.objects.get(username=username).groups.values_list("name", flat=True)) == [role]


def test_demo_admin_signs_in_as_superuser(demo, client):
    username, password = DEMO_ADMIN
    assert sign_in(client, username, password)
    assert User.objects.get(username=username).is_superuser


def test_demo_manager_reaches_dashboard(demo, client):
    assert sign_in(client, "manager", "demo-manager")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Dashboard" in response.content


def test_demo_vins_have_valid_check_digits(demo):
    vehicles = list(Unit.objects.filter(vin__isnull=False))
    assert vehicles
    for unit in vehicles:
        result = check_vin(unit.vin)
        assert result.error is None, result.error
        assert result.warning is None, result.warning
        assert unit.vin[0] in "12345"
        assert unit.serial == unit.vin


def test_demo_vin_check_character():
    assert demo_vin("5TM", "UV7A4", "S", "K", 40_001) == "5TMUV7A46SK040001"
    assert check_vin("5TMUV7A46SK040001").error is None


def test_demo_gtins_are_valid(demo):
    gtins = list(Product.objects.exclude(gtin="").values_list("gtin", flat=True))
    assert len(gtins) >= 20
    assert [g for g in gtins if gtin_problem(g)] == []


def test_demo_history_has_user_and_reason(demo):
    created = Unit.history.filter(history_type="+")
    assert created.count() == DEMO_SIZE
    assert created.filter(history_user__isnull=True).count() == 0
    assert created.filter(history_change_reason="").count() == 0
    assert created.filter(history_change_reason__isnull=True).count() == 0


def test_demo_shows_a_mix_of_statuses(demo):
    statuses = set(Unit.objects.values_list("status", flat=True))
    assert {Status.IN_STOCK, Status.SOLD, Status.DAMAGED} <= statuses
    sold = Unit.objects.filter(status=Status.SOLD)
    assert sold.filter(owner__isnull=True).count() == 0
    assert sold.filter(owner__is_customer=False).count() == 0


def test_in_house_tags_use_category_prefix(demo):
    tags = list(Unit.objects.filter(in_house_tag__isnull=False).values_list("serial", flat=True))
    assert tags
    assert all(tag.startswith(("HT-", "LD-")) for tag in tags)


def test_if_empty_skips_loaded_database(demo, capsys):
    call_command("load_demo", "--if-empty", units=DEMO_SIZE)
    assert Unit.objects.count() == DEMO_SIZE
    assert User.objects.count() == len(DEMO_USERS) + 1
    assert "already contains 80 units; demo not loaded" in capsys.readouterr().out


def test_load_rejects_loaded_database(demo):
    with pytest.raises(CommandError, match="already contains 80 units"):
        call_command("load_demo", units=10)
    assert Unit.objects.count() == DEMO_SIZE


def test_unit_count_from_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_UNITS", "30")
    call_command("load_demo")
    assert Unit.objects.count() == 30


def test_demo_roles_match_role_groups():
    assert {role for _, role, _ in DEMO_USERS} == set(roles.ROLE_PERMISSIONS)
