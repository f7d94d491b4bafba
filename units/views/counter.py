"""Counter pages: sales, returns, shelf corrections, ownership transfers and customer units.

The views collect input and call ``units.sales``; the rules live there.
"""

import logging
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from inventory.csv_export import csv_response
from inventory.models import Party
from inventory.services import customer_create
from units import sales
from units.forms.counter import (
    BackInStockForm,
    CustomerPickForm,
    IntakeForm,
    ReturnForm,
    SaleForm,
    TransferForm,
    WarrantyReportForm,
    customer_label,
    parse_sale_lines,
)
from units.models import Sale, Unit
from units.sales import LineInput
from units.selectors import unit_lookup
from units.selectors_counter import (
    customer_search,
    lookup_match,
    sale_lines,
    sale_refusal,
    sale_search,
    units_by_id,
    warranty_ending,
    warranty_ends,
)

logger = logging.getLogger(__name__)

SALES_PER_PAGE = 50
REPORT_PER_PAGE = 100

#: Any of these lets a user search customers and scan serials at the counter.
COUNTER_PERMISSIONS = ("units.sell_units", "units.transfer_units", "units.intake_units")

#: Form field for each service error code; messages with other codes go above the form.
_ERROR_FIELDS = {
    "name": "new_name",
    "email": "new_email",
    "invoice_missing": "invoice_number",
    "invoice_taken": "invoice_number",
    "reason_required": "reason",
    "wrong_customer": "customer",
    "same_owner": "customer",
    "location_required": "location",
    "future_date": "effective_on",
}

#: The service order page of the service app; it takes ?unit=<id>.
SERVICE_ORDER_NEW_PATH = "/service/orders/new/"


def _show_errors(form, error: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form, each message on the field its code names."""
    fields = {**_ERROR_FIELDS, **(fields or {})}
    if hasattr(error, "error_dict"):
        for key, items in error.error_dict.items():
            target = fields.get(key, key)
            form.add_error(target if target in form.fields else None, items)
        return
    for item in error.error_list:
        target = fields.get(item.code)
        form.add_error(target if target in form.fields else None, item)


def _customer_or_new(request, form: CustomerPickForm) -> Party | None:
    """Return the chosen customer, creating the one typed in; call inside the service's transaction."""
    fields = form.new_customer_fields()
    if fields is None:
        return form.cleaned_data.get("customer")
    return customer_create(actor=request.user, **fields)


def _finding_customer(request) -> bool:
    """True when the form was sent by the "Find" button of the customer search (no JavaScript)."""
    return "find_customer" in request.POST


# --- Sales -----------------------------------------------------------------------


@permission_required("units.view_sale", raise_exception=True)
def sale_list(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(sale_search(query), SALES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "units/sale_list.html", {"page": page, "query": query})


@permission_required("units.view_sale", raise_exception=True)
def sale_detail(request, pk: int):
    sale = get_object_or_404(Sale.objects.select_related("customer", "created_by"), pk=pk)
    lines = sale_lines(sale)
    total = sum((line.price for line in lines), start=Decimal("0.00"))
    return render(request, "units/sale_detail.html", {"sale": sale, "lines": lines, "total": total})


@permission_required("units.sell_units", raise_exception=True)
def sale_create(request):
    line_problems: list[str] = []
    if request.method == "POST":
        form = SaleForm(request.POST)
        lines, line_problems = parse_sale_lines(request.POST)
        if not _finding_customer(request) and form.is_valid():
            for problem in line_problems:
                form.add_error(None, problem)
            if not line_problems:
                sale = _sell(request, form, lines)
                if sale is not None:
                    return redirect(sale)
    else:
        form = SaleForm(initial=_sale_initial(request))
        lines = _preloaded_lines(request)
    return render(
        request,
        "units/sale_form.html",
        {"form": form, "rows": _line_rows(lines)},
    )


def _sale_initial(request) -> dict:
    customer = request.GET.get("customer", "")
    return {"customer": int(customer)} if customer.isdigit() else {}


def _preloaded_lines(request) -> list[tuple[int, str]]:
    """Return the lines of units opened from a unit page (?unit=<id>), at their list price."""
    ids = [int(value) for value in request.GET.getlist("unit") if value.isdigit()]
    units = units_by_id(ids)
    return [
        (pk, str(units[pk].product.list_price or "")) for pk in dict.fromkeys(ids) if pk in units
    ]


def _line_rows(lines: list[tuple[int, str]]) -> list[dict]:
    """Return the sale lines to show again: each unit with its price and why it cannot be sold."""
    units = units_by_id([unit_id for unit_id, _price in lines])
    rows, seen = [], set()
    for unit_id, price in lines:
        unit = units.get(unit_id)
        if unit is None:
            continue
        rows.append(
            {
                "unit": unit,
                "price": price,
                "refusal": sale_refusal(unit),
                "duplicate": unit_id in seen,
            }
        )
        seen.add(unit_id)
    return rows


def _sell(request, form: SaleForm, lines: list[tuple[int, str]]) -> Sale | None:
    """Store the sale and add a success message, or show the service's errors and return None."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            customer = _customer_or_new(request, form)
            sale = sales.sale_create(
                actor=request.user,
                customer=customer,
                lines=[LineInput(unit_id, price) for unit_id, price in lines],
                invoice_number=data["invoice_number"],
                sold_on=data["sold_on"],
                submission_token=data["submission_token"],
                notes=data["notes"],
            )
            if sale.customer_id != customer.pk:
                # A repeated submit got the first sale back; the customer typed in
                # again is a copy of the one that sale already created.
                transaction.set_rollback(True)
    except ValidationError as error:
        logger.warning(
            "Sale by user %s rejected: %d problems", request.user.pk, len(error.messages)
        )
        _show_errors(form, error)
        return None
    count = sale.lines.count()
    messages.success(
        request,
        ngettext(
            "Sale %(invoice)s: %(count)d unit sold to %(customer)s.",
            "Sale %(invoice)s: %(count)d units sold to %(customer)s.",
            count,
        )
        % {"invoice": sale.invoice_number, "count": count, "customer": sale.customer.name},
    )
    return sale


@require_GET
def counter_lookup(request):
    """Return scan matches (?q=<serial>) or customers (?customer=<text>) as a JSON list.

    A unit match is {id, serial, product, model_number, condition,
    condition_label, status, status_label, sellable, refusal, list_price};
    several come back when a serial exists on several products. A customer is
    {id, name, phone, email, label}. Unreadable scan text returns status 400
    with {"error": message}.
    """
    if not any(request.user.has_perm(code) for code in COUNTER_PERMISSIONS):
        raise PermissionDenied
    if "customer" in request.GET:
        customers = customer_search(request.GET["customer"])
        return JsonResponse(
            [
                {
                    "id": party.pk,
                    "name": party.name,
                    "phone": party.phone,
                    "email": party.email,
                    "label": customer_label(party),
                }
                for party in customers
            ],
            safe=False,
        )
    try:
        matches = unit_lookup(request.GET.get("q", ""))
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    return JsonResponse([lookup_match(unit) for unit in matches], safe=False)


# --- Returns and corrections ---------------------------------------------------------


def _unit_or_404(pk: int) -> Unit:
    return get_object_or_404(Unit.objects.select_related("product", "owner", "location"), pk=pk)


@permission_required("units.sell_units", raise_exception=True)
def unit_return(request, pk: int):
    unit = _unit_or_404(pk)
    if request.method == "POST":
        form = ReturnForm(request.POST, unit=unit, user=request.user)
        if not _finding_customer(request) and form.is_valid():
            returned = _return(request, form, unit)
            if returned is not None:
                return redirect(returned)
    else:
        form = ReturnForm(unit=unit, user=request.user)
    return render(request, "units/counter_return.html", {"unit": unit, "form": form})


def _return(request, form: ReturnForm, unit: Unit) -> Unit | None:
    data = form.cleaned_data
    try:
        returned = sales.sale_return(
            actor=request.user,
            unit=unit,
            customer=data["customer"],
            reason=data["reason"],
            to_inspection=data["destination"] == "inspection",
            location=data["location"],
            returned_on=data["returned_on"],
            override_reason=data.get("override_reason", ""),
        )
    except ValidationError as error:
        _show_errors(
            form,
            error,
            {
                "override_forbidden": "customer",
                "end_before_sale": "returned_on",
                "owner_date": "returned_on",
            },
        )
        return None
    messages.success(
        request,
        _("Unit %(serial)s returned by %(customer)s; it is now %(status)s.")
        % {
            "serial": returned.serial,
            "customer": data["customer"].name,
            "status": returned.get_status_display().lower(),
        },
    )
    return returned


@permission_required("units.sell_units", raise_exception=True)
def unit_back_in_stock(request, pk: int):
    unit = _unit_or_404(pk)
    if request.method == "POST":
        form = BackInStockForm(request.POST, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                corrected = sales.sold_unit_back_in_stock(
                    actor=request.user,
                    unit=unit,
                    reason=data["reason"],
                    buy_back=data["kind"] == "buy_back",
                    location=data["location"],
                    on=data["on"],
                )
            except ValidationError as error:
                _show_errors(form, error, {"end_before_sale": "on", "owner_date": "on"})
            else:
                messages.success(
                    request,
                    _("Unit %(serial)s is back in stock (%(kind)s).")
                    % {
                        "serial": corrected.serial,
                        "kind": dict(form.fields["kind"].choices)[data["kind"]].lower(),
                    },
                )
                return redirect(corrected)
    else:
        form = BackInStockForm(unit=unit)
    return render(request, "units/counter_back_in_stock.html", {"unit": unit, "form": form})


# --- Ownership ------------------------------------------------------------------------


@permission_required("units.transfer_units", raise_exception=True)
def unit_transfer(request, pk: int):
    unit = _unit_or_404(pk)
    if request.method == "POST":
        form = TransferForm(request.POST)
        if not _finding_customer(request) and form.is_valid():
            transferred = _transfer(request, form, unit)
            if transferred is not None:
                return redirect(transferred)
    else:
        form = TransferForm()
    return render(request, "units/counter_transfer.html", {"unit": unit, "form": form})


def _transfer(request, form: TransferForm, unit: Unit) -> Unit | None:
    data = form.cleaned_data
    old_owner = unit.owner_display
    try:
        with transaction.atomic():
            new_owner = None if data["trade_in"] else _customer_or_new(request, form)
            transferred = sales.ownership_transfer(
                actor=request.user,
                unit=unit,
                new_owner=new_owner,
                effective_on=data["effective_on"],
                reason=data["reason"],
                location=data["location"],
            )
    except ValidationError as error:
        _show_errors(form, error, {"shop_owned": None})
        return None
    if new_owner is None:
        text = _(
            "Unit %(serial)s traded in by %(old)s; it is in stock as used at %(location)s."
        ) % {
            "serial": transferred.serial,
            "old": old_owner,
            "location": transferred.location,
        }
    else:
        text = _("Unit %(serial)s transferred from %(old)s to %(new)s.") % {
            "serial": transferred.serial,
            "old": old_owner,
            "new": new_owner.name,
        }
    messages.success(request, text)
    return transferred


@permission_required("units.intake_units", raise_exception=True)
def unit_intake(request):
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if not _finding_customer(request) and form.is_valid():
            unit = _intake(request, form)
            if unit is not None:
                return redirect(unit)
    else:
        customer = request.GET.get("customer", "")
        form = IntakeForm(initial={"customer": int(customer)} if customer.isdigit() else {})
    return render(request, "units/counter_intake.html", {"form": form})


def _intake(request, form: IntakeForm) -> Unit | None:
    data = form.cleaned_data
    try:
        with transaction.atomic():
            customer = _customer_or_new(request, form)
            unit, created = sales.customer_unit_intake(
                actor=request.user,
                customer=customer,
                product=data["product"],
                serial=data["serial"],
                reason=data["reason"] or "Brought in by the customer",
            )
    except ValidationError as error:
        _show_errors(
            form,
            error,
            {"serial": "serial"},
        )
        return None
    if created:
        messages.success(
            request,
            _("Unit %(serial)s of %(product)s recorded as owned by %(customer)s.")
            % {
                "serial": unit.serial,
                "product": unit.product.model_number,
                "customer": customer.name,
            },
        )
    else:
        messages.info(
            request,
            _(
                "Unit %(serial)s of %(product)s was found on file (%(status)s, owner: "
                "%(owner)s); no second record was made."
            )
            % {
                "serial": unit.serial,
                "product": unit.product.model_number,
                "status": unit.get_status_display().lower(),
                "owner": unit.owner_display,
            },
        )
    return unit


# --- Warranty report --------------------------------------------------------------------


@permission_required(["units.view_unit", "inventory.view_party"], raise_exception=True)
def warranty_ending_report(request):
    form = WarrantyReportForm(request.GET or None)
    days, sort = 30, "end"
    if form.is_bound and form.is_valid():
        days = form.cleaned_data["days"] or 30
        sort = form.cleaned_data["sort"] or "end"
    today = timezone.localdate()
    units = warranty_ending(today=today, days=days, sort=sort)

    if request.GET.get("format") == "csv" and not form.errors:
        return csv_response(
            f"warranty-ending-{today:%Y-%m-%d}-{days}d.csv",
            _WARRANTY_CSV_HEADER,
            (_warranty_csv_row(unit, today=today, days=days) for unit in units.iterator()),
        )
    page = Paginator(units, REPORT_PER_PAGE).get_page(request.GET.get("page"))
    for unit in page:
        unit.ends_in_window = warranty_ends(unit, today=today, days=days)

    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "units/warranty_ending.html",
        {
            "form": form,
            "page": page,
            "days": days,
            "sort": sort,
            "today": today,
            "base_query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
        },
    )


_WARRANTY_CSV_HEADER = [
    "Serial",
    "Product",
    "Model number",
    "Ends on",
    "Ending",
    "Parts until",
    "Labour until",
    "Extended until",
    "Owner",
    "Phone",
    "E-mail",
    "Address",
]


def _warranty_csv_row(unit: Unit, *, today, days: int) -> list:
    ending = ", ".join(
        f"{kind} {end:%Y-%m-%d}" for kind, end in warranty_ends(unit, today=today, days=days)
    )
    owner = unit.owner
    return [
        unit.serial,
        unit.product.name,
        unit.product.model_number,
        unit.ends_on,
        ending,
        unit.warranty_parts_until,
        unit.warranty_labour_until,
        unit.extended_warranty_until,
        owner.name,
        owner.phone,
        owner.email,
        owner.address,
    ]
