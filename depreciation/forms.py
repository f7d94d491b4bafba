"""Forms of the cost, margin, fleet and rental pages. The rules live in the services.

Amounts and meter readings are taken as text so that the services report a bad
value exactly as it was typed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from depreciation.models import AssetPeriod, AssetPurpose, CostKind, MeterUnit
from depreciation.selectors import MARGIN_GROUPS
from inventory.models import Category, Party, Product
from units.models import Purpose, Unit
from units.selectors import unit_lookup

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_NUMBER = {"inputmode": "decimal", "autocomplete": "off", "size": 14}


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=_DATE,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"The {label.lower()} %(value)s is not a date; use YYYY-MM-DD.",
        },
        **kwargs,
    )


def _today() -> object:
    return timezone.localdate()


class CostAddForm(forms.Form):
    kind = forms.ChoiceField(choices=CostKind.choices)
    amount = forms.CharField(
        max_length=40,
        help_text="In the shop's currency, like 249.90. A supplier credit is negative: -20.00.",
        widget=forms.TextInput(attrs=_NUMBER),
        error_messages={"required": "Enter the amount."},
    )
    entry_date = _date_field("Entry date", initial=_today)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.TextInput(attrs={"size": 40})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
        error_messages={"required": "Give a reason."},
    )


class MarginFilterForm(forms.Form):
    date_from = forms.DateField(required=False, widget=_DATE, label="Sold from")
    date_to = forms.DateField(required=False, widget=_DATE, label="Sold to")
    product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("model_number"), required=False
    )
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("name"), required=False)
    group_by = forms.ChoiceField(
        choices=list(MARGIN_GROUPS.items()), required=False, label="Group by"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError(
                "The end date %(end)s is before the start date %(start)s.",
                code="range_reversed",
                params={"end": end, "start": start},
            )
        return data


class PutIntoServiceForm(forms.Form):
    purpose = forms.ChoiceField(choices=AssetPurpose.choices, widget=forms.RadioSelect)
    on = _date_field("Date placed in service", initial=_today)
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 40}))


class TakeOutForm(forms.Form):
    ending = forms.ChoiceField(
        choices=AssetPeriod.Ending.choices, widget=forms.RadioSelect, label="Take out to"
    )
    on = _date_field("Date taken out", initial=_today)
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 40}))


class RentOutForm(forms.Form):
    serial = forms.CharField(
        max_length=500,
        help_text="Scan the unit's barcode or type its serial.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "size": 30}),
        error_messages={"required": "Scan or type the serial of the unit to rent out."},
    )
    customer = forms.ModelChoiceField(
        queryset=Party.objects.order_by("name"),
        error_messages={
            "required": "Choose the customer.",
            "invalid_choice": "Customer %(value)s is not on the list. Choose one from the list.",
        },
    )
    starts_on = _date_field("Start date", initial=_today)
    due_on = _date_field("Due date")
    meter_unit = forms.ChoiceField(choices=MeterUnit.choices, label="Meter unit")
    meter_out = forms.CharField(
        max_length=40,
        label="Meter reading out",
        widget=forms.TextInput(attrs=_NUMBER),
        error_messages={"required": "Enter the meter reading as the unit leaves."},
    )
    price = forms.CharField(required=False, max_length=40, widget=forms.TextInput(attrs=_NUMBER))
    deposit = forms.CharField(required=False, max_length=40, widget=forms.TextInput(attrs=_NUMBER))
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "cols": 50})
    )

    def clean_serial(self) -> Unit:
        raw = self.cleaned_data["serial"]
        matches = unit_lookup(raw)
        if not matches:
            raise ValidationError(
                "No unit has the serial %(value)s. Check the label and scan it again.",
                code="unit_not_found",
                params={"value": raw.strip()},
            )
        fleet = [unit for unit in matches if unit.purpose == Purpose.RENTAL]
        if len(fleet) > 1:
            raise ValidationError(
                "Serial %(value)s belongs to %(count)d fleet units; open the unit from the "
                "fleet list and rent it out from there.",
                code="serial_ambiguous",
                params={"value": raw.strip(), "count": len(fleet)},
            )
        # A unit outside the fleet goes on to the service, whose message names it.
        return fleet[0] if fleet else matches[0]


class ReturnForm(forms.Form):
    returned_on = _date_field("Return date", initial=_today)
    meter_in = forms.CharField(
        max_length=40,
        label="Meter reading in",
        widget=forms.TextInput(attrs={**_NUMBER, "autofocus": True}),
        error_messages={"required": "Enter the meter reading as the unit comes back."},
    )
    condition_note = forms.CharField(
        required=False,
        max_length=2000,
        label="Condition",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
    )
    to_inspection = forms.BooleanField(
        required=False, label="Send to inspection instead of back in stock"
    )
