"""Pages for unit costs, margins, the rental fleet, internal use and rentals.

Each view checks its own permission, calls one service or selector and, after
a POST, redirects with a message naming the unit and the change.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from depreciation import costs, rentals, selectors
from depreciation.forms import (
    CostAddForm,
    MarginFilterForm,
    PutIntoServiceForm,
    ReasonForm,
    RentOutForm,
    ReturnForm,
    TakeOutForm,
)
from depreciation.models import AssetPeriod, AssetPurpose, CostKind, Rental, UnitCost
from inventory.csv_export import csv_response
from units.models import Purpose, Unit
from units.services import UnitError

logger = logging.getLogger(__name__)

#: Most sold lines shown on the margin page; the CSV download contains every line.
MARGIN_LINES_SHOWN = 500

CENT = Decimal("0.01")


def _report(request, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error))


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _unit(pk: int) -> Unit:
    return get_object_or_404(
        Unit.objects.select_related("product", "product__category", "location", "owner"), pk=pk
    )


# --- Unit page parts: assets summary and costs -------------------------------------------


@permission_required("depreciation.view_rental", raise_exception=True)
def unit_assets(request, pk: int):
    unit = _unit(pk)
    context = {"unit": unit, **selectors.unit_asset_summary(unit)}
    if unit.purpose == Purpose.SALE:
        context["put_form"] = PutIntoServiceForm()
    else:
        context["take_out_form"] = TakeOutForm()
    return render(request, "depreciation/unit_assets.html", context)


@permission_required("depreciation.view_unitcost", raise_exception=True)
def unit_costs(request, pk: int):
    unit = _unit(pk)
    if request.GET.get("format") == "csv":
        return _costs_csv(unit)
    return render(
        request,
        "depreciation/unit_costs.html",
        {
            "unit": unit,
            "costs": selectors.unit_costs(unit),
            "total_investment": selectors.total_investment(unit),
            "form": CostAddForm(),
            "reverse_form": ReasonForm(),
        },
    )


def _costs_csv(unit: Unit):
    header = ["Serial", "Date", "Kind", "Amount", "Reverses entry", "Note", "Entered by"]
    rows = (
        [
            unit.serial,
            entry.entry_date,
            entry.get_kind_display(),
            entry.amount,
            entry.reverses_id,
            entry.note,
            entry.created_by.get_username(),
        ]
        for entry in selectors.unit_costs(unit)
    )
    return csv_response(f"costs-{unit.pk}.csv", header, rows)


@require_POST
@permission_required("depreciation.add_unitcost", raise_exception=True)
def cost_add(request, pk: int):
    unit = _unit(pk)
    form = CostAddForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("assets:unit-costs", pk=unit.pk)
    data = form.cleaned_data
    try:
        entry = costs.unit_cost_add(
            actor=request.user,
            unit=unit,
            kind=data["kind"],
            amount=data["amount"],
            entry_date=data["entry_date"],
            note=data["note"],
        )
    except ValidationError as error:
        _report(request, error)
        return redirect("assets:unit-costs", pk=unit.pk)
    messages.success(
        request,
        f"{CostKind(entry.kind).label} of {entry.amount} added to unit {unit.serial}.",
    )
    warning = costs.entry_date_warning(unit, entry.entry_date)
    if warning:
        messages.warning(request, warning)
    return redirect("assets:unit-costs", pk=unit.pk)


@require_POST
@permission_required("depreciation.add_unitcost", raise_exception=True)
def cost_reverse(request, pk: int):
    entry = get_object_or_404(UnitCost.objects.select_related("unit"), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("assets:unit-costs", pk=entry.unit_id)
    try:
        reversal = costs.unit_cost_reverse(
            actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            f"{entry.get_kind_display()} of {entry.amount} on unit {entry.unit.serial} reversed "
            f"by an entry of {reversal.amount}.",
        )
    return redirect("assets:unit-costs", pk=entry.unit_id)


# --- Margins -------------------------------------------------------------------------------


def _margin_filters(form: MarginFilterForm) -> tuple[selectors.MarginFilter, str]:
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.MarginFilter(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        product_id=data["product"].pk if data.get("product") else None,
        category_id=data["category"].pk if data.get("category") else None,
    )
    return filters, data.get("group_by") or "product"


@permission_required("depreciation.view_margin", raise_exception=True)
def margin_report(request):
    form = MarginFilterForm(request.GET or None)
    filters, group_by = _margin_filters(form)
    output = request.GET.get("format", "")
    if output == "csv":
        return _margin_csv(filters)
    lines = list(selectors.margin_lines(filters)[: MARGIN_LINES_SHOWN + 1])
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "form": form,
        "report": selectors.margin_report(filters, group_by=group_by),
        "group_label": selectors.MARGIN_GROUPS.get(group_by, "Product"),
        "group_by": group_by,
        "lines": lines[:MARGIN_LINES_SHOWN],
        "more_lines": len(lines) > MARGIN_LINES_SHOWN,
        "query_string": query.urlencode(),
        "filters": filters,
    }
    template = (
        "depreciation/margin_print.html" if output == "print" else "depreciation/margin_report.html"
    )
    return render(request, template, context)


def _cents(value: Decimal) -> Decimal:
    # SQLite returns sums of a subquery without the column's scale.
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _margin_csv(filters: selectors.MarginFilter):
    header = [
        "Sold on",
        "Invoice",
        "Serial",
        "Product",
        "Category",
        "Price",
        "Investment",
        "Margin",
    ]
    rows = (
        [
            line.sale.sold_on,
            line.sale.invoice_number,
            line.unit.serial,
            line.unit.product.model_number,
            line.unit.product.category.name,
            _cents(line.price),
            _cents(line.investment),
            _cents(line.margin),
        ]
        for line in selectors.margin_lines(filters).iterator(chunk_size=2000)
    )
    return csv_response("margins.csv", header, rows)


# --- Putting units into service ---------------------------------------------------------------


@permission_required("depreciation.manage_assets", raise_exception=True)
def put_into_service(request, pk: int):
    unit = _unit(pk)
    form = PutIntoServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rentals.asset_put_into_service(
                actor=request.user,
                unit=unit,
                purpose=data["purpose"],
                on=data["on"],
                reason=data["reason"],
            )
        except (ValidationError, UnitError) as error:
            _report(request, error)
        else:
            label = AssetPurpose(data["purpose"]).label.lower()
            messages.success(request, f"Unit {unit.serial} moved into the {label}.")
            return redirect("assets:unit-assets", pk=unit.pk)
    return render(request, "depreciation/put_into_service.html", {"unit": unit, "form": form})


@permission_required("depreciation.manage_assets", raise_exception=True)
def take_out_of_service(request, pk: int):
    unit = _unit(pk)
    form = TakeOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rentals.asset_take_out_of_service(
                actor=request.user,
                unit=unit,
                ending=data["ending"],
                on=data["on"],
                reason=data["reason"],
            )
        except (ValidationError, UnitError) as error:
            _report(request, error)
        else:
            label = AssetPeriod.Ending(data["ending"]).label.lower()
            messages.success(request, f"Unit {unit.serial} taken out of service: {label}.")
            return redirect("assets:unit-assets", pk=unit.pk)
    return render(request, "depreciation/take_out.html", {"unit": unit, "form": form})


@permission_required("depreciation.view_rental", raise_exception=True)
def fleet_list(request):
    return render(
        request,
        "depreciation/fleet_list.html",
        {"units": selectors.rental_fleet(), "today": timezone.localdate()},
    )


@permission_required("depreciation.view_assetperiod", raise_exception=True)
def internal_use_list(request):
    return render(
        request, "depreciation/internal_use_list.html", {"units": selectors.internal_use_units()}
    )


# --- Rentals ----------------------------------------------------------------------------


def _rent_out_initial(request) -> dict:
    unit_id = request.GET.get("unit", "")
    unit = Unit.objects.filter(pk=int(unit_id)).first() if unit_id.isdigit() else None
    if unit is None:
        return {}
    return {"serial": unit.serial, "meter_unit": rentals.default_meter_unit(unit)}


@permission_required("depreciation.rent_units", raise_exception=True)
def rental_create(request):
    if request.method == "POST":
        form = RentOutForm(request.POST)
        if form.is_valid():
            rental = _rent_out(request, form)
            if rental is not None:
                return redirect("assets:unit-assets", pk=rental.unit_id)
    else:
        form = RentOutForm(initial=_rent_out_initial(request))
    return render(request, "depreciation/rental_form.html", {"form": form})


def _rent_out(request, form: RentOutForm) -> Rental | None:
    data = form.cleaned_data
    unit = data["serial"]
    try:
        rental = rentals.rental_start(
            actor=request.user,
            unit=unit,
            customer=data["customer"],
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            meter_out=data["meter_out"],
            meter_unit=data["meter_unit"],
            price=data["price"],
            deposit=data["deposit"],
            notes=data["notes"],
        )
    except (ValidationError, UnitError) as error:
        _report(request, error)
        return None
    messages.success(
        request,
        f"Unit {unit.serial} rented out to {rental.customer.name} on rental {rental.number}, "
        f"due {rental.due_on:%Y-%m-%d}.",
    )
    return rental


@permission_required("depreciation.rent_units", raise_exception=True)
def rental_return(request, pk: int):
    rental = get_object_or_404(
        Rental.objects.select_related("unit", "unit__product", "customer"), pk=pk
    )
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rentals.rental_return(
                actor=request.user,
                rental=rental,
                returned_on=data["returned_on"],
                meter_in=data["meter_in"],
                condition_note=data["condition_note"],
                to_inspection=data["to_inspection"],
            )
        except (ValidationError, UnitError) as error:
            _report(request, error)
        else:
            messages.success(
                request,
                f"Unit {rental.unit.serial} is back from rental {rental.number}.",
            )
            return redirect("assets:unit-assets", pk=rental.unit_id)
    return render(
        request,
        "depreciation/rental_return.html",
        {"rental": rental, "form": form, "return_url": reverse("assets:fleet")},
    )
