"""The calls: one SQL statement each, on a psycopg 3 connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable, Sequence, TypeVar

import psycopg
from psycopg.rows import tuple_row

from .errors import connection_lost, error_for
from .results import (BatchRequest, BatchResult, CartResult, CategorySummary, CheckInResult,
                      EventSummary, OrderResult, QuotaSummary, Scan, ScanResult, TicketCode,
                      TicketResult)
from .waitlist import PendingOffer, WaitlistEntry, WaitlistResult

T = TypeVar("T")

_TICKET_COLUMNS = "outcome, event_id, ticket_id, seat, owner_is_you, at, hold_expires_at, quota, code"
_ORDER_COLUMNS = "outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at, quota, codes"
_CART_COLUMNS = "outcome, event_id, token, expires_at, ticket_ids, seats"
_WAITLIST_COLUMNS = ("outcome, event_id, entry_id, place, status, ticket_ids, offer_expires_at,"
                     " skipped_for")
_WAITLIST_ENTRY_COLUMNS = ("entry_id, customer, place, quantity, category, together, status, joined_at,"
                           " offered_at, offer_expires_at, ticket_ids, bought, skipped_for, skipped_at")

# claim_batch's requests travel as parallel arrays, put together on the server (no
# composite literal is built here); one row per request, in order.
_CLAIM_BATCH = (
    "SELECT b.request_no, b.outcome, b.ticket_id, b.seat, b.at, b.quota, b.code"
    " FROM ticketing.claim_batch(%s::bigint, ARRAY("
    "SELECT ROW(u.ticket_id, u.customer, u.idempotency_key, u.category, u.cart)::ticketing.batch_request"
    " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])"
    " WITH ORDINALITY AS u(ticket_id, customer, idempotency_key, category, cart, n)"
    " ORDER BY u.n)) AS b ORDER BY b.request_no")

# check_in_batch's scans travel as parallel arrays too; one row per scan, in order.
_CHECK_IN_BATCH = (
    "SELECT s.scan_no, s.outcome, s.ticket_id, s.gate, s.admitted_at"
    " FROM ticketing.check_in_batch(%s::bigint, ARRAY("
    "SELECT ROW(u.code, u.gate, u.scanned_at)::ticketing.scan"
    " FROM unnest(%s::text[], %s::text[], %s::timestamptz[])"
    " WITH ORDINALITY AS u(code, gate, scanned_at, n)"
    " ORDER BY u.n)) AS s ORDER BY s.scan_no")

# (argument name, SQL type, value)
_Arg = tuple[str, str, Any]


def _statement(function: str, columns: str, required: Sequence[_Arg],
               optional: Sequence[_Arg] = ()) -> tuple[str, list[Any]]:
    """SELECT <columns> FROM ticketing.<function>(name => %s::type, ...) and its
    parameters. A required argument of None is passed as NULL (the function raises
    22004); an optional one of None is left out, so the function's default applies.
    Names and types come from this module, never from callers."""
    given = [*required, *(a for a in optional if a[2] is not None)]
    params = ", ".join(f"{name} => %s::{sql_type}" for name, sql_type, _ in given)
    return f"SELECT {columns} FROM ticketing.{function}({params})", [value for _, _, value in given]


class Ticketing:
    """The extension's calls on one psycopg connection.

    With ``autocommit=True`` (recommended) every call is its own transaction;
    otherwise it joins the connection's transaction and you commit. Outcomes are
    values (``result.outcome``); PostgreSQL errors raise the classes of
    :mod:`ticketing_client.errors`. Optional arguments left as None take the
    function's defaults.
    """

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            with self.conn.cursor(row_factory=tuple_row) as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        except psycopg.Error as exc:
            if exc.sqlstate is None or connection_lost(exc.sqlstate):
                raise
            raise error_for(exc.sqlstate, exc.diag.message_primary or str(exc)) from exc

    def _one(self, function: str, columns: str, build: Callable[[Sequence[Any]], T],
             required: Sequence[_Arg], optional: Sequence[_Arg] = ()) -> T:
        rows = self._rows(*_statement(function, columns, required, optional))
        if not rows:
            raise RuntimeError(f"ticketing.{function} returned no row")
        return build(rows[0])

    def _all(self, function: str, columns: str, build: Callable[[Sequence[Any]], T],
             required: Sequence[_Arg], optional: Sequence[_Arg] = ()) -> list[T]:
        return [build(row) for row in self._rows(*_statement(function, columns, required, optional))]

    def _ticket_call(self, function: str, event_id: int, ticket_id: int, customer: str,
                     *optional: _Arg) -> TicketResult:
        required = [("event_id", "bigint", event_id), ("ticket_id", "bigint", ticket_id),
                    ("customer", "text", customer)]
        return self._one(function, _TICKET_COLUMNS, TicketResult.from_row, required, optional)

    def claim(self, event_id: int, ticket_id: int, customer: str, *,
              wait: str | None = None, idempotency_key: str | None = None) -> TicketResult:
        """Buys one ticket (claim_ticket). ``wait``: 'wait', 'nowait' or 'skip'."""
        return self._ticket_call("claim_ticket", event_id, ticket_id, customer,
                                 ("wait", "text", wait),
                                 ("idempotency_key", "text", idempotency_key))

    def claim_any(self, event_id: int, customer: str, *, quantity: int | None = None,
                  section: str | None = None, seat_prefix: str | None = None,
                  adjacent: bool | None = None, hold_for: timedelta | None = None,
                  idempotency_key: str | None = None, category: str | None = None,
                  cart: str | None = None) -> OrderResult:
        """Buys (or, with ``hold_for`` or into a ``cart``, holds) any claimable tickets,
        of ``category`` if given (claim_any)."""
        required = [("event_id", "bigint", event_id), ("customer", "text", customer)]
        optional = [("quantity", "integer", quantity), ("section", "text", section),
                    ("seat_prefix", "text", seat_prefix), ("adjacent", "boolean", adjacent),
                    ("hold_for", "interval", hold_for),
                    ("idempotency_key", "text", idempotency_key), ("category", "text", category),
                    ("cart", "text", cart)]
        return self._one("claim_any", _ORDER_COLUMNS, OrderResult.from_row, required, optional)

    def claim_tickets(self, event_id: int, ticket_ids: Sequence[int], customer: str, *,
                      wait: str | None = None, hold_for: timedelta | None = None,
                      idempotency_key: str | None = None, cart: str | None = None) -> OrderResult:
        """Buys (or holds) the given tickets, all or nothing (claim_tickets)."""
        required = [("event_id", "bigint", event_id), ("ticket_ids", "bigint[]", list(ticket_ids)),
                    ("customer", "text", customer)]
        optional = [("wait", "text", wait), ("hold_for", "interval", hold_for),
                    ("idempotency_key", "text", idempotency_key), ("cart", "text", cart)]
        return self._one("claim_tickets", _ORDER_COLUMNS, OrderResult.from_row, required, optional)

    def claim_batch(self, event_id: int, requests: Sequence[BatchRequest]) -> list[BatchResult]:
        """Many claims in one call and one transaction, one answer per request in order
        (claim_batch with ticketing.batch_request[]); it never waits for a lock."""
        columns = ([r.ticket_id for r in requests], [r.customer for r in requests],
                   [r.idempotency_key for r in requests], [r.category for r in requests],
                   [r.cart for r in requests])
        return [BatchResult.from_row(row) for row in self._rows(_CLAIM_BATCH, [event_id, *columns])]

    def hold(self, event_id: int, ticket_id: int, customer: str, *,
             hold_for: timedelta | None = None, wait: str | None = None,
             idempotency_key: str | None = None, cart: str | None = None) -> TicketResult:
        """Holds one ticket (hold_ticket; default 10 minutes), into ``cart`` if given
        (the hold then lasts as long as the cart)."""
        return self._ticket_call("hold_ticket", event_id, ticket_id, customer,
                                 ("hold_for", "interval", hold_for), ("wait", "text", wait),
                                 ("idempotency_key", "text", idempotency_key),
                                 ("cart", "text", cart))

    def confirm(self, event_id: int, ticket_id: int, customer: str, *,
                idempotency_key: str | None = None) -> TicketResult:
        """Turns the customer's live hold into a sale (confirm_hold)."""
        return self._ticket_call("confirm_hold", event_id, ticket_id, customer,
                                 ("idempotency_key", "text", idempotency_key))

    def release(self, event_id: int, ticket_id: int, customer: str, *,
                idempotency_key: str | None = None) -> TicketResult:
        """Returns the customer's sale or live hold to inventory (release_ticket)."""
        return self._ticket_call("release_ticket", event_id, ticket_id, customer,
                                 ("idempotency_key", "text", idempotency_key))

    def release_hold(self, event_id: int, ticket_id: int, customer: str, *,
                     idempotency_key: str | None = None) -> TicketResult:
        """Gives up the customer's live hold (release_hold)."""
        return self._ticket_call("release_hold", event_id, ticket_id, customer,
                                 ("idempotency_key", "text", idempotency_key))

    def event_summary(self, event_id: int) -> EventSummary:
        """Counts the event's tickets by status; an unknown event raises
        DatabaseError with sqlstate 'P0002'."""
        return self._one("event_summary", "event_id, total, available, held, sold",
                         EventSummary.from_row, [("event_id", "bigint", event_id)])

    # Carts: a token bound to one customer and one event; another customer's token is
    # answered as an unknown one.

    def _cart_call(self, function: str, event_id: int, token: str, customer: str,
                   build: Callable[[Sequence[Any]], T], columns: str, *optional: _Arg) -> T:
        required = [("event_id", "bigint", event_id), ("token", "text", token),
                    ("customer", "text", customer)]
        return self._one(function, columns, build, required, optional)

    def open_cart(self, event_id: int, customer: str, *,
                  expires_in: timedelta | None = None) -> CartResult:
        """Opens a cart (open_cart; default 15 minutes): ``token`` names it in the other
        calls (``cart=`` of hold, claim_tickets, claim_any, BatchRequest). No idempotency
        key: a repeat opens another cart; an empty cart costs nothing and expires."""
        return self._one("open_cart", _CART_COLUMNS, CartResult.from_row,
                         [("event_id", "bigint", event_id), ("customer", "text", customer)],
                         [("expires_in", "interval", expires_in)])

    def extend_cart(self, event_id: int, token: str, customer: str,
                    extend_by: timedelta) -> CartResult:
        """Makes the cart and its holds last longer, up to the ceiling of a cart's
        lifetime ('capped' when the ceiling cut it) (extend_cart)."""
        return self._cart_call("extend_cart", event_id, token, customer, CartResult.from_row,
                               _CART_COLUMNS, ("extend_by", "interval", extend_by))

    def checkout_cart(self, event_id: int, token: str, customer: str, *,
                      idempotency_key: str | None = None) -> OrderResult:
        """Sells every item of the cart, or nothing (checkout_cart)."""
        return self._cart_call("checkout_cart", event_id, token, customer, OrderResult.from_row,
                               _ORDER_COLUMNS, ("idempotency_key", "text", idempotency_key))

    def abandon_cart(self, event_id: int, token: str, customer: str, *,
                     idempotency_key: str | None = None) -> OrderResult:
        """Releases every item of the cart (abandon_cart)."""
        return self._cart_call("abandon_cart", event_id, token, customer, OrderResult.from_row,
                               _ORDER_COLUMNS, ("idempotency_key", "text", idempotency_key))

    def cart_contents(self, event_id: int, token: str, customer: str) -> CartResult:
        """What the cart holds, and whether it is open (cart_contents)."""
        return self._cart_call("cart_contents", event_id, token, customer, CartResult.from_row,
                               _CART_COLUMNS)

    # Quotas and categories.

    def quota_summary(self, event_id: int) -> list[QuotaSummary]:
        """One row per quota of the event: size, sold, held, available."""
        return self._all("quota_summary", "event_id, quota, categories, size, sold, held, available",
                         QuotaSummary.from_row, [("event_id", "bigint", event_id)])

    def category_summary(self, event_id: int) -> list[CategorySummary]:
        """One row per category of the event's tickets."""
        return self._all("category_summary", "event_id, category, total, available, held, sold",
                         CategorySummary.from_row, [("event_id", "bigint", event_id)])

    # Administration: these run with the caller's rights (the extension's owner, or a
    # role with the grants the README lists).

    def add_tickets(self, event_id: int, quantity: int, *, seat_prefix: str | None = None,
                    category: str | None = None) -> int:
        """Adds ``quantity`` tickets labelled prefix + id; returns how many."""
        return self._one("add_tickets", "add_tickets", lambda row: int(row[0]),
                         [("event_id", "bigint", event_id), ("quantity", "integer", quantity)],
                         [("seat_prefix", "text", seat_prefix), ("category", "text", category)])

    def add_seats(self, event_id: int, seats: Sequence[str], *,
                  category: str | None = None) -> int:
        """Adds one ticket per seat label, in order; returns how many."""
        return self._one("add_tickets", "add_tickets", lambda row: int(row[0]),
                         [("event_id", "bigint", event_id), ("seats", "text[]", list(seats))],
                         [("category", "text", category)])

    def create_quota(self, event_id: int, name: str, size: int, categories: Sequence[str], *,
                     stripes: int | None = None) -> int:
        """Caps how many tickets of the categories may be sold or held together;
        returns the quota's id. Smaller than what is sold and held: DatabaseError 23514."""
        return self._one("create_quota", "create_quota", lambda row: int(row[0]),
                         [("event_id", "bigint", event_id), ("name", "text", name),
                          ("size", "integer", size), ("categories", "text[]", list(categories))],
                         [("stripes", "integer", stripes)])

    def resize_quota(self, event_id: int, name: str, size: int) -> None:
        """Changes a quota's size, never below what is sold and held (23514)."""
        self._one("resize_quota", "true", lambda row: None,
                  [("event_id", "bigint", event_id), ("name", "text", name), ("size", "integer", size)])

    def drop_quota(self, event_id: int, name: str) -> None:
        """Removes a quota."""
        self._one("drop_quota", "true", lambda row: None,
                  [("event_id", "bigint", event_id), ("name", "text", name)])

    # Check-in and transfer (issue 19).

    def ticket_codes(self, event_id: int, customer: str) -> list[TicketCode]:
        """The customer's sold tickets in the event with their codes, in ticket order."""
        return self._all("ticket_codes", "ticket_id, seat, code", TicketCode.from_row,
                         [("event_id", "bigint", event_id), ("customer", "text", customer)])

    def check_in(self, event_id: int, code: str, gate: str) -> CheckInResult:
        """Admits the holder of a ticket's code once (check_in): admitted, then
        already_admitted; not_sold, unknown_code, wrong_event or revoked otherwise."""
        return self._one("check_in", "outcome, ticket_id, seat, gate, admitted_at",
                         CheckInResult.from_row,
                         [("event_id", "bigint", event_id), ("code", "text", code),
                          ("gate", "text", gate)])

    def check_in_batch(self, event_id: int, scans: Sequence[Scan]) -> list[ScanResult]:
        """An offline gate's scans, one answer per scan in order (check_in_batch): of
        several scans of one ticket the earliest is the admission. 1 to 1000 scans."""
        columns = ([s.code for s in scans], [s.gate for s in scans], [s.scanned_at for s in scans])
        return [ScanResult.from_row(row) for row in self._rows(_CHECK_IN_BATCH, [event_id, *columns])]

    def transfer_ticket(self, event_id: int, ticket_id: int, from_customer: str, to_customer: str,
                        *, idempotency_key: str | None = None) -> TicketResult:
        """Moves a sold ticket to another customer (transfer_ticket): transferred with the
        receiver's new ``code`` (the old one answers revoked); not_owner, not_sold,
        already_admitted, limit_reached (the receiver's limit) or not_found change nothing."""
        return self._one("transfer_ticket", _TICKET_COLUMNS, TicketResult.from_row,
                         [("event_id", "bigint", event_id), ("ticket_id", "bigint", ticket_id),
                          ("from_customer", "text", from_customer), ("to_customer", "text", to_customer)],
                         [("idempotency_key", "text", idempotency_key)])

    # The waiting list (issue 19): an event's list, once open, is offered every ticket
    # that comes free, in the transaction that freed it, as a hold in the waiter's name.

    def join_waitlist(self, event_id: int, customer: str, *, quantity: int | None = None,
                      category: str | None = None, together: bool | None = None,
                      offer_for: timedelta | None = None) -> WaitlistResult:
        """Puts the customer in the event's list (join_waitlist): 'joined' with the
        place in line, 'offered' when tickets that fit were free at once,
        'already_waiting' (the entry as it stands), 'waitlist_closed', 'not_found'.
        ``offer_for``: how long an offer is held (1 minute to 7 days; default 15
        minutes); ``together``: adjacent seats only."""
        return self._one("join_waitlist", _WAITLIST_COLUMNS, WaitlistResult.from_row,
                         [("event_id", "bigint", event_id), ("customer", "text", customer)],
                         [("quantity", "integer", quantity), ("category", "text", category),
                          ("together", "boolean", together), ("offer_for", "interval", offer_for)])

    def leave_waitlist(self, event_id: int, customer: str) -> WaitlistResult:
        """Takes the customer out of the list (leave_waitlist): 'left' (an open offer is
        given up and passed on; its tickets in ``ticket_ids``), 'not_waiting'."""
        return self._one("leave_waitlist", _WAITLIST_COLUMNS, WaitlistResult.from_row,
                         [("event_id", "bigint", event_id), ("customer", "text", customer)])

    def waitlist_position(self, event_id: int, customer: str) -> WaitlistResult:
        """Where the customer stands (waitlist_position): 'waiting' with the place,
        'offered' with the tickets held and until when, 'not_waiting'."""
        return self._one("waitlist_position", _WAITLIST_COLUMNS, WaitlistResult.from_row,
                         [("event_id", "bigint", event_id), ("customer", "text", customer)])

    def waitlist(self, event_id: int) -> list[WaitlistEntry]:
        """Every entry of the event's list, in list order, for the shop's staff."""
        return self._all("waitlist", _WAITLIST_ENTRY_COLUMNS, WaitlistEntry.from_row,
                         [("event_id", "bigint", event_id)])

    def pending_offers(self, event_id: int) -> list[PendingOffer]:
        """The event's offers still open (for a mailer woken by LISTEN
        ticketing_waitlist_<event_id>)."""
        return self._all("pending_offers", "entry_id, customer, ticket_ids, seats, offer_expires_at",
                         PendingOffer.from_row,
                         [("event_id", "bigint", event_id)])

    def open_waitlist(self, event_id: int) -> None:
        """Opens the event's list (open_waitlist); an unknown event raises
        DatabaseError with sqlstate 'P0002'."""
        self._one("open_waitlist", "true", lambda row: None, [("event_id", "bigint", event_id)])

    def close_waitlist(self, event_id: int) -> int:
        """Closes the event's list (close_waitlist); returns how many waiting entries it
        closed (offers already made stand)."""
        return self._one("close_waitlist", "close_waitlist", lambda row: int(row[0]),
                         [("event_id", "bigint", event_id)])
