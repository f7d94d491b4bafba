from django.contrib import admin

from units.models import Receipt, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Read-only: units change only through the services, which keep their history."""

    list_display = ["serial", "product", "status", "condition", "location", "owner"]
    list_filter = ["status", "condition"]
    search_fields = ["serial_key"]
    list_select_related = ["product", "location", "owner"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["pk", "supplier", "product", "location", "received_on", "reference"]

    def has_delete_permission(self, request, obj=None):
        return False
