"""The unit status workflow: which status may follow which.

``units.services.unit_change_status`` is the only code that changes a unit's
status, and it consults ``ALLOWED_TRANSITIONS``.
"""

from units.models import Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.IN_STOCK: frozenset(
        {
            Status.INSTALLED,
            Status.RESERVED,
            Status.SOLD,
            Status.ON_HOLD,
            Status.DAMAGED,
            Status.INSPECTION,
            Status.IN_SERVICE,
            Status.RENTED,
            Status.INTERNAL_USE,
            Status.RETURNED_TO_SUPPLIER,
            Status.DISPOSED,
        }
    ),
    Status.RESERVED: frozenset({Status.IN_STOCK, Status.SOLD, Status.ON_HOLD, Status.DAMAGED}),
    Status.SOLD: frozenset({Status.IN_STOCK, Status.INSPECTION, Status.IN_SERVICE}),
    Status.ON_HOLD: frozenset(
        {
            Status.IN_STOCK,
            Status.DAMAGED,
            Status.INSPECTION,
            Status.RETURNED_TO_SUPPLIER,
            Status.DISPOSED,
        }
    ),
    Status.DAMAGED: frozenset(
        {
            Status.INSPECTION,
            Status.IN_SERVICE,
            Status.ON_HOLD,
            Status.RETURNED_TO_SUPPLIER,
            Status.DISPOSED,
        }
    ),
    Status.INSPECTION: frozenset(
        {
            Status.IN_STOCK,
            Status.DAMAGED,
            Status.ON_HOLD,
            Status.RETURNED_TO_SUPPLIER,
            Status.DISPOSED,
        }
    ),
    Status.IN_SERVICE: frozenset(
        {
            Status.IN_STOCK,
            Status.SOLD,
            Status.CUSTOMER_OWNED,
            Status.RENTED,
            Status.INTERNAL_USE,
            Status.DAMAGED,
            Status.INSPECTION,
        }
    ),
    Status.RENTED: frozenset({Status.IN_STOCK, Status.INSPECTION, Status.DAMAGED, Status.ON_HOLD}),
    Status.INTERNAL_USE: frozenset(
        {
            Status.IN_STOCK,
            Status.DAMAGED,
            Status.IN_SERVICE,
            Status.ON_HOLD,
            Status.DISPOSED,
        }
    ),
    Status.CUSTOMER_OWNED: frozenset({Status.IN_SERVICE, Status.IN_STOCK, Status.ON_HOLD}),
    Status.INSTALLED: frozenset({
        Status.IN_STOCK, Status.DAMAGED, Status.INSPECTION, Status.RETURNED_TO_SUPPLIER,
        Status.DISPOSED,
    }),
    Status.RETURNED_TO_SUPPLIER: frozenset(),
    Status.DISPOSED: frozenset(),
}

#: Only units in these statuses can be sold, reserved or rented out.
SELLABLE_STATUSES = frozenset({Status.IN_STOCK})

#: Statuses in which the shop holds the unit as stock it owns and may sell.
STOCK_STATUSES = frozenset(
    {
        Status.IN_STOCK,
        Status.RESERVED,
        Status.ON_HOLD,
        Status.DAMAGED,
        Status.INSPECTION,
    }
)


def allowed_next(status: str) -> list[str]:
    return sorted(ALLOWED_TRANSITIONS.get(status, frozenset()))


def is_allowed(current: str, target: str) -> bool:
    return target in ALLOWED_TRANSITIONS.get(current, frozenset())
