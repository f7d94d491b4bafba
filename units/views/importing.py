"""The unit import page: upload, dry-run preview, confirm, report.

Between the preview and the confirmation the uploaded bytes wait in a file
under the system temporary folder, named by a random token that only the
uploader's session contains. No view serves the file back, and it is deleted
once the import runs or is cancelled.
"""

import logging
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.jobs import job_start
from units.forms.importing import ImportUploadForm
from units.importing.mapping import FORMAT_LABELS
from units.importing.report import LINE_ENDINGS, report_from_dict, report_to_dict
from units.importing.services import (
    ImportFileError,
    ImportOptions,
    ImportReport,
    display_name,
    import_units,
)
from units.importing.values import DateOrder
from units.jobs import IMPORT_JOB

logger = logging.getLogger(__name__)

PENDING_KEY = "units.import.pending"
RESULT_KEY = "units.import.result"
#: Uploads left unconfirmed for longer than this are deleted (seconds).
PENDING_MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _pending_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "unit-import-uploads"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _save_pending(data: bytes) -> str:
    folder = _pending_folder()
    cutoff = time.time() - PENDING_MAX_AGE
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / token).write_bytes(data)
    return token


def _pending_path(pending: dict) -> Path | None:
    token = pending.get("token", "")
    if not _TOKEN.fullmatch(token):
        return None
    path = _pending_folder() / token
    return path if path.exists() else None


def _discard_pending(request) -> None:
    pending = request.session.pop(PENDING_KEY, None)
    if pending and (path := _pending_path(pending)):
        path.unlink(missing_ok=True)


def _options(pending: dict, *, skip_bad_rows: bool | None = None) -> ImportOptions:
    saved = pending["options"]
    return ImportOptions(
        source_format=saved["source_format"],
        encoding=saved["encoding"],
        date_order=DateOrder(saved["date_order"]),
        skip_bad_rows=saved["skip_bad_rows"] if skip_bad_rows is None else skip_bad_rows,
        location_code=saved["location_code"],
        supplier_name=saved["supplier_name"],
    )


def _context(report: ImportReport, **extra) -> dict:
    return {
        "report": report,
        "format_label": FORMAT_LABELS[report.source_format],
        "line_ending": LINE_ENDINGS[report.line_ending],
        **extra,
    }


@permission_required("units.import_units", raise_exception=True)
def import_upload(request):
    """Show the upload form, the pending preview or the last result, and handle their forms."""
    if request.method == "POST":
        action = request.POST.get("action", "upload")
        if action == "confirm":
            return _confirm(request)
        if action == "cancel":
            _discard_pending(request)
            messages.info(request, _("The import was cancelled; nothing was stored."))
            return redirect("units:import")
        return _upload(request)
    if result := request.session.pop(RESULT_KEY, None):
        return render(request, "units/import_result.html", _context(report_from_dict(result)))
    pending = request.session.get(PENDING_KEY)
    if pending:
        return _preview(request, pending)
    return render(request, "units/import_upload.html", {"form": ImportUploadForm()})


def _upload(request):
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "units/import_upload.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    location = form.cleaned_data["location"]
    options = ImportOptions(
        source_format=form.cleaned_data["source_format"],
        encoding=form.cleaned_data["encoding"],
        date_order=DateOrder(form.cleaned_data["date_order"]),
        skip_bad_rows=form.cleaned_data["skip_bad_rows"],
        location_code=location.code if location else "",
        supplier_name=form.cleaned_data["supplier"].strip(),
    )
    try:
        report = import_units(
            actor=request.user, data=data, filename=upload.name, options=options, dry_run=True
        )
    except ImportFileError as error:
        form.add_error("file", str(error))
        return render(request, "units/import_upload.html", {"form": form}, status=400)
    _discard_pending(request)
    request.session[PENDING_KEY] = {
        "token": _save_pending(data),
        "filename": display_name(upload.name),
        "planned": report.units_planned,
        "options": {
            "source_format": report.source_format.value,
            # The encoding found now is kept, so the confirmed import reads
            # the same text the preview showed.
            "encoding": report.encoding,
            "date_order": report.date_order.value,
            "skip_bad_rows": options.skip_bad_rows,
            "location_code": options.location_code,
            "supplier_name": options.supplier_name,
        },
    }
    logger.info("Import %s: uploaded for preview by user %s", report.filename, request.user.pk)
    return redirect("units:import")


def _run_pending(request, pending: dict, *, dry_run: bool, skip_bad_rows: bool | None = None):
    """Run the import on the pending file; return a report, or None after a message."""
    path = _pending_path(pending)
    if path is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("The uploaded file has expired. Upload it again."))
        return None
    try:
        return import_units(
            actor=request.user,
            data=path.read_bytes(),
            filename=pending["filename"],
            options=_options(pending, skip_bad_rows=skip_bad_rows),
            dry_run=dry_run,
        )
    except ImportFileError as error:
        _discard_pending(request)
        messages.error(request, str(error))
        return None


def _preview(request, pending: dict):
    report = _run_pending(request, pending, dry_run=True)
    if report is None:
        return redirect("units:import")
    good_rows = report.units_planned
    return render(
        request,
        "units/import_preview.html",
        _context(report, can_import=not report.rejected and good_rows > 0, good_rows=good_rows),
    )


def _start_import_job(request, pending: dict, *, skip_bad_rows: bool | None):
    """Queue a large confirmed import as a background job and show its progress page."""
    path = _pending_path(pending)
    if path is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("The uploaded file has expired. Upload it again."))
        return redirect("units:import")
    options = dict(pending["options"])
    if skip_bad_rows is not None:
        options["skip_bad_rows"] = skip_bad_rows
    job = job_start(
        kind=IMPORT_JOB,
        actor=request.user,
        params={**options, "filename": pending["filename"], "planned": pending["planned"]},
        total=pending["planned"],
        payload=path.read_bytes(),
    )
    _discard_pending(request)
    logger.info(
        "Import %s: queued as job %s by user %s", pending["filename"], job.pk, request.user.pk
    )
    return redirect(job)


def _confirm(request):
    pending = request.session.get(PENDING_KEY)
    if not pending:
        messages.error(request, _("There is no uploaded file waiting. Upload it again."))
        return redirect("units:import")
    skip = request.POST.get("skip_bad_rows") == "1" or None
    if pending.get("planned", 0) > settings.IMPORT_BACKGROUND_ROWS:
        return _start_import_job(request, pending, skip_bad_rows=skip)
    report = _run_pending(request, pending, dry_run=False, skip_bad_rows=skip)
    if report is None:
        return redirect("units:import")
    if report.rejected:
        messages.error(
            request,
            ngettext(
                "%(count)d row has errors, so nothing was stored.",
                "%(count)d rows have errors, so nothing was stored.",
                len(report.bad_rows),
            )
            % {"count": len(report.bad_rows)},
        )
        return redirect("units:import")
    _discard_pending(request)
    request.session[RESULT_KEY] = report_to_dict(report)
    messages.success(
        request,
        ngettext(
            "%(count)d unit imported from %(file)s.",
            "%(count)d units imported from %(file)s.",
            report.units_created,
        )
        % {"count": report.units_created, "file": report.filename},
    )
    return redirect("units:import")
