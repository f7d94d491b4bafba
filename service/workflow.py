"""The service order workflow: which order status may follow which.

``service.services.service_order_change_status`` is the only code that changes
an order's status, and it consults ``ORDER_TRANSITIONS``.
"""

from service.models import OrderStatus
from units.models import Status as UnitStatus
from units.workflow import is_allowed

ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.RECEIVED: (OrderStatus.DIAGNOSING, OrderStatus.CANCELLED),
    OrderStatus.DIAGNOSING: (
        OrderStatus.WAITING_FOR_PARTS,
        OrderStatus.IN_REPAIR,
        OrderStatus.CANCELLED,
    ),
    OrderStatus.WAITING_FOR_PARTS: (OrderStatus.IN_REPAIR, OrderStatus.CANCELLED),
    OrderStatus.IN_REPAIR: (
        OrderStatus.WAITING_FOR_PARTS,
        OrderStatus.READY,
        OrderStatus.CANCELLED,
    ),
    # A unit that fails its check at the counter goes back into repair.
    OrderStatus.READY: (OrderStatus.COLLECTED, OrderStatus.IN_REPAIR, OrderStatus.CANCELLED),
    OrderStatus.COLLECTED: (),
    OrderStatus.CANCELLED: (),
}

#: Statuses that end an order and hand the unit back in its status before intake.
CLOSING_STATUSES = frozenset({OrderStatus.COLLECTED, OrderStatus.CANCELLED})


def allowed_next(status: str) -> tuple[str, ...]:
    return ORDER_TRANSITIONS.get(status, ())


def is_allowed_order_move(current: str, target: str) -> bool:
    return target in ORDER_TRANSITIONS.get(current, ())


def can_enter_service(unit_status: str) -> bool:
    """Return whether the unit workflow lets a unit in this status go to the workshop."""
    return is_allowed(unit_status, UnitStatus.IN_SERVICE)
