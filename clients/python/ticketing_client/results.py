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
# Quotas and carts (1.3).
QUOTA_EXHAUSTED: Final = "quota_exhausted"  # the result's ``quota`` names the quota
OPENED: Final = "opened"  # a new cart; from cart_contents: the cart is open
EXTENDED: Final = "extended"
CAPPED: Final = "capped"  # extended only to the ceiling of a cart's lifetime
CART_EXPIRED: Final = "cart_expired"
CART_CLOSED: Final = "cart_closed"  # abandoned (or, for a hold into it, checked out)
CART_NOT_FOUND: Final = "cart_not_found"  # no such cart of this customer in the event
EMPTY_CART: Final = "empty_cart"

#: Outcomes that leave the customer with what they asked for (a cart: open for more).
SUCCESSES: Final = frozenset({CLAIMED, ALREADY_OWNED, HOLD_PLACED, RELEASED, OPENED, EXTENDED})


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
    quota: str | None  # quota_exhausted: the quota with no unit left
    # The ticket's code for the gate when the answer gives the customer a sold ticket
    # (claimed, already_owned, transferred: the receiver's new one).
    code: str | None = None

    @property
    def ok(self) -> bool:
        """True when the customer got (or already had) what they asked for."""
        return self.outcome in SUCCESSES

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> TicketResult:
        return cls(*row)


@dataclass(frozen=True)
class OrderResult:
    """ticketing.order_result: the answer of claim_any, claim_tickets, checkout_cart and
    abandon_cart. On success ``ticket_ids`` and ``seats`` are the customer's tickets;
    when blocked, the tickets in the way; ``remaining`` is set when there were not
    enough."""

    outcome: str
    event_id: int | None
    ticket_ids: tuple[int, ...]
    seats: tuple[str, ...]
    remaining: int | None
    at: datetime | None
    hold_expires_at: datetime | None
    quota: str | None
    codes: tuple[str, ...] = ()  # the tickets' codes, in ticket_ids' order, for a sale

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> OrderResult:
        outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at, quota, codes = row
        return cls(outcome, event_id, tuple(ticket_ids or ()), tuple(seats or ()), remaining, at,
                   hold_expires_at, quota, tuple(codes or ()))


@dataclass(frozen=True)
class CartResult:
    """ticketing.cart_result: the answer of open_cart (with the cart's ``token``, only
    there), extend_cart and cart_contents."""

    outcome: str
    event_id: int | None
    token: str | None
    expires_at: datetime | None
    ticket_ids: tuple[int, ...]
    seats: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CartResult:
        outcome, event_id, token, expires_at, ticket_ids, seats = row
        return cls(outcome, event_id, token, expires_at, tuple(ticket_ids or ()), tuple(seats or ()))


@dataclass(frozen=True)
class BatchRequest:
    """ticketing.batch_request: a given ticket, or any seat (``ticket_id`` None) of a
    ``category`` if given, held into a ``cart`` (its token) if given."""

    customer: str
    ticket_id: int | None = None
    idempotency_key: str | None = None
    category: str | None = None
    cart: str | None = None


@dataclass(frozen=True)
class BatchResult:
    """ticketing.batch_result: the answer to request ``request_no`` (from 1)."""

    request_no: int
    outcome: str
    ticket_id: int | None
    seat: str | None
    at: datetime | None
    quota: str | None
    code: str | None = None  # the ticket's code when the request bought or owns it

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> BatchResult:
        return cls(*row)


@dataclass(frozen=True)
class QuotaSummary:
    """ticketing.quota_counts: a quota's size, and what is sold, held and left."""

    event_id: int
    quota: str
    categories: tuple[str, ...]
    size: int
    sold: int
    held: int
    available: int

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> QuotaSummary:
        event_id, quota, categories, size, sold, held, available = row
        return cls(event_id, quota, tuple(categories or ()), size, sold, held, available)


@dataclass(frozen=True)
class CategorySummary:
    """ticketing.category_counts: a lapsed hold counts as available."""

    event_id: int
    category: str
    total: int
    available: int
    held: int
    sold: int

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CategorySummary:
        return cls(*row)


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


# Check-in and transfer (issue 19).
ADMITTED: Final = "admitted"  # the code is good: the holder may enter (recorded now)
ALREADY_ADMITTED: Final = "already_admitted"  # checked in before: ``gate``, ``admitted_at``
NOT_SOLD: Final = "not_sold"  # a genuine code of a ticket not sold now
UNKNOWN_CODE: Final = "unknown_code"  # not a code of this server (malformed, forged, ...)
WRONG_EVENT: Final = "wrong_event"  # a genuine code of another event
REVOKED: Final = "revoked"  # a genuine code of an earlier sale: transferred or resold since
TRANSFERRED: Final = "transferred"  # the ticket is the receiver's, with a new code


@dataclass(frozen=True)
class CheckInResult:
    """ticketing.check_in_result: ``ticket_id`` and ``seat`` for a genuine code of the
    event; ``gate`` and ``admitted_at`` of the admission (this one, or the earlier one)."""

    outcome: str
    ticket_id: int | None
    seat: str | None
    gate: str | None
    admitted_at: datetime | None

    @property
    def ok(self) -> bool:
        """True when the holder may enter now."""
        return self.outcome == ADMITTED

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CheckInResult:
        return cls(*row)


@dataclass(frozen=True)
class Scan:
    """ticketing.scan: one scan an offline gate uploads, with the time it was made."""

    code: str
    gate: str
    scanned_at: datetime


@dataclass(frozen=True)
class ScanResult:
    """ticketing.scan_result: the answer to scan ``scan_no`` (from 1); a scan that lost
    to an earlier one of the same ticket is already_admitted with the winner's gate."""

    scan_no: int
    outcome: str
    ticket_id: int | None
    gate: str | None
    admitted_at: datetime | None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> ScanResult:
        return cls(*row)


@dataclass(frozen=True)
class TicketCode:
    """ticketing.ticket_code: one of a customer's sold tickets and its code."""

    ticket_id: int
    seat: str
    code: str

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> TicketCode:
        return cls(*row)
