"""The declared access rules of every named URL, and the matrix of roles they give.

``ACCESS`` maps each URL name (``namespace:name``) to the HTTP methods it
accepts and what each method requires: a permission (or several), any
signed-in user, no sign-in at all (public), or the user who started a job. The views
enforce the rules themselves with ``permission_required`` and
``LoginRequiredMiddleware``; this table states them once so that
``tests/security/test_permission_matrix.py`` can check every view against it
and ``manage.py permission_matrix`` can print docs/permissions.md.

A URL that is missing here fails that test, so a new view cannot ship without
a declared rule. Django's admin site is declared as a whole namespace because
Django generates its URLs per registered model.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from inventory import roles

ADMINISTRATOR = "Administrator"

#: Column order of the matrix; Administrator is a superuser, not a group.
ROLE_COLUMNS = [
    roles.COUNTER_STAFF,
    roles.WAREHOUSE_CLERK,
    roles.SERVICE_TECHNICIAN,
    roles.MANAGER,
    ADMINISTRATOR,
]


@dataclass(frozen=True)
class Rule:
    """The requirement of a request: a ``kind`` and, for ``permission``, the permission codes."""

    kind: str
    codes: tuple[str, ...] = ()
    #: True when one of ``codes`` is enough, False when all are needed.
    any_of: bool = False

    def __str__(self) -> str:
        if self.kind != "permission":
            return self.kind
        joiner = " or " if self.any_of else " and "
        return joiner.join(self.codes)

    def allows_role(self, role: str) -> bool | None:
        """Return whether every user of ``role`` passes; None when it depends on the object."""
        if role == ADMINISTRATOR:
            return True
        if self.kind in {"public", "signed-in"}:
            return True
        if self.kind == "staff":
            # The role groups carry no is_staff flag; only superusers reach the admin.
            return False
        if self.kind == "job owner":
            return None
        granted = set(roles.ROLE_PERMISSIONS[role])
        matches = [code in granted for code in self.codes]
        return any(matches) if self.any_of else all(matches)


#: Anyone, signed in or not.
PUBLIC = Rule("public")
#: Any signed-in user.
SIGNED_IN = Rule("signed-in")
#: A user with is_staff (Django's admin site); model permissions apply inside it.
STAFF = Rule("staff")
#: The user who started the job, or a superuser; others get 403.
JOB_OWNER = Rule("job owner")


def perm(*codes: str) -> Rule:
    """Return a rule that needs every permission in ``codes``."""
    return Rule("permission", codes)


def any_perm(*codes: str) -> Rule:
    """Return a rule that needs at least one permission in ``codes``."""
    return Rule("permission", codes, any_of=True)


def read(rule: Rule) -> dict[str, Rule]:
    return {"GET": rule}


def write(rule: Rule) -> dict[str, Rule]:
    """Return the rules of a form page: GET shows the form, POST stores it."""
    return {"GET": rule, "POST": rule}


def post_only(rule: Rule) -> dict[str, Rule]:
    """Return the rules of an action that accepts only POST (GET returns 405)."""
    return {"POST": rule}


_VIEW_UNIT = perm("units.view_unit")
_WORK = perm("service.work_on_serviceorder")
_VIEW_RECALL = perm("recalls.view_recall")
_MANAGE_RECALLS = perm("recalls.manage_recalls")
_VIEW_RMA = perm("recalls.view_rma")
_MANAGE_RMAS = perm("recalls.manage_rmas")
_COUNTER = any_perm("units.sell_units", "units.transfer_units", "units.intake_units")

#: URL name -> HTTP method -> rule. An action listed with POST only rejects GET with
#: 405. A page listed with GET only may also accept POST, under the same rule.
ACCESS: dict[str, dict[str, Rule]] = {
    # Site.
    "dashboard": read(SIGNED_IN),
    "login": write(PUBLIC),
    "admin:login": write(PUBLIC),
    "logout": post_only(SIGNED_IN),
    "health-live": read(PUBLIC),
    "health-ready": read(PUBLIC),
    "job-detail": read(JOB_OWNER),
    "job-retry": post_only(JOB_OWNER),
    "job-download": read(JOB_OWNER),
    # Catalog.
    "catalog:product-list": read(perm("inventory.view_product")),
    "catalog:product-detail": read(perm("inventory.view_product")),
    "catalog:party-list": read(perm("inventory.view_party")),
    "catalog:party-detail": read(perm("inventory.view_party")),
    "catalog:location-list": read(perm("inventory.view_location")),
    # Units: finding and viewing.
    "units:unit-list": read(_VIEW_UNIT),
    "units:scan": read(_VIEW_UNIT),
    "units:unit-export": read(_VIEW_UNIT),
    "units:unit-detail": read(_VIEW_UNIT),
    # Units: corrections.
    "units:unit-change-product": write(perm("units.correct_units")),
    "units:unit-mark-damaged": post_only(perm("units.correct_units")),
    "units:unit-change-status": post_only(perm("units.change_unit")),
    "units:unit-set-vin": post_only(perm("units.correct_units")),
    # Units: receiving.
    "units:receipt-list": read(perm("units.view_receipt")),
    "units:receipt-create": write(perm("units.receive_units")),
    "units:receipt-check-serial": read(perm("units.receive_units")),
    "units:receipt-detail": read(perm("units.view_receipt")),
    "units:in-house-create": write(perm("units.receive_units")),
    # Units: labels and import.
    "units:labels": read(perm("units.print_labels")),
    "units:labels-print": post_only(perm("units.print_labels")),
    "units:import": write(perm("units.import_units")),
    # Units: the counter.
    "units:sale-list": read(perm("units.view_sale")),
    "units:sale-create": write(perm("units.sell_units")),
    "units:sale-detail": read(perm("units.view_sale")),
    "units:counter-lookup": read(_COUNTER),
    "units:unit-return": write(perm("units.sell_units")),
    "units:unit-back-in-stock": write(perm("units.sell_units")),
    "units:unit-transfer": write(perm("units.transfer_units")),
    "units:unit-intake": write(perm("units.intake_units")),
    "units:warranty-ending": read(perm("units.view_unit", "inventory.view_party")),
    # Service orders.
    "service:order-list": read(perm("service.view_serviceorder")),
    "service:order-create": write(perm("service.add_serviceorder")),
    "service:order-detail": read(perm("service.view_serviceorder")),
    "service:order-change-status": post_only(_WORK),
    "service:order-collect": post_only(perm("service.collect_serviceorder")),
    "service:order-update": post_only(_WORK),
    "service:order-set-warranty": post_only(perm("service.change_warranty_serviceorder")),
    "service:labour-add": post_only(_WORK),
    "service:labour-delete": post_only(_WORK),
    "service:stock-part-add": post_only(_WORK),
    "service:unit-part-add": post_only(_WORK),
    "service:part-remove": post_only(_WORK),
    "service:order-ticket": read(perm("service.view_serviceorder")),
    "service:order-customer-copy": read(perm("service.view_serviceorder")),
    "service:open-orders": read(perm("service.view_serviceorder")),
    # Costs, margins, fleet and rentals.
    "assets:unit-assets": read(perm("depreciation.view_rental")),
    "assets:unit-costs": read(perm("depreciation.view_unitcost")),
    "assets:cost-add": post_only(perm("depreciation.add_unitcost")),
    "assets:cost-reverse": post_only(perm("depreciation.add_unitcost")),
    "assets:put-into-service": write(perm("depreciation.manage_assets")),
    "assets:take-out": write(perm("depreciation.manage_assets")),
    "assets:margin-report": read(perm("depreciation.view_margin")),
    "assets:fleet": read(perm("depreciation.view_rental")),
    "assets:internal-use": read(perm("depreciation.view_assetperiod")),
    "assets:rental-create": write(perm("depreciation.rent_units")),
    "assets:rental-return": write(perm("depreciation.rent_units")),
    # Depreciation books, monthly runs, disposal and asset reports.
    "assets:unit-books": read(perm("depreciation.view_depreciationbook")),
    "assets:book-add": post_only(perm("depreciation.add_depreciationbook")),
    "assets:book-change": post_only(perm("depreciation.change_depreciationbook")),
    "assets:unit-dispose": write(perm("depreciation.dispose_assets")),
    "assets:run-list": write(perm("depreciation.post_depreciation")),
    "assets:report-depreciation": read(perm("depreciation.view_asset_reports")),
    "assets:report-register": read(perm("depreciation.view_asset_reports")),
    "assets:report-aging": read(perm("depreciation.view_asset_reports")),
    # Recalls and returns to suppliers (RMAs).
    "recalls:recall-list": read(_VIEW_RECALL),
    "recalls:recall-create": write(_MANAGE_RECALLS),
    "recalls:recall-detail": read(_VIEW_RECALL),
    "recalls:recall-edit": write(_MANAGE_RECALLS),
    "recalls:criterion-add": write(_MANAGE_RECALLS),
    "recalls:recall-match": post_only(_MANAGE_RECALLS),
    "recalls:recall-holds": post_only(_MANAGE_RECALLS),
    "recalls:recall-close": post_only(_MANAGE_RECALLS),
    "recalls:recall-owners-csv": read(_VIEW_RECALL),
    "recalls:affected-state": post_only(_MANAGE_RECALLS),
    "recalls:rma-list": read(_VIEW_RMA),
    "recalls:rma-create": write(_MANAGE_RMAS),
    "recalls:rma-detail": read(_VIEW_RMA),
    "recalls:rma-status": post_only(_MANAGE_RMAS),
    "recalls:rma-line-credit": post_only(_MANAGE_RMAS),
    "recalls:rma-line-replace": post_only(_MANAGE_RMAS),
}

#: Namespaces whose every URL shares one rule.
NAMESPACE_ACCESS: dict[str, Rule] = {"admin": STAFF}


@dataclass(frozen=True)
class NamedUrl:
    name: str
    route: str
    pattern: URLPattern


def named_urls(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[NamedUrl]:
    """Yield every named URL of the URL configuration, with its full route."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from named_urls(entry.url_patterns, route, inner)
        elif entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield NamedUrl(name, route, entry)


def rules_for(name: str) -> dict[str, Rule] | None:
    """Return the declared rules of URL ``name``, or None when it is not declared."""
    if name in ACCESS:
        return ACCESS[name]
    namespace = name.rpartition(":")[0]
    if namespace in NAMESPACE_ACCESS:
        rule = NAMESPACE_ACCESS[namespace]
        return {"GET": rule, "POST": rule}
    return None


def _cell(rule: Rule, role: str) -> str:
    allowed = rule.allows_role(role)
    if allowed is None:
        return "own jobs"
    return "yes" if allowed else "no"


def matrix_markdown() -> str:
    """Render the declared rules as a Markdown table: one row per URL and method, one column per role."""
    routes = {url.name: url.route for url in named_urls()}
    header = ["URL name", "Path", "Method", "Requires", *ROLE_COLUMNS]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for name, methods in ACCESS.items():
        for method, rule in methods.items():
            cells = [
                f"`{name}`",
                f"`/{routes.get(name, '(not routed)')}`",
                method,
                f"`{rule}`" if rule.kind == "permission" else rule.kind,
                *(_cell(rule, role) for role in ROLE_COLUMNS),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    for namespace, rule in NAMESPACE_ACCESS.items():
        cells = [
            f"`{namespace}:*`",
            f"`/{namespace}/...`",
            "GET, POST",
            rule.kind,
            *(_cell(rule, role) for role in ROLE_COLUMNS),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
