"""Ticket codes, check-in and transfer against the database (issue 19)."""

import unittest
from datetime import datetime, timedelta, timezone

from ticketing_client import InvalidInputError, Scan, Ticketing

from .support import connect, unique, verified


class CheckInTest(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = connect()
        self.addCleanup(self.conn.close)
        self.tk = Ticketing(self.conn)

    def event(self, tickets: int = 6) -> int:
        row = self.conn.execute(
            "SELECT ticketing.create_event('python gates', per_customer_limit => 3)").fetchone()
        assert row is not None
        event: int = row[0]
        self.tk.add_tickets(event, tickets)
        return event

    def test_codes_and_check_in(self) -> None:
        event = self.event()
        ann, bob = unique("ann"), unique("bob")
        sale = self.tk.claim(event, 1, ann)
        self.assertEqual(sale.outcome, "claimed")
        assert sale.code is not None
        self.assertTrue(sale.code.startswith("TK1."), sale)
        order = self.tk.claim_tickets(event, [2, 3], bob)
        self.assertEqual((order.outcome, len(order.codes)), ("claimed", 2))
        self.assertEqual([(c.ticket_id, c.code) for c in self.tk.ticket_codes(event, bob)],
                         [(2, order.codes[0]), (3, order.codes[1])])
        self.assertIsNone(self.tk.hold(event, 4, ann).code)

        first = self.tk.check_in(event, sale.code, "north")
        self.assertEqual((first.outcome, first.ticket_id, first.gate, first.ok), ("admitted", 1, "north", True))
        again = self.tk.check_in(event, sale.code, "south")
        self.assertEqual((again.outcome, again.gate, again.admitted_at, again.ok),
                         ("already_admitted", "north", first.admitted_at, False))
        self.assertEqual(self.tk.release(event, 1, ann).outcome, "already_admitted")
        self.assertEqual(self.tk.check_in(event, "TK1.forged", "north").outcome, "unknown_code")

        now = datetime.now(timezone.utc)
        results = self.tk.check_in_batch(event, [
            Scan(order.codes[0], "east", now - timedelta(minutes=1)),
            Scan(order.codes[0], "west", now - timedelta(minutes=2)),
            Scan(order.codes[1], "east", now - timedelta(minutes=3)),
        ])
        self.assertEqual([(r.scan_no, r.outcome, r.ticket_id, r.gate) for r in results],
                         [(1, "already_admitted", 2, "west"), (2, "admitted", 2, "west"),
                          (3, "admitted", 3, "east")])
        with self.assertRaises(InvalidInputError):
            self.tk.check_in(event, "x", "")
        with self.assertRaises(InvalidInputError):
            self.tk.check_in_batch(event, [])
        self.assertTrue(verified(self.conn, event))

    def test_transfer(self) -> None:
        event = self.event()
        ann, eve, gus = unique("ann"), unique("eve"), unique("gus")
        sale = self.tk.claim(event, 1, ann)
        moved = self.tk.transfer_ticket(event, 1, ann, eve, idempotency_key="t-1")
        self.assertEqual(moved.outcome, "transferred")
        self.assertIsNotNone(moved.code)
        self.assertNotEqual(moved.code, sale.code)
        self.assertEqual(self.tk.transfer_ticket(event, 1, ann, eve, idempotency_key="t-1").code, moved.code)
        assert sale.code is not None and moved.code is not None
        self.assertEqual(self.tk.check_in(event, sale.code, "north").outcome, "revoked")
        self.assertEqual(self.tk.transfer_ticket(event, 1, ann, gus).outcome, "not_owner")
        self.assertEqual(self.tk.transfer_ticket(event, 2, ann, gus).outcome, "not_sold")
        self.tk.claim_tickets(event, [2, 3], eve)
        self.tk.claim(event, 4, gus)
        self.assertEqual(self.tk.transfer_ticket(event, 4, gus, eve).outcome, "limit_reached")
        self.assertEqual(self.tk.check_in(event, moved.code, "north").outcome, "admitted")
        self.assertEqual(self.tk.transfer_ticket(event, 1, eve, gus).outcome, "already_admitted")
        with self.assertRaises(InvalidInputError):
            self.tk.transfer_ticket(event, 4, gus, gus)
        self.assertTrue(verified(self.conn, event))


if __name__ == "__main__":
    unittest.main()
