"""Every named URL against every role: the declared rule in inventory/permissions.py holds.

The URL list comes from the URL configuration itself, so a view added without
a declared rule fails ``test_every_url_is_declared`` by name.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from inventory import permissions
from inventory.permissions import ADMINISTRATOR, PUBLIC, ROLE_COLUMNS, STAFF, named_urls
from tests.security.conftest import snapshot

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"

#: The fixture object that fills each path parameter, by URL name prefix or full name.
PATH_OBJECTS = {
    "catalog:product-detail": {"pk": "product"},
    "catalog:party-detail": {"pk": "customer"},
    "units:receipt-detail": {"pk": "receipt"},
    "units:sale-detail": {"pk": "sale"},
    "units:unit-return": {"pk": "sold_unit"},
    "units:unit-transfer": {"pk": "sold_unit"},
    "units:unit-back-in-stock": {"pk": "sold_unit"},
    "units:": {"pk": "unit"},
    "service:labour-delete": {"pk": "order", "line_pk": "labour_line"},
    "service:part-remove": {"pk": "order", "line_pk": "part_line"},
    "service:": {"pk": "order"},
    "assets:cost-reverse": {"pk": "cost"},
    "assets:rental-return": {"pk": "rental"},
    "assets:book-change": {"pk": "book"},
    "recalls:affected-state": {"pk": "affected_unit"},
    "recalls:rma-line-credit": {"pk": "rma_line"},
    "recalls:rma-line-replace": {"pk": "rma_line"},
    "recalls:rma-": {"pk": "rma"},
    "recalls:": {"pk": "recall"},
    "assets:": {"pk": "unit"},
    "job-": {"pk": "job"},
}

#: Admin URLs that answer 403 to a superuser by design, so they are left out.
ADMIN_SKIPPED = {
    # Answers 403 unless the query names a model admin with autocomplete fields.
    "admin:autocomplete",
}

APP_URLS = sorted(
    url.name
    for url in named_urls()
    if not url.name.startswith("admin:") or url.name in permissions.ACCESS
)
ADMIN_URLS = sorted(
    url.name
    for url in named_urls()
    if url.name.startswith("admin:")
    and url.name not in permissions.ACCESS
    and url.name not in ADMIN_SKIPPED
)
USERS = [None, *ROLE_COLUMNS]


def _path_kwargs(shop, name: str) -> dict[str, int] | None:
    """Return the path parameters of URL ``name`` filled with fixture ids; None when unknown."""
    for prefix, fields in PATH_OBJECTS.items():
        if name == prefix or (prefix.endswith((":", "-")) and name.startswith(prefix)):
            kwargs = {}
            for field, attribute in fields.items():
                target = getattr(shop, attribute)
                if target is None:
                    pytest.skip(f"The test shop has no {attribute} yet, which {name} needs.")
                kwargs[field] = target.pk
            return kwargs
    return None


def _address(shop, name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        kwargs = _path_kwargs(shop, name)
        if kwargs is None:
            pytest.skip(f"No fixture object fills the path parameters of {name}; add one.")
        return reverse(name, kwargs=kwargs)


def _send(client, method: str, address: str):
    if method == "GET":
        return client.get(address)
    return client.post(address, {})


def _sent_to_login(response, login_path: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(login_path)


def _check(shop, name: str, method: str, rule, role: str | None) -> str | None:
    """Send one request and return what disagrees with ``rule``, or None."""
    who = role or "anonymous"
    address = _address(shop, name)
    before = snapshot()
    response = _send(shop.client_for(role), method, address)
    status = response.status_code
    # LoginRequiredMiddleware sends anonymous users to the site's sign-in page,
    # admin pages included; the admin sends signed-in users without is_staff
    # to its own sign-in page.
    login_path = "/admin/login/" if rule is STAFF and role is not None else "/login/"

    if role is None and rule is not PUBLIC:
        if not _sent_to_login(response, login_path):
            return f"{method} {address} as {who}: {status}, expected a redirect to {login_path}"
        allowed = False
    elif role is None:
        allowed = True
    else:
        allowed = rule.allows_role(role)

    if allowed:
        if status == 403:
            return f"{method} {address} as {who}: 403 although the rule {rule} allows it"
        return None
    if role is not None:
        if rule is STAFF and not _sent_to_login(response, login_path):
            return f"{method} {address} as {who}: {status}, expected a redirect to {login_path}"
        if rule is not STAFF and status != 403:
            return f"{method} {address} as {who}: {status}, expected 403 (rule {rule})"
    if snapshot() != before:
        return f"{method} {address} as {who}: a rejected request changed the database"
    return None


def test_every_url_is_declared():
    missing = [url.name for url in named_urls() if permissions.rules_for(url.name) is None]

    assert missing == [], (
        f"URLs without a declared access rule: {missing}. Declare each one in "
        "inventory/permissions.py (ACCESS) and regenerate docs/permissions.md with "
        "`manage.py permission_matrix > docs/permissions.md`."
    )


def test_declared_names_exist():
    routed = {url.name for url in named_urls()}

    stale = sorted(set(permissions.ACCESS) - routed)

    assert stale == [], f"Declared URLs that no longer exist: {stale}"


def test_committed_doc_matches_command():
    output = StringIO()
    call_command("permission_matrix", stdout=output)

    assert DOC.read_text(encoding="utf-8") == output.getvalue(), (
        "docs/permissions.md is stale; run "
        "`manage.py permission_matrix > docs/permissions.md` and commit it."
    )


@pytest.mark.parametrize("name", [name for name in APP_URLS if permissions.rules_for(name)])
def test_url_follows_declared_rule(shop, name):
    problems = []
    for method, rule in permissions.rules_for(name).items():
        for role in USERS:
            problem = _check(shop, name, method, rule, role)
            if problem:
                problems.append(problem)

    assert problems == []


@pytest.mark.parametrize(
    "name", [name for name, rules in permissions.ACCESS.items() if "GET" not in rules]
)
def test_post_only_action_rejects_get(shop, name):
    client = shop.client_for(ADMINISTRATOR)
    before = snapshot()

    response = client.get(_address(shop, name))

    assert response.status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize(
    "name", [name for name, rules in permissions.ACCESS.items() if "POST" not in rules]
)
def test_forbidden_post_to_page_writes_nothing(shop, name):
    rule = permissions.ACCESS[name]["GET"]
    problems = []
    for role in ROLE_COLUMNS:
        if rule.allows_role(role) is not False:
            continue
        before = snapshot()
        response = shop.client_for(role).post(_address(shop, name), {"status": "sold"})
        if response.status_code not in (403, 405):
            problems.append(f"POST as {role}: {response.status_code}, expected 403 or 405")
        if snapshot() != before:
            problems.append(f"POST as {role}: the database changed")

    assert problems == []


def _admin_address(name: str) -> str:
    """Return the address of admin URL ``name`` with every path parameter set to 1."""
    route = next(url.route for url in named_urls() if url.name == name)
    if "^" in route:
        pytest.skip(f"{name} has a regular-expression route; its parameters are not filled")
    return "/" + re.sub(r"<[^>]+>", "1", route)


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_admin_url_needs_staff(shop, name):
    address = _admin_address(name)
    problems = []
    for role in [None, *ROLE_COLUMNS[:-1]]:
        for method in ("GET", "POST"):
            before = snapshot()
            response = _send(shop.client_for(role), method, address)
            # Anonymous users may land on either sign-in page: the admin marks
            # some of its views as not needing the site's sign-in.
            if not (
                _sent_to_login(response, "/admin/login/")
                or (role is None and _sent_to_login(response, "/login/"))
                # The admin answers its logout address with a redirect to its index.
                or (name == "admin:logout" and _sent_to_login(response, "/admin/"))
            ):
                problems.append(f"{method} as {role or 'anonymous'}: {response.status_code}")
            if snapshot() != before:
                problems.append(f"{method} as {role or 'anonymous'}: the database changed")

    assert problems == []


@pytest.mark.parametrize(
    "name", [name for name in ADMIN_URLS if name == "admin:index" or name.endswith("_changelist")]
)
def test_admin_page_opens_for_administrator(shop, name):
    response = shop.client_for(ADMINISTRATOR).get(reverse(name))

    assert response.status_code == 200


def test_job_owner_sees_job(shop):
    client = shop.client_for(None)
    client.force_login(shop.job.actor)

    response = client.get(reverse("job-detail", args=[shop.job.pk]))

    assert response.status_code == 200
