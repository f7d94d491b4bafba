"""Forms of the depreciation book, run, disposal and report pages.

Amounts are taken as text and checked by ``books.clean_money``, so that an error
shows the value as typed. Every other rule lives in ``depreciation.books``, whose
ValidationErrors the views attach to these forms with ``add_error``.
"""

import datetime

from django import forms
from django.utils import timezone

from depreciation import books, reports
from depreciation.macrs_tables import CLASSES
from depreciation.models import BookConvention, BookMethod, DepreciationBook, MacrsConventionChoice
from inventory.models import Category, Location

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_NUMBER = {"inputmode": "decimal", "autocomplete": "off", "size": 14}
MONTHS = [(number, datetime.date(2000, number, 1).strftime("%B")) for number in range(1, 13)]


def _money_field(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(attrs=_NUMBER),
    )


def _date_field(label: str, **kwargs) -> forms.DateField:
    # Django's DateField rejects dates such as 30 February with "Enter a valid date."
    return forms.DateField(label=label, widget=_DATE, **kwargs)


class MoneyFieldsMixin:
    """Clean the listed text fields with ``books.clean_money``, naming the bad value."""

    money_fields: tuple[str, ...] = ()

    def _clean_money_fields(self, cleaned: dict) -> None:
        for name in self.money_fields:
            if name not in cleaned:
                continue
            try:
                cleaned[name] = books.clean_money(
                    cleaned[name], field=self.fields[name].label.lower(), required=False
                )
            except forms.ValidationError as error:
                self.add_error(name, error.message_dict.popitem()[1])


class BookForm(MoneyFieldsMixin, forms.Form):
    money_fields = ("cost", "salvage")

    name = forms.CharField(
        max_length=50, initial="company", help_text="Such as company or tax; one book per name."
    )
    method = forms.ChoiceField(choices=BookMethod.choices)
    in_service = _date_field(
        "In service", required=False, help_text="Empty: the date the unit was put into service."
    )
    cost = _money_field("Cost", help_text="Empty: the unit's total investment from its costs.")
    salvage = _money_field("Salvage")
    life_months = forms.IntegerField(
        label="Life in months", required=False, min_value=1, max_value=books.MAX_LIFE_MONTHS
    )
    convention = forms.ChoiceField(choices=BookConvention.choices, initial="full_month")
    factor = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=3,
        initial=2,
        help_text="Declining balance: 2 for double declining balance, 1.5 for 150%.",
    )
    switch_to_sl = forms.BooleanField(label="Switch to straight line", required=False)
    class_rate = forms.DecimalField(
        label="CCA class rate",
        required=False,
        max_digits=5,
        decimal_places=4,
        help_text="As a fraction, like 0.20 for class 8.",
    )
    macrs_class = forms.TypedChoiceField(
        label="MACRS class",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(value, f"{value}-year") for value in CLASSES]],
    )
    macrs_convention = forms.ChoiceField(choices=MacrsConventionChoice.choices, initial="half_year")
    macrs_quarter = forms.TypedChoiceField(
        label="MACRS quarter",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "From the in-service date"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )
    percentages = forms.CharField(
        required=False,
        max_length=200,
        help_text="Percentages method: one share a year, like 40, 30, 30.",
    )
    total_units = forms.DecimalField(
        label="Total units",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text="Units of production: the meter units expected over the life.",
    )

    def clean_percentages(self):
        text = self.cleaned_data["percentages"].strip()
        if not text:
            return None
        shares = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        return shares

    def clean(self):
        cleaned = super().clean()
        self._clean_money_fields(cleaned)
        if cleaned.get("salvage") is None and "salvage" not in self.errors:
            cleaned["salvage"] = 0
        if cleaned.get("factor") is None:
            cleaned["factor"] = 2
        return cleaned

    def book_fields(self) -> dict:
        """Return the cleaned data as keyword arguments of ``books.book_create``."""
        return dict(self.cleaned_data)


class BookChangeForm(MoneyFieldsMixin, forms.Form):
    money_fields = ("added_cost", "salvage")

    added_cost = _money_field("Added cost", help_text="Cost added to the book from next month.")
    life_months = forms.IntegerField(
        label="New life in months",
        required=False,
        min_value=1,
        max_value=books.MAX_LIFE_MONTHS,
        help_text="The whole life, counted from the in-service date.",
    )
    salvage = _money_field("New salvage")
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 40}))

    def clean(self):
        cleaned = super().clean()
        self._clean_money_fields(cleaned)
        return cleaned


class DisposalForm(MoneyFieldsMixin, forms.Form):
    money_fields = ("proceeds",)

    on = _date_field("Disposal date", initial=timezone.localdate)
    kind = forms.ChoiceField(
        choices=DepreciationBook.DisposalKind.choices, widget=forms.RadioSelect
    )
    proceeds = _money_field("Proceeds", help_text="What the buyer paid; 0 for scrap.")
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 40}))

    def clean(self):
        cleaned = super().clean()
        self._clean_money_fields(cleaned)
        if cleaned.get("proceeds") is None and "proceeds" not in self.errors:
            cleaned["proceeds"] = 0
        return cleaned


class RunForm(forms.Form):
    year = forms.IntegerField(min_value=1900, max_value=9999)
    month = forms.TypedChoiceField(choices=MONTHS, coerce=int)


def _month_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    choices = []
    for offset in range(0, 120):
        index = today.year * 12 + today.month - 1 - offset
        year, month = divmod(index, 12)
        choices.append((f"{year}-{month + 1:02d}", f"{year}-{month + 1:02d}"))
    return choices


class DepreciationReportForm(forms.Form):
    start = forms.ChoiceField(label="From month", choices=_month_choices)
    end = forms.ChoiceField(label="To month", choices=_month_choices)
    book = forms.ChoiceField(label="Book", required=False)
    category = forms.ModelChoiceField(Category.objects.order_by("name"), required=False)
    # A location's label is its path, so its parents are read with it.
    location = forms.ModelChoiceField(
        Location.objects.select_related("parent__parent__parent").order_by("name"),
        required=False,
    )
    group_by = forms.ChoiceField(
        choices=[(key, label) for key, (label, _, _) in reports.DEPRECIATION_GROUPS.items()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].choices = [("", "All books")] + [
            (name, name) for name in reports.book_names()
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", f"The month {cleaned['end']} is before {cleaned['start']}.")
        return cleaned

    def report_filter(self) -> reports.DepreciationFilter:
        data = self.cleaned_data
        return reports.DepreciationFilter(
            start=tuple(int(part) for part in data["start"].split("-")),
            end=tuple(int(part) for part in data["end"].split("-")),
            book_name=data["book"],
            category_id=data["category"].pk if data["category"] else None,
            location_id=data["location"].pk if data["location"] else None,
        )


class RegisterForm(forms.Form):
    as_of = _date_field("As of", initial=timezone.localdate)
    book = forms.ChoiceField(label="Book", required=False)
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in reports.REGISTER_SORTS.items()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].choices = [("", "All books")] + [
            (name, name) for name in reports.book_names()
        ]


class AgingForm(forms.Form):
    sold_from = _date_field("Sold from")
    sold_to = _date_field("Sold to")
    group_by = forms.ChoiceField(
        choices=[(key, label) for key, (label, _, _) in reports.AGING_GROUPS.items()]
    )
    slowest = forms.TypedChoiceField(
        label="Slowest units listed",
        coerce=int,
        choices=[(10, "10"), (20, "20"), (50, "50"), (100, "100")],
        initial=20,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("sold_from")
            and cleaned.get("sold_to")
            and cleaned["sold_from"] > cleaned["sold_to"]
        ):
            self.add_error(
                "sold_to", f"The date {cleaned['sold_to']} is before {cleaned['sold_from']}."
            )
        return cleaned
