"""Receiving pages: receipts filled by scanning serials, and in-house serials."""

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from inventory.models import Product
from units import services
from units.forms.receiving import InHouseForm, ReceiptForm, spreadsheet_number_error
from units.models import Receipt, Unit
from units.serials import normalize_serial

logger = logging.getLogger(__name__)

RECEIPTS_PER_PAGE = 50

#: Session key of the unit ids of the last in-house batch, shown on the result page.
IN_HOUSE_BATCH_KEY = "units.in_house_batch"


def _add_service_errors(
    form, error: ValidationError, field_by_code: dict[str, str], default: str | None = None
) -> None:
    """Show a service's ValidationError on the form, each message on the field its code names."""
    if hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for item in error.error_list:
        form.add_error(field_by_code.get(item.code, default), item)


@permission_required("units.view_receipt", raise_exception=True)
def receipt_list(request):
    query = request.GET.get("q", "").strip()
    receipts = Receipt.objects.select_related("supplier", "product", "location").annotate(
        unit_count=Count("units")
    )
    if query:
        receipts = receipts.filter(_receipt_search(query))
    page = Paginator(receipts.order_by("-received_on", "-pk"), RECEIPTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "units/receipt_list.html", {"page": page, "query": query})


def _receipt_search(query: str) -> Q:
    condition = (
        Q(reference__icontains=query)
        | Q(supplier__name__icontains=query)
        | Q(product__name__icontains=query)
        | Q(product__model_number__icontains=query)
    )
    # Receipt numbers are shown as R-000123; accept that form and the bare number.
    number = query.upper().removeprefix("R-").lstrip("0")
    if number.isdigit():
        condition |= Q(pk=int(number))
    return condition


@permission_required("units.receive_units", raise_exception=True)
def receipt_create(request):
    if request.method == "POST":
        form = ReceiptForm(request.POST)
        if form.is_valid():
            receipt = _receive(request, form)
            if receipt is not None:
                return redirect(receipt)
    else:
        form = ReceiptForm()
    return render(request, "units/receipt_form.html", {"form": form})


def _receive(request, form: ReceiptForm) -> Receipt | None:
    """Store the receipt, or add the service's errors to the form and return None."""
    data = form.cleaned_data
    try:
        receipt = services.receipt_create(
            actor=request.user,
            supplier=data["supplier"],
            product=data["product"],
            location=data["location"],
            serials=data["serial_list"],
            received_on=data["received_on"],
            reference=data["reference"],
            condition=data["condition"],
            notes=data["notes"],
        )
    except ValidationError as error:
        logger.warning(
            "Receipt for product %s rejected: %d problems", data["product"].pk, len(error.messages)
        )
        # Apart from the product check, every message names serials, so it goes next to the list.
        _add_service_errors(form, error, {"not_serialized": "product"}, default="serials")
        return None
    count = receipt.units.count()
    messages.success(
        request,
        ngettext(
            "Receipt %(number)s: %(count)d unit of %(product)s received.",
            "Receipt %(number)s: %(count)d units of %(product)s received.",
            count,
        )
        % {"number": receipt.number, "count": count, "product": receipt.product.model_number},
    )
    _warn_recall_holds(request, receipt)
    return receipt


def _warn_recall_holds(request, receipt: Receipt) -> None:
    """Name each open recall that caught units of the new receipt and put them on hold."""
    from recalls.selectors import receipt_recall_catches

    for reference, held in receipt_recall_catches(list(receipt.units.values_list("pk", flat=True))):
        messages.warning(
            request,
            ngettext(
                "%(count)d unit is under recall %(reference)s and was put on hold.",
                "%(count)d units are under recall %(reference)s and were put on hold.",
                held,
            )
            % {"count": held, "reference": reference},
        )


@require_GET
@permission_required("units.receive_units", raise_exception=True)
def check_serial(request):
    """Return whether a scanned serial is valid and already on file for a product (JSON).

    The response is {"serial": normalised text, "exists": bool, "error": message or null}.
    An unknown product returns status 400 with an error.
    """
    raw = request.GET.get("serial", "")
    product_id = request.GET.get("product", "").strip()
    product = Product.objects.filter(pk=int(product_id)).first() if product_id.isdigit() else None
    if product is None:
        return JsonResponse(
            {
                "serial": raw.strip(),
                "exists": False,
                "error": _("Product %(product)s was not found. Choose the product first.")
                % {"product": product_id or "(none)"},
            },
            status=400,
        )
    try:
        serial = normalize_serial(raw)
    except ValidationError as error:
        return JsonResponse({"serial": raw.strip(), "exists": False, "error": error.messages[0]})
    mangled = spreadsheet_number_error(serial)
    exists = bool(services.existing_serials(product, [serial]))
    return JsonResponse(
        {"serial": serial, "exists": exists, "error": mangled.messages[0] if mangled else None}
    )


@permission_required("units.view_receipt", raise_exception=True)
def receipt_detail(request, pk: int):
    receipt = get_object_or_404(
        Receipt.objects.select_related("supplier", "product", "location", "created_by"), pk=pk
    )
    units = receipt.units.select_related("location").order_by("serial_sort", "pk")
    labels_url = reverse("units:labels") + "?" + urlencode({"receipt": receipt.pk})
    return render(
        request,
        "units/receipt_detail.html",
        {"receipt": receipt, "units": units, "labels_url": labels_url},
    )


@permission_required("units.receive_units", raise_exception=True)
def in_house_create(request):
    if request.method == "POST":
        form = InHouseForm(request.POST)
        if form.is_valid():
            units = _generate_in_house(request, form)
            if units is not None:
                request.session[IN_HOUSE_BATCH_KEY] = [unit.pk for unit in units]
                return redirect(reverse("units:in-house-create") + "?batch=last")
    else:
        batch = request.session.get(IN_HOUSE_BATCH_KEY)
        if request.GET.get("batch") == "last" and batch:
            return _in_house_result(request, batch)
        form = InHouseForm()
    return render(request, "units/in_house_form.html", {"form": form})


def _generate_in_house(request, form: InHouseForm) -> list[Unit] | None:
    """Create the units, or add the service's errors to the form and return None."""
    data = form.cleaned_data
    try:
        units = services.in_house_units_create(
            actor=request.user,
            product=data["product"],
            location=data["location"],
            count=data["count"],
            condition=data["condition"],
        )
    except ValidationError as error:
        _add_service_errors(form, error, {"no_prefix": "product", "count": "count"})
        return None
    messages.success(
        request,
        ngettext(
            "In-house serial %(first)s generated for %(product)s.",
            "%(count)d in-house serials generated for %(product)s: %(first)s to %(last)s.",
            len(units),
        )
        % {
            "count": len(units),
            "product": data["product"].model_number,
            "first": units[0].serial,
            "last": units[-1].serial,
        },
    )
    return units


def _in_house_result(request, unit_ids: list[int]):
    units = Unit.objects.filter(pk__in=unit_ids).select_related("product", "location")
    units = units.order_by("serial_sort", "pk")
    labels_url = reverse("units:labels") + "?" + urlencode([("unit", pk) for pk in unit_ids])
    return render(request, "units/in_house_result.html", {"units": units, "labels_url": labels_url})
