"""Synthetic measurement data for the benchmark command, written with set-based SQL.

This is the one writer of units that bypasses ``units.services``, because
creating a million units one Python object at a time is far too slow for a
benchmark. Units and their history rows are inserted by
``INSERT ... SELECT ... FROM generate_series(...)`` instead. The rows get
the serial key, sort key and uniqueness scope that ``units.services`` would
give them, and every unit gets history rows with a user and a reason, but no
workflow rule is checked. Never run it on a shop's database. PostgreSQL only.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db import connection, models, transaction

from inventory import roles
from inventory.models import Category, Location, Party, Product
from units.models import Receipt, Status, Unit
from units.services import serial_scope

#: Units per synthetic receipt; every unit of a receipt has the receipt's product and bin.
UNITS_PER_RECEIPT = 500

#: (prefix, zero-padding width) of each product's serials, e.g. "SN-00001234".
#: Prefixes contain no digits, so the whole number is one digit run for ``serial_sort_key``.
SERIAL_STYLES = [("SN-", 8), ("", 10), ("BK", 0), ("GEN-", 7), ("Ab-x", 6)]

#: Share of units in each status, in percent; sold units belong to a customer.
STATUS_MIX = {
    Status.IN_STOCK: 60,
    Status.SOLD: 25,
    Status.RESERVED: 4,
    Status.ON_HOLD: 3,
    Status.DAMAGED: 3,
    Status.RENTED: 2,
    Status.IN_SERVICE: 2,
    Status.INSPECTION: 1,
}

BENCH_USERNAME = "bench-manager"

_FIRST_RECEIPT_DAY = datetime.date(2023, 1, 2)


@dataclass
class Catalog:
    """The catalog rows that synthetic units refer to."""

    user: User
    supplier: Party
    products: list[Product]
    bins: list[Location]
    customers: list[Party]
    receipt_ids: list[int] = field(default_factory=list)


def existing_catalog() -> Catalog | None:
    """Return the catalog of an earlier build in this database, or None when there is none."""
    user = User.objects.filter(username=BENCH_USERNAME).first()
    supplier = Party.objects.filter(name__startswith="Bench supplier").order_by("pk").first()
    if user is None or supplier is None:
        return None
    receipts = Receipt.objects.filter(supplier=supplier, reference__regex=r"^BENCH-[0-9]+$")
    return Catalog(
        user=user,
        supplier=supplier,
        products=list(Product.objects.filter(model_number__startswith="BENCH-").order_by("pk")),
        bins=list(Location.objects.filter(code__startswith="BENCH-", kind="bin").order_by("pk")),
        customers=list(Party.objects.filter(name__startswith="Customer ").order_by("pk")),
        receipt_ids=list(receipts.order_by("pk").values_list("pk", flat=True)),
    )


def build_catalog(*, products: int = 10, bins: int = 40, customers: int = 200) -> Catalog:
    """Create a manager-role user, a supplier, products, bins and customers."""
    user, _ = User.objects.get_or_create(username=BENCH_USERNAME)
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    count = Product.objects.count()
    supplier = Party.objects.create(name=f"Bench supplier {count}", is_supplier=True)
    maker = Party.objects.create(name=f"Bench maker {count}", is_manufacturer=True)
    category, _ = Category.objects.get_or_create(name="Bench equipment")
    catalog_products = Product.objects.bulk_create(
        Product(
            name=f"Bench product {count + i}",
            model_number=f"BENCH-{count + i}",
            manufacturer=maker,
            category=category,
        )
        for i in range(products)
    )
    warehouse = Location.objects.create(
        name="Bench warehouse", code=f"BENCH-{count}", kind=Location.Kind.WAREHOUSE
    )
    catalog_bins = Location.objects.bulk_create(
        Location(name=f"Bin {i}", code=f"BENCH-{count}-{i}", kind="bin", parent=warehouse)
        for i in range(bins)
    )
    catalog_customers = Party.objects.bulk_create(
        Party(name=f"Customer {i}", is_customer=True) for i in range(customers)
    )
    return Catalog(user, supplier, catalog_products, catalog_bins, catalog_customers)


def create_receipts(catalog: Catalog, unit_count: int) -> None:
    """Create one receipt per ``UNITS_PER_RECEIPT`` units, a day apart, cycling products and bins."""
    receipt_count = -(-unit_count // UNITS_PER_RECEIPT)
    receipts = Receipt.objects.bulk_create(
        Receipt(
            supplier=catalog.supplier,
            product=catalog.products[block % len(catalog.products)],
            location=catalog.bins[block % len(catalog.bins)],
            reference=f"BENCH-{block:06d}",
            received_on=_FIRST_RECEIPT_DAY + datetime.timedelta(days=block % 1000),
            created_by=catalog.user,
        )
        for block in range(receipt_count)
    )
    catalog.receipt_ids = [receipt.pk for receipt in receipts]


# --- Column lists -------------------------------------------------------------


def _column_sql(
    model: type[models.Model], explicit: dict[str, str], fallback_alias: str | None = None
) -> tuple[list[str], list[str], dict[str, object]]:
    """Return the columns, SELECT expressions and parameters that fill every column of model.

    ``explicit`` maps a column to its SQL expression. Another column is copied
    from ``fallback_alias`` when given, else NULL when nullable, else the
    field's default. Columns added to the model later are filled the same way.
    """
    columns, expressions, params = [], [], {}
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column in explicit:
            expression = explicit[column]
        elif model_field.primary_key:
            continue
        elif fallback_alias:
            expression = f"{fallback_alias}.{connection.ops.quote_name(column)}"
        elif model_field.null:
            expression = "NULL"
        else:
            default = model_field.get_default()
            if default is None:
                raise ValueError(
                    f"The benchmark builder has no value for {model.__name__}.{column}."
                )
            params[f"default_{column}"] = model_field.get_db_prep_save(default, connection)
            expression = f"%(default_{column})s"
        columns.append(connection.ops.quote_name(column))
        expressions.append(expression)
    return columns, expressions, params


# --- Units --------------------------------------------------------------------

# Aliases in the SELECT: n is the running number, r the receipt, p the product's
# serial style and s the unit's status. The sort key mirrors serial_sort_key:
# the lower-cased prefix, then the count of significant digits, the digits and
# the count of leading zeros, each count as two digits.
_UNIT_EXPRESSIONS = {
    "serial": "p.prefix || d.digits",
    "serial_key": "lower(p.prefix || d.digits)",
    "serial_sort": (
        "lower(p.prefix) || lpad(length(n::text)::text, 2, '0') || n::text"
        " || lpad((length(d.digits) - length(n::text))::text, 2, '0')"
    ),
    "serial_scope": "p.scope",
    "status": "s.status",
    "condition": "CASE WHEN s.status = 'damaged' THEN 'damaged' ELSE 'new' END",
    "purpose": "CASE WHEN s.status = 'rented' THEN 'rental' ELSE 'sale' END",
    "location_id": "CASE WHEN s.status = 'sold' THEN NULL ELSE r.location_id END",
    "owner_id": (
        "CASE WHEN s.status = 'sold'"
        " THEN (%(customers)s::bigint[])[1 + n %% cardinality(%(customers)s::bigint[])] END"
    ),
    "product_id": "r.product_id",
    "supplier_id": "r.supplier_id",
    "receipt_id": "r.id",
    "received_on": "r.received_on",
    "created_at": "(r.received_on + time '09:00') AT TIME ZONE 'UTC'",
    "updated_at": "(r.received_on + time '09:00') AT TIME ZONE 'UTC'",
}

_UNIT_FROM = """
FROM generate_series(1, %(count)s::bigint) AS n
JOIN units_receipt AS r
  ON r.id = (%(receipts)s::bigint[])[1 + (n - 1) / %(per_receipt)s]
JOIN unnest(%(product_ids)s::bigint[], %(prefixes)s::text[], %(widths)s::int[], %(scopes)s::text[])
  AS p(product_id, prefix, width, scope) ON p.product_id = r.product_id
CROSS JOIN LATERAL (
  SELECT lpad(n::text, greatest(p.width, length(n::text)), '0') AS digits
) AS d
CROSS JOIN LATERAL (SELECT (%(statuses)s::text[])[1 + n %% 100] AS status) AS s
ORDER BY n
"""


def _status_cycle() -> list[str]:
    cycle = [status.value for status, share in STATUS_MIX.items() for _ in range(share)]
    if len(cycle) != 100:
        raise ValueError(f"STATUS_MIX adds up to {len(cycle)} percent; it must be 100.")
    return cycle


def insert_units(catalog: Catalog, unit_count: int) -> None:
    """Insert ``unit_count`` units with serials numbered 1 to ``unit_count`` across the receipts."""
    styles = [SERIAL_STYLES[i % len(SERIAL_STYLES)] for i in range(len(catalog.products))]
    columns, expressions, params = _column_sql(Unit, _UNIT_EXPRESSIONS)
    params |= {
        "count": unit_count,
        "receipts": catalog.receipt_ids,
        "per_receipt": UNITS_PER_RECEIPT,
        "product_ids": [product.pk for product in catalog.products],
        "prefixes": [prefix for prefix, _ in styles],
        "widths": [width for _, width in styles],
        "scopes": [serial_scope(product) for product in catalog.products],
        "statuses": _status_cycle(),
        "customers": [customer.pk for customer in catalog.customers],
    }
    sql = (
        f"INSERT INTO units_unit ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {_UNIT_FROM}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- History --------------------------------------------------------------------

# Aliases: u is the unit, r its receipt, sp the supplier and k the record's
# number (1 to per_unit). Record 1 is the receipt, the last one the unit's
# current state and those between are stock counts in the receiving bin.
_HISTORY_EXPRESSIONS = {
    "history_type": "CASE WHEN k = 1 THEN '+' ELSE '~' END",
    "history_date": "u.created_at + (k - 1) * interval '9 days'",
    "history_user_id": "%(user)s",
    "history_change_reason": (
        "CASE WHEN k = 1 THEN left('Received from ' || sp.name || ' on receipt R-'"
        " || lpad(r.id::text, 6, '0'), 100)"
        " WHEN k = %(per_unit)s THEN 'Status set to ' || u.status"
        " ELSE 'Stock count checked' END"
    ),
    "status": "CASE WHEN k = %(per_unit)s THEN u.status ELSE 'in_stock' END",
    "condition": "CASE WHEN k = %(per_unit)s THEN u.condition ELSE 'new' END",
    "purpose": "CASE WHEN k = %(per_unit)s THEN u.purpose ELSE 'sale' END",
    "location_id": "CASE WHEN k = %(per_unit)s THEN u.location_id ELSE r.location_id END",
    "owner_id": "CASE WHEN k = %(per_unit)s THEN u.owner_id END",
}

_HISTORY_FROM = """
FROM units_unit AS u
JOIN units_receipt AS r ON r.id = u.receipt_id
JOIN inventory_party AS sp ON sp.id = r.supplier_id
CROSS JOIN generate_series(1, %(per_unit)s) AS k
WHERE u.receipt_id = ANY(%(receipts)s::bigint[])
ORDER BY u.id, k
"""


def insert_history(catalog: Catalog, per_unit: int) -> None:
    """Insert ``per_unit`` history records for every unit of the catalog's receipts."""
    history_model = Unit.history.model
    columns, expressions, params = _column_sql(history_model, _HISTORY_EXPRESSIONS, "u")
    params |= {"user": catalog.user.pk, "per_unit": per_unit, "receipts": catalog.receipt_ids}
    sql = (
        f"INSERT INTO {history_model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {_HISTORY_FROM}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build_dataset(*, units: int, history_per_unit: int = 5) -> Catalog:
    """Create a catalog, ``units`` units and their history in one transaction; PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise RuntimeError(
            f"The benchmark builder needs PostgreSQL; the database is {connection.vendor}."
        )
    if units < 1 or history_per_unit < 1:
        raise ValueError(
            f"Build at least 1 unit with 1 history record; got {units} and {history_per_unit}."
        )
    with transaction.atomic():
        catalog = build_catalog()
        create_receipts(catalog, units)
        insert_units(catalog, units)
        insert_history(catalog, history_per_unit)
    return catalog


def analyze_tables() -> None:
    """Vacuum and analyze the unit tables so the planner has statistics for the new rows.

    Must run outside a transaction. VACUUM also sets the visibility map, which
    index-only scans need on freshly inserted rows.
    """
    with connection.cursor() as cursor:
        for table in ("units_unit", Unit.history.model._meta.db_table, "units_receipt"):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
