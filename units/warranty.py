"""Warranty dates.

Rule: a warranty of N months that starts on day D ends on D plus N calendar
months, inclusive. When that month is shorter, the end is its last day, so a
sale on 29 February 2024 with 12 months of warranty ends on 28 February 2025,
and a sale on 31 January with 1 month ends on 28 or 29 February
(``dateutil.relativedelta`` clamps the day this way).
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


def warranty_end(start: datetime.date, months: int) -> datetime.date | None:
    """Return the last day covered by a warranty of ``months`` from ``start``; None for 0."""
    if months <= 0:
        return None
    return start + relativedelta(months=months)


@dataclass(frozen=True)
class WarrantyStatus:
    """Warranty cover of a unit on one date."""

    on: datetime.date
    parts: bool
    labour: bool
    extended: bool
    parts_until: datetime.date | None
    labour_until: datetime.date | None
    extended_until: datetime.date | None

    @property
    def covered(self) -> bool:
        return self.parts or self.labour or self.extended

    @property
    def label(self) -> str:
        if not (self.parts_until or self.labour_until or self.extended_until):
            return "No warranty"
        if self.extended and not (self.parts or self.labour):
            return f"Extended warranty until {self.extended_until:%Y-%m-%d}"
        if self.parts and self.labour:
            return f"Under warranty until {self.parts_until:%Y-%m-%d}"
        if self.parts:
            return f"Parts under warranty until {self.parts_until:%Y-%m-%d}; labour expired"
        if self.labour:
            return f"Labour under warranty until {self.labour_until:%Y-%m-%d}; parts expired"
        last = max(d for d in (self.parts_until, self.labour_until, self.extended_until) if d)
        return f"Warranty expired on {last:%Y-%m-%d}"


def _covers(start: datetime.date | None, until: datetime.date | None, day: datetime.date) -> bool:
    return until is not None and (start is None or start <= day) and day <= until


def warranty_status(unit, on: datetime.date) -> WarrantyStatus:
    """Return the unit's warranty cover on ``on`` from its stored warranty dates."""
    start = unit.warranty_starts_on
    return WarrantyStatus(
        on=on,
        parts=_covers(start, unit.warranty_parts_until, on),
        labour=_covers(start, unit.warranty_labour_until, on),
        extended=_covers(start, unit.extended_warranty_until, on),
        parts_until=unit.warranty_parts_until,
        labour_until=unit.warranty_labour_until,
        extended_until=unit.extended_warranty_until,
    )
