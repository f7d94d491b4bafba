"""Background job handlers of the units app."""

from inventory.jobs import job_handler, job_store_file
from inventory.models import Job
from units.labels import LabelError, labels_for_units, render_pdf, render_zpl
from units.models import Unit

LABEL_JOB = "label-batch"


def render_labels(units: list[Unit], options: dict, *, qr_base_url: str) -> tuple[bytes, str, str]:
    """Render labels as (body, content type, file extension); raises LabelError."""
    labels = labels_for_units(units, symbology=options["symbology"], qr_base_url=qr_base_url)
    if options["output"] == "pdf":
        body = render_pdf(
            labels, options["stock"], options["dpi"], options["skip"], options["copies"]
        )
        return body, "application/pdf", "pdf"
    text = render_zpl(labels, options["stock"], options["dpi"], options["copies"])
    return text.encode("utf-8"), "text/plain; charset=utf-8", "zpl"


@job_handler(LABEL_JOB)
def print_label_batch(job: Job, progress) -> dict:
    """Render a large label batch and store the file for the user to download.

    Rendering writes nothing to the database, so a retry simply renders again.
    """
    params = job.params
    by_id = Unit.objects.select_related("product").in_bulk(params["unit_ids"])
    units = [by_id[pk] for pk in params["unit_ids"] if pk in by_id]
    progress(0, len(units))
    try:
        body, content_type, _ = render_labels(units, params, qr_base_url=params["qr_base_url"])
    except LabelError as error:
        raise ValueError(" ".join(error.messages)) from error
    progress(len(units), len(units))
    result = job_store_file(
        job=job, content=body, filename=params["filename"], content_type=content_type
    )
    result["summary"] = f"{len(units)} units x {params['copies']} copies on {params['stock']}."
    return result


IMPORT_JOB = "unit-import"


@job_handler(IMPORT_JOB)
def import_units_job(job: Job, progress) -> dict:
    """Import a confirmed CSV file in the background, all or nothing as on the page.

    The import is one transaction, so a crash rolls it back and a retry starts over.
    """
    from units.importing.report import report_to_dict
    from units.importing.services import ImportOptions, import_units
    from units.importing.values import DateOrder

    params = job.params
    options = ImportOptions(
        source_format=params["source_format"],
        encoding=params["encoding"],
        date_order=DateOrder(params["date_order"]),
        skip_bad_rows=params["skip_bad_rows"],
        location_code=params["location_code"],
        supplier_name=params["supplier_name"],
    )
    progress(0, params["planned"])
    report = import_units(
        actor=job.actor,
        data=bytes(job.payload),
        filename=params["filename"],
        options=options,
        dry_run=False,
    )
    if report.rejected:
        count = len(report.bad_rows)
        rows = "1 row has" if count == 1 else f"{count} rows have"
        raise ValueError(
            f"{rows} errors in {params['filename']}, so nothing was stored. "
            "Upload the file again to see them."
        )
    progress(params["planned"], params["planned"])
    return {
        "summary": f"{report.units_created} units imported from {params['filename']}.",
        "report": report_to_dict(report),
    }
