"""CSV downloads that are safe to open in a spreadsheet.

A spreadsheet treats a text cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, tab or carriage return) as a formula, so a serial or a
customer name typed as ``=HYPERLINK(...)`` could run when the file is opened.
``safe_cell`` prefixes such text with an apostrophe, which spreadsheets show
as plain text.
"""

import csv
import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | Decimal:
    """Return ``value`` as a CSV cell; text that a spreadsheet would read as a formula is quoted.

    Numbers are returned unchanged because they cannot carry a formula, so a
    negative price stays a number. Dates become ISO 8601 text and None an
    empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """Return a CSV download of ``header`` and ``rows`` with every cell passed through safe_cell."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte order mark makes Excel read the file as UTF-8 instead of the
    # system code page; other programs ignore it.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


class _Echo:
    """A file-like object whose ``write`` returns the text, so csv.writer yields lines."""

    def write(self, text: str) -> str:
        return text


def csv_streaming_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """Return a CSV download like csv_response, sent line by line as ``rows`` is read.

    Memory stays flat for large exports when ``rows`` is a lazy iterator such
    as ``QuerySet.iterator()``.
    """
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow([safe_cell(name) for name in header])
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
