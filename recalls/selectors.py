"""Read-only queries about recalls and the units they affect."""

from django.db.models import Count, QuerySet

from recalls.models import AffectedUnit, Recall, RecallCriterion
from recalls.scope import recall_q
from units.models import Unit

#: Remedy states in which the recall is not yet dealt with for that unit, so
#: the unit must not be sold, rented out or installed.
UNRESOLVED_STATES = frozenset(
    {
        AffectedUnit.RemedyState.IDENTIFIED,
        AffectedUnit.RemedyState.ON_HOLD,
        AffectedUnit.RemedyState.OWNER_NOTIFIED,
        AffectedUnit.RemedyState.RETURNED,
        AffectedUnit.RemedyState.NOT_FOUND,
    }
)


def recall_criteria(recall: Recall) -> list[RecallCriterion]:
    """Return the recall's criteria with their products and serial counts loaded."""
    return list(
        RecallCriterion.objects.filter(recall=recall)
        .select_related("supplier", "receipt")
        .prefetch_related("products", "host_products")
        .annotate(serial_count=Count("serials"))
        .order_by("pk")
    )


def recall_match(recall: Recall) -> QuerySet[Unit]:
    """Return every unit that falls under the recall, wherever it is, as one queryset.

    A unit matches when any criterion matches it. A recall without criteria
    matches no unit. The query runs in the database; no unit is loaded here.
    """
    q = recall_q(recall_criteria(recall))
    if q is None:
        return Unit.objects.none()
    return Unit.objects.filter(q)


def affected_units_with_assemblies(recall: Recall) -> QuerySet[AffectedUnit]:
    """Return the recall's affected units with product, owner, location and assembly loaded.

    ``unit.installed_in`` is the assembly that a recalled part sits in (None
    for a loose unit); ``unit.owner`` carries the contact details of a sold unit.
    """
    return (
        AffectedUnit.objects.filter(recall=recall)
        .select_related(
            "unit__product",
            "unit__owner",
            "unit__location",
            "unit__installed_in__product",
            "unit__installed_in__owner",
        )
        .order_by("unit__serial_sort", "unit__pk")
    )


def recall_state_counts(recall: Recall) -> dict[str, int]:
    """Return how many affected units are in each remedy state (states with none are left out)."""
    rows = (
        AffectedUnit.objects.filter(recall=recall)
        .values_list("remedy_state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def unit_recall_block(unit: Unit) -> Recall | None:
    """Return the open recall that blocks the unit from sale, rental or installation, or None.

    A unit is blocked while an open recall lists it in an unresolved remedy
    state; with several, the earliest issued is returned.
    """
    return (
        Recall.objects.filter(
            status=Recall.Status.OPEN,
            affected_units__unit=unit,
            affected_units__remedy_state__in=UNRESOLVED_STATES,
        )
        .order_by("issued_on", "pk")
        .first()
    )
