"""Small builders for test data; every write to a unit goes through the real services."""

import datetime
import itertools

from django.contrib.auth.models import Group, User

from inventory import roles
from inventory.models import Category, Location, Party, Product

_counter = itertools.count(1)


def next_id() -> int:
    return next(_counter)


def make_user(role: str | None = None, *, username: str | None = None, **extra) -> User:
    username = username or f"user{next_id()}"
    user = User.objects.create_user(username=username, password="pw-for-tests-only", **extra)
    if role:
        if not Group.objects.filter(name=role).exists():
            # Transactional tests flush the tables, removing the groups that the
            # roles migration created; put them back with their permissions.
            roles.sync_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


def make_party(**fields) -> Party:
    fields.setdefault("name", f"Party {next_id()}")
    return Party.objects.create(**fields)


def make_supplier(**fields) -> Party:
    return make_party(is_supplier=True, **fields)


def make_location(**fields) -> Location:
    n = next_id()
    fields.setdefault("name", f"Warehouse {n}")
    fields.setdefault("code", f"WH{n}")
    fields.setdefault("kind", Location.Kind.WAREHOUSE)
    return Location.objects.create(**fields)


def make_category(**fields) -> Category:
    fields.setdefault("name", f"Category {next_id()}")
    return Category.objects.create(**fields)


def make_product(**fields) -> Product:
    n = next_id()
    fields.setdefault("name", f"Product {n}")
    fields.setdefault("model_number", f"MDL-{n}")
    if "manufacturer" not in fields:
        fields["manufacturer"] = make_party(is_manufacturer=True)
    if "category" not in fields:
        fields["category"] = make_category()
    return Product.objects.create(**fields)


def receive(actor, serials, *, product=None, supplier=None, location=None, **extra):
    """Receive ``serials`` through the real receiving service; returns the receipt."""
    from units.services import receipt_create

    return receipt_create(
        actor=actor,
        supplier=supplier or make_supplier(),
        product=product or make_product(),
        location=location or make_location(),
        serials=serials,
        received_on=extra.pop("received_on", datetime.date(2026, 11, 2)),
        **extra,
    )


ROLE_NAMES = [roles.COUNTER_STAFF, roles.WAREHOUSE_CLERK, roles.SERVICE_TECHNICIAN, roles.MANAGER]


def sign_in(client, username: str, password: str) -> bool:
    """Sign in through the login form, as a person does; True when it succeeded.

    The login throttle needs the request, which ``Client.login`` does not pass.
    """
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302
