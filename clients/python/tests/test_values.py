"""No database: results, outcomes and the error classes."""

import unittest

from ticketing_client import (BatchResult, CartResult, DatabaseError, IdempotencyKeyReusedError,
                              InvalidInputError, OrderResult, PrivilegeError, QuotaSummary,
                              RetryableError, TicketResult, error_for)
from ticketing_client.errors import connection_lost
from ticketing_client.client import _statement


class ValuesTest(unittest.TestCase):
    def test_an_unknown_outcome_is_a_value(self) -> None:
        r = TicketResult.from_row(("waitlisted", 1, 2, None, False, None, None, None))
        self.assertEqual(r.outcome, "waitlisted")
        self.assertFalse(r.ok)
        o = OrderResult.from_row(("queued", 1, None, None, 3, None, None, None, None))
        self.assertEqual((o.outcome, o.ticket_ids, o.seats, o.remaining), ("queued", (), (), 3))
        c = CartResult.from_row(("parked", 1, None, None, None, None))
        self.assertEqual((c.outcome, c.ok, c.ticket_ids, c.seats), ("parked", False, (), ()))

    def test_the_quota_a_refusal_names(self) -> None:
        r = TicketResult.from_row(("quota_exhausted", 1, 2, "B-1", False, None, None, "upstairs"))
        self.assertEqual((r.outcome, r.ok, r.quota), ("quota_exhausted", False, "upstairs"))
        o = OrderResult.from_row(("quota_exhausted", 1, [], [], None, None, None, "hall", None))
        self.assertEqual((o.ok, o.quota), (False, "hall"))
        b = BatchResult.from_row((3, "quota_exhausted", None, None, None, "hall"))
        self.assertEqual((b.request_no, b.ok, b.quota), (3, False, "hall"))
        q = QuotaSummary.from_row((1, "hall", ["standard", "vip"], 10, 4, 1, 5))
        self.assertEqual(q.categories, ("standard", "vip"))

    def test_successes(self) -> None:
        for outcome, ok in [("claimed", True), ("already_owned", True), ("hold_placed", True),
                            ("released", True), ("already_sold", False), ("busy", False),
                            ("quota_exhausted", False)]:
            self.assertEqual(TicketResult.from_row((outcome, 1, 1, "s", True, None, None, None)).ok, ok)
        for outcome, ok in [("opened", True), ("extended", True), ("capped", False),
                            ("cart_closed", False), ("cart_expired", False), ("cart_not_found", False)]:
            self.assertEqual(CartResult.from_row((outcome, 1, None, None, [], [])).ok, ok, outcome)

    def test_error_classes(self) -> None:
        for sqlstate, cls in [("22023", InvalidInputError), ("22004", InvalidInputError),
                              ("22P02", InvalidInputError), ("55P03", RetryableError),
                              ("40001", RetryableError), ("TK001", IdempotencyKeyReusedError),
                              ("42501", PrivilegeError), ("P0002", DatabaseError),
                              ("23505", DatabaseError)]:
            err = error_for(sqlstate, "m")
            self.assertIs(type(err), cls, sqlstate)
            self.assertEqual(err.sqlstate, sqlstate)

    def test_connection_loss_is_not_a_group(self) -> None:
        for sqlstate, lost in [("08006", True), ("57P01", True), ("57P03", True),
                               ("57014", False), ("55P03", False)]:
            self.assertEqual(connection_lost(sqlstate), lost, sqlstate)

    def test_statement_leaves_out_optional_nones(self) -> None:
        sql, params = _statement("claim_any", "outcome",
                                 [("event_id", "bigint", 1), ("customer", "text", None)],
                                 [("quantity", "integer", None), ("idempotency_key", "text", "k")])
        self.assertEqual(sql, "SELECT outcome FROM ticketing.claim_any(event_id => %s::bigint, "
                              "customer => %s::text, idempotency_key => %s::text)")
        self.assertEqual(params, [1, None, "k"])
