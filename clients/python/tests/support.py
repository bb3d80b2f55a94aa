"""Shared by the tests that need a database: the PG* environment variables name one
where the ticketing extension is installed (test/clients/run_clients.sh makes it)."""

from __future__ import annotations

import os
import uuid
from typing import Any

import psycopg


def connect(**kwargs: Any) -> psycopg.Connection[Any]:
    """A new autocommit connection (PG* variables; keyword arguments override)."""
    return psycopg.connect(autocommit=True, **kwargs)


def new_event(conn: psycopg.Connection[Any], tickets: int, name: str = "python test") -> int:
    row = conn.execute("SELECT ticketing.create_event(%s)", [name]).fetchone()
    assert row is not None
    event: int = row[0]
    conn.execute("SELECT ticketing.add_tickets(%s::bigint, %s::integer)", [event, tickets])
    return event


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def sales(conn: psycopg.Connection[Any], event: int, customer: str) -> list[int]:
    """The tickets the audit log says were sold to the customer in the event."""
    rows = conn.execute(
        "SELECT ticket_id FROM ticketing.audit_log"
        " WHERE event_id = %s AND customer = %s AND to_status = 'sold' ORDER BY ticket_id",
        [event, customer]).fetchall()
    return [r[0] for r in rows]


def verified(conn: psycopg.Connection[Any], event: int) -> bool:
    row = conn.execute("SELECT count(*) FROM ticketing.verify(%s)", [event]).fetchone()
    return row is not None and row[0] == 0


def server_address() -> tuple[str, int]:
    """Where the PG* variables point: a host name, or a socket directory."""
    return os.environ.get("PGHOST", "/var/run/postgresql"), int(os.environ.get("PGPORT", "5432"))
