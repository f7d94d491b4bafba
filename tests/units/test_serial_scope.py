import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories
from units import services
from units.models import Unit


def test_long_serial_is_stored_whole_and_found(clerk, product, client):
    serial = "LONG-" + "0123456789" * 12
    factories.receive(clerk, [serial], product=product)
    unit = Unit.objects.get()
    assert unit.serial == serial
    assert len(unit.serial) == 125
    client.force_login(clerk)
    response = client.get("/units/scan/", {"q": serial.lower()})
    assert response["Location"] == unit.get_absolute_url()


def test_manufacturer_scope_rejects_serial_on_sibling_product(clerk, settings):
    settings.SERIAL_UNIQUE_SCOPE = "manufacturer"
    maker = factories.make_party(name="Maker", is_manufacturer=True)
    washer = factories.make_product(manufacturer=maker, model_number="W-1")
    dryer = factories.make_product(manufacturer=maker, model_number="D-1")
    factories.receive(clerk, ["M-100"], product=washer)
    with pytest.raises(ValidationError) as info:
        factories.receive(clerk, ["m-100"], product=dryer)
    assert info.value.messages == ["Serial m-100 already exists for manufacturer Maker."]
    assert Unit.objects.count() == 1


def test_database_constraint_rejects_duplicate_written_around_services(clerk, product):
    unit = factories.receive(clerk, ["SN-1"], product=product).units.get()
    twin = Unit(product=product, serial="sn-1")
    services.assign_serial(twin, "sn-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert Unit.objects.get() == unit


def test_database_constraint_rejects_empty_serial(product):
    blank = Unit(product=product, serial="", serial_key="", serial_sort="", serial_scope="p0")
    with pytest.raises(IntegrityError), transaction.atomic():
        blank.save()


def test_set_vin_stores_upper_case_with_history(clerk, product):
    unit = factories.receive(clerk, ["TRK-1"], product=product).units.get()
    unit, warning = services.unit_set_vin(
        unit=unit, vin="1hgcm82633a004352", actor=clerk, reason="From the title"
    )
    assert (unit.vin, warning) == ("1HGCM82633A004352", None)
    assert unit.history.first().history_change_reason == "VIN set: From the title"


def test_set_vin_warns_on_non_north_american_check_digit(clerk, product):
    unit = factories.receive(clerk, ["TRK-1"], product=product).units.get()
    unit, warning = services.unit_set_vin(
        unit=unit, vin="WVWZZZ1JZXW000001", actor=clerk, reason="Import papers"
    )
    assert unit.vin == "WVWZZZ1JZXW000001"
    assert "optional" in warning


def test_set_vin_rejects_vin_of_another_unit(clerk, product):
    first, second = factories.receive(clerk, ["TRK-1", "TRK-2"], product=product).units.order_by(
        "serial_sort"
    )
    services.unit_set_vin(unit=first, vin="1HGCM82633A004352", actor=clerk, reason="Title")
    with pytest.raises(ValidationError) as info:
        services.unit_set_vin(unit=second, vin="1HGCM82633A004352", actor=clerk, reason="Title")
    assert info.value.messages == ["VIN 1HGCM82633A004352 is already recorded on unit TRK-1."]
    second.refresh_from_db()
    assert second.vin is None


def test_set_vin_view_rejects_bad_check_digit(client, clerk, product):
    unit = factories.receive(clerk, ["TRK-1"], product=product).units.get()
    client.force_login(clerk)
    response = client.post(
        f"/units/{unit.pk}/vin/", {"vin": "1HGCM82643A004352", "reason": "Title"}, follow=True
    )
    assert "has check digit 4, but its characters give 3" in response.content.decode()
    unit.refresh_from_db()
    assert unit.vin is None
