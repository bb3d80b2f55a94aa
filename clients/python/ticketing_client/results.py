"""The rows the extension's functions answer, as typed values.

An outcome is a plain ``str``: the extension may add outcomes, and an unknown one is
still a value to look at, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Sequence

CLAIMED: Final = "claimed"
ALREADY_OWNED: Final = "already_owned"
ALREADY_SOLD: Final = "already_sold"
HELD: Final = "held"
NOT_FOUND: Final = "not_found"
BUSY: Final = "busy"
LIMIT_REACHED: Final = "limit_reached"
RELEASED: Final = "released"
NOT_OWNER: Final = "not_owner"
HOLD_PLACED: Final = "hold_placed"
HOLD_EXPIRED: Final = "hold_expired"
NOT_HELD: Final = "not_held"
INSUFFICIENT: Final = "insufficient"
SOLD_OUT: Final = "sold_out"

#: Outcomes that leave the customer with what they asked for.
SUCCESSES: Final = frozenset({CLAIMED, ALREADY_OWNED, HOLD_PLACED, RELEASED})


@dataclass(frozen=True)
class TicketResult:
    """ticketing.ticket_result: the answer of claim, hold, confirm, release."""

    outcome: str
    event_id: int | None
    ticket_id: int | None
    seat: str | None
    owner_is_you: bool | None
    at: datetime | None
    hold_expires_at: datetime | None

    @property
    def ok(self) -> bool:
        """True when the customer got (or already had) what they asked for."""
        return self.outcome in SUCCESSES

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> TicketResult:
        return cls(*row)


@dataclass(frozen=True)
class OrderResult:
    """ticketing.order_result: the answer of claim_any. On success ``ticket_ids`` and
    ``seats`` are the customer's tickets; when blocked, the tickets in the way;
    ``remaining`` is set when there were not enough."""

    outcome: str
    event_id: int | None
    ticket_ids: tuple[int, ...]
    seats: tuple[str, ...]
    remaining: int | None
    at: datetime | None
    hold_expires_at: datetime | None

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> OrderResult:
        outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at = row
        return cls(outcome, event_id, tuple(ticket_ids or ()), tuple(seats or ()), remaining, at,
                   hold_expires_at)


@dataclass(frozen=True)
class EventSummary:
    """ticketing.event_counts: a lapsed hold counts as available."""

    event_id: int
    total: int
    available: int
    held: int
    sold: int

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> EventSummary:
        return cls(*row)
