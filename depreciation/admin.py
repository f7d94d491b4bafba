"""Read-only admin for costs, asset periods, rentals and meter readings.

Writes go through ``depreciation.costs`` and ``depreciation.rentals``, which
lock the unit and keep the ledger append-only, so the admin only shows rows.
"""

from django.contrib import admin

from depreciation.models import AssetPeriod, MeterReading, Rental, UnitCost


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UnitCost)
class UnitCostAdmin(ReadOnlyAdmin):
    list_display = ["unit", "kind", "entry_date", "amount", "reverses", "created_by"]
    list_filter = ["kind"]
    search_fields = ["unit__serial"]
    list_select_related = ["unit", "unit__product", "reverses", "reverses__unit", "created_by"]


@admin.register(AssetPeriod)
class AssetPeriodAdmin(ReadOnlyAdmin):
    list_display = ["unit", "purpose", "started_on", "ended_on", "ending"]
    list_filter = ["purpose", "ending"]
    search_fields = ["unit__serial"]
    list_select_related = ["unit", "unit__product"]


@admin.register(Rental)
class RentalAdmin(ReadOnlyAdmin):
    list_display = [
        "unit",
        "customer",
        "starts_on",
        "due_on",
        "returned_on",
        "meter_out",
        "meter_in",
    ]
    search_fields = ["unit__serial", "customer__name"]
    list_select_related = ["unit", "unit__product", "customer"]


@admin.register(MeterReading)
class MeterReadingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "read_on", "value", "meter_unit", "kind"]
    search_fields = ["unit__serial"]
    list_select_related = ["unit", "unit__product"]
