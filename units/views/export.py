"""CSV export of the unit list with the list page's filters."""

from django.contrib.auth.decorators import permission_required

from inventory.csv_export import csv_streaming_response
from units.forms.lookup import UnitFilterForm
from units.selectors import DEFAULT_SORT
from units.selectors import unit_list as select_units

#: Rows fetched per round trip; the server-side cursor keeps memory flat.
CHUNK_SIZE = 2000

HEADER = [
    "serial",
    "product",
    "model_number",
    "status",
    "condition",
    "purpose",
    "location",
    "owner",
    "vin",
    "in_house_tag",
    "received_on",
]
_COLUMNS = [
    "serial",
    "product__name",
    "product__model_number",
    "status",
    "condition",
    "purpose",
    "location__code",
    "owner__name",
    "vin",
    "in_house_tag",
    "received_on",
]


@permission_required("units.view_unit", raise_exception=True)
def unit_export(request):
    """Stream every unit that the unit list's filters select, in the list's order, as CSV.

    Invalid filters export nothing rather than every unit.
    """
    form = UnitFilterForm(request.GET or None)
    filters, sort = {}, DEFAULT_SORT
    if form.is_bound:
        if not form.is_valid():
            return csv_streaming_response("units.csv", HEADER, [])
        filters = form.cleaned_data
        sort = filters.get("sort") or DEFAULT_SORT
    rows = (
        select_units(filters=filters, sort=sort)
        .values_list(*_COLUMNS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return csv_streaming_response("units.csv", HEADER, rows)
