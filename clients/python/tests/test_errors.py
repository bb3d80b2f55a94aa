"""Each SQLSTATE group raises its class, from real calls."""

import unittest
from typing import Callable
import psycopg

from ticketing_client import (IdempotencyKeyReusedError, InvalidInputError, PrivilegeError,
                              RetryableError, Ticketing)

from .support import connect, new_event, unique


class ErrorsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = connect()
        self.addCleanup(self.conn.close)
        self.tk = Ticketing(self.conn)
        self.event = new_event(self.conn, 3)

    def test_invalid_input(self) -> None:
        cases: list[tuple[Callable[[], object], str]] = [
            (lambda: self.tk.claim(self.event, 1, ""), "22023"),
            (lambda: self.tk.claim(self.event, 0, "x"), "22023"),
            (lambda: self.tk.claim(self.event, 1, "x", wait="later"), "22023"),
            (lambda: self.tk.claim_any(self.event, "x", quantity=0), "22023"),
            (lambda: self.tk.claim(self.event, 1, None), "22004"),  # type: ignore[arg-type]
        ]
        for call, sqlstate in cases:
            with self.assertRaises(InvalidInputError) as caught:
                call()
            self.assertEqual(caught.exception.sqlstate, sqlstate)
            self.assertIsInstance(caught.exception.__cause__, psycopg.Error)

    def test_locked_ticket_with_nowait_is_retryable(self) -> None:
        with connect() as other:
            with other.transaction():
                other.execute("SELECT 1 FROM ticketing.tickets WHERE event_id = %s AND ticket_id = 1"
                              " FOR UPDATE", [self.event])
                with self.assertRaises(RetryableError) as caught:
                    self.tk.claim(self.event, 1, unique("x"), wait="nowait")
                self.assertEqual(caught.exception.sqlstate, "55P03")
                self.assertEqual(self.tk.claim(self.event, 1, unique("x"), wait="skip").outcome, "busy")

    def test_serialization_failure_is_retryable(self) -> None:
        with connect() as snapshot_holder:
            snapshot_holder.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            snapshot_holder.autocommit = False
            late = Ticketing(snapshot_holder)
            snapshot_holder.execute("SELECT 1")  # the snapshot is taken here
            self.assertEqual(self.tk.claim(self.event, 2, unique("early")).outcome, "claimed")
            with self.assertRaises(RetryableError) as caught:
                late.claim(self.event, 2, unique("late"))
            self.assertEqual(caught.exception.sqlstate, "40001")
            snapshot_holder.rollback()

    def test_key_reuse(self) -> None:
        who = unique("k")
        self.assertEqual(self.tk.claim(self.event, 1, who, idempotency_key="key-1").outcome, "claimed")
        with self.assertRaises(IdempotencyKeyReusedError) as caught:
            self.tk.claim(self.event, 2, who, idempotency_key="key-1")
        self.assertEqual(caught.exception.sqlstate, "TK001")

    def test_privilege(self) -> None:
        role = unique("nogrants").replace("-", "_")
        self.conn.execute(f"CREATE ROLE {role} NOLOGIN")
        self.addCleanup(self.conn.execute, f"DROP ROLE {role}")
        with connect() as restricted:
            restricted.execute(f"SET ROLE {role}")
            with self.assertRaises(PrivilegeError) as caught:
                Ticketing(restricted).claim(self.event, 1, "x")
            self.assertEqual(caught.exception.sqlstate, "42501")
