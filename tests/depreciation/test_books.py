"""Depreciation books, prospective changes and disposal, on PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from depreciation import books, costs, rentals
from depreciation.engine import BookParams, disposal_gain_loss, reschedule
from depreciation.models import BookChange, DepreciationBook, DepreciationEntry
from inventory import roles
from tests import factories
from units.models import Status

pytestmark = pytest.mark.django_db

IN_SERVICE = datetime.date(2025, 1, 1)


def make_asset(actor, serial="AST-1", *, cost="1200.00", purpose="rental", product=None):
    """Receive a unit, record its purchase cost and put it into service on IN_SERVICE."""
    unit = factories.receive(
        actor, [serial], product=product, received_on=datetime.date(2024, 12, 20)
    ).units.get()
    costs.unit_cost_add(
        actor=actor,
        unit=unit,
        kind="purchase",
        amount=cost,
        entry_date=datetime.date(2024, 12, 20),
    )
    rentals.asset_put_into_service(
        actor=actor, unit=unit, purpose=purpose, on=IN_SERVICE, reason="Hire fleet"
    )
    unit.refresh_from_db()
    return unit


def post_months(actor, *months):
    """Post each (year, month) with the run service, without the job queue."""
    from depreciation.models import DepreciationRun

    for year, month in months:
        run, _ = DepreciationRun.objects.get_or_create(
            year=year, month=month, defaults={"started_by": actor}
        )
        books.run_post(run=run)


@pytest.fixture
def asset(manager):
    return make_asset(manager)


@pytest.fixture
def book(manager, asset):
    return books.book_create(
        actor=manager, unit=asset, name="company", method="straight_line", life_months=12
    )


# --- Creation ---------------------------------------------------------------------------


def test_book_cost_defaults_to_total_investment(manager, asset):
    costs.unit_cost_add(
        actor=manager, unit=asset, kind="freight", amount="60.00", entry_date=IN_SERVICE
    )

    book = books.book_create(
        actor=manager, unit=asset, name="company", method="straight_line", life_months=60
    )

    assert book.cost == Decimal("1260.00")
    assert book.in_service == IN_SERVICE
    assert book.status == DepreciationBook.Status.ACTIVE


def test_book_name_unique_per_unit(manager, book, asset):
    with pytest.raises(ValidationError) as raised:
        books.book_create(
            actor=manager, unit=asset, name="company", method="straight_line", life_months=24
        )

    assert raised.value.message_dict["name"] == [
        "Unit AST-1 already has a book named 'company'; choose another name."
    ]
    assert DepreciationBook.objects.count() == 1


def test_book_rejects_unit_for_sale(manager, product):
    unit = factories.receive(manager, ["SALE-1"], product=product).units.get()

    with pytest.raises(ValidationError, match="not in the rental fleet or internal use"):
        books.book_create(
            actor=manager, unit=unit, name="company", method="straight_line", life_months=12
        )

    assert not DepreciationBook.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"life_months": 0}, "life_months", "The life of 0 months is out of range"),
        ({"life_months": None}, "life_months", "life_months is required for straight_line"),
        (
            {"life_months": 12, "salvage": Decimal("5000")},
            "salvage",
            "salvage 5000 is more than cost 1200.00",
        ),
        ({"life_months": 12, "cost": Decimal("-1")}, "cost", "cost must be 0 or more, got -1"),
    ],
)
def test_book_rejects_bad_parameters(manager, asset, fields, field, text):
    with pytest.raises(ValidationError) as raised:
        books.book_create(actor=manager, unit=asset, name="tax", method="straight_line", **fields)

    assert text in raised.value.message_dict[field][0]
    assert not DepreciationBook.objects.exists()


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("NaN", "The cost 'NaN' is out of range"),
        ("1e400", "The cost '1e400' is out of range"),
        ("abc", "The cost 'abc' is not a number"),
        ("1.005", "The cost 1.005 has more than two decimal places"),
    ],
)
def test_clean_money_names_bad_value(raw, text):
    with pytest.raises(ValidationError) as raised:
        books.clean_money(raw, field="cost")

    assert raised.value.message_dict["cost"][0].startswith(text.replace("'1.005'", "1.005"))


# --- Prospective change ------------------------------------------------------------------


def test_change_after_posting_keeps_posted_entries(manager, book):
    post_months(manager, (2025, 1), (2025, 2), (2025, 3))
    posted = list(
        DepreciationEntry.objects.order_by("year", "month").values_list("amount", "accumulated")
    )

    change = books.book_change(
        actor=manager, book=book, added_cost=Decimal("90.00"), reason="New tyres"
    )
    post_months(manager, (2025, 4))

    book.refresh_from_db()
    assert change.effective_on == datetime.date(2025, 4, 1)
    assert book.cost == Decimal("1290.00")
    assert book.restart_through == datetime.date(2025, 3, 31)
    assert book.restart_accumulated == Decimal("300.00")
    entries = list(DepreciationEntry.objects.order_by("year", "month"))
    assert [(e.amount, e.accumulated) for e in entries[:3]] == posted
    expected = reschedule(
        BookParams(method="straight_line", cost="1200.00", in_service=IN_SERVICE, life_months=12),
        posted_through=datetime.date(2025, 3, 31),
        accumulated="300.00",
        added_cost="90.00",
    )
    assert entries[3].amount == expected[0].amount == Decimal("110.00")
    assert entries[3].accumulated == Decimal("410.00")


def test_change_without_posting_replaces_schedule(manager, book):
    change = books.book_change(actor=manager, book=book, life_months=24, reason="Longer use")

    book.refresh_from_db()
    assert change.effective_on == IN_SERVICE
    assert book.life_months == 24
    assert book.restart_through is None


def test_change_rejects_salvage_above_cost(manager, book):
    post_months(manager, (2025, 1))

    with pytest.raises(ValidationError) as raised:
        books.book_change(actor=manager, book=book, salvage=Decimal("1500.00"), reason="x")

    assert "salvage 1500.00 is more than cost 1200.00" in raised.value.message_dict["salvage"][0]
    assert not BookChange.objects.exists()
    book.refresh_from_db()
    assert book.salvage == 0


# --- Disposal ----------------------------------------------------------------------------


def test_sale_records_gain(manager, asset, book):
    post_months(manager, (2025, 1), (2025, 2))

    disposed = books.unit_dispose(
        actor=manager,
        unit=asset,
        on=datetime.date(2025, 4, 15),
        kind="sale",
        proceeds=Decimal("1000.00"),
        reason="Sold to a customer",
    )

    book.refresh_from_db()
    assert disposed == [book]
    assert book.status == DepreciationBook.Status.DISPOSED
    # January to March count in full, April (the disposal month) not: 1200 - 300.
    assert book.disposal_book_value == Decimal("900.00")
    assert book.gain_loss == Decimal("100.00")
    engine = disposal_gain_loss(
        BookParams(method="straight_line", cost="1200.00", in_service=IN_SERVICE, life_months=12),
        datetime.date(2025, 4, 15),
        "1000.00",
    )
    assert engine.gain_loss == book.gain_loss
    asset.refresh_from_db()
    assert asset.status == Status.IN_STOCK


def test_scrap_records_loss_and_disposes_unit(manager, asset, book):
    books.unit_dispose(
        actor=manager,
        unit=asset,
        on=datetime.date(2025, 7, 1),
        kind="scrap",
        proceeds=Decimal("25.50"),
        reason="Engine seized",
    )

    book.refresh_from_db()
    assert book.disposal_book_value == Decimal("600.00")
    assert book.gain_loss == Decimal("-574.50")
    asset.refresh_from_db()
    assert asset.status == Status.DISPOSED
    record = asset.history.first()
    assert record.history_user == manager
    assert "Engine seized" in record.history_change_reason


def test_disposal_stops_later_posting(manager, asset, book):
    books.unit_dispose(
        actor=manager,
        unit=asset,
        on=datetime.date(2025, 3, 10),
        kind="sale",
        proceeds=Decimal("0"),
        reason="Sold",
    )

    post_months(manager, (2025, 1), (2025, 2), (2025, 3), (2025, 4))

    months = list(DepreciationEntry.objects.order_by("month").values_list("month", flat=True))
    assert months == [1, 2]


def test_disposal_before_in_service_rejected(manager, asset, book):
    with pytest.raises(ValidationError) as raised:
        books.unit_dispose(
            actor=manager,
            unit=asset,
            on=datetime.date(2024, 12, 24),
            kind="scrap",
            proceeds=Decimal("0"),
            reason="x",
        )

    assert raised.value.message_dict["on"] == [
        "date 2024-12-24 is before the in-service date 2025-01-01; enter a date on or after it."
    ]
    book.refresh_from_db()
    assert book.status == DepreciationBook.Status.ACTIVE
    asset.refresh_from_db()
    assert asset.status == Status.IN_STOCK


def test_disposal_before_receipt_rejected(manager, asset, book):
    with pytest.raises(ValidationError) as raised:
        books.unit_dispose(
            actor=manager,
            unit=asset,
            on=datetime.date(2024, 12, 1),
            kind="scrap",
            proceeds=Decimal("0"),
            reason="x",
        )

    assert "before unit AST-1 was received on 2024-12-20" in raised.value.message_dict["on"][0]


def test_disposal_in_posted_month_rejected(manager, asset, book):
    post_months(manager, (2025, 1), (2025, 2))

    with pytest.raises(ValidationError) as raised:
        books.unit_dispose(
            actor=manager,
            unit=asset,
            on=datetime.date(2025, 2, 10),
            kind="sale",
            proceeds=Decimal("0"),
            reason="x",
        )

    assert "is posted through 2025-02" in raised.value.message_dict["on"][0]


# --- Pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"life_months": "0"}, "life_months", "greater than or equal to 1"),
        ({"life_months": "12", "cost": "NaN"}, "cost", "The cost 'NaN' is out of range"),
        ({"life_months": "12", "cost": "-5"}, "cost", "The cost '-5' is out of range"),
        (
            {"life_months": "12", "cost": "99999999999999"},
            "cost",
            "The cost '99999999999999' is out of range",
        ),
        ({"life_months": "12", "in_service": "2025-02-30"}, "in_service", "Enter a valid date."),
    ],
)
def test_book_form_shows_errors(manager_client, asset, data, field, text):
    post = {"name": "company", "method": "straight_line", "convention": "full_month"}
    post.update({"macrs_convention": "half_year", **data})

    response = manager_client.post(reverse("assets:book-add", args=[asset.pk]), post)

    assert response.status_code == 400
    errors = response.context["book_form"].errors[field]
    assert any(text in error for error in errors), errors
    assert not DepreciationBook.objects.exists()


def test_book_form_creates_book(manager_client, asset):
    post = {
        "name": "company",
        "method": "straight_line",
        "convention": "full_month",
        "macrs_convention": "half_year",
        "life_months": "12",
    }

    response = manager_client.post(reverse("assets:book-add", args=[asset.pk]), post)

    assert response.status_code == 302
    assert DepreciationBook.objects.get().cost == Decimal("1200.00")


def test_dispose_form_rejects_date_before_in_service(manager_client, asset, book):
    response = manager_client.post(
        reverse("assets:unit-dispose", args=[asset.pk]),
        {"on": "2024-12-24", "kind": "scrap", "proceeds": "", "reason": "Broken"},
    )

    assert response.status_code == 400
    assert "before the in-service date" in response.context["form"].errors["on"][0]


def test_unit_books_page_shows_chart(manager_client, asset, book):
    response = manager_client.get(reverse("assets:unit-books", args=[asset.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('class="point"') == 12
    assert "chart-line" in content


@pytest.mark.parametrize("name", ["unit-books", "unit-dispose"])
def test_book_pages_forbidden_to_counter_staff(client, asset, name):
    client.force_login(factories.make_user(roles.COUNTER_STAFF, username="counter"))

    response = client.get(reverse(f"assets:{name}", args=[asset.pk]))

    assert response.status_code == 403


def test_book_add_forbidden_to_counter_staff(client, asset):
    client.force_login(factories.make_user(roles.COUNTER_STAFF, username="counter"))

    response = client.post(reverse("assets:book-add", args=[asset.pk]), {"name": "x"})

    assert response.status_code == 403
    assert not DepreciationBook.objects.exists()


def test_change_form_shows_engine_error(manager_client, manager, book):
    post_months(manager, (2025, 1))

    response = manager_client.post(
        reverse("assets:book-change", args=[book.pk]),
        {"salvage": "5000.00", "reason": "Resale value"},
    )

    assert response.status_code == 400
    errors = response.context["books"][0]["change_form"].errors["salvage"]
    assert "salvage 5000.00 is more than cost 1200.00" in errors[0]
    book.refresh_from_db()
    assert book.salvage == 0


def test_change_form_records_change(manager_client, book):
    response = manager_client.post(
        reverse("assets:book-change", args=[book.pk]),
        {"life_months": "24", "reason": "Longer use"},
    )

    assert response.status_code == 302
    book.refresh_from_db()
    assert book.life_months == 24
