"""Forms for finding and correcting units."""

from django import forms

from inventory.models import Location, Party, Product
from units import workflow
from units.models import Condition, Purpose, Status
from units.selectors import DEFAULT_SORT, SORT_FIELDS


class UnitFilterForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_serialized=True).order_by("name"), required=False
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    condition = forms.ChoiceField(
        choices=[("", "Any condition"), *Condition.choices], required=False
    )
    purpose = forms.ChoiceField(choices=[("", "Any purpose"), *Purpose.choices], required=False)
    location = forms.ModelChoiceField(
        queryset=Location.objects.select_related("parent__parent").order_by("code"), required=False
    )
    owner = forms.CharField(
        required=False,
        help_text='A customer\'s id, or "shop" for units the shop owns.',
        widget=forms.TextInput(attrs={"size": 8}),
    )
    received_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        choices=[(key, key) for key in SORT_FIELDS], required=False, initial=DEFAULT_SORT
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
    #: Keyset cursor of the Next link when sorting by serial: the last row's
    #: sort key and id, so a deep page costs what the first page costs.
    after_key = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    after_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_owner(self):
        value = self.cleaned_data["owner"].strip()
        if not value or value == "shop":
            return value
        if not value.isdigit():
            raise forms.ValidationError(
                'Owner must be a customer id or "shop"; %(value)s is neither.',
                params={"value": value},
            )
        owner = Party.objects.filter(pk=int(value)).first()
        if owner is None:
            raise forms.ValidationError("No party has id %(value)s.", params={"value": value})
        return owner

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "The end date is before the start date.")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.TextInput(attrs={"size": 50}),
        help_text="Kept in the unit's history.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason for the change.")
        return reason


class StatusChangeForm(ReasonForm):
    status = forms.ChoiceField(choices=())

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (code, Status(code).label) for code in workflow.allowed_next(unit.status)
        ]
        self.order_fields(["status", "reason"])


class ChangeProductForm(ReasonForm):
    product = forms.ModelChoiceField(queryset=Product.objects.none())

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = (
            Product.objects.filter(is_serialized=True).exclude(pk=unit.product_id).order_by("name")
        )
        self.order_fields(["product", "reason"])


class AsOfForm(forms.Form):
    as_of = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class VinForm(ReasonForm):
    vin = forms.CharField(
        label="VIN",
        max_length=40,
        required=False,
        help_text="17 characters; leave empty to remove the VIN.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["vin", "reason"])
