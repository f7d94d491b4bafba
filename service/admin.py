from django.contrib import admin

from service.models import LabourLine, PartLine, ServiceOrder


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: orders and lines change only through the services, which keep their history."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LabourLineInline(admin.TabularInline):
    model = LabourLine
    extra = 0
    can_delete = False
    fields = ["description", "hours", "rate", "amount", "is_warranty", "technician"]
    readonly_fields = fields


class PartLineInline(admin.TabularInline):
    model = PartLine
    extra = 0
    can_delete = False
    fields = [
        "product",
        "part_unit",
        "quantity",
        "location",
        "unit_price",
        "is_warranty",
        "removed_at",
    ]
    readonly_fields = fields


@admin.register(ServiceOrder)
class ServiceOrderAdmin(_ReadOnlyAdmin):
    list_display = ["number", "unit", "customer", "status", "technician", "received_at"]
    list_filter = ["status", "is_warranty"]
    search_fields = ["unit__serial_key"]
    list_select_related = ["unit", "unit__product", "customer", "technician"]
    inlines = [LabourLineInline, PartLineInline]
