"""Categories, quotas and carts against the database (issue 18)."""

import unittest
from datetime import datetime, timedelta, timezone

from ticketing_client import BatchRequest, DatabaseError, InvalidInputError, Ticketing

from .support import connect, sales, unique, verified


class CartsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = connect()
        self.addCleanup(self.conn.close)
        self.tk = Ticketing(self.conn)

    def category_event(self) -> int:
        """Four GA tickets of category vip (ids 1-4), seats S-1..S-4 of standard (5-8)."""
        row = self.conn.execute("SELECT ticketing.create_event('python categories')").fetchone()
        assert row is not None
        event: int = row[0]
        self.assertEqual(self.tk.add_tickets(event, 4, category="vip"), 4)
        self.assertEqual(self.tk.add_seats(event, ["S-1", "S-2", "S-3", "S-4"], category="standard"), 4)
        return event

    def test_quotas_and_categories(self) -> None:
        event = self.category_event()
        self.assertGreater(self.tk.create_quota(event, "hall", 5, ["vip", "standard"], stripes=4), 0)
        self.tk.create_quota(event, "vip-only", 2, ["vip"])
        ann, bob = unique("ann"), unique("bob")
        two = self.tk.claim_any(event, ann, quantity=2, category="vip")
        self.assertEqual((two.outcome, len(two.ticket_ids), two.quota), ("claimed", 2, None))
        self.assertTrue(all(t <= 4 for t in two.ticket_ids), two)
        refused = self.tk.claim_any(event, bob, category="vip")
        self.assertEqual((refused.outcome, refused.quota, refused.ok), ("quota_exhausted", "vip-only", False))
        self.assertEqual(self.tk.hold(event, 5, bob).outcome, "hold_placed")
        quotas = self.tk.quota_summary(event)
        self.assertEqual([(q.quota, q.categories, q.size, q.sold, q.held, q.available) for q in quotas],
                         [("hall", ("standard", "vip"), 5, 2, 1, 2), ("vip-only", ("vip",), 2, 2, 0, 0)])
        categories = self.tk.category_summary(event)
        self.assertEqual([(c.category, c.total, c.available, c.held, c.sold) for c in categories],
                         [("standard", 4, 3, 1, 0), ("vip", 4, 2, 0, 2)])
        with self.assertRaises(DatabaseError) as caught:
            self.tk.resize_quota(event, "hall", 2)
        self.assertEqual(caught.exception.sqlstate, "23514")
        self.tk.resize_quota(event, "hall", 3)
        full = self.tk.claim(event, 6, unique("cy"))
        self.assertEqual((full.outcome, full.quota), ("quota_exhausted", "hall"))
        self.tk.drop_quota(event, "hall")
        self.assertEqual(self.tk.claim(event, 6, unique("cy")).outcome, "claimed")
        with self.assertRaises(InvalidInputError):
            self.tk.create_quota(event, "", 1, ["vip"])
        self.assertTrue(verified(self.conn, event))

    def test_cart_lifecycle(self) -> None:
        event = self.category_event()
        dee, eli = unique("dee"), unique("eli")
        cart = self.tk.open_cart(event, dee, expires_in=timedelta(minutes=5))
        self.assertEqual(cart.outcome, "opened")
        assert cart.token is not None and cart.expires_at is not None
        left = cart.expires_at - datetime.now(timezone.utc)
        self.assertTrue(timedelta(minutes=4) < left <= timedelta(minutes=5, seconds=5), left)
        token = cart.token
        self.assertEqual(self.tk.hold(event, 1, dee, cart=token).outcome, "hold_placed")
        pair = self.tk.claim_tickets(event, [3, 2], dee, cart=token, idempotency_key="t-1")
        self.assertEqual((pair.outcome, pair.ticket_ids), ("hold_placed", (2, 3)))
        self.assertEqual(self.tk.claim_any(event, dee, category="standard", cart=token).outcome, "hold_placed")
        batch = self.tk.claim_batch(event, [
            BatchRequest(dee, category="standard", cart=token, idempotency_key="b-1"),
            BatchRequest(eli, ticket_id=1),
            BatchRequest(eli, ticket_id=99)])
        self.assertEqual([(b.request_no, b.outcome) for b in batch],
                         [(1, "hold_placed"), (2, "held"), (3, "not_found")])
        contents = self.tk.cart_contents(event, token, dee)
        self.assertEqual((contents.outcome, len(contents.ticket_ids), len(contents.seats), contents.token),
                         ("opened", 5, 5, None))
        self.assertEqual(self.tk.cart_contents(event, token, eli).outcome, "cart_not_found")
        extended = self.tk.extend_cart(event, token, dee, timedelta(minutes=1))
        assert extended.expires_at is not None
        self.assertEqual(extended.outcome, "extended")
        self.assertGreater(extended.expires_at, cart.expires_at)
        sold = self.tk.checkout_cart(event, token, dee, idempotency_key="co-1")
        self.assertEqual((sold.outcome, len(sold.ticket_ids)), ("claimed", 5))
        self.assertEqual(self.tk.checkout_cart(event, token, dee, idempotency_key="co-1"), sold)
        self.assertEqual(self.tk.checkout_cart(event, token, dee, idempotency_key="co-2").outcome,
                         "already_owned")
        self.assertEqual(self.tk.cart_contents(event, token, dee).outcome, "already_owned")
        self.assertEqual(self.tk.hold(event, 4, dee, cart=token).outcome, "cart_closed")
        self.assertEqual(sales(self.conn, event, dee), sorted(sold.ticket_ids))

        fin = unique("fin")
        other = self.tk.open_cart(event, fin)
        assert other.token is not None
        self.assertEqual(self.tk.checkout_cart(event, other.token, fin).outcome, "empty_cart")
        self.tk.hold(event, 4, fin, cart=other.token)
        released = self.tk.abandon_cart(event, other.token, fin, idempotency_key="ab-1")
        self.assertEqual((released.outcome, released.ticket_ids), ("released", (4,)))
        self.assertEqual(self.tk.cart_contents(event, other.token, fin).outcome, "cart_closed")
        with self.assertRaises(InvalidInputError):
            self.tk.checkout_cart(event, "", fin)
        with self.assertRaises(InvalidInputError):
            self.tk.claim_batch(event, [])
        self.assertTrue(verified(self.conn, event))
