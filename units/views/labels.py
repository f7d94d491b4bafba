"""Printing barcode labels for one unit, a receipt or a selection from the unit list."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from inventory.jobs import job_start
from units.forms.labels import OUTPUT_PDF, LabelPrintForm
from units.jobs import LABEL_JOB, render_labels
from units.labels import LabelError
from units.labels.layout import MAX_LABELS, option_problems
from units.labels.stocks import get_stock
from units.models import Receipt

logger = logging.getLogger(__name__)

#: Session key of the options last printed with, offered again next time.
OPTIONS_SESSION_KEY = "label_options"
_REMEMBERED = ("stock", "dpi", "symbology", "qr", "output")


@require_GET
@permission_required("units.print_labels", raise_exception=True)
def label_form(request):
    """Show the print options, with units (``?unit=``) or a receipt (``?receipt=``) preselected."""
    unit_ids = [int(value) for value in request.GET.getlist("unit") if value.isdigit()]
    initial = {**request.session.get(OPTIONS_SESSION_KEY, {}), "unit": unit_ids}
    receipt = None
    receipt_id = request.GET.get("receipt", "")
    if receipt_id.isdigit():
        receipt = (
            Receipt.objects.select_related("product", "supplier").filter(pk=receipt_id).first()
        )
        initial["receipt"] = receipt
    form = LabelPrintForm(initial=initial, unit_ids=unit_ids)
    return _render_form(request, form, receipt=receipt)


@require_POST
@permission_required("units.print_labels", raise_exception=True)
def label_print(request):
    """Return the labels as a PDF or ZPL download, or the form with every problem listed."""
    form = LabelPrintForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    options = form.cleaned_data
    units = list(form.selected_units())
    qr_base_url = _qr_base_url(request, options)
    extension = "pdf" if options["output"] == OUTPUT_PDF else "zpl"
    if len(units) * options["copies"] > settings.LABEL_BACKGROUND_THRESHOLD:
        # Options are checked here so that a batch with bad options never reaches the queue.
        problems = option_problems(
            len(units), get_stock(options["stock"]), options["skip"], options["copies"]
        )
        if not problems:
            return _start_label_job(request, units, options, qr_base_url, extension)
        for message in problems:
            form.add_error(None, message)
        return _render_form(request, form, status=400)
    try:
        body, content_type, extension = render_labels(units, options, qr_base_url=qr_base_url)
    except LabelError as error:
        logger.warning("Labels for user %s rejected: %s", request.user.pk, error)
        for message in error.messages:
            form.add_error(None, message)
        return _render_form(request, form, status=400)

    request.session[OPTIONS_SESSION_KEY] = {key: options[key] for key in _REMEMBERED}
    logger.info(
        "Labels for user %s: %d units x %d copies on %s at %d dpi as %s",
        request.user.pk, len(units), options["copies"], options["stock"], options["dpi"], extension,
    )  # fmt: skip
    response = HttpResponse(body, content_type=content_type)
    filename = _filename(options, len(units), extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _start_label_job(request, units, options, qr_base_url: str, extension: str):
    """Queue a large batch as a background job and show its progress page."""
    params = {
        "unit_ids": [unit.pk for unit in units],
        "qr_base_url": qr_base_url,
        "filename": _filename(options, len(units), extension),
        **{key: options[key] for key in ("stock", "dpi", "skip", "copies", "symbology", "output")},
    }
    job = job_start(kind=LABEL_JOB, actor=request.user, params=params, total=len(units))
    request.session[OPTIONS_SESSION_KEY] = {key: options[key] for key in _REMEMBERED}
    messages.info(
        request, f"{len(units)} units' labels are being prepared; the download appears here."
    )
    return redirect(job)


def _qr_base_url(request, options) -> str:
    if not options["qr"]:
        return ""
    return settings.LABEL_BASE_URL or request.build_absolute_uri("/")


def _filename(options, unit_count: int, extension: str) -> str:
    receipt = options.get("receipt")
    subject = receipt.number if receipt is not None else f"{unit_count}-units"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"labels-{subject}-{options['stock']}-{stamp}.{extension}"


def _render_form(request, form, *, receipt=None, status=200):
    if receipt is None and form.is_bound:
        receipt = form.cleaned_data.get("receipt") if hasattr(form, "cleaned_data") else None
    receipt_count = receipt.units.count() if receipt is not None else 0
    context = {
        "form": form,
        "receipt": receipt,
        "receipt_count": receipt_count,
        "max_labels": MAX_LABELS,
    }
    return render(request, "units/labels_form.html", context, status=status)
