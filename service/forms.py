"""Forms of the service pages; the rules themselves live in ``service.services``."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from inventory.models import Location, Party, Product
from service import workflow
from service.models import OrderStatus
from service.selectors import AGE_BUCKETS
from units.models import Unit

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def technicians():
    """Users who may work on service orders, by role or by their own permission."""
    permission_ids = Permission.objects.filter(
        codename="work_on_serviceorder", content_type__app_label="service"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__in=permission_ids)
            | Q(user_permissions__in=permission_ids)
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )


def _choice_errors(noun: str) -> dict[str, str]:
    return {
        "required": f"Choose the {noun}.",
        "invalid_choice": f"{noun.capitalize()} %(value)s is not on the list. Choose one from the list.",
    }


class IntakeForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(), required=False, widget=forms.HiddenInput
    )
    serial = forms.CharField(
        required=False,
        max_length=500,
        help_text="Scan the unit's barcode or type its serial.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autofocus": True,
                "size": 30,
                "data-scan-next": "id_problem",
            }
        ),
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_serialized=True).order_by("name"),
        required=False,
        help_text="Needed when the serial is new to the shop or exists on several products.",
        error_messages=_choice_errors("product"),
    )
    customer = forms.ModelChoiceField(
        queryset=Party.objects.order_by("name"),
        required=False,
        help_text="Who brought the unit in. Leave empty for the shop's own units.",
        error_messages=_choice_errors("customer"),
    )
    problem = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": "Describe the problem the customer reports."},
    )
    technician = forms.ModelChoiceField(
        queryset=technicians(), required=False, error_messages=_choice_errors("technician")
    )
    promised_on = forms.DateField(required=False, widget=_DATE, label="Promised for")
    notes = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Workshop notes; not printed on the customer copy.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per form, so a technician added after start-up is offered.
        self.fields["technician"].queryset = technicians()

    def clean(self):
        data = super().clean()
        if not data.get("unit") and not (data.get("serial") or "").strip():
            self.add_error("serial", "Scan or type the unit's serial.")
        return data


class StatusForm(forms.Form):
    """Offers only the statuses the workflow allows next, without collection."""

    status = forms.ChoiceField(choices=())
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text="Kept in the order's history; required to cancel.",
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, OrderStatus(status).label)
            for status in workflow.allowed_next(order.status)
            if status != OrderStatus.COLLECTED
        ]
        self.fields["status"].error_messages["invalid_choice"] = (
            f"Service order {order.number} cannot move to %(value)s from "
            f"{order.get_status_display()}."
        )


class OrderUpdateForm(forms.Form):
    technician = forms.ModelChoiceField(
        queryset=technicians(), required=False, error_messages=_choice_errors("technician")
    )
    promised_on = forms.DateField(required=False, widget=_DATE, label="Promised for")
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "cols": 40})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians()


class WarrantyForm(forms.Form):
    is_warranty = forms.BooleanField(required=False, label="Warranty work")
    reason = forms.CharField(
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
        error_messages={"required": "Give a reason for the warranty decision."},
    )


class LabourForm(forms.Form):
    description = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 40}))
    hours = forms.DecimalField(min_value=0.01, max_digits=6, decimal_places=2)
    rate = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, label="Hourly rate")
    is_warranty = forms.BooleanField(required=False, label="Warranty")


class StockPartForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_serialized=False).order_by("name"),
        error_messages=_choice_errors("part"),
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("code"), error_messages=_choice_errors("location")
    )
    quantity = forms.IntegerField(min_value=1, max_value=100_000, initial=1)
    unit_price = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Leave empty for the list price.",
    )
    is_warranty = forms.BooleanField(required=False, label="Warranty")


class UnitPartForm(forms.Form):
    serial = forms.CharField(
        max_length=500,
        label="Part serial",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "size": 24, "data-scan-next": "part_unit_price"}
        ),
        error_messages={"required": "Scan or type the part's serial."},
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_serialized=True).order_by("name"),
        required=False,
        help_text="Only when the serial exists on several products.",
        error_messages=_choice_errors("product"),
    )
    unit_price = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Leave empty for the list price.",
    )
    is_warranty = forms.BooleanField(required=False, label="Warranty")


class PartRemoveForm(forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("code"),
        required=False,
        help_text="Where a serialized part goes back into stock; default where it came from.",
        error_messages=_choice_errors("location"),
    )


class OrderFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=500, label="Order number or serial")
    status = forms.ChoiceField(
        choices=[("", "Any status"), ("open", "Open"), *OrderStatus.choices], required=False
    )
    technician = forms.ModelChoiceField(queryset=technicians(), required=False)
    customer = forms.ModelChoiceField(
        queryset=Party.objects.filter(service_orders__isnull=False).distinct().order_by("name"),
        required=False,
    )
    age = forms.ChoiceField(
        choices=[("", "Any age")] + [(label, f"{label} days") for label, _a, _b in AGE_BUCKETS],
        required=False,
        label="Days since received",
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians()
