"""Plain-text and session forms of an ImportReport."""

import dataclasses
from collections.abc import Iterator

from units.importing.mapping import FORMAT_LABELS, SourceFormat
from units.importing.services import ImportReport, RowError
from units.importing.values import DateOrder

LINE_ENDINGS = {"CR": "CR only (classic Mac)", "CRLF": "CRLF (Windows)", "LF": "LF"}


def report_lines(report: ImportReport) -> Iterator[str]:
    """Yield the lines of the report, in the order the upload page shows them."""
    how = "detected" if report.encoding_detected else "as given"
    yield f"File {report.filename}: {report.rows_read} data rows."
    yield f"Format: {FORMAT_LABELS[report.source_format]}."
    yield f"Encoding: {report.encoding} ({how}); line ends: {LINE_ENDINGS[report.line_ending]}."
    yield f"Slash dates read as {report.date_order.value.upper()}."
    for note in report.column_notes:
        yield f"Column: {note}"
    for warning in report.warnings:
        yield f"Warning: {warning}"
    verb = "were created" if report.units_created else "will be created"
    for kind, names in report.to_create.items():
        if names:
            yield f"{len(names)} {kind} {verb}: {', '.join(names[:20])}" + (
                f" and {len(names) - 20} more." if len(names) > 20 else "."
            )
    for change in report.role_changes:
        yield f"{change}."
    for error in report.errors:
        yield f"Error: {error}"
    if report.errors:
        yield f"{len(report.bad_rows)} rows have errors."
    if report.dry_run:
        yield f"Dry run: {report.units_planned} units would be imported; nothing was stored."
    elif report.rejected:
        yield "Nothing was stored."
    else:
        skipped = f"; {len(report.bad_rows)} bad rows skipped" if report.errors else ""
        yield f"{report.units_created} units imported{skipped}."


def report_to_dict(report: ImportReport) -> dict:
    """Return the report as JSON-ready data, for keeping it in the session."""
    return dataclasses.asdict(report)


def report_from_dict(data: dict) -> ImportReport:
    fields = dict(data)
    fields["source_format"] = SourceFormat(fields["source_format"])
    fields["date_order"] = DateOrder(fields["date_order"])
    fields["errors"] = [RowError(**error) for error in fields["errors"]]
    return ImportReport(**fields)
