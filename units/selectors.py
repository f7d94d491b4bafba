"""Read queries on units: scan lookup, search, list filtering and history."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from inventory.models import Location, Party, Product
from units.models import Unit
from units.serials import normalize_serial, serial_key

#: Maximum number of partial matches shown for a search.
SEARCH_LIMIT = 50


def _with_relations(queryset: QuerySet[Unit]) -> QuerySet[Unit]:
    # location__parent__parent: Location.path names up to three levels without a query each.
    return queryset.select_related(
        "product", "product__manufacturer", "location__parent__parent", "owner"
    )


def unit_lookup(raw: str) -> list[Unit]:
    """Return the units whose serial, VIN or in-house tag equals the scanned text.

    Matching is case-insensitive. Several units come back when the same serial
    exists on several products. Raises ValidationError for empty or
    malformed input.
    """
    text = normalize_serial(raw, field="search text")
    key = serial_key(text)
    # Three indexed equality lookups joined by OR; each branch uses its own index.
    matches = _with_relations(
        Unit.objects.filter(Q(serial_key=key) | Q(vin=text.upper()) | Q(in_house_tag=text))
    ).order_by("product__name", "pk")
    return list(matches[:SEARCH_LIMIT])


def unit_search(raw: str) -> list[Unit]:
    """Return units whose serial starts with, then contains, the text (case-insensitive).

    Prefix matches come first. On PostgreSQL the prefix query uses the
    byte-wise btree index on serial_key and the substring query its trigram index.
    """
    key = serial_key(normalize_serial(raw, field="search text"))
    prefix = list(
        _with_relations(Unit.objects.filter(serial_key__startswith=key)).order_by("serial_key")[
            :SEARCH_LIMIT
        ]
    )
    if len(prefix) >= SEARCH_LIMIT or len(key) < 3:
        return prefix
    seen = {u.pk for u in prefix}
    inner = _with_relations(Unit.objects.filter(serial_key__contains=key)).order_by("serial_key")[
        : SEARCH_LIMIT + len(prefix)
    ]
    return prefix + [u for u in inner if u.pk not in seen][: SEARCH_LIMIT - len(prefix)]


SORT_FIELDS = {
    "serial": ("serial_sort", "pk"),
    "-serial": ("-serial_sort", "-pk"),
    "received": ("received_on", "pk"),
    "-received": ("-received_on", "-pk"),
    "product": ("product__name", "serial_sort", "pk"),
    "-product": ("-product__name", "-serial_sort", "-pk"),
    "status": ("status", "serial_sort", "pk"),
    "-status": ("-status", "-serial_sort", "-pk"),
}
DEFAULT_SORT = "serial"


def unit_list(*, filters: dict, sort: str = DEFAULT_SORT) -> QuerySet[Unit]:
    """Return the filtered, sorted unit queryset for the unit list page.

    ``filters`` holds cleaned values keyed by product, status, condition,
    location, owner, received_from and received_to. Unknown sort keys fall back
    to the default order.
    """
    queryset = Unit.objects.all()
    for name in ("product", "status", "condition", "location", "purpose"):
        value = filters.get(name)
        if value:
            queryset = queryset.filter(**{name: value})
    owner = filters.get("owner")
    if owner == "shop":
        queryset = queryset.filter(owner__isnull=True)
    elif owner:
        queryset = queryset.filter(owner=owner)
    if filters.get("received_from"):
        queryset = queryset.filter(received_on__gte=filters["received_from"])
    if filters.get("received_to"):
        queryset = queryset.filter(received_on__lte=filters["received_to"])
    order = SORT_FIELDS.get(sort, SORT_FIELDS[DEFAULT_SORT])
    return _with_relations(queryset).order_by(*order)


#: Sorts whose Next link continues after the last row instead of using OFFSET.
KEYSET_SORTS = {"serial": "gt", "-serial": "lt"}


def after_cursor(queryset: QuerySet[Unit], *, sort: str, key: str, unit_id: int) -> QuerySet[Unit]:
    """Return the rows after (serial_sort, id) = (key, unit_id) in the order of ``sort``.

    OFFSET makes PostgreSQL read and sort every row before the page; a keyset
    condition lets the (..., serial_sort, id) indexes start at the cursor.
    """
    op = KEYSET_SORTS[sort]
    return queryset.filter(
        Q(**{f"serial_sort__{op}": key}) | Q(serial_sort=key, **{f"pk__{op}": unit_id})
    )


def page_without_count(queryset: QuerySet, *, page: int, per_page: int) -> tuple[list, bool]:
    """Return one page of rows and whether a next page exists, without COUNT(*).

    Counting a million rows costs more than the page itself, so the list pages
    fetch one extra row instead.
    """
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


# --- History -----------------------------------------------------------------

_TRACKED_LABELS = {
    "product": "Product",
    "serial": "Serial",
    "vin": "VIN",
    "in_house_tag": "In-house tag",
    "condition": "Condition",
    "status": "Status",
    "purpose": "Purpose",
    "location": "Location",
    "owner": "Owner",
    "supplier": "Supplier",
    "receipt": "Receipt",
    "lot": "Lot",
    "received_on": "Received on",
    "manufactured_on": "Manufactured on",
    "installed_in": "Installed in",
    "warranty_starts_on": "Warranty starts",
    "warranty_parts_until": "Parts warranty until",
    "warranty_labour_until": "Labour warranty until",
    "extended_warranty_until": "Extended warranty until",
    "notes": "Notes",
}


@dataclass
class TimelineEntry:
    when: datetime.datetime
    who: str
    reason: str
    kind: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _display(field_name: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field_name in names:
        return names[field_name].get(value, f"#{value}")
    if field_name in ("status", "condition", "purpose"):
        choices = dict(Unit._meta.get_field(field_name).choices)
        return str(choices.get(value, value))
    return str(value)


def unit_timeline(unit: Unit, *, limit: int = 100) -> tuple[list[TimelineEntry], bool]:
    """Return the newest ``limit`` history entries of a unit with their field changes.

    Uses a fixed number of queries: the history page, then one query per
    related model to name the foreign keys that changed.
    """
    records = list(
        unit.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    more = len(records) > limit
    # The extra record is only needed as the "before" of the oldest shown entry.
    pairs = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        pairs.append((record, previous))

    ids: dict[str, set] = {
        "product": set(),
        "location": set(),
        "owner": set(),
        "supplier": set(),
        "installed_in": set(),
    }
    for record in records:
        for name in ids:
            value = getattr(record, f"{name}_id")
            if value:
                ids[name].add(value)
    names = {
        "product": {p.pk: str(p) for p in Product.objects.filter(pk__in=ids["product"])},
        "location": {loc.pk: loc.path for loc in Location.objects.filter(pk__in=ids["location"])},
    }
    party_ids = ids["owner"] | ids["supplier"]
    parties = {p.pk: p.name for p in Party.objects.filter(pk__in=party_ids)}
    names["owner"] = parties
    names["supplier"] = parties
    names["installed_in"] = dict(
        Unit.objects.filter(pk__in=ids["installed_in"]).values_list("pk", "serial")
    )

    entries = []
    for record, previous in pairs:
        changes = []
        if previous is None:
            kind = "Created" if record.history_type == "+" else "Changed"
        else:
            kind = "Changed"
            delta = record.diff_against(previous, included_fields=list(_TRACKED_LABELS))
            for change in delta.changes:
                changes.append(
                    (
                        _TRACKED_LABELS[change.field],
                        _display(change.field, change.old, names),
                        _display(change.field, change.new, names),
                    )
                )
        entries.append(
            TimelineEntry(
                when=record.history_date,
                who=record.history_user.get_username() if record.history_user else "system",
                reason=record.history_change_reason or "",
                kind=kind,
                changes=changes,
            )
        )
    return entries, more


def merge_timeline(
    entries: list[TimelineEntry], extra: list[TimelineEntry], *, complete: bool
) -> list[TimelineEntry]:
    """Merge events kept outside the unit's history (parts fitted to it) into its timeline.

    When the timeline is cut (``complete`` False), extra events older than its
    oldest entry are left out so the page never shows a gap as if it were empty.
    """
    if not complete and entries:
        oldest = entries[-1].when
        extra = [entry for entry in extra if entry.when >= oldest]
    return sorted(entries + extra, key=lambda entry: entry.when, reverse=True)


def unit_as_of(unit: Unit, day: datetime.date):
    """Return the unit's historical record at the end of ``day``, or None before it existed."""
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return (
        unit.history.filter(history_date__lt=end_of_day)
        .select_related("product", "location", "owner")
        .order_by("-history_date", "-history_id")
        .first()
    )
