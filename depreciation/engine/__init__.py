"""Depreciation schedules computed in Decimal cents, with no database access.

Build a BookParams for one asset in one book, then call schedule() for its periods,
book_value_on() or disposal_gain_loss() for a disposal date, and reschedule() for a change after
some periods were posted. docs/depreciation.md states every method's formula and source.
"""

from depreciation.engine.changes import Disposal, book_value_on, disposal_gain_loss, reschedule
from depreciation.engine.inputs import (
    MESSAGES,
    BookParams,
    Convention,
    DepreciationInputError,
    MacrsConvention,
    Method,
    Rounding,
)
from depreciation.engine.rounding import Period
from depreciation.engine.schedule import month_period, schedule

__all__ = [
    "MESSAGES",
    "BookParams",
    "Convention",
    "DepreciationInputError",
    "Disposal",
    "MacrsConvention",
    "Method",
    "Period",
    "Rounding",
    "book_value_on",
    "disposal_gain_loss",
    "month_period",
    "reschedule",
    "schedule",
]
