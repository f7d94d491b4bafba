"""Builders for recall tests: products by model number, units with recall-relevant fields."""

import datetime

from inventory.models import Product
from recalls.scope import parse_serial_range, split_serial_text
from recalls.services import recall_add_criterion, recall_create
from tests import factories
from units.models import Status, Unit
from units.services import unit_save


def product_for(model_number: str) -> Product:
    """Return the product with this model number, creating it on first use."""
    product = Product.objects.filter(model_number=model_number).first()
    return product or factories.make_product(model_number=model_number, name=model_number)


def make_unit(actor, model_number: str, serial: str, **fields) -> Unit:
    """Receive one unit of the model, then set other fields (manufactured_on, lot...) with history."""
    receipt = factories.receive(actor, [serial], product=product_for(model_number))
    unit = receipt.units.get()
    if fields:
        for name, value in fields.items():
            setattr(unit, name, value)
        unit_save(unit, actor=actor, reason="Test set-up")
    return unit


def install(actor, part: Unit, assembly: Unit) -> Unit:
    """Fit part into assembly.

    No installation service exists yet, and the workflow has no move into
    Installed, so the test writes the fields directly through unit_save.
    """
    part.installed_in = assembly
    part.status = Status.INSTALLED
    unit_save(part, actor=actor, reason="Test set-up: fitted as a part")
    return part


def make_recall(actor, criteria: list[dict], *, reference: str | None = None):
    """Create an open recall with criteria given as dicts of criterion fields.

    Extra keys: "products" and "host_products" take model numbers, "serials"
    takes notice text (split with split_serial_text), and "range" takes
    (first, last, exact_width) as printed.
    """
    recall = recall_create(
        actor=actor,
        reference=reference or f"RC-{factories.next_id()}",
        issued_on=datetime.date(2026, 11, 1),
        description="Test recall",
        remedy="repair",
        issuer_name="Test agency",
    )
    for spec in criteria:
        recall_add_criterion(actor=actor, recall=recall, **criterion_fields(spec))
    return recall


def criterion_fields(spec: dict) -> dict:
    fields = dict(spec)
    fields["products"] = [product_for(m) for m in fields.pop("products", [])]
    fields["host_products"] = [product_for(m) for m in fields.pop("host_products", [])]
    fields["serials"] = split_serial_text(fields.pop("serials", ""))
    if "range" in fields:
        first, last, exact = fields.pop("range")
        prefix, first_number, last_number, width = parse_serial_range(first, last)
        fields.update(
            range_prefix=prefix,
            range_first=first_number,
            range_last=last_number,
            range_width=width,
            range_exact_width=exact,
        )
    return fields
