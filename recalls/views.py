"""Recall pages: list, record, criteria, the recall page with its actions, CSV export, RMAs."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from inventory.csv_export import csv_response
from inventory.jobs import job_start
from recalls import rma as rma_services
from recalls import selectors, services
from recalls.charts import progress_chart
from recalls.forms import (
    AffectedFilterForm,
    AffectedStateForm,
    CriterionForm,
    RecallForm,
    RmaCreditForm,
    RmaForm,
    RmaReplacementForm,
    RmaStatusForm,
)
from recalls.jobs import MATCHING_JOB
from recalls.models import AffectedUnit, Recall, Rma, RmaLine
from units.models import Unit

logger = logging.getLogger(__name__)

PER_PAGE = 50

#: Above this many units still to record, matching runs as a background job
#: with a progress page instead of inside the request.
MATCHING_JOB_THRESHOLD = 2000

VIEW = "recalls.view_recall"
MANAGE = "recalls.manage_recalls"
VIEW_RMA = "recalls.view_rma"
MANAGE_RMA = "recalls.manage_rmas"


def _add_errors(form, error: ValidationError, default: str | None = None) -> None:
    """Put a service's ValidationError on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else default
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(default, message)


# --- Recalls ----------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def recall_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in Recall.Status.values:
        status = ""
    recalls = selectors.recall_list(query=query, status=status)
    page = Paginator(recalls, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recalls/recall_list.html",
        {"page": page, "query": query, "status": status, "statuses": Recall.Status.choices},
    )


def _save_recall(request, form: RecallForm, recall: Recall | None) -> Recall | None:
    data = form.cleaned_data
    try:
        if recall is None:
            return services.recall_create(actor=request.user, **data)
        return services.recall_update(recall=recall, actor=request.user, **data)
    except ValidationError as error:
        _add_errors(form, error)
        return None


def _recall_form(request, recall: Recall | None):
    form = RecallForm(request.POST or None, instance=recall)
    if request.method == "POST" and form.is_valid():
        saved = _save_recall(request, form, recall)
        if saved is not None:
            messages.success(request, f"Recall {saved.reference} saved.")
            return redirect(saved)
    return render(request, "recalls/recall_form.html", {"form": form, "recall": recall})


@permission_required(MANAGE, raise_exception=True)
def recall_create(request):
    return _recall_form(request, None)


@permission_required(MANAGE, raise_exception=True)
def recall_edit(request, pk: int):
    return _recall_form(request, get_object_or_404(Recall, pk=pk))


@permission_required(MANAGE, raise_exception=True)
def criterion_add(request, pk: int):
    recall = get_object_or_404(Recall, pk=pk)
    form = CriterionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            criterion = services.recall_add_criterion(
                actor=request.user, recall=recall, **form.service_arguments()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Criterion added: {criterion.describe()}")
            return redirect(recall)
    return render(request, "recalls/criterion_form.html", {"form": form, "recall": recall})


@permission_required(VIEW, raise_exception=True)
def recall_detail(request, pk: int):
    recall = get_object_or_404(Recall.objects.select_related("issuer"), pk=pk)
    filters = AffectedFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    entries = selectors.affected_units_filtered(recall, cleaned)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.recall_state_counts(recall)
    return render(
        request,
        "recalls/recall_detail.html",
        {
            "recall": recall,
            "criteria": selectors.recall_criteria(recall),
            "state_counts": [
                (label, counts.get(value, 0)) for value, label in AffectedUnit.RemedyState.choices
            ],
            "total": sum(counts.values()),
            "location_counts": selectors.recall_location_counts(recall),
            "chart": progress_chart(selectors.recall_progress(recall)),
            "filters": filters,
            "page": page,
            "base_query": query.urlencode(),
            "state_form": AffectedStateForm(),
            "rmas": recall.rmas.order_by("-pk"),
        },
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def recall_run_matching(request, pk: int):
    recall = get_object_or_404(Recall, pk=pk)
    listed = AffectedUnit.objects.filter(recall=recall).values("unit_id")
    pending = selectors.recall_match(recall).exclude(pk__in=listed).count()
    if pending > MATCHING_JOB_THRESHOLD:
        job = job_start(
            kind=MATCHING_JOB, actor=request.user, params={"recall_id": recall.pk}, total=1
        )
        messages.info(request, f"Matching {pending} units for recall {recall.reference} started.")
        return redirect("job-detail", pk=job.pk)
    try:
        created = services.recall_run_matching(recall=recall, actor=request.user)
    except services.RecallError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Recall {recall.reference}: {len(created)} units newly matched.")
    return redirect(recall)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def recall_place_holds(request, pk: int):
    recall = get_object_or_404(Recall, pk=pk)
    try:
        held = services.recall_place_holds(recall=recall, actor=request.user)
    except services.RecallError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Recall {recall.reference}: {len(held)} units put on hold.")
    return redirect(recall)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def recall_close(request, pk: int):
    recall = get_object_or_404(Recall, pk=pk)
    released = services.recall_close(recall=recall, actor=request.user)
    messages.success(
        request, f"Recall {recall.reference} closed; {len(released)} units released from hold."
    )
    return redirect(recall)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def affected_set_state(request, pk: int):
    entry = get_object_or_404(AffectedUnit.objects.select_related("recall", "unit"), pk=pk)
    form = AffectedStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a remedy state and give a reason.")
        return redirect(entry.recall)
    try:
        updated = services.affected_unit_set_state(
            entry=entry,
            remedy_state=form.cleaned_data["remedy_state"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, services.RecallError) as error:
        text = error.messages[0] if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(
            request,
            f"Unit {entry.unit.serial} under recall {entry.recall.reference}: "
            f"{updated.get_remedy_state_display()}.",
        )
    return redirect(entry.recall)


@permission_required(VIEW, raise_exception=True)
def recall_owners_csv(request, pk: int):
    recall = get_object_or_404(Recall, pk=pk)
    header = ["owner", "email", "phone", "address", "serial", "model", "product", "fitted in"]
    return csv_response(
        f"recall-{recall.pk}-owners.csv", header, selectors.owners_to_notify(recall)
    )


# --- RMAs -------------------------------------------------------------------------------


@permission_required(VIEW_RMA, raise_exception=True)
def rma_list(request):
    rmas = Rma.objects.select_related("supplier", "recall").order_by("-pk")
    status = request.GET.get("status", "")
    if status in Rma.Status.values:
        rmas = rmas.filter(status=status)
    page = Paginator(rmas, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recalls/rma_list.html",
        {"page": page, "status": status, "statuses": Rma.Status.choices},
    )


def _rma_candidates(request) -> tuple[list[Unit], dict[int, int], Recall | None]:
    """Return the units named by ?unit= or ?affected= (with their recall entries) and the recall."""
    params = request.POST if request.method == "POST" else request.GET
    entries = list(
        AffectedUnit.objects.select_related("unit__product", "unit__supplier", "recall")
        .filter(pk__in=[v for v in params.getlist("affected") if v.isdigit()])
        .order_by("unit__serial_sort")
    )
    recalls = {entry.recall for entry in entries}
    recall = recalls.pop() if len(recalls) == 1 else None
    units = [entry.unit for entry in entries]
    units += list(
        Unit.objects.select_related("product", "supplier").filter(
            pk__in=[v for v in params.getlist("unit") if v.isdigit()]
        )
    )
    return units, {entry.unit_id: entry.pk for entry in entries}, recall


@permission_required(MANAGE_RMA, raise_exception=True)
def rma_create(request):
    units, entry_ids, recall = _rma_candidates(request)
    if not units:
        messages.error(request, "Choose the units to send back first, on a recall or unit page.")
        return redirect("recalls:rma-list")
    suppliers = {unit.supplier for unit in units if unit.supplier_id}
    initial = {"supplier": suppliers.pop() if len(suppliers) == 1 else None}
    form = RmaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = [
            rma_services.RmaLineInput(
                unit_id=unit.pk, reason=data["reason"], affected_unit_id=entry_ids.get(unit.pk)
            )
            for unit in units
        ]
        try:
            rma = rma_services.rma_create(
                actor=request.user,
                supplier=data["supplier"],
                lines=lines,
                supplier_rma_number=data["supplier_rma_number"],
                recall=recall,
                replacement_warranty=data["replacement_warranty"],
                notes=data["notes"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{rma.number} requested for {len(lines)} units.")
            return redirect(rma)
    return render(
        request,
        "recalls/rma_form.html",
        {"form": form, "units": units, "entry_ids": entry_ids, "recall": recall},
    )


@permission_required(VIEW_RMA, raise_exception=True)
def rma_detail(request, pk: int):
    rma = get_object_or_404(Rma.objects.select_related("supplier", "recall"), pk=pk)
    lines = rma.lines.select_related(
        "unit__product", "unit__owner", "affected_unit__recall", "replaced_by"
    )
    next_statuses = rma_services.allowed_next(rma.status)
    return render(
        request,
        "recalls/rma_detail.html",
        {
            "rma": rma,
            "lines": lines,
            "next_statuses": [(value, Rma.Status(value).label) for value in next_statuses],
            "settling": rma.status in rma_services.SETTLING_STATUSES,
            "credit_form": RmaCreditForm(),
            "replacement_form": RmaReplacementForm(),
            "history": rma.history.select_related("history_user").order_by("-history_date")[:50],
        },
    )


def _error_text(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


@require_POST
@permission_required(MANAGE_RMA, raise_exception=True)
def rma_change_status(request, pk: int):
    rma = get_object_or_404(Rma, pk=pk)
    form = RmaStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed statuses.")
        return redirect(rma)
    try:
        updated = rma_services.rma_change_status(rma=rma, actor=request.user, **form.cleaned_data)
    except (ValidationError, rma_services.RmaError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, f"{updated.number} is now {updated.get_status_display().lower()}."
        )
    return redirect(rma)


@require_POST
@permission_required(MANAGE_RMA, raise_exception=True)
def rma_line_credit(request, pk: int):
    line = get_object_or_404(RmaLine.objects.select_related("rma", "unit"), pk=pk)
    form = RmaCreditForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the credit amount.")
        return redirect(line.rma)
    try:
        rma_services.rma_line_record_credit(
            line=line,
            amount=form.cleaned_data["amount"],
            credited_on=form.cleaned_data["credited_on"],
            actor=request.user,
        )
    except (ValidationError, rma_services.RmaError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Credit for unit {line.unit.serial} recorded in its costs.")
    return redirect(line.rma)


@require_POST
@permission_required(MANAGE_RMA, raise_exception=True)
def rma_line_replace(request, pk: int):
    line = get_object_or_404(RmaLine.objects.select_related("rma", "unit"), pk=pk)
    form = RmaReplacementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the replacement's serial.")
        return redirect(line.rma)
    try:
        replacement = rma_services.rma_line_receive_replacement(
            line=line, actor=request.user, **form.cleaned_data
        )
    except (ValidationError, rma_services.RmaError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            f"Unit {line.unit.serial} exchanged for {replacement.serial} on {line.rma.number}.",
        )
    return redirect(line.rma)
