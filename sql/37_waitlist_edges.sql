--
-- 37_waitlist_edges: found by a review (each failed on 154b54f):
-- - adjacent seats of any category were not searched past a full quota: claim_any
--   answered quota_exhausted with a free pair of another category, and a waiting entry
--   for two together was skipped while a later entry got the pair it fitted;
-- - waitlist() called an accepted offer lapsed once the ticket was transferred;
-- - create_quota with a two-dimensional categories array raised 0A000, not 22023;
-- - a transfer that took a waiter skipped for their limit below it ran no walk: the
--   ticket on sale that fitted the entry went to an outsider.
--
\set VERBOSITY terse

-------------------------------------------------------------------------------
-- Adjacent seats of any category, past a quota that is full.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Adjacent past a full quota', event_id => 3701);
SELECT ticketing.add_tickets(3701, ARRAY['A-1-1', 'A-1-2'], category => 'a');
SELECT ticketing.add_tickets(3701, ARRAY['B-1-1', 'B-1-2'], category => 'b');
SELECT ticketing.create_quota(3701, 'qa', 0, ARRAY['a']) > 0 AS created;
SELECT outcome, seats, quota FROM ticketing.claim_any(3701, 'x', 2, adjacent => true);
-- Both refused: the answer names the quota only when nothing is left past it.
SELECT outcome, seats, quota FROM ticketing.claim_any(3701, 'y', 2, adjacent => true);
SELECT outcome FROM ticketing.release_ticket(3701, 3, 'x');
SELECT outcome FROM ticketing.release_ticket(3701, 4, 'x');
SELECT outcome FROM ticketing.claim_any(3701, 'x2', 2);
-- A waiting list: e1 wants two together (any category), e2 two (any); the pair comes
-- free and goes to e1, first in the list.
SELECT ticketing.open_waitlist(3701);
SELECT outcome FROM ticketing.join_waitlist(3701, 'e1', quantity => 2, together => true);
SELECT outcome FROM ticketing.join_waitlist(3701, 'e2', quantity => 2);
SELECT outcome FROM ticketing.release_ticket(3701, 3, 'x2');
SELECT outcome FROM ticketing.release_ticket(3701, 4, 'x2');
SELECT customer, status, ticket_ids, skipped_for FROM ticketing.waitlist(3701);
SELECT * FROM ticketing.verify(3701);

-------------------------------------------------------------------------------
-- An accepted offer stays accepted after the ticket moves on.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Accepted then transferred', event_id => 3702);
SELECT ticketing.add_tickets(3702, 2);
SELECT outcome FROM ticketing.claim_tickets(3702, ARRAY[1, 2]::bigint[], 'a');
SELECT ticketing.open_waitlist(3702);
SELECT outcome FROM ticketing.join_waitlist(3702, 'max');
SELECT outcome FROM ticketing.join_waitlist(3702, 'moe');
SELECT outcome FROM ticketing.release_ticket(3702, 1, 'a');
SELECT outcome FROM ticketing.release_ticket(3702, 2, 'a');
SELECT outcome FROM ticketing.confirm_hold(3702, 1, 'max');
SELECT outcome FROM ticketing.confirm_hold(3702, 2, 'moe');
SELECT outcome FROM ticketing.transfer_ticket(3702, 1, 'max', 'mia');
SELECT outcome FROM ticketing.release_ticket(3702, 2, 'moe');
SELECT customer, status, bought FROM ticketing.waitlist(3702);

-------------------------------------------------------------------------------
-- A two-dimensional categories array is bad input (22023).
-------------------------------------------------------------------------------
\set VERBOSITY sqlstate
SELECT ticketing.create_quota(3702, 'q', 1, ARRAY[['a'], ['b']]);
SELECT ticketing.create_quota(3702, 'q', 1, ARRAY[['a', NULL]]);
SELECT ticketing.create_quota(3702, 'q', 1, ARRAY['a', NULL]);

-------------------------------------------------------------------------------
-- A transfer takes a waiter skipped for their limit below it: the list is walked, and
-- the ticket on sale goes to their entry (not to an outsider's claim).
-------------------------------------------------------------------------------
\set VERBOSITY terse
SELECT ticketing.create_event('Transfer under a limit', per_customer_limit => 1, event_id => 3703);
SELECT ticketing.add_tickets(3703, 3);
SELECT outcome FROM ticketing.claim_ticket(3703, 1, 'x');
SELECT outcome FROM ticketing.claim_ticket(3703, 2, 'p');
SELECT outcome FROM ticketing.claim_ticket(3703, 3, 'q');
SELECT ticketing.open_waitlist(3703);
SELECT outcome FROM ticketing.join_waitlist(3703, 'x');
SELECT outcome FROM ticketing.release_ticket(3703, 2, 'p');
SELECT customer, status, skipped_for FROM ticketing.waitlist(3703);
SELECT outcome FROM ticketing.transfer_ticket(3703, 1, 'x', 'y');
SELECT customer, status, ticket_ids, skipped_for FROM ticketing.waitlist(3703);
SELECT outcome FROM ticketing.claim_ticket(3703, 2, 'outsider');
SELECT * FROM ticketing.verify(3703);
