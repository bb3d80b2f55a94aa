"""The calls: one SQL statement each, on a psycopg 3 connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable, Sequence, TypeVar

import psycopg
from psycopg.rows import tuple_row

from .errors import connection_lost, error_for
from .results import EventSummary, OrderResult, TicketResult

T = TypeVar("T")

_TICKET_COLUMNS = "outcome, event_id, ticket_id, seat, owner_is_you, at, hold_expires_at"
_ORDER_COLUMNS = "outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at"

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

    def _one(self, function: str, columns: str, build: Callable[[Sequence[Any]], T],
             required: Sequence[_Arg], optional: Sequence[_Arg] = ()) -> T:
        sql, params = _statement(function, columns, required, optional)
        try:
            with self.conn.cursor(row_factory=tuple_row) as cur:
                cur.execute(sql, params)
                row = cur.fetchone()
        except psycopg.Error as exc:
            if exc.sqlstate is None or connection_lost(exc.sqlstate):
                raise
            raise error_for(exc.sqlstate, exc.diag.message_primary or str(exc)) from exc
        if row is None:
            raise RuntimeError(f"ticketing.{function} returned no row")
        return build(row)

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
                  idempotency_key: str | None = None) -> OrderResult:
        """Buys (or, with ``hold_for``, holds) any claimable tickets (claim_any)."""
        required = [("event_id", "bigint", event_id), ("customer", "text", customer)]
        optional = [("quantity", "integer", quantity), ("section", "text", section),
                    ("seat_prefix", "text", seat_prefix), ("adjacent", "boolean", adjacent),
                    ("hold_for", "interval", hold_for),
                    ("idempotency_key", "text", idempotency_key)]
        return self._one("claim_any", _ORDER_COLUMNS, OrderResult.from_row, required, optional)

    def hold(self, event_id: int, ticket_id: int, customer: str, *,
             hold_for: timedelta | None = None, wait: str | None = None,
             idempotency_key: str | None = None) -> TicketResult:
        """Holds one ticket (hold_ticket; default 10 minutes)."""
        return self._ticket_call("hold_ticket", event_id, ticket_id, customer,
                                 ("hold_for", "interval", hold_for), ("wait", "text", wait),
                                 ("idempotency_key", "text", idempotency_key))

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
