"""Rental fleet, internal use and rental services with meter readings, on PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from depreciation import rentals, selectors
from depreciation.models import AssetPeriod, MeterReading, Rental
from tests import factories
from units.models import Condition, Purpose, Status, Unit
from units.sales import LineInput, sale_create
from units.services import unit_change_status

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def unit(manager, product):
    return factories.receive(manager, ["RNT-1"], product=product).units.get()


@pytest.fixture
def customer(db):
    return factories.make_party(name="Builder Ltd", is_customer=True)


@pytest.fixture
def fleet_unit(manager, unit):
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=DAY, reason="Hire fleet"
    )
    unit.refresh_from_db()
    return unit


def rent(actor, unit, customer, meter="100", starts_on=datetime.date(2026, 11, 10), **extra):
    return rentals.rental_start(
        actor=actor,
        unit=unit,
        customer=customer,
        starts_on=starts_on,
        due_on=extra.pop("due_on", starts_on + datetime.timedelta(days=7)),
        meter_out=meter,
        **extra,
    )


# --- Putting into service and taking out ----------------------------------------------


def test_put_into_rental_fleet(manager, unit):
    period = rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="rental", on=DAY, reason="Hire fleet"
    )

    unit.refresh_from_db()
    assert unit.purpose == Purpose.RENTAL
    assert unit.status == Status.IN_STOCK
    assert unit.owner is None
    assert period.started_on == DAY
    assert period.purpose == "rental"
    record = unit.history.first()
    assert record.history_user == manager
    assert record.history_change_reason == "Put into rental fleet on 2026-11-02: Hire fleet"


def test_put_into_internal_use(manager, unit):
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="internal", on=DAY, reason="Workshop tool"
    )

    unit.refresh_from_db()
    assert unit.purpose == Purpose.INTERNAL
    assert unit.status == Status.INTERNAL_USE


def test_put_into_service_rejects_unit_not_in_stock(manager, unit):
    unit_change_status(unit=unit, status=Status.ON_HOLD, actor=manager, reason="Check")

    with pytest.raises(ValidationError) as caught:
        rentals.asset_put_into_service(
            actor=manager, unit=unit, purpose="rental", on=DAY, reason="Hire fleet"
        )

    assert caught.value.messages == [
        "Unit RNT-1 is on hold, so it cannot become an asset. Only a unit in stock for sale can."
    ]
    assert not AssetPeriod.objects.exists()
    unit.refresh_from_db()
    assert unit.purpose == Purpose.SALE


def test_put_into_service_twice_rejected(manager, fleet_unit):
    with pytest.raises(ValidationError) as caught:
        rentals.asset_put_into_service(
            actor=manager, unit=fleet_unit, purpose="internal", on=DAY, reason="Again"
        )

    assert caught.value.messages == ["Unit RNT-1 is already in rental."]
    assert AssetPeriod.objects.count() == 1


def test_take_fleet_unit_back_to_sale(manager, fleet_unit):
    period = rentals.asset_take_out_of_service(
        actor=manager,
        unit=fleet_unit,
        ending="to_sale",
        on=datetime.date(2027, 3, 1),
        reason="Fleet renewed",
    )

    fleet_unit.refresh_from_db()
    assert fleet_unit.purpose == Purpose.SALE
    assert fleet_unit.condition == Condition.USED
    assert fleet_unit.status == Status.IN_STOCK
    assert period.ended_on == datetime.date(2027, 3, 1)
    assert period.ending == "to_sale"


def test_take_internal_unit_to_disposal(manager, unit):
    rentals.asset_put_into_service(
        actor=manager, unit=unit, purpose="internal", on=DAY, reason="Workshop tool"
    )

    rentals.asset_take_out_of_service(
        actor=manager, unit=unit, ending="disposal", on=datetime.date(2027, 5, 1), reason="Worn out"
    )

    unit.refresh_from_db()
    assert unit.status == Status.DISPOSED
    assert AssetPeriod.objects.get().ending == "disposal"


def test_take_out_rejects_rented_unit(manager, fleet_unit, customer):
    rent(manager, fleet_unit, customer)

    with pytest.raises(ValidationError) as caught:
        rentals.asset_take_out_of_service(
            actor=manager, unit=fleet_unit, ending="to_sale", on=DAY, reason="Sell"
        )

    assert caught.value.messages == [
        "Unit RNT-1 is rented out; take it back before taking it out of service."
    ]
    assert AssetPeriod.objects.get().ended_on is None


def test_take_out_rejects_date_before_start(manager, fleet_unit):
    with pytest.raises(ValidationError) as caught:
        rentals.asset_take_out_of_service(
            actor=manager,
            unit=fleet_unit,
            ending="to_sale",
            on=datetime.date(2026, 10, 1),
            reason="Sell",
        )

    assert caught.value.messages == [
        "The date 2026-10-01 is before unit RNT-1 was put into service on 2026-11-02."
    ]
    fleet_unit.refresh_from_db()
    assert fleet_unit.purpose == Purpose.RENTAL


# --- Rentals ------------------------------------------------------------------------


def test_rent_out_and_back(manager, fleet_unit, customer):
    rental = rent(manager, fleet_unit, customer, meter="120.5", meter_unit="hours", price="45.00")

    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.RENTED
    assert fleet_unit.owner is None
    assert rental.meter_out == Decimal("120.50")
    assert rental.price == Decimal("45.00")

    returned = rentals.rental_return(
        actor=manager,
        rental=rental,
        returned_on=datetime.date(2026, 11, 15),
        meter_in="131",
        condition_note="Clean",
    )

    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.IN_STOCK
    assert returned.meter_in == Decimal("131.00")
    assert returned.usage == Decimal("10.50")
    assert list(MeterReading.objects.values_list("kind", "value")) == [
        ("rental_out", Decimal("120.50")),
        ("rental_in", Decimal("131.00")),
    ]


def test_return_to_inspection(manager, fleet_unit, customer):
    rental = rent(manager, fleet_unit, customer)

    rentals.rental_return(
        actor=manager,
        rental=rental,
        returned_on=datetime.date(2026, 11, 12),
        meter_in="110",
        to_inspection=True,
    )

    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.INSPECTION


def test_meter_out_below_last_reading_rejected(manager, fleet_unit, customer):
    first = rent(manager, fleet_unit, customer, meter="100")
    rentals.rental_return(
        actor=manager, rental=first, returned_on=datetime.date(2026, 11, 12), meter_in="150"
    )

    with pytest.raises(ValidationError) as caught:
        rent(manager, fleet_unit, customer, meter="140", starts_on=datetime.date(2026, 11, 20))

    assert caught.value.messages == [
        "The meter reading 140.00 of unit RNT-1 is lower than its last reading, 150.00 on "
        "2026-11-12. Check the meter and enter the value shown."
    ]
    assert Rental.objects.count() == 1
    assert MeterReading.objects.count() == 2
    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.IN_STOCK


def test_meter_in_below_out_rejected(manager, fleet_unit, customer):
    rental = rent(manager, fleet_unit, customer, meter="100")

    with pytest.raises(ValidationError) as caught:
        rentals.rental_return(
            actor=manager, rental=rental, returned_on=datetime.date(2026, 11, 12), meter_in="99.5"
        )

    assert caught.value.messages == [
        "The meter reading 99.50 of unit RNT-1 is lower than its last reading, 100.00 on "
        "2026-11-10. Check the meter and enter the value shown."
    ]
    rental.refresh_from_db()
    assert rental.returned_on is None
    assert rental.meter_in is None
    assert MeterReading.objects.count() == 1
    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.RENTED


def test_database_rejects_meter_in_below_out(manager, fleet_unit, customer):
    rental = rent(manager, fleet_unit, customer, meter="100")

    with pytest.raises(IntegrityError), transaction.atomic():
        Rental.objects.filter(pk=rental.pk).update(
            returned_on=datetime.date(2026, 11, 12), meter_in=Decimal("50")
        )


def test_return_before_start_rejected(manager, fleet_unit, customer):
    rental = rent(manager, fleet_unit, customer)

    with pytest.raises(ValidationError) as caught:
        rentals.rental_return(
            actor=manager, rental=rental, returned_on=datetime.date(2026, 11, 9), meter_in="110"
        )

    assert caught.value.messages == [
        "The return date 2026-11-09 is before the rental started on 2026-11-10."
    ]
    rental.refresh_from_db()
    assert rental.returned_on is None


def test_return_twice_rejected(manager, fleet_unit, customer):
    rental = rent(manager, fleet_unit, customer)
    rentals.rental_return(
        actor=manager, rental=rental, returned_on=datetime.date(2026, 11, 12), meter_in="110"
    )

    with pytest.raises(ValidationError) as caught:
        rentals.rental_return(
            actor=manager, rental=rental, returned_on=datetime.date(2026, 11, 13), meter_in="120"
        )

    assert caught.value.messages[0].startswith("Rental RN-")
    assert caught.value.messages[0].endswith("of unit RNT-1 was already returned on 2026-11-12.")
    assert MeterReading.objects.count() == 2


def test_rented_unit_cannot_be_rented_twice(manager, fleet_unit, customer):
    first = rent(manager, fleet_unit, customer)
    other = factories.make_party(name="Other Co", is_customer=True)

    with pytest.raises(ValidationError) as caught:
        rent(manager, fleet_unit, other, meter="200")

    assert caught.value.messages == [
        f"Unit RNT-1 is already rented out to Builder Ltd since 2026-11-10 (rental {first.number})."
    ]
    assert Rental.objects.count() == 1


def test_database_allows_one_open_rental(manager, fleet_unit, customer):
    rent(manager, fleet_unit, customer)

    with pytest.raises(IntegrityError), transaction.atomic():
        Rental.objects.create(
            unit=fleet_unit,
            customer=customer,
            starts_on=DAY,
            due_on=DAY,
            meter_unit="hours",
            meter_out=Decimal("500"),
            created_by=manager,
        )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            Status.ON_HOLD,
            "Unit RNT-1 is on hold and cannot be rented out. Only a fleet unit in stock can.",
        ),
        (
            Status.DAMAGED,
            "Unit RNT-1 is damaged and cannot be rented out. Only a fleet unit in stock can.",
        ),
    ],
)
def test_rent_rejects_unavailable_state(manager, fleet_unit, customer, status, message):
    unit_change_status(unit=fleet_unit, status=status, actor=manager, reason="Check")

    with pytest.raises(ValidationError) as caught:
        rent(manager, fleet_unit, customer)

    assert caught.value.messages == [message]
    assert not Rental.objects.exists()


def test_rent_rejects_unit_for_sale(manager, unit, customer):
    with pytest.raises(ValidationError) as caught:
        rent(manager, unit, customer)

    assert caught.value.messages == [
        "Unit RNT-1 is not in the rental fleet, so it cannot be rented out."
    ]


def test_rent_rejects_due_before_start(manager, fleet_unit, customer):
    with pytest.raises(ValidationError) as caught:
        rent(manager, fleet_unit, customer, due_on=datetime.date(2026, 11, 1))

    assert caught.value.messages == ["The due date 2026-11-01 is before the start date 2026-11-10."]


@pytest.mark.parametrize(
    ("meter", "message"),
    [
        ("-1", "The meter reading -1 is out of range; enter 0 to 9999999999.99."),
        ("NaN", "The meter reading NaN is out of range; enter 0 to 9999999999.99."),
        ("abc", "The meter reading 'abc' is not a number. Enter a value like 1250.5."),
        ("1.234", "The meter reading 1.234 has more than two decimal places."),
    ],
)
def test_rent_rejects_bad_meter(manager, fleet_unit, customer, meter, message):
    with pytest.raises(ValidationError) as caught:
        rent(manager, fleet_unit, customer, meter=meter)

    assert caught.value.messages == [message]
    assert not Rental.objects.exists()


def test_rent_rejects_date_before_last_reading(manager, fleet_unit, customer):
    first = rent(manager, fleet_unit, customer, meter="100")
    rentals.rental_return(
        actor=manager, rental=first, returned_on=datetime.date(2026, 11, 12), meter_in="150"
    )

    with pytest.raises(ValidationError) as caught:
        rent(manager, fleet_unit, customer, meter="160", starts_on=datetime.date(2026, 11, 11))

    assert caught.value.messages == [
        "The date 2026-11-11 is before the last meter reading of unit RNT-1 on 2026-11-12. "
        "Use that date or a later one."
    ]


def test_meter_usage_per_period(manager, fleet_unit, customer):
    first = rent(manager, fleet_unit, customer, meter="100", starts_on=datetime.date(2026, 11, 10))
    rentals.rental_return(
        actor=manager, rental=first, returned_on=datetime.date(2026, 11, 20), meter_in="130"
    )
    second = rent(manager, fleet_unit, customer, meter="130", starts_on=datetime.date(2026, 12, 5))
    rentals.rental_return(
        actor=manager, rental=second, returned_on=datetime.date(2026, 12, 9), meter_in="175.25"
    )

    november = selectors.meter_usage(
        fleet_unit, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
    )
    december = selectors.meter_usage(
        fleet_unit, datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)
    )
    october = selectors.meter_usage(
        fleet_unit, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)
    )

    assert november == Decimal("30.00")
    assert december == Decimal("45.25")
    assert october == Decimal("0.00")


def test_rented_unit_not_sellable(manager, fleet_unit, customer):
    rent(manager, fleet_unit, customer)

    with pytest.raises(ValidationError):
        sale_create(
            actor=manager,
            customer=customer,
            lines=[LineInput(unit_id=fleet_unit.pk, price="100")],
            invoice_number="INV-R1",
        )

    fleet_unit.refresh_from_db()
    assert fleet_unit.status == Status.RENTED


def test_fleet_unit_between_rentals_not_sellable(manager, fleet_unit, customer):
    with pytest.raises(ValidationError):
        sale_create(
            actor=manager,
            customer=customer,
            lines=[LineInput(unit_id=fleet_unit.pk, price="100")],
            invoice_number="INV-R2",
        )

    assert Unit.objects.get(pk=fleet_unit.pk).status == Status.IN_STOCK


def test_unit_asset_summary_queries(manager, fleet_unit, customer, django_assert_num_queries):
    rental = rent(manager, fleet_unit, customer)
    rentals.rental_return(
        actor=manager, rental=rental, returned_on=datetime.date(2026, 11, 12), meter_in="110"
    )

    with django_assert_num_queries(3):
        summary = selectors.unit_asset_summary(fleet_unit)

    assert summary["total_investment"] == Decimal("0.00")
    assert [r.pk for r in summary["rentals"]] == [rental.pk]
    assert summary["asset_period"].purpose == "rental"
