--
-- 35_quota_any_category: an any-seat request that asks for no category, in an event
-- with quotas. A quota that refuses the tickets the search found does not refuse the
-- request while tickets of categories it does not cover are on sale: the search runs
-- again past that quota's categories. Before, claim_any answered quota_exhausted about
-- half the time here (it found a ticket of the full quota's category first), and a
-- waiting list's entry of any category was passed over with tickets it fitted free.
--
\set VERBOSITY terse

-------------------------------------------------------------------------------
-- A's quota is full, B has no quota: every claim of no category gets a B ticket.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Any category past a full quota', event_id => 3501);
SELECT ticketing.add_tickets(3501, 20, seat_prefix => 'A-', category => 'A');
SELECT ticketing.add_tickets(3501, 20, seat_prefix => 'B-', category => 'B');
SELECT ticketing.create_quota(3501, 'Aq', 1, ARRAY['A']) > 0 AS created;
SELECT outcome FROM ticketing.claim_any(3501, 'first', category => 'A');
SELECT r.outcome, t.category, pg_catalog.count(*)
  FROM pg_catalog.generate_series(1, 16) i,
       LATERAL ticketing.claim_any(3501, 'buyer-' || i) r
       LEFT JOIN ticketing.tickets t ON t.event_id = 3501 AND t.ticket_id = r.ticket_ids[1]
 GROUP BY 1, 2 ORDER BY 1, 2;
-- Two at once, and a hold: also of B.
SELECT r.outcome, pg_catalog.array_agg(t.category ORDER BY t.ticket_id) AS categories
  FROM ticketing.claim_any(3501, 'pair', quantity => 2) r
  JOIN ticketing.tickets t ON t.event_id = 3501 AND t.ticket_id = ANY (r.ticket_ids)
 GROUP BY 1;
SELECT r.outcome, t.category
  FROM ticketing.claim_any(3501, 'holder', hold_for => interval '5 minutes') r
  JOIN ticketing.tickets t ON t.event_id = 3501 AND t.ticket_id = r.ticket_ids[1];
-- One B ticket is left: two at once cannot be had past the quota, and the answer is
-- the quota's refusal (A's tickets are free, the quota is not); one can.
SELECT outcome, quota FROM ticketing.claim_any(3501, 'pair-2', quantity => 2);
SELECT outcome, quota FROM ticketing.claim_any(3501, 'last-b');
-- Only A is left: the quota refuses, and says which.
SELECT outcome, quota FROM ticketing.claim_any(3501, 'after');
SELECT quota, size, sold, held, available FROM ticketing.quota_summary(3501);
SELECT category, available, held, sold FROM ticketing.category_summary(3501) ORDER BY category;
SELECT * FROM ticketing.verify(3501);

-------------------------------------------------------------------------------
-- Two quotas that refuse in turn (A's and a shared one of B and C), and D without a
-- quota: the search passes both, and a request for two mixes what is left.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Past two quotas', event_id => 3502);
SELECT ticketing.add_tickets(3502, 3, seat_prefix => 'A-', category => 'A');
SELECT ticketing.add_tickets(3502, 3, seat_prefix => 'B-', category => 'B');
SELECT ticketing.add_tickets(3502, 3, seat_prefix => 'C-', category => 'C');
SELECT ticketing.add_tickets(3502, 1, seat_prefix => 'D-', category => 'D');
SELECT ticketing.add_tickets(3502, 1, seat_prefix => 'E-', category => 'E');
SELECT ticketing.create_quota(3502, 'Aq', 0, ARRAY['A']) > 0 AS created;
SELECT ticketing.create_quota(3502, 'BCq', 0, ARRAY['B', 'C']) > 0 AS created;
SELECT r.outcome, pg_catalog.array_agg(t.category ORDER BY t.category) AS categories
  FROM ticketing.claim_any(3502, 'mix', quantity => 2) r
  JOIN ticketing.tickets t ON t.event_id = 3502 AND t.ticket_id = ANY (r.ticket_ids)
 GROUP BY 1;
SELECT outcome, quota IN ('Aq', 'BCq') AS a_quota_named FROM ticketing.claim_any(3502, 'late');
SELECT * FROM ticketing.verify(3502);

-------------------------------------------------------------------------------
-- Into a cart, and as a waiting list's offer to an entry of any category.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Cart and list', event_id => 3503);
SELECT ticketing.add_tickets(3503, 10, seat_prefix => 'A-', category => 'A');
SELECT ticketing.add_tickets(3503, 2, seat_prefix => 'B-', category => 'B');
SELECT ticketing.create_quota(3503, 'Aq', 0, ARRAY['A']) > 0 AS created;
SELECT token AS cart_token FROM ticketing.open_cart(3503, 'carter') \gset
SELECT r.outcome, t.category
  FROM ticketing.claim_any(3503, 'carter', cart => :'cart_token') r
  JOIN ticketing.tickets t ON t.event_id = 3503 AND t.ticket_id = r.ticket_ids[1];
SELECT outcome FROM ticketing.checkout_cart(3503, :'cart_token', 'carter');
SELECT outcome FROM ticketing.claim_any(3503, 'other-b');
-- B is sold out; the list opens, and a waiter of any category joins.
SELECT ticketing.open_waitlist(3503);
SELECT outcome, place FROM ticketing.join_waitlist(3503, 'wanda');
-- A refunded B ticket goes to wanda, though A's tickets are free and the search may
-- find one of them first.
SELECT r.outcome FROM ticketing.tickets t, LATERAL ticketing.release_ticket(3503, t.ticket_id, t.owner) r
 WHERE t.event_id = 3503 AND t.owner = 'other-b';
SELECT customer, status, skipped_for FROM ticketing.waitlist(3503);
SELECT o.customer, t.category
  FROM ticketing.pending_offers(3503) o
  JOIN ticketing.tickets t ON t.event_id = 3503 AND t.ticket_id = ANY (o.ticket_ids);
SELECT * FROM ticketing.verify(3503);

-------------------------------------------------------------------------------
-- claim_batch: its any-seat requests of no category are given B tickets, also into a
-- cart, and with a key; one of a category (A) is refused by A's quota; past the last B
-- ticket the quota refuses. The key's answer is the one given.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Batch past a full quota', event_id => 3504);
SELECT ticketing.add_tickets(3504, 20, seat_prefix => 'A-', category => 'A');
SELECT ticketing.add_tickets(3504, 5, seat_prefix => 'B-', category => 'B');
SELECT ticketing.create_quota(3504, 'Aq', 0, ARRAY['A']) > 0 AS created;
SELECT token AS batch_cart FROM ticketing.open_cart(3504, 'bea') \gset
SELECT b.request_no, b.outcome, b.quota, t.category
  FROM ticketing.claim_batch(3504, ARRAY[
           ROW(NULL, 'ann', NULL, NULL, NULL), ROW(NULL, 'bea', NULL, NULL, :'batch_cart'),
           ROW(NULL, 'cid', 'cid-1', NULL, NULL), ROW(NULL, 'dot', NULL, 'A', NULL),
           ROW(NULL, 'eve', NULL, NULL, NULL), ROW(NULL, 'fox', NULL, NULL, NULL),
           ROW(NULL, 'gil', NULL, NULL, NULL)]::ticketing.batch_request[]) b
  LEFT JOIN ticketing.tickets t ON t.event_id = 3504 AND t.ticket_id = b.ticket_id
 ORDER BY b.request_no;
SELECT r.outcome, t.category, t.owner
  FROM ticketing.claim_batch(3504, ARRAY[ROW(NULL, 'cid', 'cid-1', NULL, NULL)]::ticketing.batch_request[]) r
  JOIN ticketing.tickets t ON t.event_id = 3504 AND t.ticket_id = r.ticket_id;
SELECT category, available, held, sold FROM ticketing.category_summary(3504) ORDER BY category;
SELECT * FROM ticketing.verify(3504);

-------------------------------------------------------------------------------
-- With no other transaction running, no request of a batch is answered busy. A batch
-- in an event with quotas decides under locks it then rolls back, and takes again what
-- it granted; for any-seat requests it walked again from a random start, so it could
-- lock an A ticket in place of the B ticket granted, which A's quota then refused: busy
-- (in about a fifth of these batches before 2026-12-07). 20 events, 5 requests each.
-------------------------------------------------------------------------------
SELECT pg_catalog.count(*) AS created FROM pg_catalog.generate_series(3511, 3530) e,
       LATERAL (SELECT ticketing.create_event('Batch ' || e, event_id => e),
                       ticketing.add_tickets(e, 20, seat_prefix => 'A-', category => 'A'),
                       ticketing.add_tickets(e, 5, seat_prefix => 'B-', category => 'B'),
                       ticketing.create_quota(e, 'Aq', 0, ARRAY['A'])) made;
SELECT b.outcome, (SELECT t.category FROM ticketing.tickets t
                    WHERE t.event_id = e AND t.ticket_id = b.ticket_id) AS category,
       pg_catalog.count(*)
  FROM pg_catalog.generate_series(3511, 3530) e,
       LATERAL ticketing.claim_batch(e, ARRAY(SELECT ROW(NULL, 'buyer-' || i, NULL, NULL, NULL)::ticketing.batch_request
                                                FROM pg_catalog.generate_series(1, 5) i)) b
 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT pg_catalog.count(*) AS problems FROM pg_catalog.generate_series(3511, 3530) e,
       LATERAL ticketing.verify(e);

-------------------------------------------------------------------------------
-- A waiting list under a quota that two categories share. A refunded B ticket gives
-- its unit back to the quota of A and B, so the A tickets that quota held back are on
-- sale again: the walk offers one to the earliest entry for A, not to a later entry of
-- any category (before 2026-12-07 a walk after a refund of B read only the entries of
-- B and of any category, so zed was offered the A ticket past anna).
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Shared quota, waiting list', event_id => 3505);
SELECT ticketing.add_tickets(3505, 3, seat_prefix => 'A-', category => 'A');
SELECT ticketing.add_tickets(3505, 1, seat_prefix => 'B-', category => 'B');
SELECT ticketing.create_quota(3505, 'ABq', 1, ARRAY['A', 'B']) > 0 AS created;
SELECT outcome FROM ticketing.claim_ticket(3505, 4, 'bob');
SELECT ticketing.open_waitlist(3505);
SELECT outcome, place FROM ticketing.join_waitlist(3505, 'anna', category => 'A');
SELECT outcome, place FROM ticketing.join_waitlist(3505, 'zed');
SELECT outcome FROM ticketing.release_ticket(3505, 4, 'bob');
SELECT customer, status, skipped_for FROM ticketing.waitlist(3505) ORDER BY place NULLS FIRST, customer;
SELECT o.customer, t.category
  FROM ticketing.pending_offers(3505) o
  JOIN ticketing.tickets t ON t.event_id = 3505 AND t.ticket_id = ANY (o.ticket_ids);
SELECT * FROM ticketing.verify(3505);
