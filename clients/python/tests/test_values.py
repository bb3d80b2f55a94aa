"""No database: results, outcomes and the error classes."""

import unittest

from ticketing_client import (DatabaseError, IdempotencyKeyReusedError, InvalidInputError,
                              OrderResult, PrivilegeError, RetryableError, TicketResult,
                              error_for)
from ticketing_client.errors import connection_lost
from ticketing_client.client import _statement


class ValuesTest(unittest.TestCase):
    def test_an_unknown_outcome_is_a_value(self) -> None:
        r = TicketResult.from_row(("waitlisted", 1, 2, None, False, None, None))
        self.assertEqual(r.outcome, "waitlisted")
        self.assertFalse(r.ok)
        o = OrderResult.from_row(("queued", 1, None, None, 3, None, None))
        self.assertEqual((o.outcome, o.ticket_ids, o.seats, o.remaining), ("queued", (), (), 3))

    def test_successes(self) -> None:
        for outcome, ok in [("claimed", True), ("already_owned", True), ("hold_placed", True),
                            ("released", True), ("already_sold", False), ("busy", False)]:
            self.assertEqual(TicketResult.from_row((outcome, 1, 1, "s", True, None, None)).ok, ok)

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
