"""Monthly depreciation runs: posting, idempotency, month order, the job and its resume."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from depreciation import books
from depreciation.engine import BookParams, month_period
from depreciation.models import DepreciationEntry, DepreciationRun
from inventory import roles
from inventory.jobs import job_retry
from inventory.models import Job
from tests import factories
from tests.depreciation.test_books import make_asset, post_months

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(manager, product):
    """Three assets with a company book each and a tax book on the first."""
    units = [
        make_asset(manager, f"FL-{n}", cost=cost, product=product)
        for n, cost in enumerate(["1200.00", "600.00", "1000.00"], start=1)
    ]
    for unit in units:
        books.book_create(
            actor=manager, unit=unit, name="company", method="straight_line", life_months=12
        )
    books.book_create(
        actor=manager,
        unit=units[0],
        name="tax",
        method="declining_balance",
        life_months=60,
        switch_to_sl=True,
    )
    return units


def entry_rows():
    return list(
        DepreciationEntry.objects.order_by("book", "year", "month").values_list(
            "book", "year", "month", "amount", "accumulated", "book_value"
        )
    )


def test_run_posts_every_active_book(manager, fleet):
    post_months(manager, (2025, 1))

    entries = DepreciationEntry.objects.filter(year=2025, month=1)
    assert entries.count() == 4
    assert entries.filter(book__name="company").aggregate(total=Sum("amount"))["total"] == (
        Decimal("100.00") + Decimal("50.00") + Decimal("83.33")
    )
    run = DepreciationRun.objects.get()
    assert run.status == DepreciationRun.Status.DONE
    assert run.entries_created == 4
    # Double declining balance over 5 years: 1200 x 40% / 12 = 40.00 a month.
    assert entries.get(book__name="tax").amount == Decimal("40.00")
    assert run.amount_total == Decimal("273.33")


def test_posting_twice_changes_nothing(manager, fleet):
    post_months(manager, (2025, 1), (2025, 2))
    before = entry_rows()

    post_months(manager, (2025, 1), (2025, 2))

    assert entry_rows() == before
    assert DepreciationEntry.objects.count() == 8


def test_rerun_adds_book_created_later(manager, fleet, product):
    post_months(manager, (2025, 1))
    late = make_asset(manager, "FL-9", cost="2400.00", product=product)
    books.book_create(
        actor=manager, unit=late, name="company", method="straight_line", life_months=24
    )

    post_months(manager, (2025, 1))

    entry = DepreciationEntry.objects.get(book__unit=late)
    assert entry.amount == Decimal("100.00")
    assert DepreciationEntry.objects.count() == 5
    assert DepreciationRun.objects.get().entries_created == 5


def test_run_loads_books_in_bulk(manager, fleet, django_assert_max_num_queries):
    run = DepreciationRun.objects.create(year=2025, month=1, started_by=manager)

    # Candidate ids; per chunk a savepoint, the read, the insert and the release;
    # then the closing count, sum, update and refresh. None of it grows per book.
    with django_assert_max_num_queries(9):
        books.run_post(run=run)


def test_entries_match_engine_month_period(manager, fleet):
    post_months(manager, (2025, 1), (2025, 2), (2025, 3))

    for entry in DepreciationEntry.objects.select_related("book"):
        expected = month_period(books.params_from_row(entry.book), entry.year, entry.month)
        assert (entry.amount, entry.accumulated, entry.book_value) == (
            expected.amount,
            expected.accumulated,
            expected.book_value,
        )


@pytest.mark.parametrize(
    ("cost", "salvage", "life"),
    [
        ("1200.00", "0", 12),
        ("500.00", "0", 12),
        ("0.03", "0", 4),
        ("0.02", "0", 3),
        ("54000.00", "4000.00", 120),
        ("999.99", "0.99", 7),
        ("10.00", "10.00", 5),
    ],
)
def test_straight_line_shortcut_matches_engine(cost, salvage, life):
    params = BookParams(
        method="straight_line",
        cost=cost,
        salvage=salvage,
        in_service=datetime.date(2024, 3, 17),
        life_months=life,
    )

    for offset in range(-1, life + 2):
        index = 2024 * 12 + 2 + offset
        year, month = divmod(index, 12)
        assert books._straight_line_month(params, year, month + 1) == month_period(
            params, year, month + 1
        ), (year, month + 1)


# --- Month order -----------------------------------------------------------------------


def test_run_start_rejects_gap(manager, fleet):
    post_months(manager, (2025, 1))

    with pytest.raises(ValidationError) as raised:
        books.run_start(actor=manager, year=2025, month=3)

    assert raised.value.messages == [
        "Post 2025-02 first: the last closed month is 2025-01, and months are posted in order."
    ]
    assert not DepreciationRun.objects.filter(month=3).exists()


def test_run_start_rejects_future_month(manager):
    with pytest.raises(ValidationError, match="has not started yet"):
        books.run_start(actor=manager, year=2099, month=1)


# --- The job ---------------------------------------------------------------------------


def test_run_job_reports_progress(manager, fleet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = books.run_start(actor=manager, year=2025, month=1)

    job = Job.objects.get(pk=run.job_id)
    run.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert (job.done, job.total) == (4, 4)
    assert job.result["summary"] == "Posted 2025-01: 4 entries, 273.33 in total."
    assert run.status == DepreciationRun.Status.DONE


def test_run_job_resumes_after_failure(manager, fleet, django_capture_on_commit_callbacks):
    real = books._entries_for
    calls = {"count": 0}

    def fail_second_chunk(rows, run):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("worker lost its connection")
        return real(rows, run)

    with (
        mock.patch.object(books, "RUN_CHUNK", 2),
        mock.patch.object(books, "_entries_for", fail_second_chunk),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = books.run_start(actor=manager, year=2025, month=1)
    job = Job.objects.get(pk=run.job_id)
    run.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert run.status == DepreciationRun.Status.FAILED
    assert DepreciationEntry.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job)

    job.refresh_from_db()
    run.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.attempts == 2
    assert run.status == DepreciationRun.Status.DONE
    assert DepreciationEntry.objects.count() == 4
    assert DepreciationEntry.objects.values("book").distinct().count() == 4


# --- Pages -----------------------------------------------------------------------------


def test_run_page_starts_job(manager_client, fleet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("assets:run-list"), {"year": 2025, "month": 1})

    run = DepreciationRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job-detail", args=[run.job_id])
    assert DepreciationEntry.objects.count() == 4


def test_run_page_shows_month_order_error(manager_client, manager, fleet):
    post_months(manager, (2025, 1))

    response = manager_client.post(reverse("assets:run-list"), {"year": 2025, "month": 5})

    assert response.status_code == 400
    assert "Post 2025-02 first" in response.content.decode()


def test_run_page_forbidden_to_counter_staff(client):
    client.force_login(factories.make_user(roles.COUNTER_STAFF, username="counter"))

    assert client.get(reverse("assets:run-list")).status_code == 403
    assert client.post(reverse("assets:run-list"), {"year": 2025, "month": 1}).status_code == 403
    assert not DepreciationRun.objects.exists()
