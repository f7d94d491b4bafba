"""Service order pages: intake, the order page with its lines, tickets and the open report."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from service import selectors, services
from service.forms import (
    IntakeForm,
    LabourForm,
    OrderFilterForm,
    OrderUpdateForm,
    PartRemoveForm,
    StatusForm,
    StockPartForm,
    UnitPartForm,
    WarrantyForm,
)
from service.models import LabourLine, PartLine, ServiceOrder
from units.labels.symbols import SymbolError, code128_symbol
from units.models import Unit
from units.services import UnitError
from units.warranty import warranty_status

logger = logging.getLogger(__name__)

ORDERS_PER_PAGE = 50

#: Errors a service raises for a rejected action; their text is shown to the user.
REJECTIONS = (ValidationError, services.ServiceOrderError, UnitError)

WORK = "service.work_on_serviceorder"


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


def _order(pk: int) -> ServiceOrder:
    try:
        return selectors.order_detail(pk)
    except ServiceOrder.DoesNotExist:
        raise Http404(f"Service order {pk} was not found.") from None


# --- List and report -------------------------------------------------------------


@permission_required("service.view_serviceorder", raise_exception=True)
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.order_list(filters=filters)
    page = Paginator(queryset, ORDERS_PER_PAGE).get_page(filters.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "service/order_list.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


@permission_required("service.view_serviceorder", raise_exception=True)
def open_orders(request):
    report = selectors.open_orders_report()
    return render(
        request,
        "service/open_orders.html",
        {"report": report, "buckets": [label for label, _a, _b in selectors.AGE_BUCKETS]},
    )


# --- Intake ------------------------------------------------------------------------


@permission_required("service.add_serviceorder", raise_exception=True)
def order_create(request):
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            order = _take_in(request, form)
            if order is not None:
                return redirect(order)
    else:
        form = IntakeForm(initial=_preselected(request))
    unit = form["unit"].value()
    if str(unit or "").isdigit():
        preselected = Unit.objects.select_related("product", "owner").filter(pk=unit).first()
    else:
        preselected = None
    return render(request, "service/order_form.html", {"form": form, "preselected": preselected})


def _preselected(request) -> dict:
    """Return initial values for ``?unit=<id>``, the link from the counter's intake page."""
    unit_id = request.GET.get("unit", "")
    unit = Unit.objects.filter(pk=int(unit_id)).first() if unit_id.isdigit() else None
    if unit is None:
        return {}
    return {"unit": unit.pk, "customer": unit.owner_id}


def _take_in(request, form: IntakeForm) -> ServiceOrder | None:
    data = form.cleaned_data
    try:
        order = services.service_order_create(
            actor=request.user,
            unit=data["unit"],
            serial=data["serial"],
            product=data["product"],
            customer=data["customer"],
            problem=data["problem"],
            technician=data["technician"],
            promised_on=data["promised_on"],
            notes=data["notes"],
        )
    except ValidationError as error:
        fields = {
            "product_ambiguous": "product",
            "product_required": "product",
            "customer_required": "customer",
            "promised_before_intake": "promised_on",
            "problem_required": "problem",
        }
        for item in error.error_list:
            form.add_error(fields.get(item.code, "serial" if not data["unit"] else None), item)
        return None
    except UnitError as error:
        form.add_error(None, str(error))
        return None
    messages.success(
        request,
        f"Service order {order.number}: unit {order.unit.serial} taken in for service.",
    )
    return order


# --- The order page ----------------------------------------------------------------


@permission_required("service.view_serviceorder", raise_exception=True)
def order_detail(request, pk: int):
    order = _order(pk)
    received_on = timezone.localdate(order.received_at)
    context = {
        "order": order,
        "labour_lines": list(order.labour_lines.all()),
        "part_lines": list(order.part_lines.all()),
        "totals": selectors.order_totals(order),
        "warranty": warranty_status(order.unit, received_on),
        "received_on": received_on,
        "age": selectors.age_in_days(order, timezone.localdate()),
        "installed_parts": list(order.unit.installed_parts.select_related("product")),
    }
    if order.is_open:
        line_defaults = {"is_warranty": order.is_warranty}
        context.update(
            status_form=StatusForm(order=order, auto_id="status_%s"),
            update_form=OrderUpdateForm(
                auto_id="update_%s",
                initial={
                    "technician": order.technician_id,
                    "promised_on": order.promised_on,
                    "notes": order.notes,
                },
            ),
            warranty_form=WarrantyForm(auto_id="warranty_%s"),
            labour_form=LabourForm(auto_id="labour_%s", initial=line_defaults),
            stock_part_form=StockPartForm(auto_id="stock_%s", initial=line_defaults),
            unit_part_form=UnitPartForm(auto_id="part_%s", initial=line_defaults),
            remove_form=PartRemoveForm(),
        )
    return render(request, "service/order_detail.html", context)


@require_POST
@permission_required(WORK, raise_exception=True)
def order_change_status(request, pk: int):
    order = get_object_or_404(ServiceOrder, pk=pk)
    form = StatusForm(request.POST, order=order)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(order)
    old = order.get_status_display()
    try:
        order = services.service_order_change_status(
            order=order,
            status=form.cleaned_data["status"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except REJECTIONS as error:
        _report(request, error)
    else:
        messages.success(
            request,
            f"Service order {order.number} moved from {old} to {order.get_status_display()}.",
        )
    return redirect(order)


@require_POST
@permission_required("service.collect_serviceorder", raise_exception=True)
def order_collect(request, pk: int):
    order = get_object_or_404(ServiceOrder, pk=pk)
    try:
        order = services.service_order_collect(order=order, actor=request.user)
    except REJECTIONS as error:
        _report(request, error)
    else:
        unit = order.unit
        unit.refresh_from_db()
        messages.success(
            request,
            f"Service order {order.number} collected; unit {unit.serial} is "
            f"{unit.get_status_display().lower()} again.",
        )
    return redirect(order)


@require_POST
@permission_required(WORK, raise_exception=True)
def order_update(request, pk: int):
    order = get_object_or_404(ServiceOrder, pk=pk)
    form = OrderUpdateForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(order)
    try:
        services.service_order_update(order=order, actor=request.user, **form.cleaned_data)
    except REJECTIONS as error:
        _report(request, error)
    else:
        messages.success(request, f"Service order {order.number} updated.")
    return redirect(order)


@require_POST
@permission_required("service.change_warranty_serviceorder", raise_exception=True)
def order_set_warranty(request, pk: int):
    order = get_object_or_404(ServiceOrder, pk=pk)
    form = WarrantyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(order)
    try:
        order = services.service_order_set_warranty(
            order=order,
            is_warranty=form.cleaned_data["is_warranty"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except REJECTIONS as error:
        _report(request, error)
    else:
        kind = "warranty work" if order.is_warranty else "charged to the customer"
        messages.success(request, f"Service order {order.number} is now {kind}.")
    return redirect(order)


# --- Lines -------------------------------------------------------------------------


def _add_line(request, pk: int, form_class, add, describe):
    """Validate ``form_class`` from the POST, call ``add(order, data)`` and report the outcome."""
    order = get_object_or_404(ServiceOrder, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(order)
    try:
        line = add(order, form.cleaned_data)
    except REJECTIONS as error:
        _report(request, error)
    else:
        messages.success(request, describe(order, line))
    return redirect(order)


@require_POST
@permission_required(WORK, raise_exception=True)
def labour_add(request, pk: int):
    def add(order, data):
        return services.labour_line_add(order=order, actor=request.user, **data)

    def describe(order, line):
        return f"Labour {line.description} ({line.hours} h) added to service order {order.number}."

    return _add_line(request, pk, LabourForm, add, describe)


@require_POST
@permission_required(WORK, raise_exception=True)
def labour_delete(request, pk: int, line_pk: int):
    line = get_object_or_404(LabourLine.objects.select_related("order"), pk=line_pk, order_id=pk)
    try:
        services.labour_line_delete(line=line, actor=request.user)
    except REJECTIONS as error:
        _report(request, error)
    else:
        messages.success(
            request, f"Labour {line.description} removed from service order {line.order.number}."
        )
    return redirect(line.order)


@require_POST
@permission_required(WORK, raise_exception=True)
def stock_part_add(request, pk: int):
    def add(order, data):
        return services.part_line_add_from_stock(order=order, actor=request.user, **data)

    def describe(order, line):
        return (
            f"{line.quantity} x {line.product.model_number} from {line.location.code} "
            f"fitted on service order {order.number}."
        )

    return _add_line(request, pk, StockPartForm, add, describe)


@require_POST
@permission_required(WORK, raise_exception=True)
def unit_part_add(request, pk: int):
    def add(order, data):
        return services.part_line_add_unit(order=order, actor=request.user, **data)

    def describe(order, line):
        return (
            f"Part {line.part_unit.serial} installed in {order.unit.serial} "
            f"on service order {order.number}."
        )

    return _add_line(request, pk, UnitPartForm, add, describe)


@require_POST
@permission_required(WORK, raise_exception=True)
def part_remove(request, pk: int, line_pk: int):
    line = get_object_or_404(
        PartLine.objects.select_related("order", "product", "part_unit"), pk=line_pk, order_id=pk
    )
    form = PartRemoveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(line.order)
    try:
        services.part_line_remove(
            line=line, actor=request.user, location=form.cleaned_data["location"]
        )
    except REJECTIONS as error:
        _report(request, error)
    else:
        messages.success(
            request, f"Part {line} removed from service order {line.order.number} and restocked."
        )
    return redirect(line.order)


# --- Printouts ---------------------------------------------------------------------

#: Height of the printed bars in modules; about 15 mm at the ticket's module width.
BAR_HEIGHT_MODULES = 50


def barcode_bars(text: str) -> dict:
    """Return the Code 128 bars of ``text`` as SVG rectangles, or the reason none can be drawn."""
    try:
        symbol = code128_symbol(text)
    except SymbolError as error:
        return {"error": str(error)}
    bars, x = [], symbol.quiet_left
    for index, width in enumerate(symbol.widths):
        if index % 2 == 0:
            bars.append({"x": x, "width": width})
        x += width
    return {"bars": bars, "width": symbol.total_modules, "height": BAR_HEIGHT_MODULES}


@permission_required("service.view_serviceorder", raise_exception=True)
def order_ticket(request, pk: int):
    order = _order(pk)
    return render(
        request,
        "service/order_ticket.html",
        {"order": order, "barcode": barcode_bars(order.unit.serial)},
    )


@permission_required("service.view_serviceorder", raise_exception=True)
def order_customer_copy(request, pk: int):
    order = _order(pk)
    return render(request, "service/order_customer_copy.html", {"order": order})
