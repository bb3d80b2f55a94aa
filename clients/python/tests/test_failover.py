"""Failover.call: a call whose connection is lost is repeated on a new connection
(found through a multi-host connection string) with the same idempotency key, and sells
once; a call without a key whose answer was lost is not repeated."""

import socket
import unittest

import psycopg

from ticketing_client import Failover, OutcomeUnknownError

from .lost_answer_proxy import LostAnswerProxy
from .support import connect, new_event, sales, unique, verified


def dead_port() -> int:
    """A local port where nothing listens (a primary that went away)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FailoverTest(unittest.TestCase):
    def setUp(self) -> None:
        self.admin = connect()
        self.addCleanup(self.admin.close)
        self.event = new_event(self.admin, 20)
        self.proxy = LostAnswerProxy()
        self.addCleanup(self.proxy.close)
        # The first host is down; libpq goes on to the second, which accepts writes.
        self.conninfo = (f"host=127.0.0.1,127.0.0.1 port={dead_port()},{self.proxy.port} "
                         "sslmode=disable target_session_attrs=read-write connect_timeout=2")

    def test_keyed_call_repeated_after_a_lost_answer_sells_once(self) -> None:
        buyer, key = unique("buyer"), unique("order")
        with Failover(self.conninfo, wait=10) as fo:
            fo.call(lambda tk: tk.event_summary(self.event), idempotency_key=None)  # connected
            self.proxy.arm()
            r = fo.call(lambda tk: tk.claim_any(self.event, buyer, quantity=2, idempotency_key=key),
                        idempotency_key=key)
            self.assertTrue(self.proxy.dropped.is_set())
            self.assertEqual(fo.repeats, 1)
        self.assertEqual(r.outcome, "claimed")
        self.assertEqual(sales(self.admin, self.event, buyer), sorted(r.ticket_ids),
                         "the repeat was answered from the key: the first attempt's two tickets, no more")
        self.assertTrue(verified(self.admin, self.event))

    def test_unkeyed_call_whose_answer_was_lost_is_not_repeated(self) -> None:
        buyer = unique("buyer")
        with Failover(self.conninfo, wait=10) as fo:
            fo.call(lambda tk: tk.event_summary(self.event), idempotency_key=None)
            self.proxy.arm()
            with self.assertRaises(OutcomeUnknownError):
                fo.call(lambda tk: tk.claim_any(self.event, buyer), idempotency_key=None)
            self.assertEqual(fo.repeats, 0)
        self.assertEqual(len(sales(self.admin, self.event, buyer)), 1, "it had committed, once")

    def test_no_primary_is_waited_for_then_reported(self) -> None:
        with Failover(f"host=127.0.0.1 port={dead_port()} connect_timeout=1", wait=0.6, pause=0.1) as fo:
            with self.assertRaises(psycopg.OperationalError):
                fo.call(lambda tk: tk.claim_any(self.event, unique("buyer")), idempotency_key=None)
            self.assertGreaterEqual(fo.repeats, 2, "connecting was tried again until wait passed")


if __name__ == "__main__":
    unittest.main()
