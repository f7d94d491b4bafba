"""The upload form of the unit import page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inventory.models import Location
from units.importing.mapping import FORMAT_LABELS, SourceFormat
from units.importing.values import DATE_ORDER_LABELS, DateOrder

ENCODING_CHOICES = [
    ("", _("Detect")),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252 (cp1252)"),
    ("mac_roman", "Mac Roman"),
    ("latin_1", "Latin-1 (ISO 8859-1)"),
    ("utf-16", "UTF-16"),
]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        error_messages={"required": _("Choose the CSV file to import.")},
    )
    source_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(f.value, label) for f, label in FORMAT_LABELS.items()],
        initial=SourceFormat.AUTO.value,
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODING_CHOICES, required=False)
    date_order = forms.ChoiceField(
        label=_("Dates such as 4/5/16"),
        choices=[(order.value, label) for order, label in DATE_ORDER_LABELS.items()],
        initial=DateOrder.MDY.value,
    )
    location = forms.ModelChoiceField(
        label=_("Location for rows without one"),
        queryset=Location.objects.order_by("code"),
        to_field_name="code",
        required=False,
        error_messages={
            "invalid_choice": _("Location %(value)s is not on the list. Choose one from the list.")
        },
    )
    supplier = forms.CharField(
        label=_("Supplier for rows without one"),
        max_length=200,
        required=False,
        help_text=_("Created when no party has this name."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Skip bad rows and import the rest"),
        required=False,
        help_text=_("Without this, one bad row stops the whole import."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s bytes; the maximum is %(max)s bytes. Split it."),
                code="too_large",
                params={"size": f"{upload.size:,}", "max": f"{settings.IMPORT_MAX_BYTES:,}"},
            )
        if upload.size == 0:
            raise forms.ValidationError(
                _("The file %(name)s is empty. Choose a CSV file that contains units."),
                code="empty",
                params={"name": upload.name},
            )
        return upload
