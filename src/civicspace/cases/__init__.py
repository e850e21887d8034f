"""Legal proceedings: custody status, deadlines and the political-prisoner list."""

from civicspace.cases.custody import CustodyState, custody_state
from civicspace.cases.service import (
    DeadlineRow,
    PrisonerRow,
    political_prisoners,
    upcoming_deadlines,
)

__all__ = [
    "CustodyState",
    "DeadlineRow",
    "PrisonerRow",
    "custody_state",
    "political_prisoners",
    "upcoming_deadlines",
]
