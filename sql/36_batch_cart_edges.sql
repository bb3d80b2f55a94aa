--
-- 36_batch_cart_edges: answers a batch and a cart gave that did not match what they did,
-- found by a review (each failed on 154b54f):
-- - claim_batch answered quota_exhausted when the quota's last unit was kept only by a
--   lapsed hold (claim_ticket and claim_any take such units back), and asked a unit for
--   buying a lapsed hold, which keeps its own;
-- - a ticket an earlier request of the batch held into a cart was answered already_sold
--   (another customer) or already_owned (the same) by the requests after it;
-- - abandon_cart and extend_cart of one cart released or moved the customer's hold of
--   the same ticket in another cart;
-- - extend_cart shortened a cart when the ceiling had been lowered below its expiry.
--
\set VERBOSITY terse

-------------------------------------------------------------------------------
-- A quota's unit kept by a lapsed hold: the batch takes it back, as claim_ticket does.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Batch past a lapsed hold', event_id => 3601);
SELECT ticketing.add_tickets(3601, 4, seat_prefix => 'V-', category => 'vip');
SELECT ticketing.create_quota(3601, 'vipq', 1, ARRAY['vip']) > 0 AS created;
SELECT outcome FROM ticketing.hold_ticket(3601, 1, 'alice', hold_for => interval '5 minutes');
UPDATE ticketing.tickets SET hold_expires_at = pg_catalog.now() - interval '1 second'
 WHERE event_id = 3601 AND ticket_id = 1;
SELECT quota, sold, held, available FROM ticketing.quota_summary(3601);
-- Another ticket of the quota: alice's lapsed hold gives its unit back to bob.
SELECT request_no, outcome, ticket_id, quota
  FROM ticketing.claim_batch(3601, ARRAY[ROW(2, 'bob', NULL)]::ticketing.claim_request[]);
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 3601 ORDER BY 1;
SELECT quota, sold, held, available FROM ticketing.quota_summary(3601);
SELECT * FROM ticketing.verify(3601);

-- The lapsed hold's own ticket needs no new unit; an any-seat request of the category
-- and one of no category take a lapsed hold's unit back too.
SELECT ticketing.create_event('Batch buys a lapsed hold', event_id => 3602);
SELECT ticketing.add_tickets(3602, 4, seat_prefix => 'V-', category => 'vip');
SELECT ticketing.create_quota(3602, 'vipq', 2, ARRAY['vip']) > 0 AS created;
SELECT outcome FROM ticketing.hold_ticket(3602, 1, 'alice', hold_for => interval '5 minutes');
SELECT outcome FROM ticketing.hold_ticket(3602, 2, 'anna', hold_for => interval '5 minutes');
UPDATE ticketing.tickets SET hold_expires_at = pg_catalog.now() - interval '1 second'
 WHERE event_id = 3602 AND ticket_id IN (1, 2);
-- (carl's seat is any of 2, 3 and 4: the counts say what was sold.)
SELECT request_no, outcome, quota
  FROM ticketing.claim_batch(3602, ARRAY[ROW(1, 'bob', NULL, NULL, NULL),
                                         ROW(NULL, 'carl', NULL, 'vip', NULL)]::ticketing.batch_request[]);
SELECT owner, status, pg_catalog.count(*) FROM ticketing.tickets
 WHERE event_id = 3602 AND status <> 'available' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT quota, sold, held, available FROM ticketing.quota_summary(3602);
SELECT * FROM ticketing.verify(3602);

-------------------------------------------------------------------------------
-- A ticket held into a cart by an earlier request of the batch is held for the requests
-- after it: held for another customer; busy for the same one (one change of a row per
-- batch: a request of its own buys it, or holds it into another cart).
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Held earlier in the batch', event_id => 3603);
SELECT ticketing.add_tickets(3603, 3);
SELECT token AS fay_cart FROM ticketing.open_cart(3603, 'fay') \gset
SELECT request_no, outcome, ticket_id
  FROM ticketing.claim_batch(3603, ARRAY[ROW(1, 'fay', NULL, NULL, :'fay_cart'),
                                         ROW(1, 'gus', NULL, NULL, NULL),
                                         ROW(2, 'fay', NULL, NULL, :'fay_cart'),
                                         ROW(2, 'fay', NULL, NULL, NULL)]::ticketing.batch_request[]);
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 3603 ORDER BY 1;
-- Run on its own, fay's purchase of her held ticket goes through.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(3603, 2, 'fay');
SELECT * FROM ticketing.verify(3603);

-------------------------------------------------------------------------------
-- A ticket in two carts of one customer: only the cart that holds it now (its expiry)
-- releases or extends it.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Two carts', event_id => 3604);
SELECT ticketing.add_tickets(3604, 3);
SELECT token AS old_cart FROM ticketing.open_cart(3604, 'kim', expires_in => interval '10 minutes') \gset
SELECT outcome FROM ticketing.hold_ticket(3604, 1, 'kim', cart => :'old_cart');
-- The old cart expires (its time moved into the past, as the hold specs do).
UPDATE ticketing.carts SET expires_at = pg_catalog.now() - interval '1 second' WHERE event_id = 3604;
UPDATE ticketing.tickets SET hold_expires_at = pg_catalog.now() - interval '1 second'
 WHERE event_id = 3604 AND ticket_id = 1;
SELECT token AS new_cart FROM ticketing.open_cart(3604, 'kim', expires_in => interval '10 minutes') \gset
SELECT outcome FROM ticketing.hold_ticket(3604, 1, 'kim', cart => :'new_cart');
SELECT outcome, ticket_ids FROM ticketing.abandon_cart(3604, :'old_cart', 'kim');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 3604 AND ticket_id = 1;
-- A third cart, open, takes ticket 2 from the new one: extending the new cart leaves it.
SELECT outcome FROM ticketing.hold_ticket(3604, 2, 'kim', cart => :'new_cart');
SELECT token AS third_cart FROM ticketing.open_cart(3604, 'kim', expires_in => interval '20 minutes') \gset
SELECT outcome FROM ticketing.hold_ticket(3604, 2, 'kim', cart => :'third_cart');
SELECT outcome, ticket_ids FROM ticketing.extend_cart(3604, :'new_cart', 'kim', interval '5 minutes');
SELECT t.ticket_id, t.hold_expires_at = c.expires_at AS in_third_cart
  FROM ticketing.tickets t, ticketing.carts c
 WHERE t.event_id = 3604 AND t.ticket_id = 2 AND c.event_id = 3604
   AND c.token_hash = pg_catalog.sha256(pg_catalog.convert_to(:'third_cart', 'UTF8'));
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(3604, :'third_cart', 'kim');
SELECT * FROM ticketing.verify(3604);

-------------------------------------------------------------------------------
-- A lowered ceiling stops extensions past it, and shortens no cart.
-------------------------------------------------------------------------------
SET ticketing.cart_max_lifetime = '3h';
SELECT ticketing.create_event('Lowered ceiling', event_id => 3605);
SELECT ticketing.add_tickets(3605, 1);
SELECT token AS long_cart FROM ticketing.open_cart(3605, 'lee', expires_in => interval '90 minutes') \gset
SELECT outcome FROM ticketing.hold_ticket(3605, 1, 'lee', cart => :'long_cart');
RESET ticketing.cart_max_lifetime;
SET ticketing.cart_max_lifetime = '30min';
SELECT c.expires_at AS before FROM ticketing.carts c WHERE c.event_id = 3605 \gset
SELECT outcome, expires_at = :'before'::timestamptz AS unchanged
  FROM ticketing.extend_cart(3605, :'long_cart', 'lee', interval '10 minutes');
SELECT hold_expires_at = :'before'::timestamptz AS unchanged
  FROM ticketing.tickets WHERE event_id = 3605 AND ticket_id = 1;
RESET ticketing.cart_max_lifetime;
