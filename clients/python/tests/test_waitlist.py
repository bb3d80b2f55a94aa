"""The waiting list against the database (issue 19)."""

import unittest
from datetime import datetime, timedelta, timezone

from ticketing_client import DatabaseError, InvalidInputError, Ticketing

from .support import connect, new_event, unique, verified


class WaitlistTest(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = connect()
        self.addCleanup(self.conn.close)
        self.tk = Ticketing(self.conn)

    def test_join_offer_confirm_leave_close(self) -> None:
        event = new_event(self.conn, 3, "python waiting list")
        self.assertEqual(self.tk.join_waitlist(event, unique("early")).outcome, "waitlist_closed")
        self.tk.open_waitlist(event)
        buyer = unique("buyer")
        self.assertEqual(self.tk.claim_any(event, buyer, quantity=3).outcome, "claimed")

        wendy, xavier = unique("wendy"), unique("xavier")
        joined = self.tk.join_waitlist(event, wendy)
        self.assertEqual((joined.outcome, joined.place, joined.status, joined.ok), ("joined", 1, "waiting", True))
        assert joined.entry_id is not None
        pair = self.tk.join_waitlist(event, xavier, quantity=2, category="general", together=True,
                                     offer_for=timedelta(minutes=5))
        self.assertEqual((pair.outcome, pair.place), ("joined", 2))
        row = self.conn.execute(
            "SELECT quantity, category, together, offer_for FROM ticketing.waitlist_entries"
            " WHERE event_id = %s AND entry_id = %s", [event, pair.entry_id]).fetchone()
        self.assertEqual(row, (2, "general", True, timedelta(minutes=5)))
        again = self.tk.join_waitlist(event, wendy, quantity=2)
        self.assertEqual((again.outcome, again.entry_id, again.place), ("already_waiting", joined.entry_id, 1))
        self.assertEqual((self.tk.waitlist_position(event, xavier).outcome,
                          self.tk.waitlist_position(event, xavier).place), ("waiting", 2))
        self.assertEqual(self.tk.waitlist_position(event, unique("nobody")).outcome, "not_waiting")

        # A refund is offered to wendy in its own transaction.
        self.assertEqual(self.tk.release(event, 1, buyer).outcome, "released")
        offer = self.tk.waitlist_position(event, wendy)
        self.assertEqual((offer.outcome, offer.ticket_ids), ("offered", (1,)))
        assert offer.offer_expires_at is not None
        self.assertGreater(offer.offer_expires_at, datetime.now(timezone.utc) + timedelta(minutes=14))
        self.assertEqual(self.tk.claim(event, 1, unique("sneaky")).outcome, "held")
        offers = self.tk.pending_offers(event)
        self.assertEqual([(o.entry_id, o.customer, o.ticket_ids, o.seats, o.offer_expires_at) for o in offers],
                         [(joined.entry_id, wendy, (1,), ("GA-1",), offer.offer_expires_at)])
        entries = self.tk.waitlist(event)
        self.assertEqual([(e.customer, e.place, e.status, e.quantity, e.category, e.together) for e in entries],
                         [(wendy, None, "offered", 1, None, False), (xavier, 1, "waiting", 2, "general", True)])
        self.assertIsNotNone(entries[0].offered_at)
        self.assertEqual(self.tk.confirm(event, 1, wendy).outcome, "claimed")
        self.assertEqual([(e.status, e.bought) for e in self.tk.waitlist(event)][0], ("accepted", 1))

        left = self.tk.leave_waitlist(event, xavier)
        self.assertEqual((left.outcome, left.entry_id, left.status), ("left", pair.entry_id, "left"))
        gone = self.tk.leave_waitlist(event, xavier)
        self.assertEqual((gone.outcome, gone.ok), ("not_waiting", False))
        self.tk.join_waitlist(event, unique("zed"))
        self.assertEqual(self.tk.close_waitlist(event), 1)
        self.assertEqual(self.tk.join_waitlist(event, unique("late")).outcome, "waitlist_closed")
        self.assertTrue(verified(self.conn, event))

    def test_errors(self) -> None:
        event = new_event(self.conn, 1, "python waiting list input")
        with self.assertRaises(InvalidInputError) as caught:
            self.tk.join_waitlist(event, "x", offer_for=timedelta(seconds=30))
        self.assertEqual(caught.exception.sqlstate, "22023")
        with self.assertRaises(InvalidInputError):
            self.tk.join_waitlist(event, "x", quantity=101)
        with self.assertRaises(DatabaseError) as missing:
            self.tk.open_waitlist(1 << 60)
        self.assertEqual(missing.exception.sqlstate, "P0002")
        self.assertEqual(self.tk.waitlist_position(1 << 60, "x").outcome, "not_found")
        self.assertEqual(self.tk.waitlist(1 << 60), [])


if __name__ == "__main__":
    unittest.main()
