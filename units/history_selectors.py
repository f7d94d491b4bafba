"""Read queries over the unit history table as a whole, e.g. the state of every unit on a date."""

import datetime

from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from units.models import Unit


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def units_as_of(day: datetime.date) -> QuerySet:
    """Return the latest history record of every unit before the start of ``day``.

    The rows are historical units (``Unit.history.model``): one per unit that
    existed then, with its status, location and owner on that date. Units whose
    latest record before ``day`` is a deletion are left out. The result is one
    set-based query, so callers aggregate it (``.values("status").annotate(...)``)
    rather than loop over it. On PostgreSQL the inner query is
    ``DISTINCT ON (id)`` over ``(id, history_date DESC, history_id DESC)``. It reads
    every history row before the date, so its cost grows with the history table.
    """
    history = Unit.history.model
    before = history.objects.filter(history_date__lt=_start_of(day))
    if connection.vendor == "postgresql":
        latest_ids = (
            before.order_by("id", "-history_date", "-history_id")
            .distinct("id")
            .values("history_id")
        )
    else:
        # Other databases lack DISTINCT ON, so each unit gets a correlated subquery (fine for small data).
        newest = before.filter(id=OuterRef("id")).order_by("-history_date", "-history_id")
        latest_ids = before.filter(history_id=Subquery(newest.values("history_id")[:1])).values(
            "history_id"
        )
    return history.objects.filter(history_id__in=latest_ids).exclude(history_type="-")


def unit_status_counts_as_of(day: datetime.date) -> dict[str, int]:
    """Return the number of units in each status at the start of ``day``.

    On PostgreSQL the count runs over the ``DISTINCT ON`` rows themselves
    instead of joining every latest record back to the history table, as
    counting ``units_as_of(day)`` does. With 5 million history records
    (docs/benchmarks.md) that took 2.1 s against 5.7 s.
    """
    if connection.vendor != "postgresql":
        rows = units_as_of(day).values("status").annotate(units=Count("history_id"))
        return {row["status"]: row["units"] for row in rows}
    latest = (
        Unit.history.model.objects.filter(history_date__lt=_start_of(day))
        .order_by("id", "-history_date", "-history_id")
        .distinct("id")
        .values("status", "history_type")
    )
    inner, params = latest.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM ("  # noqa: S608 - the inner query is Django's own SQL
            f"{inner}) AS latest WHERE history_type <> '-' GROUP BY status",
            params,
        )
        return dict(cursor.fetchall())
