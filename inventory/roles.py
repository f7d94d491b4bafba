"""Staff roles, kept as Django groups, and the permissions each one carries.

A data migration creates the groups; ``sync_roles`` can be run again after
permissions are added.
"""

COUNTER_STAFF = "Counter staff"
WAREHOUSE_CLERK = "Warehouse clerk"
SERVICE_TECHNICIAN = "Service technician"
MANAGER = "Manager"

_VIEW_CATALOG = [
    "inventory.view_party",
    "inventory.view_product",
    "inventory.view_location",
    "inventory.view_category",
    "inventory.view_stocklevel",
    "units.view_unit",
    "units.view_receipt",
    "units.view_sale",
    "service.view_serviceorder",
    "recalls.view_recall",
]
_COUNTER = [
    "inventory.add_party",
    "inventory.change_party",
    "units.sell_units",
    "units.transfer_units",
    "units.intake_units",
    # Counter staff take units in for service and hand them back at collection.
    "service.add_serviceorder",
    "service.collect_serviceorder",
    # Counter staff rent fleet units out and take them back.
    "depreciation.view_rental",
    "depreciation.rent_units",
]
#: Managers keep the cost ledger, see margins and decide which units are assets.
_ASSETS = [
    "depreciation.view_unitcost",
    "depreciation.add_unitcost",
    "depreciation.view_margin",
    "depreciation.view_assetperiod",
    "depreciation.manage_assets",
    # Depreciation books, monthly runs, disposals and the asset reports.
    "depreciation.view_depreciationbook",
    "depreciation.add_depreciationbook",
    "depreciation.change_depreciationbook",
    "depreciation.post_depreciation",
    "depreciation.dispose_assets",
    "depreciation.view_asset_reports",
]
#: Technicians and managers move orders through the workshop and add or remove lines.
_WORKSHOP = [
    "service.add_serviceorder",
    "service.work_on_serviceorder",
    "service.collect_serviceorder",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    COUNTER_STAFF: [*_VIEW_CATALOG, *_COUNTER, "units.print_labels"],
    WAREHOUSE_CLERK: [
        *_VIEW_CATALOG,
        "units.add_unit",
        "units.receive_units",
        "units.correct_units",
        "units.print_labels",
        "units.import_units",
        "units.add_receipt",
        "inventory.add_product",
        "inventory.change_product",
        "inventory.change_stocklevel",
    ],
    SERVICE_TECHNICIAN: [*_VIEW_CATALOG, *_WORKSHOP, "units.print_labels"],
    MANAGER: [
        *_VIEW_CATALOG,
        *_COUNTER,
        *_WORKSHOP,
        *_ASSETS,
        "service.change_warranty_serviceorder",
        # Managers record recalls, place holds and deal with suppliers over RMAs.
        "recalls.manage_recalls",
        "recalls.view_rma",
        "recalls.manage_rmas",
        "units.override_return",
        "inventory.add_product",
        "inventory.change_product",
        "inventory.add_location",
        "inventory.change_location",
        "inventory.add_category",
        "inventory.change_category",
        "inventory.change_stocklevel",
        "units.add_unit",
        "units.change_unit",
        "units.receive_units",
        "units.correct_units",
        "units.print_labels",
        "units.import_units",
        "units.add_receipt",
    ],
}


def sync_roles(apps=None) -> None:
    """Create the role groups and give each exactly its listed permissions."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)
