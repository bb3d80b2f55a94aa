"""Calls that carry on through a failover.

Connect with a multi-host connection string and ``target_session_attrs=read-write``:
libpq tries the hosts in order and keeps the one that accepts writes::

    fo = Failover("host=db1,db2 port=5432,5432 dbname=shop "
                  "target_session_attrs=read-write connect_timeout=2")
    r = fo.call(lambda tk: tk.claim(42, 1017, "c-8812", idempotency_key="order-77"),
                idempotency_key="order-77")

When the call's connection is lost (the primary went away), :meth:`Failover.call`
connects again and repeats it with the same idempotency key until ``wait`` seconds
have passed: a call that had committed is answered from its key (its first answer,
nothing sold twice), one that had not runs on the new primary. A call without a key
is repeated only when it certainly was not sent (no connection could be made, or a
read-only node refused it with 25006); otherwise :class:`OutcomeUnknownError` says
that it may have committed.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional, TypeVar

import psycopg

from .client import Ticketing
from .errors import TicketingError, connection_lost

T = TypeVar("T")


class OutcomeUnknownError(Exception):
    """The connection was lost during a call without an idempotency key: it may or
    may not have committed, and repeating it could buy a second time. Look at the
    customer's tickets, or make such calls with a key."""


def _lost(exc: BaseException) -> bool:
    if isinstance(exc, psycopg.OperationalError):
        return exc.sqlstate is None or connection_lost(exc.sqlstate)
    if isinstance(exc, TicketingError):
        return exc.sqlstate == "25006"  # a demoted primary: nothing written
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return True
    return False


class Failover:
    """One connection, made again after it is lost, and calls repeated on it."""

    def __init__(self, conninfo: str = "", *, wait: float = 30.0, pause: float = 0.2,
                 **connect_kwargs: Any) -> None:
        self.conninfo = conninfo
        self.wait = wait
        self.pause = pause
        self.connect_kwargs = connect_kwargs
        self.conn: Optional[psycopg.Connection[Any]] = None
        self.repeats = 0  # calls repeated after a lost connection, for the curious

    def _connection(self) -> psycopg.Connection[Any]:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.conninfo, autocommit=True, **self.connect_kwargs)
        return self.conn

    def call(self, fn: Callable[[Ticketing], T], *, idempotency_key: Optional[str]) -> T:
        """Runs ``fn`` on a Ticketing of the current primary; see the module's text.
        ``idempotency_key`` is the key ``fn`` passes to its call (None: it has none)."""
        deadline = time.monotonic() + self.wait
        while True:
            sent = False
            try:
                conn = self._connection()
                sent = True
                return fn(Ticketing(conn))
            except (psycopg.Error, TicketingError) as exc:
                if not _lost(exc):
                    raise
                nothing_sent = not sent or getattr(exc, "sqlstate", None) == "25006"
                self.close()
                if idempotency_key is None and not nothing_sent:
                    raise OutcomeUnknownError(
                        "the connection was lost during a call without an idempotency key; "
                        "it may have committed") from exc
                if time.monotonic() + self.pause >= deadline:
                    raise
                self.repeats += 1
                time.sleep(self.pause)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None

    def __enter__(self) -> "Failover":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
