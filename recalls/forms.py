"""Forms for recalls, their criteria, the affected-unit state and RMAs.

The forms collect and check input; the rules live in ``recalls.services`` and
``recalls.rma``, whose ValidationErrors the views put back on these forms.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inventory.models import Location, Party, Product
from recalls.models import AffectedUnit, Recall, RecallCriterion, Rma
from recalls.scope import CODE_FORMATS, parse_serial_range, split_serial_text
from units.models import Status

#: Largest serial file accepted; a notice's list of 100,000 serials fits in about 1.5 MB.
MAX_SERIAL_FILE_BYTES = 2 * 1024 * 1024

#: Most serials one criterion takes from the textarea and the file together.
MAX_LISTED_SERIALS = 100_000

_DATE = forms.DateInput(attrs={"type": "date"})


class RecallForm(forms.ModelForm):
    class Meta:
        model = Recall
        fields = [
            "reference",
            "issuer",
            "issuer_name",
            "issued_on",
            "description",
            "hazard",
            "remedy",
        ]
        widgets = {
            "issued_on": _DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "hazard": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "issuer_name": _("For an agency that is not a party, such as CPSC or Health Canada."),
        }

    def clean(self):
        data = super().clean()
        if not data.get("issuer") and not (data.get("issuer_name") or "").strip():
            self.add_error(
                "issuer_name", _("Name the issuer: choose a party or type an agency name.")
            )
        return data


def _read_serial_file(upload) -> str:
    """Return an uploaded serial list as text, read in memory; raise for binary or large files."""
    if upload.size > MAX_SERIAL_FILE_BYTES:
        raise ValidationError(
            _("The file %(name)s is %(size)s bytes; upload at most %(max)s bytes of serials."),
            code="file_too_big",
            params={"name": upload.name, "size": upload.size, "max": MAX_SERIAL_FILE_BYTES},
        )
    raw = upload.read(MAX_SERIAL_FILE_BYTES + 1)
    if b"\x00" in raw:
        raise ValidationError(
            _("The file %(name)s is not a text file. Upload a .txt or .csv list of serials."),
            code="file_binary",
            params={"name": upload.name},
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file %(name)s is not UTF-8 text. Save it as UTF-8 text or CSV and upload it again."
            ),
            code="file_encoding",
            params={"name": upload.name},
        ) from None


class CriterionForm(forms.Form):
    """Every part a criterion can have; empty parts are ignored, as in ``RecallCriterion``."""

    label = forms.CharField(max_length=200, required=False)
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.order_by("model_number"), required=False
    )
    model_patterns = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line; * is any run of characters, ? one character."),
    )
    host_products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.order_by("model_number"),
        required=False,
        help_text=_("For a part recall: parts fitted into units of these products."),
    )
    serials = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            "Paste the notice's serials, separated by lines, spaces, commas or semicolons."
        ),
    )
    serial_file = forms.FileField(
        required=False,
        help_text=_("Or upload a .txt or .csv file of serials (UTF-8, at most 2 MB)."),
    )
    one_serial_per_line = forms.BooleanField(
        required=False, help_text=_("Tick when serials contain spaces: each line is one serial.")
    )
    serial_prefixes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("One per line.")
    )
    serial_length = forms.IntegerField(min_value=1, max_value=500, required=False)
    range_start = forms.CharField(
        max_length=120, required=False, help_text=_("First serial of the range, such as ABC00950.")
    )
    range_end = forms.CharField(
        max_length=120, required=False, help_text=_("Last serial of the range, such as ABC01200.")
    )
    range_exact_width = forms.BooleanField(
        required=False, help_text=_("Only serials with exactly as many digits as the bounds match.")
    )
    code_source = forms.ChoiceField(choices=RecallCriterion.CodeSource.choices, initial="serial")
    code_position = forms.IntegerField(min_value=1, max_value=500, required=False)
    code_format = forms.ChoiceField(
        choices=[("", "—"), *[(code, code) for code in CODE_FORMATS]], required=False
    )
    code_first = forms.IntegerField(
        required=False, min_value=0, help_text=_("Year * 100 + month or week, such as 200712.")
    )
    code_last = forms.IntegerField(required=False, min_value=0)
    manufactured_from = forms.DateField(required=False, widget=_DATE)
    manufactured_until = forms.DateField(required=False, widget=_DATE)
    received_from = forms.DateField(required=False, widget=_DATE)
    received_until = forms.DateField(required=False, widget=_DATE)
    supplier = forms.ModelChoiceField(
        queryset=Party.objects.filter(is_supplier=True), required=False
    )
    lots = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("One per line.")
    )

    def clean(self):
        data = super().clean()
        text = data.get("serials") or ""
        upload = data.get("serial_file")
        if upload:
            try:
                text += "\n" + _read_serial_file(upload)
            except ValidationError as error:
                self.add_error("serial_file", error)
        listed = split_serial_text(text, lines_only=bool(data.get("one_serial_per_line")))
        if len(listed) > MAX_LISTED_SERIALS:
            self.add_error(
                "serials",
                ValidationError(
                    _("%(count)d serials were given; one criterion takes at most %(max)d."),
                    code="too_many",
                    params={"count": len(listed), "max": MAX_LISTED_SERIALS},
                ),
            )
        data["serial_list"] = listed
        self._clean_range(data)
        return data

    def _clean_range(self, data) -> None:
        start, end = (data.get("range_start") or "").strip(), (data.get("range_end") or "").strip()
        if not start and not end:
            return
        if not start or not end:
            self.add_error("range_end", _("Give both the first and the last serial of the range."))
            return
        try:
            prefix, first, last, width = parse_serial_range(start, end)
        except ValidationError as error:
            self.add_error("range_end", error)
            return
        data.update(range_prefix=prefix, range_first=first, range_last=last, range_width=width)

    def service_arguments(self) -> dict:
        """Return the keyword arguments for ``recall_add_criterion``."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "label",
                "model_patterns",
                "serial_prefixes",
                "serial_length",
                "manufactured_from",
                "manufactured_until",
                "received_from",
                "received_until",
                "supplier",
                "lots",
            )
        }
        for name in ("range_prefix", "range_first", "range_last", "range_width"):
            if name in data:
                fields[name] = data[name]
        if "range_first" in data:
            fields["range_exact_width"] = data["range_exact_width"]
        if data.get("code_format"):
            fields.update(
                code_source=data["code_source"],
                code_position=data["code_position"],
                code_format=data["code_format"],
                code_first=data["code_first"],
                code_last=data["code_last"],
            )
        return {
            **fields,
            "products": data["products"],
            "host_products": data["host_products"],
            "serials": data["serial_list"],
        }


class AffectedFilterForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("", "Any state"), *AffectedUnit.RemedyState.choices], required=False
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("code"), required=False, empty_label="Any location"
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    owner = forms.CharField(max_length=200, required=False, label=_("Owner name contains"))
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class AffectedStateForm(forms.Form):
    remedy_state = forms.ChoiceField(
        choices=[
            choice
            for choice in AffectedUnit.RemedyState.choices
            if choice[0] != AffectedUnit.RemedyState.ON_HOLD
        ]
    )
    reason = forms.CharField(max_length=500)


class RmaForm(forms.Form):
    supplier = forms.ModelChoiceField(queryset=Party.objects.filter(is_supplier=True))
    supplier_rma_number = forms.CharField(max_length=100, required=False)
    replacement_warranty = forms.ChoiceField(
        choices=Rma.ReplacementWarranty.choices, initial=Rma.ReplacementWarranty.CARRY_OVER
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("The fault; needed for a unit outside a recall."),
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RmaStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Rma.Status.choices)
    supplier_rma_number = forms.CharField(max_length=100, required=False)
    carrier = forms.CharField(max_length=100, required=False)
    tracking_number = forms.CharField(max_length=100, required=False)
    shipped_on = forms.DateField(required=False, widget=_DATE)
    reason = forms.CharField(max_length=500, required=False)


class RmaCreditForm(forms.Form):
    amount = forms.CharField(
        max_length=30, help_text=_("The credit as a positive amount, such as 120.00.")
    )
    credited_on = forms.DateField(required=False, widget=_DATE)


class RmaReplacementForm(forms.Form):
    serial = forms.CharField(max_length=200, label=_("Replacement serial"))
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("code"),
        required=False,
        help_text=_("Where a replacement for a shop unit goes into stock."),
    )
    received_on = forms.DateField(required=False, widget=_DATE)
