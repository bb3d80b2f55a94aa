"""The calls against the database: outcomes as values."""

import unittest
from datetime import datetime, timedelta, timezone

from ticketing_client import DatabaseError, Ticketing

from .support import connect, new_event, sales, unique, verified


class CallsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = connect()
        self.addCleanup(self.conn.close)
        self.tk = Ticketing(self.conn)

    def test_claim_answers_conflicts_as_outcomes(self) -> None:
        event = new_event(self.conn, 3)
        alice, bob = unique("alice"), unique("bob")
        first = self.tk.claim(event, 1, alice)
        self.assertEqual((first.outcome, first.ticket_id, first.seat, first.owner_is_you),
                         ("claimed", 1, "GA-1", True))
        self.assertTrue(first.ok)
        taken = self.tk.claim(event, 1, bob)
        self.assertEqual((taken.outcome, taken.owner_is_you), ("already_sold", False))
        self.assertFalse(taken.ok)
        self.assertEqual(self.tk.claim(event, 1, alice).outcome, "already_owned")
        self.assertEqual(self.tk.claim(event, 99, bob).outcome, "not_found")
        self.assertEqual(sales(self.conn, event, alice), [1])
        self.assertTrue(verified(self.conn, event))

    def test_holds_and_releases(self) -> None:
        event = new_event(self.conn, 3)
        bob, carol = unique("bob"), unique("carol")
        held = self.tk.hold(event, 1, bob, hold_for=timedelta(minutes=5))
        self.assertEqual(held.outcome, "hold_placed")
        assert held.hold_expires_at is not None
        left = held.hold_expires_at - datetime.now(timezone.utc)
        self.assertTrue(timedelta(minutes=4) < left <= timedelta(minutes=5, seconds=5), left)
        self.assertEqual(self.tk.claim(event, 1, carol).outcome, "held")
        self.assertEqual(self.tk.confirm(event, 1, carol).outcome, "not_owner")
        self.assertEqual(self.tk.confirm(event, 1, bob).outcome, "claimed")
        self.assertEqual(self.tk.release(event, 1, bob).outcome, "released")
        self.assertEqual(self.tk.hold(event, 2, bob).outcome, "hold_placed")
        self.assertEqual(self.tk.release_hold(event, 2, bob).outcome, "released")
        self.assertEqual(self.tk.release_hold(event, 2, bob).outcome, "not_held")
        s = self.tk.event_summary(event)
        self.assertEqual((s.event_id, s.total, s.available, s.held, s.sold), (event, 3, 3, 0, 0))
        self.assertTrue(verified(self.conn, event))

    def test_claim_any(self) -> None:
        event = new_event(self.conn, 4)
        dave = unique("dave")
        two = self.tk.claim_any(event, dave, quantity=2, hold_for=timedelta(minutes=1))
        self.assertEqual((two.outcome, len(two.ticket_ids), len(two.seats)), ("hold_placed", 2, 2))
        short = self.tk.claim_any(event, unique("erin"), quantity=3)
        self.assertEqual((short.outcome, short.remaining), ("insufficient", 2))
        rest = self.tk.claim_any(event, unique("erin"), quantity=2, seat_prefix="GA-")
        self.assertEqual(rest.outcome, "claimed")
        self.assertEqual(self.tk.claim_any(event, unique("finn")).outcome, "sold_out")
        self.assertEqual(self.tk.claim_any(10**12, unique("finn")).outcome, "not_found")
        self.assertTrue(verified(self.conn, event))

    def test_event_summary_of_an_unknown_event(self) -> None:
        with self.assertRaises(DatabaseError) as caught:
            self.tk.event_summary(10**12)
        self.assertEqual(caught.exception.sqlstate, "P0002")
