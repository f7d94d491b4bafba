"""Finding units: the scan box, the unit list and the unit page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from depreciation.reports import unit_books_summary
from depreciation.selectors import unit_asset_summary
from recalls.selectors import unit_recall_annotations, unit_recall_facts
from service.selectors import unit_part_events, unit_service_orders
from units import workflow
from units.forms.lookup import AsOfForm, ChangeProductForm, StatusChangeForm, UnitFilterForm
from units.models import Unit
from units.selectors import (
    DEFAULT_SORT,
    KEYSET_SORTS,
    after_cursor,
    merge_timeline,
    page_without_count,
    unit_as_of,
    unit_lookup,
    unit_search,
    unit_timeline,
)
from units.selectors import (
    unit_list as select_units,
)
from units.selectors_counter import unit_counter_facts
from units.views.counter import SERVICE_ORDER_NEW_PATH
from units.warranty import warranty_status

PER_PAGE = 50


@permission_required("units.view_unit", raise_exception=True)
def scan(request):
    """Open the unit whose serial, VIN or tag was scanned; else list matches."""
    raw = request.GET.get("q", "")
    context = {"query": raw.strip(), "exact": [], "partial": []}
    if not raw.strip():
        return render(request, "units/scan_results.html", context)
    try:
        exact = unit_lookup(raw)
        if len(exact) == 1:
            return redirect(exact[0])
        context["exact"] = exact
        if not exact:
            context["partial"] = unit_search(raw)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return render(request, "units/scan_results.html", context, status=400)
    today = timezone.localdate()
    for unit in context["exact"] + context["partial"]:
        unit.warranty_today = warranty_status(unit, today)
    return render(request, "units/scan_results.html", context)


@permission_required("units.view_unit", raise_exception=True)
def unit_list(request):
    form = UnitFilterForm(request.GET or None)
    filters, sort, page = {}, DEFAULT_SORT, 1
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
        sort = filters.get("sort") or DEFAULT_SORT
        page = filters.get("page") or 1
    units_query = select_units(filters=filters, sort=sort)
    keyset = sort in KEYSET_SORTS
    if keyset and filters.get("after_key") and filters.get("after_id"):
        units_query = after_cursor(
            units_query, sort=sort, key=filters["after_key"], unit_id=filters["after_id"]
        )
        units, has_next = page_without_count(units_query, page=1, per_page=PER_PAGE)
    else:
        units, has_next = page_without_count(units_query, page=page, per_page=PER_PAGE)
    query = _without(request.GET, "page", "after_key", "after_id")
    next_query = f"page={page + 1}"
    if keyset and units:
        last = units[-1]
        next_query += "&" + urlencode({"after_key": last.serial_sort, "after_id": last.pk})
    return render(
        request,
        "units/unit_list.html",
        {
            "form": form,
            "units": units,
            "page": page,
            "has_next": has_next,
            "sort": sort,
            "base_query": query,
            "next_query": next_query,
            "sort_query": _without(request.GET, "sort", "page", "after_key", "after_id"),
        },
    )


def _without(params, *names: str) -> str:
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@permission_required("units.view_unit", raise_exception=True)
def unit_detail(request, pk: int):
    unit = get_object_or_404(
        Unit.objects.select_related(
            "product",
            "product__manufacturer",
            "product__category",
            "location",
            "owner",
            "supplier",
            "receipt",
            "installed_in",
            "installed_in__product",
        ).annotate(**unit_recall_annotations()),
        pk=pk,
    )
    timeline, more = unit_timeline(unit, limit=int((request.GET.get("all") and 10_000) or 100))
    timeline = merge_timeline(timeline, unit_part_events(unit), complete=not more)
    as_of_form = AsOfForm(request.GET if "as_of" in request.GET else None)
    past = None
    if as_of_form.is_bound and as_of_form.is_valid():
        past = unit_as_of(unit, as_of_form.cleaned_data["as_of"])
    return render(
        request,
        "units/unit_detail.html",
        {
            **unit_asset_summary(unit),
            "books": unit_books_summary(unit)["books"],
            "service_orders": unit_service_orders(unit),
            "unit": unit,
            "timeline": timeline,
            "more_history": more,
            "as_of_form": as_of_form,
            "past": past,
            "status_form": StatusChangeForm(unit=unit)
            if workflow.allowed_next(unit.status)
            else None,
            "product_form": ChangeProductForm(unit=unit),
            "counter": unit_counter_facts(unit, on=timezone.localdate()),
            "service_order_url": f"{SERVICE_ORDER_NEW_PATH}?unit={unit.pk}",
            "recall_block": unit_recall_facts(unit),
        },
    )
