from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from recalls.models import AffectedUnit, Recall, RecallCriterion


class RecallCriterionInline(admin.StackedInline):
    model = RecallCriterion
    extra = 0
    filter_horizontal = ["products", "host_products"]
    raw_id_fields = ["receipt"]
    readonly_fields = ["description"]

    @admin.display(description="In plain words")
    def description(self, criterion: RecallCriterion) -> str:
        return criterion.describe() if criterion.pk else ""


@admin.register(Recall)
class RecallAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "issuer_display", "issued_on", "remedy", "status"]
    list_filter = ["status", "remedy"]
    search_fields = ["reference", "issuer_name", "description"]
    raw_id_fields = ["issuer"]
    readonly_fields = ["created_by", "closed_on", "status"]
    inlines = [RecallCriterionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AffectedUnit)
class AffectedUnitAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "recall", "remedy_state", "identified_at"]
    list_filter = ["remedy_state", "recall"]
    search_fields = ["unit__serial_key", "recall__reference"]
    raw_id_fields = ["unit", "recall"]
    list_select_related = ["unit__product", "recall"]
    # Holds and their release change unit statuses, so they go through the
    # recall services rather than this form.
    readonly_fields = ["recall", "unit", "status_before_hold", "identified_at"]
