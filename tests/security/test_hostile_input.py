"""Hostile text stored through the real services comes back escaped, literal or neutralised.

Every page that shows the text is fetched as a superuser, who may open all of
them. Markup must come back HTML-escaped, PDFs and ZPL must show the text
literally, and CSV cells must not start a spreadsheet formula.
"""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pypdfium2
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from depreciation import costs
from depreciation.models import UnitCost
from inventory.services import customer_create
from service import services as service_services
from service.models import LabourLine
from tests import factories
from units import services
from units.models import Unit
from units.sales import LineInput, sale_create

ROOT = Path(__file__).resolve().parents[2]

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
]
PAYLOADS = [*MARKUP, "{{7*7}}", "javascript:alert(1)"]
FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-1+cmd", "@SUM(A1)"]


def _build(payload: str):
    """Store ``payload`` in every shown text field through the services; return the objects."""
    admin = User.objects.create_superuser("admin-hostile", password="pw-for-tests-only")
    today = timezone.localdate()
    customer = customer_create(actor=admin, name=payload, phone=payload, address=payload, email="")
    product = factories.make_product(
        name=payload,
        model_number=f"M-{payload}",
        manufacturer=factories.make_party(name=payload, is_manufacturer=True),
        list_price=Decimal("10.00"),
    )
    receipt = factories.receive(
        admin,
        [payload, "H-2"],
        product=product,
        supplier=factories.make_supplier(name=payload),
        reference=payload,
        notes=payload,
        received_on=today - datetime.timedelta(days=400),
    )
    unit = receipt.units.get(serial=payload)
    other = receipt.units.get(serial="H-2")
    services.unit_mark_damaged(unit=other, actor=admin, reason=payload)
    sale = sale_create(
        actor=admin,
        customer=customer,
        lines=[LineInput(unit.pk, "10.00")],
        invoice_number=payload,
        sold_on=today - datetime.timedelta(days=350),
        notes=payload,
    )
    order = service_services.service_order_create(
        actor=admin, unit=unit, customer=customer, problem=payload, notes=payload
    )
    service_services.labour_line_add(
        order=order, actor=admin, description=payload, hours="1", rate="10"
    )
    costs.unit_cost_add(
        actor=admin, unit=unit, kind="freight", amount="5", entry_date=today, note=payload
    )
    unit.refresh_from_db()
    return SimpleNamespace(
        admin=admin,
        customer=customer,
        product=product,
        receipt=receipt,
        unit=unit,
        other=other,
        sale=sale,
        order=order,
    )


def _pages(shop, payload: str) -> list[str]:
    customer, product, receipt, unit = shop.customer, shop.product, shop.receipt, shop.unit
    other, sale, order = shop.other, shop.sale, shop.order
    return [
        reverse("units:unit-detail", args=[unit.pk]),
        reverse("units:unit-detail", args=[other.pk]),
        reverse("units:unit-list"),
        reverse("units:scan") + "?" + _query(q=payload[:40] + " no match"),
        reverse("catalog:party-detail", args=[customer.pk]),
        reverse("catalog:party-list"),
        reverse("catalog:product-list"),
        reverse("catalog:product-detail", args=[product.pk]),
        reverse("units:sale-detail", args=[sale.pk]),
        reverse("units:sale-list"),
        reverse("units:receipt-detail", args=[receipt.pk]),
        reverse("units:receipt-list"),
        reverse("service:order-detail", args=[order.pk]),
        reverse("service:order-ticket", args=[order.pk]),
        reverse("service:order-customer-copy", args=[order.pk]),
        reverse("service:order-list"),
        reverse("assets:unit-costs", args=[unit.pk]),
        reverse("units:warranty-ending") + "?days=60",
    ]


def _query(**params) -> str:
    return urlencode(params)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pages_escape_stored_text(client, db, payload):
    shop = _build(payload)
    client.force_login(shop.admin)
    problems = []

    for address in _pages(shop, payload):
        body = client.get(address).content.decode()
        if payload in MARKUP and payload in body:
            problems.append(f"{address}: raw markup {payload!r}")
        if escape(payload) not in body and payload not in body:
            problems.append(f"{address}: the stored text is not shown")
        if re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:alert""", body, re.IGNORECASE):
            problems.append(f"{address}: a javascript: address in an attribute")
        # A template engine that evaluated the text would print 49 in its place.
        if payload == "{{7*7}}" and "{{7*7}}" not in body:
            problems.append(f"{address}: the template text was evaluated")

    assert problems == []


@pytest.mark.parametrize("payload", MARKUP)
def test_scan_echo_is_escaped(client, db, payload):
    admin = User.objects.create_superuser("scanner", password="pw-for-tests-only")
    client.force_login(admin)

    body = client.get(reverse("units:scan"), {"q": payload}).content.decode()

    assert payload not in body
    assert escape(payload) in body


@pytest.mark.parametrize("payload", MARKUP)
def test_rejected_form_message_is_escaped(client, db, payload):
    shop = _build(payload)
    unit = shop.unit
    client.force_login(shop.admin)

    response = client.post(
        reverse("units:unit-set-vin", args=[unit.pk]),
        {"vin": payload, "reason": payload},
        follow=True,
    )
    body = response.content.decode()

    assert response.status_code == 200
    assert payload not in body


@pytest.mark.parametrize("payload", MARKUP)
def test_receipt_form_error_is_escaped(client, db, payload):
    shop = _build(payload)
    product, receipt = shop.product, shop.receipt
    client.force_login(shop.admin)

    response = client.post(
        reverse("units:receipt-create"),
        {
            "supplier": receipt.supplier_id,
            "product": product.pk,
            "location": receipt.location_id,
            "received_on": "2026-11-02",
            "condition": "new",
            "serials": payload,
            "reference": payload,
        },
    )
    body = response.content.decode()

    assert response.status_code == 200
    assert payload not in body
    assert escape(payload) in body


def _label_options(unit: Unit, output: str, qr: bool = False) -> dict:
    options = {
        "unit": [unit.pk],
        # The large roll label fits long serials and a QR code.
        "stock": "4x6in",
        "dpi": "203",
        "symbology": "serial",
        "copies": "1",
        "skip": "0",
        "output": output,
    }
    if qr:
        options["qr"] = "on"
    return options


def _pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_label_pdf_shows_text_literally(client, db, payload):
    shop = _build(payload)
    unit = shop.unit
    client.force_login(shop.admin)

    response = client.post(reverse("units:labels-print"), _label_options(unit, "pdf"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert payload in _pdf_text(response.content).replace("\r", "").replace("\n", "")


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if ">" not in p])
def test_label_zpl_shows_text_literally(client, db, payload):
    shop = _build(payload)
    client.force_login(shop.admin)

    response = client.post(reverse("units:labels-print"), _label_options(shop.unit, "zpl"))
    zpl = response.content.decode()

    assert response.status_code == 200
    assert f"^FD{payload}^FS" in zpl


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if ">" in p])
def test_label_zpl_rejects_serial_with_angle(client, db, payload):
    # ZPL's Code 128 invocation codes start with ">", so the ZPL output rejects it.
    shop = _build(payload)
    client.force_login(shop.admin)

    response = client.post(reverse("units:labels-print"), _label_options(shop.unit, "zpl"))
    body = response.content.decode()

    assert response.status_code == 400
    assert payload not in body
    assert escape(payload) in body


def test_label_qr_uses_configured_address(client, db, settings):
    settings.LABEL_BASE_URL = "https://labels.example.test/"
    shop = _build("javascript:alert(1)")
    unit = shop.unit
    client.force_login(shop.admin)

    response = client.post(
        reverse("units:labels-print"), _label_options(unit, "zpl", qr=True), HTTP_HOST="127.0.0.1"
    )
    fields = re.findall(r"\^BQN[^\^]*\^FH\^FDMA,([^\^]*)\^FS", response.content.decode())

    assert fields, "the ZPL has no QR code field"
    assert all(field.startswith("https://labels.example.test/") for field in fields)
    assert not any("javascript" in field or "127.0.0.1" in field for field in fields)


def test_label_qr_falls_back_to_request_host(client, db, settings):
    settings.LABEL_BASE_URL = ""
    shop = _build("javascript:alert(1)")
    unit = shop.unit
    client.force_login(shop.admin)

    response = client.post(reverse("units:labels-print"), _label_options(unit, "zpl", qr=True))
    fields = re.findall(r"\^BQN[^\^]*\^FH\^FDMA,([^\^]*)\^FS", response.content.decode())

    assert fields
    assert all(field.startswith("http://testserver/") for field in fields)
    assert not any("javascript" in field for field in fields)


# --- CSV exports ------------------------------------------------------------------------


def _csv_sources() -> list[Path]:
    """Return every application module that writes CSV or sets a text/csv response."""
    found = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or path.parts[len(ROOT.parts)] in {"tests", "scripts"}:
            continue
        text = path.read_text(encoding="utf-8")
        if "text/csv" in text or "csv.writer" in text or "csv_response(" in text:
            found.append(path.relative_to(ROOT))
    return found


def test_every_csv_download_goes_through_csv_response():
    writers = [
        str(path)
        for path in _csv_sources()
        if "csv.writer" in (ROOT / path).read_text(encoding="utf-8")
        or "text/csv" in (ROOT / path).read_text(encoding="utf-8")
    ]

    # Only the shared helper may build a CSV response; it neutralises formulas.
    assert writers == ["inventory/csv_export.py"], (
        f"{writers}: build CSV downloads with inventory.csv_export.csv_response"
    )


def _cells(response) -> list[str]:
    text = response.content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _formula_cells(cells: list[str]) -> list[str]:
    bad = []
    for cell in cells:
        if not cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            continue
        try:
            Decimal(cell)
        except ArithmeticError:
            bad.append(cell)
        else:
            continue
    return bad


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_exports_neutralise_formulas(client, db, formula):
    shop = _build(formula)
    unit = shop.unit
    client.force_login(shop.admin)
    exports = {
        "warranty": client.get(reverse("units:warranty-ending"), {"days": "60", "format": "csv"}),
        "costs": client.get(reverse("assets:unit-costs", args=[unit.pk]), {"format": "csv"}),
        "margins": client.get(reverse("assets:margin-report"), {"format": "csv"}),
    }
    problems = []

    for name, response in exports.items():
        cells = _cells(response)
        if response["Content-Type"] != "text/csv; charset=utf-8":
            problems.append(f"{name}: content type {response['Content-Type']}")
        if "'" + formula not in cells:
            problems.append(f"{name}: the stored text is missing or not quoted")
        if _formula_cells(cells):
            problems.append(f"{name}: formula cells {_formula_cells(cells)}")

    assert problems == []


# --- Sort, filter and page parameters -----------------------------------------------------

BAD_PARAMETERS = [
    {"sort": "password"},
    {"sort": "__class__"},
    {"sort": "-owner__password"},
    {"order_by": "password"},
    {"status": "bogus", "owner__password__startswith": "a"},
    {"page": "-1"},
    {"page": str(10**20)},
    {"page": "NaN"},
    {"product": "abc"},
    {"received_from": "2026-02-30"},
    {"days": "-1"},
    {"days": str(10**20)},
    {"group_by": "password"},
    {"date_from": "2026-02-30", "date_to": "1e400"},
    {"as_of": "2026-02-30"},
    {"age": "__class__", "technician": "x"},
    {"format": "../../etc/passwd"},
]

#: Text of Django's debug page and of ORM errors; none belongs on a list page.
LEAK_MARKERS = ["Traceback", "FieldError", "Cannot resolve keyword", "Exception Value", "pbkdf2"]

LISTS = [
    "units:unit-list",
    "units:sale-list",
    "units:receipt-list",
    "units:warranty-ending",
    "catalog:product-list",
    "catalog:party-list",
    "service:order-list",
    "assets:margin-report",
]


@pytest.mark.parametrize("name", LISTS)
def test_lists_reject_unknown_parameters_quietly(client, db, name):
    admin = User.objects.create_superuser("lister", password="pw-for-tests-only")
    client.force_login(admin)
    problems = []

    for params in BAD_PARAMETERS:
        response = client.get(reverse(name), params)
        body = response.content.decode(errors="replace")
        if response.status_code not in (200, 400):
            problems.append(f"{params}: status {response.status_code}")
        leaks = [marker for marker in LEAK_MARKERS if marker in body]
        if leaks:
            problems.append(f"{params}: the page shows internal details {leaks}")

    assert problems == []


@pytest.mark.parametrize(
    "address",
    [
        "/units/999999999/",
        f"/units/{10**20}/",
        f"/units/sales/{10**20}/",
        f"/service/orders/{10**20}/",
        f"/catalog/parties/{10**20}/",
        f"/assets/units/{10**20}/costs/",
        f"/jobs/{10**20}/",
    ],
)
def test_missing_or_huge_ids_give_404(client, db, address):
    client.force_login(User.objects.create_superuser("finder", password="pw-for-tests-only"))

    assert client.get(address).status_code == 404


# --- Numbers and dates out of range --------------------------------------------------------

BAD_AMOUNTS = ["-5", "NaN", "Infinity", "-Infinity", "1e400", str(10**20), "abc", ""]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_cost_add_rejects_bad_amount(client, db, amount):
    shop = _build("Plain")
    unit = shop.unit
    client.force_login(shop.admin)
    before = UnitCost.objects.count()

    response = client.post(
        reverse("assets:cost-add", args=[unit.pk]),
        {"kind": "purchase", "amount": amount, "entry_date": "2026-11-02"},
        follow=True,
    )

    assert response.status_code == 200
    assert UnitCost.objects.count() == before
    assert list(response.context["messages"])


@pytest.mark.parametrize("entry_date", ["2026-02-30", "0000-01-01", "99999-01-01", "1e400"])
def test_cost_add_rejects_bad_date(client, db, entry_date):
    shop = _build("Plain")
    unit = shop.unit
    client.force_login(shop.admin)
    before = UnitCost.objects.count()

    response = client.post(
        reverse("assets:cost-add", args=[unit.pk]),
        {"kind": "purchase", "amount": "5", "entry_date": entry_date},
        follow=True,
    )

    assert response.status_code == 200
    assert UnitCost.objects.count() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"hours": "NaN", "rate": "10"},
        {"hours": "Infinity", "rate": "10"},
        {"hours": "1", "rate": "-10"},
        {"hours": "1e400", "rate": "10"},
        {"hours": str(10**20), "rate": "10"},
        {"hours": "1", "rate": str(10**20)},
    ],
)
def test_labour_rejects_bad_numbers(client, db, fields):
    shop = _build("Plain")
    order = shop.order
    client.force_login(shop.admin)
    before = LabourLine.objects.count()

    response = client.post(
        reverse("service:labour-add", args=[order.pk]),
        {"description": "Fix", **fields},
        follow=True,
    )

    assert response.status_code == 200
    assert LabourLine.objects.count() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"line_price": "NaN"},
        {"line_price": "Infinity"},
        {"line_price": "-1"},
        {"line_price": "1e400"},
        {"sold_on": "2026-02-30"},
        {"line_unit": str(10**20)},
    ],
)
def test_sale_rejects_bad_numbers_and_dates(client, db, fields):
    shop = _build("Plain")
    customer = shop.customer
    unit = factories.receive(shop.admin, ["FRESH-1"], product=shop.product).units.get()
    client.force_login(shop.admin)
    data = {
        "customer": customer.pk,
        "invoice_number": "INV-NEW",
        "sold_on": "2026-11-02",
        "submission_token": "token-hostile",
        "line_unit": str(unit.pk),
        "line_price": "10.00",
        **fields,
    }

    response = client.post(reverse("units:sale-create"), data)

    assert response.status_code == 200
    unit.refresh_from_db()
    assert unit.status == "in_stock"


@pytest.mark.parametrize(
    "fields",
    [
        {"range_prefix": "SN-", "range_first": "1", "range_count": str(10**20)},
        {"range_prefix": "SN-", "range_first": "-1", "range_count": "2"},
        {"received_on": "2026-02-30", "serials": "OK-1"},
        {"received_on": "1e400", "serials": "OK-1"},
    ],
)
def test_receipt_rejects_bad_numbers_and_dates(client, db, fields):
    shop = _build("Plain")
    product, receipt = shop.product, shop.receipt
    client.force_login(shop.admin)
    before = Unit.objects.count()
    data = {
        "supplier": receipt.supplier_id,
        "product": product.pk,
        "location": receipt.location_id,
        "received_on": "2026-11-02",
        "condition": "new",
        **fields,
    }

    response = client.post(reverse("units:receipt-create"), data)

    assert response.status_code == 200
    assert Unit.objects.count() == before


# --- No server-side fetches ---------------------------------------------------------------

OUTBOUND = re.compile(
    r"^\s*(import|from)\s+(urllib\.request|requests|httpx|http\.client|urllib3|aiohttp)\b"
    r"|urlopen\(",
    re.MULTILINE,
)


def test_no_view_fetches_a_url():
    modules = [
        path
        for app in ("inventory", "units", "service", "depreciation", "recalls")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]

    fetching = [
        str(path.relative_to(ROOT)) for path in modules if OUTBOUND.search(path.read_text())
    ]

    assert modules
    assert fetching == [], f"Modules that open network addresses: {fetching}"
