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
