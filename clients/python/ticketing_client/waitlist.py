"""The waiting list's rows (issue 19), as typed values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Sequence

JOINED: Final = "joined"  # in the list, waiting; ``place`` says where
OFFERED: Final = "offered"  # tickets held for the customer (``ticket_ids``) until offer_expires_at
WAITING: Final = "waiting"  # waitlist_position of an entry still in line
ALREADY_WAITING: Final = "already_waiting"  # the customer's open entry, as it stands
LEFT: Final = "left"  # left the list; an open offer was given up and passed on
NOT_WAITING: Final = "not_waiting"  # no open entry of this customer in the event's list
WAITLIST_CLOSED: Final = "waitlist_closed"  # the event's list is not open

#: Outcomes of the waiting list that leave the customer where they asked to be.
WAITLIST_SUCCESSES: Final = frozenset({JOINED, OFFERED, WAITING, ALREADY_WAITING, LEFT})


@dataclass(frozen=True)
class WaitlistResult:
    """ticketing.waitlist_result: the answer of join_waitlist, leave_waitlist and
    waitlist_position. ``place`` is the entry's place in line (1: next to be offered
    tickets) while it waits; ``skipped_for`` says why the last offer that fitted went
    past it ('limit_reached' or 'quota_exhausted')."""

    outcome: str
    event_id: int | None
    entry_id: int | None
    place: int | None
    status: str | None
    ticket_ids: tuple[int, ...]
    offer_expires_at: datetime | None
    skipped_for: str | None

    @property
    def ok(self) -> bool:
        return self.outcome in WAITLIST_SUCCESSES

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> WaitlistResult:
        outcome, event_id, entry_id, place, status, ticket_ids, offer_expires_at, skipped_for = row
        return cls(outcome, event_id, entry_id, place, status, tuple(ticket_ids or ()),
                   offer_expires_at, skipped_for)


@dataclass(frozen=True)
class WaitlistEntry:
    """One row of ticketing.waitlist(), in list order. ``status``: waiting, left or
    closed, or for an entry that got an offer what became of it: offered (still held),
    accepted, lapsed or declined; ``bought`` counts the offer's tickets bought."""

    entry_id: int
    customer: str
    place: int | None
    quantity: int
    category: str | None
    together: bool
    status: str
    joined_at: datetime
    offered_at: datetime | None
    offer_expires_at: datetime | None
    ticket_ids: tuple[int, ...]
    bought: int | None
    skipped_for: str | None
    skipped_at: datetime | None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> WaitlistEntry:
        (entry_id, customer, place, quantity, category, together, status, joined_at, offered_at,
         offer_expires_at, ticket_ids, bought, skipped_for, skipped_at) = row
        return cls(entry_id, customer, place, quantity, category, together, status, joined_at,
                   offered_at, offer_expires_at, tuple(ticket_ids or ()), bought, skipped_for,
                   skipped_at)


@dataclass(frozen=True)
class PendingOffer:
    """One row of ticketing.pending_offers(): an offer still open, what a mailer sends."""

    entry_id: int
    customer: str
    ticket_ids: tuple[int, ...]
    seats: tuple[str, ...]
    offer_expires_at: datetime

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> PendingOffer:
        entry_id, customer, ticket_ids, seats, offer_expires_at = row
        return cls(entry_id, customer, tuple(ticket_ids or ()), tuple(seats or ()), offer_expires_at)

