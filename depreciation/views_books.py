"""Pages of depreciation books, monthly runs, disposals and the asset reports.

Each view checks its own permission and calls one service or selector. A valid POST
redirects with a message; an invalid one shows the form again with its errors.
"""

import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from depreciation import books, charts, reports
from depreciation.forms_books import (
    AgingForm,
    BookChangeForm,
    BookForm,
    DepreciationReportForm,
    DisposalForm,
    RegisterForm,
    RunForm,
)
from depreciation.models import DepreciationBook, DepreciationRun
from inventory.csv_export import csv_response
from units.models import Unit
from units.services import UnitError

logger = logging.getLogger(__name__)

#: Most rows shown on a report page; the CSV download contains every row.
ROWS_SHOWN = 500


def _attach(form, error: ValidationError) -> None:
    """Add a service's ValidationError to the form, on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _unit(pk: int) -> Unit:
    return get_object_or_404(Unit.objects.select_related("product", "location"), pk=pk)


# --- Books on a unit -------------------------------------------------------------------------


def _books_page(request, unit: Unit, *, book_form=None, change_forms=None, status=200):
    context = {**reports.unit_books_summary(unit), "book_form": book_form or BookForm()}
    for item in context["books"]:
        item["change_form"] = (change_forms or {}).get(item["book"].pk) or BookChangeForm()
    return render(request, "depreciation/book_list.html", context, status=status)


@permission_required("depreciation.view_depreciationbook", raise_exception=True)
def unit_books(request, pk: int):
    return _books_page(request, _unit(pk))


@require_POST
@permission_required("depreciation.add_depreciationbook", raise_exception=True)
def book_add(request, pk: int):
    unit = _unit(pk)
    form = BookForm(request.POST)
    if form.is_valid():
        try:
            book = books.book_create(actor=request.user, unit=unit, **form.book_fields())
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request, f"Book {book.name} added to unit {unit.serial} at cost {book.cost}."
            )
            return redirect("assets:unit-books", pk=unit.pk)
    return _books_page(request, unit, book_form=form, status=400)


@require_POST
@permission_required("depreciation.change_depreciationbook", raise_exception=True)
def book_change(request, pk: int):
    book = get_object_or_404(DepreciationBook.objects.select_related("unit"), pk=pk)
    form = BookChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = books.book_change(
                actor=request.user,
                book=book,
                reason=data["reason"],
                added_cost=data["added_cost"],
                life_months=data["life_months"],
                salvage=data["salvage"],
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                f"The {book.name} book of unit {book.unit.serial} changed from "
                f"{change.effective_on}; posted months are unchanged.",
            )
            return redirect("assets:unit-books", pk=book.unit_id)
    return _books_page(request, _unit(book.unit_id), change_forms={book.pk: form}, status=400)


@permission_required("depreciation.dispose_assets", raise_exception=True)
def unit_dispose(request, pk: int):
    unit = _unit(pk)
    form = DisposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disposed = books.unit_dispose(
                actor=request.user,
                unit=unit,
                on=data["on"],
                kind=data["kind"],
                proceeds=data["proceeds"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _attach(form, error)
        except UnitError as error:
            form.add_error(None, str(error))
        else:
            figures = "; ".join(f"{book.name}: {book.gain_loss:+}" for book in disposed)
            messages.success(
                request, f"Unit {unit.serial} disposed of on {data['on']}; gain or loss {figures}."
            )
            return redirect("assets:unit-books", pk=unit.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "depreciation/book_dispose.html", {"unit": unit, "form": form}, status=status
    )


# --- Monthly runs ----------------------------------------------------------------------------


@permission_required("depreciation.post_depreciation", raise_exception=True)
def run_list(request):
    today = timezone.localdate()
    form = RunForm(request.POST or None, initial={"year": today.year, "month": today.month})
    if request.method == "POST" and form.is_valid():
        try:
            run = books.run_start(
                actor=request.user, year=form.cleaned_data["year"], month=form.cleaned_data["month"]
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.info(request, f"Depreciation run for {run.year}-{run.month:02d} started.")
            return redirect(run.job)
    runs = DepreciationRun.objects.select_related("job", "started_by")[:60]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "depreciation/run_list.html", {"form": form, "runs": runs}, status=status
    )


# --- Reports ---------------------------------------------------------------------------------


def _month_label(key: int) -> str:
    return f"{key // 100}-{key % 100:02d}"


def _default_report_data(request) -> dict:
    if request.GET:
        return request.GET
    today = timezone.localdate()
    return {
        "start": f"{today.year}-01",
        "end": f"{today.year}-{today.month:02d}",
        "group_by": "book",
    }


@permission_required("depreciation.view_asset_reports", raise_exception=True)
def report_depreciation(request):
    form = DepreciationReportForm(_default_report_data(request))
    output = request.GET.get("format")
    context = {"form": form, "query_string": _query_string(request)}
    if form.is_valid():
        filters = form.report_filter()
        group_by = form.cleaned_data["group_by"]
        if output == "csv":
            report = reports.depreciation_report(filters, group_by=group_by)
            return _depreciation_csv(report, group_by)
        report = reports.depreciation_report(filters, group_by=group_by, limit=ROWS_SHOWN)
        context.update(
            report=report,
            group_label=reports.DEPRECIATION_GROUPS[group_by][0],
            rows_shown=ROWS_SHOWN,
            chart=charts.bar_chart(
                [(_month_label(row["period_key"]), row["amount"]) for row in report["months"]],
                title="Depreciation per month",
            ),
        )
    context["printable"] = output == "print"
    return render(request, "depreciation/report_depreciation.html", context)


def _depreciation_csv(report: dict, group_by: str):
    header = [reports.DEPRECIATION_GROUPS[group_by][0], "Entries", "Depreciation"]
    rows = [[row["label"], row["entries"], row["amount"]] for row in report["rows"]]
    rows.append(["Total", report["totals"]["entries"], report["totals"]["amount"]])
    return csv_response(f"depreciation-by-{group_by}.csv", header, rows)


def _query_string(request) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


@permission_required("depreciation.view_asset_reports", raise_exception=True)
def report_register(request):
    data = request.GET or {"as_of": timezone.localdate().isoformat(), "sort": "serial"}
    form = RegisterForm(data)
    output = request.GET.get("format")
    context = {"form": form, "query_string": _query_string(request)}
    if form.is_valid():
        data = form.cleaned_data
        limit = None if output == "csv" else ROWS_SHOWN
        register = reports.asset_register(
            data["as_of"], book_name=data["book"], sort=data["sort"], limit=limit
        )
        if output == "csv":
            return _register_csv(register)
        context.update(register=register, rows_shown=ROWS_SHOWN)
    context["printable"] = output == "print"
    return render(request, "depreciation/report_register.html", context)


def _register_csv(register: dict):
    header = [
        "Serial",
        "Product",
        "Book",
        "Method",
        "In service",
        "Cost",
        "Accumulated",
        "Book value",
    ]
    rows = [
        [
            book.unit.serial,
            book.unit.product.model_number,
            book.name,
            book.get_method_display(),
            book.in_service,
            book.cost_as_of,
            book.accumulated_as_of,
            book.book_value,
        ]
        for book in register["rows"]
    ]
    totals = register["totals"]
    rows.append(
        ["Total", "", "", "", "", totals["cost"], totals["accumulated"], totals["book_value"]]
    )
    return csv_response(f"asset-register-{register['as_of']}.csv", header, rows)


@permission_required("depreciation.view_asset_reports", raise_exception=True)
def report_aging(request):
    today = timezone.localdate()
    data = request.GET or {
        "sold_from": (today - datetime.timedelta(days=365)).isoformat(),
        "sold_to": today.isoformat(),
        "group_by": "product",
        "slowest": "20",
    }
    form = AgingForm(data)
    output = request.GET.get("format")
    context = {"form": form, "query_string": _query_string(request)}
    if form.is_valid():
        data = form.cleaned_data
        aging = reports.stock_aging(
            reports.AgingFilter(
                sold_from=data["sold_from"],
                sold_to=data["sold_to"],
                today=today,
                group_by=data["group_by"],
                slowest=data["slowest"],
            )
        )
        if output == "csv":
            return _aging_csv(aging, data["group_by"])
        context.update(aging=aging, group_label=reports.AGING_GROUPS[data["group_by"]][0])
    context["printable"] = output == "print"
    return render(request, "depreciation/report_aging.html", context)


def _aging_csv(aging: dict, group_by: str):
    header = [
        reports.AGING_GROUPS[group_by][0],
        "Sold new",
        "Average days to sell, new",
        "Sold used",
        "Average days to sell, used",
        "In stock new",
        "Average days in stock, new",
        "In stock used",
        "Average days in stock, used",
        "Oldest in stock (days)",
        "Sell-through %",
    ]
    rows = [
        [
            row["label"],
            row["sold_new"],
            row["sold_days_new"],
            row["sold_used"],
            row["sold_days_used"],
            row["stock_new"],
            row["stock_days_new"],
            row["stock_used"],
            row["stock_days_used"],
            row["oldest_days"],
            row["sell_through"],
        ]
        for row in aging["rows"]
    ]
    return csv_response(f"stock-aging-by-{group_by}.csv", header, rows)
