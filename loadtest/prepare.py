"""Create the load test's users and write the ids that the locustfile needs.

Run through Django's shell against the database under test, e.g.
``DATABASE_URL=... .venv/bin/python manage.py shell < loadtest/prepare.py``.
It expects a database built by ``manage.py benchmark --keep`` (the bench
catalog of products, bins, a supplier and customers). The output file is
``LOADTEST_DATA`` (default ``loadtest/data.json``).
"""

import json
import os
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.db.models import Max, Min

from inventory import roles
from inventory.models import Location, Party, Product
from units.models import Status, Unit

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "load-test-password-7731")
USERS_PER_ROLE = int(os.environ.get("LOADTEST_USERS_PER_ROLE", "16"))
#: In-stock units that sellers pick from at random. Several sellers pick the
#: same unit now and then, which exercises the sale lock.
SALE_POOL = int(os.environ.get("LOADTEST_SALE_POOL", "3000"))
SCAN_SAMPLE = 2000


def make_users(prefix: str, role: str) -> list[str]:
    group = Group.objects.get(name=role)
    names = []
    for number in range(USERS_PER_ROLE):
        user, _ = User.objects.get_or_create(username=f"{prefix}-{number:02d}")
        user.set_password(PASSWORD)
        user.save()
        user.groups.set([group])
        names.append(user.username)
    return names


def spread_ids(queryset, count: int) -> list[int]:
    """Return up to ``count`` ids of ``queryset`` spread over its id range."""
    bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise SystemExit(
            "No in-stock unit of the benchmark products was found. "
            "Build the database with manage.py benchmark --keep first."
        )
    step = max(1, (bounds["high"] - bounds["low"]) // count)
    wanted = range(bounds["low"], bounds["high"] + 1, step)
    return list(queryset.filter(pk__in=wanted).values_list("pk", flat=True)[:count])


in_stock = Unit.objects.filter(status=Status.IN_STOCK, product__model_number__startswith="BENCH-")
sale_ids = spread_ids(in_stock, SALE_POOL)
scan_ids = spread_ids(Unit.objects.all(), SCAN_SAMPLE)
data = {
    "password": PASSWORD,
    "sellers": make_users("load-counter", roles.COUNTER_STAFF),
    "clerks": make_users("load-clerk", roles.WAREHOUSE_CLERK),
    "sale_unit_ids": sale_ids,
    "scan_serials": list(Unit.objects.filter(pk__in=scan_ids).values_list("serial", flat=True)),
    "customer_ids": list(
        Party.objects.filter(is_customer=True).order_by("pk").values_list("pk", flat=True)[:200]
    ),
    "supplier_id": Party.objects.filter(name__startswith="Bench supplier").order_by("pk")[0].pk,
    "product_ids": list(
        Product.objects.filter(model_number__startswith="BENCH-").values_list("pk", flat=True)
    ),
    "bin_ids": list(
        Location.objects.filter(code__startswith="BENCH-", kind="bin").values_list("pk", flat=True)
    ),
}
target = Path(os.environ.get("LOADTEST_DATA", "loadtest/data.json"))
target.write_text(json.dumps(data))
print(f"Wrote {target}: {len(sale_ids)} units to sell, {len(data['scan_serials'])} serials to scan")
