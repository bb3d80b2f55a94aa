"""A retry with the same idempotency key after the connection dropped buys once."""

import unittest

import psycopg

from ticketing_client import Ticketing

from .lost_answer_proxy import LostAnswerProxy
from .support import connect, new_event, sales, unique, verified


class RetryTest(unittest.TestCase):
    def setUp(self) -> None:
        self.admin = connect()
        self.addCleanup(self.admin.close)
        self.event = new_event(self.admin, 20)

    def test_retry_after_the_backend_was_terminated(self) -> None:
        buyer, key = unique("buyer"), unique("order")
        conn = connect()
        first = Ticketing(conn).claim_any(self.event, buyer, quantity=2, idempotency_key=key)
        self.assertEqual(first.outcome, "claimed")
        pid = conn.info.backend_pid
        self.admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        with self.assertRaises(psycopg.OperationalError):
            Ticketing(conn).claim_any(self.event, buyer, quantity=2, idempotency_key=key)
        conn.close()
        with connect() as again:
            retry = Ticketing(again).claim_any(self.event, buyer, quantity=2, idempotency_key=key)
        self.assertEqual((retry.outcome, retry.ticket_ids), ("claimed", first.ticket_ids))
        self.assertEqual(sales(self.admin, self.event, buyer), sorted(first.ticket_ids))
        self.assertTrue(verified(self.admin, self.event))

    def test_retry_after_a_lost_answer(self) -> None:
        buyer, key = unique("buyer"), unique("order")
        proxy = LostAnswerProxy()
        self.addCleanup(proxy.close)
        conn = connect(host="127.0.0.1", port=proxy.port, sslmode="disable")
        self.addCleanup(conn.close)
        proxy.arm()
        with self.assertRaises(psycopg.OperationalError):  # a lost connection is the driver's error
            Ticketing(conn).claim_any(self.event, buyer, idempotency_key=key)
        self.assertTrue(proxy.dropped.is_set())
        sold = sales(self.admin, self.event, buyer)
        self.assertEqual(len(sold), 1, "the call committed before its answer was lost")
        with connect() as again:
            retry = Ticketing(again).claim_any(self.event, buyer, idempotency_key=key)
        self.assertEqual((retry.outcome, list(retry.ticket_ids)), ("claimed", sold))
        self.assertEqual(sales(self.admin, self.event, buyer), sold)
        self.assertTrue(verified(self.admin, self.event))
