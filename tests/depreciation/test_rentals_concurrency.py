"""Two counters renting the same unit at once: exactly one wins (PostgreSQL only)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from depreciation import rentals
from depreciation.models import MeterReading, Rental
from tests import factories
from units.models import Status, Unit

DAY = datetime.date(2026, 11, 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_rentals_one_wins(manager):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    unit = factories.receive(manager, ["RACE-1"]).units.get()
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=DAY, reason="Hire fleet"
    )
    customers = [factories.make_party(name=f"Racer {n}", is_customer=True) for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def rent(customer):
        try:
            barrier.wait(timeout=10)
            rentals.rental_start(
                actor=manager,
                unit=unit,
                customer=customer,
                starts_on=DAY,
                due_on=DAY,
                meter_out="10",
            )
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rent, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("won") == 1
    loser = next(o for o in outcomes if o != "won")
    assert loser.startswith("Unit RACE-1 is already rented out to Racer ")
    assert Rental.objects.filter(unit=unit).count() == 1
    assert MeterReading.objects.filter(unit=unit).count() == 1
    assert Unit.objects.get(pk=unit.pk).status == Status.RENTED
