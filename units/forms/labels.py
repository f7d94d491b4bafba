"""The label printing form: what to print, on which stock, and how."""

from django import forms
from django.db.models import QuerySet

from units.labels.content import SYMBOLOGY_GTIN, SYMBOLOGY_SERIAL
from units.labels.stocks import DPI_CHOICES, STOCKS
from units.models import Receipt, Unit

OUTPUT_PDF = "pdf"
OUTPUT_ZPL = "zpl"


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return f"{unit.serial} · {unit.product.name}"


class LabelPrintForm(forms.Form):
    """Print options; units come from ``unit`` ids, a ``receipt``, or both."""

    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Units",
        error_messages={
            "invalid_choice": "Unit %(value)s was not found. Select the units again from the list.",
            "invalid_pk_value": "%(pk)s is not a unit id. Select the units again from the list.",
        },
    )
    receipt = forms.ModelChoiceField(
        queryset=Receipt.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That receipt was not found. Open the receipt again."},
    )
    stock = forms.ChoiceField(
        choices=[(stock.key, stock.name) for stock in STOCKS.values()],
        initial="2x1in",
        widget=forms.RadioSelect,
        label="Label stock",
    )
    dpi = forms.TypedChoiceField(
        choices=[(dpi, f"{dpi} dpi") for dpi in DPI_CHOICES],
        coerce=int,
        initial=203,
        widget=forms.RadioSelect,
        label="Printer resolution",
        help_text="Bars are drawn in whole printer dots at this resolution.",
    )
    symbology = forms.ChoiceField(
        choices=[
            (SYMBOLOGY_SERIAL, "Serial number (Code 128)"),
            (SYMBOLOGY_GTIN, "Product GTIN (EAN-13 / UPC-A)"),
        ],
        initial=SYMBOLOGY_SERIAL,
        widget=forms.RadioSelect,
        label="Barcode",
    )
    qr = forms.BooleanField(required=False, label="Add a QR code linking to the unit's page")
    skip = forms.IntegerField(
        min_value=0,
        required=False,
        initial=0,
        label="Skip labels",
        help_text="Sheets only: how many labels at the start of a partly used sheet to leave blank.",
    )
    copies = forms.IntegerField(min_value=1, max_value=100, initial=1, label="Copies of each label")
    output = forms.ChoiceField(
        choices=[(OUTPUT_PDF, "PDF"), (OUTPUT_ZPL, "ZPL for Zebra printers (rolls only)")],
        initial=OUTPUT_PDF,
        widget=forms.RadioSelect,
        label="Output",
    )

    def __init__(self, *args, unit_ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            unit_ids = [value for value in self.data.getlist("unit") if value.isdigit()]
        self.fields["unit"].queryset = (
            Unit.objects.filter(pk__in=unit_ids or []).select_related("product").order_by("pk")
        )

    def clean_skip(self) -> int:
        return self.cleaned_data.get("skip") or 0

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("unit") and not cleaned.get("receipt"):
            raise forms.ValidationError(
                "No units are selected. Tick units in the unit list or open a receipt, "
                "then choose Print labels.",
                code="nothing_selected",
            )
        return cleaned

    def selected_units(self) -> QuerySet[Unit]:
        """Return the chosen units and the receipt's units, with products, in serial order."""
        units = Unit.objects.none()
        if self.cleaned_data.get("unit"):
            units = Unit.objects.filter(pk__in=[unit.pk for unit in self.cleaned_data["unit"]])
        receipt = self.cleaned_data.get("receipt")
        if receipt is not None:
            units = units | Unit.objects.filter(receipt=receipt)
        return units.select_related("product").order_by("serial_sort", "pk")
