"""Forms for the counter pages: sale, return, correction, transfer, intake and the warranty report.

The forms collect and check input; the rules live in ``units.sales`` and
``inventory.services``.
"""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import Location, Party, Product
from units.forms.receiving import NamedDateField, NamedIntegerField
from units.selectors_counter import WARRANTY_SORTS, customer_search
from units.serials import normalize_serial, serial_key

_LOCATION_ERRORS = {
    "invalid_choice": _("Location %(value)s is not on the list. Choose one from the list."),
}


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def customer_label(party: Party) -> str:
    details = [value for value in (party.phone, party.email) if value]
    return " · ".join([party.name, *details])


class CustomerPickForm(forms.Form):
    """A customer chosen from a search, or, where ``allow_new`` is set, a new one typed in place.

    The select offers only a short list (the search results plus the chosen
    customer), so the page stays small with many customers. The search runs
    in the browser through the counter lookup, or on the server when the
    "Find" button submits the form without JavaScript.
    """

    allow_new = True
    customer_required_message = _("Choose the customer, or enter a new customer's name.")

    customer_q = forms.CharField(
        label=_("Find customer"),
        required=False,
        max_length=200,
        help_text=_("Name, phone or e-mail."),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Party.objects.all(),
        required=False,
        error_messages={
            "invalid_choice": _("Customer %(value)s was not found. Search again and choose one."),
        },
    )
    new_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    new_email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    new_address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.allow_new:
            for name in ("new_name", "new_phone", "new_email", "new_address"):
                del self.fields[name]
        self.fields["customer"].widget.choices = self._shortlist()

    def _shortlist(self) -> list[tuple[str, str]]:
        query = self.data.get(self.add_prefix("customer_q"), "") if self.is_bound else ""
        chosen = (
            self.data.get(self.add_prefix("customer"))
            if self.is_bound
            else self.initial.get("customer")
        )
        chosen_id = getattr(chosen, "pk", chosen)
        parties = customer_search(str(query))
        if str(chosen_id or "").isdigit() and all(p.pk != int(chosen_id) for p in parties):
            party = Party.objects.filter(pk=int(chosen_id)).first()
            if party is not None:
                parties.insert(0, party)
        return [("", _("Choose a customer")), *((p.pk, customer_label(p)) for p in parties)]

    def customer_is_required(self) -> bool:
        return True

    def clean(self):
        data = super().clean()
        if not self.customer_is_required():
            return data
        new_name = (data.get("new_name") or "").strip()
        if data.get("customer") and new_name:
            self.add_error(
                "new_name",
                _("Choose an existing customer or enter a new one, not both. Clear one of them."),
            )
        elif not data.get("customer") and not new_name:
            self.add_error("customer", self.customer_required_message)
        return data

    def new_customer_fields(self) -> dict[str, str] | None:
        """Return the fields for customer_create when a new customer was typed in, else None."""
        data = self.cleaned_data
        if data.get("customer") or not (data.get("new_name") or "").strip():
            return None
        return {
            "name": data["new_name"],
            "email": data.get("new_email", ""),
            "phone": data.get("new_phone", ""),
            "address": data.get("new_address", ""),
        }


class SaleForm(CustomerPickForm):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50, required=False)
    sold_on = NamedDateField(label=_("Sale date"), widget=_date_widget())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    #: Random per rendered form; sale_create returns the first sale for a repeated token.
    submission_token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("sold_on", timezone.localdate())
        kwargs["initial"].setdefault("submission_token", secrets.token_urlsafe(24))
        super().__init__(*args, **kwargs)

    def clean_sold_on(self):
        sold_on = self.cleaned_data["sold_on"]
        if sold_on > timezone.localdate():
            raise ValidationError(
                _(
                    "The sale date %(value)s is in the future. Enter today's date or an earlier one."
                ),
                code="future_date",
                params={"value": sold_on},
            )
        return sold_on


def parse_sale_lines(data) -> tuple[list[tuple[int, str]], list[str]]:
    """Return the (unit id, raw price) pairs posted by the sale page, and messages for bad rows.

    The page posts parallel lists ``line_unit`` and ``line_price``. Prices stay
    raw text so that ``units.sales.clean_price`` reports them with the serial.
    """
    unit_ids = data.getlist("line_unit")
    prices = data.getlist("line_price")
    problems = []
    if len(prices) != len(unit_ids):
        problems.append(
            str(_("The list of units was sent incomplete. Scan the units again and save."))
        )
        return [], problems
    lines = []
    for raw_id, price in zip(unit_ids, prices, strict=True):
        if not raw_id.isdigit():
            problems.append(
                str(_("Unit %(value)s is not a unit id. Scan the unit again.")) % {"value": raw_id}
            )
            continue
        lines.append((int(raw_id), price))
    return lines, problems


class ReturnForm(CustomerPickForm):
    allow_new = False
    customer_required_message = _("Choose the customer who returns the unit.")

    serial_confirm = forms.CharField(
        label=_("Serial coming back"),
        max_length=200,
        help_text=_("Scan or type the serial on the returned unit."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    destination = forms.ChoiceField(
        label=_("Goes to"),
        choices=[
            ("stock", _("Stock, as used")),
            ("inspection", _("Inspection")),
        ],
        initial="stock",
        widget=forms.RadioSelect,
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.order_by("code"),
        required=False,
        help_text=_("Where the unit is put; leave empty to keep its last location."),
        error_messages=_LOCATION_ERRORS,
    )
    returned_on = NamedDateField(label=_("Return date"), widget=_date_widget())
    override_reason = forms.CharField(
        label=_("Manager override reason"),
        max_length=500,
        required=False,
        help_text=_("Only when someone other than the owner of record returns the unit."),
    )

    def __init__(self, *args, unit, user, **kwargs):
        self.unit = unit
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("customer", unit.owner_id)
        kwargs["initial"].setdefault("returned_on", timezone.localdate())
        kwargs["initial"].setdefault("location", unit.location_id)
        super().__init__(*args, **kwargs)
        if not user.has_perm("units.override_return"):
            del self.fields["override_reason"]

    def clean_serial_confirm(self):
        raw = self.cleaned_data["serial_confirm"]
        serial = normalize_serial(raw)
        unit = self.unit
        if serial_key(serial) != unit.serial_key and serial not in (unit.in_house_tag, unit.vin):
            raise ValidationError(
                _(
                    "Serial %(value)s does not match unit %(serial)s. Scan the serial on the "
                    "unit that came back; if it is another unit, open that unit's page."
                ),
                code="serial_mismatch",
                params={"value": serial, "serial": unit.serial},
            )
        return serial


class BackInStockForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Why"),
        choices=[
            ("correction", _("Stocktake: the unit is on the shelf although recorded as sold")),
            ("buy_back", _("Bought back from the customer")),
        ],
        initial="correction",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.order_by("code"),
        required=False,
        help_text=_("Where the unit is; leave empty to keep its last location."),
        error_messages=_LOCATION_ERRORS,
    )
    on = NamedDateField(label=_("Date"), widget=_date_widget())

    def __init__(self, *args, unit, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on", timezone.localdate())
        kwargs["initial"].setdefault("location", unit.location_id)
        super().__init__(*args, **kwargs)


class TransferForm(CustomerPickForm):
    customer_required_message = _("Choose the new owner, enter a new customer, or tick trade-in.")

    trade_in = forms.BooleanField(
        label=_("Trade-in: the shop takes the unit back into stock"), required=False
    )
    location = forms.ModelChoiceField(
        label=_("Location for a trade-in"),
        queryset=Location.objects.order_by("code"),
        required=False,
        error_messages=_LOCATION_ERRORS,
    )
    effective_on = NamedDateField(label=_("Effective date"), widget=_date_widget())
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("effective_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.order_fields(["trade_in", "location"])

    def customer_is_required(self) -> bool:
        return not self.cleaned_data.get("trade_in")


class IntakeForm(CustomerPickForm):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_serialized=True).order_by("name"),
        error_messages={
            "required": _("Choose the product."),
            "invalid_choice": _("Product %(value)s is not on the list. Choose one from the list."),
        },
    )
    serial = forms.CharField(
        label=_("Serial"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_('Kept in the unit\'s history; "Brought in by the customer" when empty.'),
    )

    def clean_serial(self):
        return normalize_serial(self.cleaned_data["serial"])


class WarrantyReportForm(forms.Form):
    days = NamedIntegerField(
        label=_("Ending within (days)"),
        min_value=1,
        max_value=3650,
        initial=30,
        required=False,
        error_messages={
            "min_value": _("%(show_value)s days is too few; enter 1 to 3650."),
            "max_value": _("%(show_value)s days is too many; enter 1 to 3650."),
        },
    )
    sort = forms.ChoiceField(
        choices=[(key, key) for key in WARRANTY_SORTS], required=False, initial="end"
    )
