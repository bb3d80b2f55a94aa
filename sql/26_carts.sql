--
-- 26_carts: many holds under one token (issue 18). open_cart returns a token bound to a
-- customer and an event; holds into it last as long as the cart; checkout sells every
-- item or nothing; extend_cart moves every hold, up to ticketing.cart_max_lifetime after
-- opening; abandon_cart releases everything. Another customer's token answers as an
-- unknown one does.
--
\set VERBOSITY terse
SELECT ticketing.create_event('Carts', per_customer_limit => 3, event_id => 2601);
SELECT ticketing.add_tickets(2601, 10);
SELECT ticketing.create_quota(2601, 'all', 8, ARRAY['general']) > 0 AS quota;

SELECT outcome, token IS NOT NULL AND length(token) = 32 AS has_token,
       expires_at - now() AS lasts
  FROM ticketing.open_cart(2601, 'ann', interval '10 minutes') \gset ann_
SELECT token AS ann_token FROM ticketing.open_cart(2601, 'ann') \gset
SELECT :'ann_outcome' AS outcome, :'ann_has_token' AS has_token, :'ann_lasts' AS lasts;
-- Only the token's hash is stored.
SELECT count(*) AS stored_in_clear FROM ticketing.carts WHERE position(:'ann_token' IN token_hash::text) > 0;

-- Holds into the cart: a single hold, an order; each expires with the cart. A fourth
-- ticket (any seat) would exceed the limit of 3: the cart's holds count.
SELECT outcome, ticket_id, hold_expires_at = (SELECT expires_at FROM ticketing.carts WHERE customer = 'ann' ORDER BY cart_id DESC LIMIT 1) AS with_the_cart
  FROM ticketing.hold_ticket(2601, 1, 'ann', cart => :'ann_token');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2601, ARRAY[3, 2], 'ann', cart => :'ann_token');
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(2601, 'ann', cart => :'ann_token');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(2601, :'ann_token', 'ann');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2601 AND ticket_id <= 3 ORDER BY 1;
-- And the quota.
SELECT * FROM ticketing.quota_summary(2601);

-- Someone else's token, an unknown one, a bad one.
SELECT outcome FROM ticketing.hold_ticket(2601, 5, 'bob', cart => :'ann_token');
SELECT outcome FROM ticketing.checkout_cart(2601, :'ann_token', 'bob');
SELECT outcome FROM ticketing.cart_contents(2601, 'no-such-token', 'ann');
SELECT outcome FROM ticketing.abandon_cart(2601, 'no-such-token', 'ann');
SELECT * FROM ticketing.hold_ticket(2601, 5, 'ann', cart => '');
\echo :SQLSTATE
SELECT * FROM ticketing.open_cart(2601, 'ann', interval '3 hours');
\echo :SQLSTATE
SELECT * FROM ticketing.open_cart(2601, 'ann', NULL);
\echo :SQLSTATE

-- Extending: up to two hours after opening (the default ceiling).
SELECT outcome, expires_at - (SELECT c.created_at FROM ticketing.carts c
                               WHERE c.token_hash = sha256(convert_to(:'ann_token', 'UTF8'))) AS after_opening,
       cardinality(ticket_ids) AS items
  FROM ticketing.extend_cart(2601, :'ann_token', 'ann', interval '20 minutes');
SELECT outcome, expires_at - (SELECT c.created_at FROM ticketing.carts c
                               WHERE c.token_hash = sha256(convert_to(:'ann_token', 'UTF8'))) AS after_opening
  FROM ticketing.extend_cart(2601, :'ann_token', 'ann', interval '2 hours');
SELECT count(*) AS holds_moved FROM ticketing.tickets t JOIN ticketing.carts c
    ON c.event_id = t.event_id AND c.customer = t.owner
 WHERE t.event_id = 2601 AND t.status = 'held' AND t.hold_expires_at = c.expires_at
   AND c.token_hash = sha256(convert_to(:'ann_token', 'UTF8'));

-- Checkout, with a key: all three sold; a retry replays; the cart is then closed.
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.checkout_cart(2601, :'ann_token', 'ann', idempotency_key => 'pay-1');
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.checkout_cart(2601, :'ann_token', 'ann', idempotency_key => 'pay-1');
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.checkout_cart(2601, :'ann_token', 'ann');
SELECT outcome FROM ticketing.hold_ticket(2601, 6, 'ann', cart => :'ann_token');
SELECT owner, status, count(*) FROM ticketing.tickets WHERE event_id = 2601 AND owner IS NOT NULL GROUP BY 1, 2;

-- All or nothing: one item lapsed and taken by someone else; nothing is sold.
SELECT token AS cat_token FROM ticketing.open_cart(2601, 'cat') \gset
SELECT outcome FROM ticketing.claim_tickets(2601, ARRAY[7, 8], 'cat', cart => :'cat_token');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 second'
 WHERE event_id = 2601 AND ticket_id = 8;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(2601, 8, 'dan');
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(2601, :'cat_token', 'cat');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2601 AND ticket_id IN (7, 8) ORDER BY 1;
-- Abandoning gives the hold (and its quota unit) back.
SELECT outcome, ticket_ids FROM ticketing.abandon_cart(2601, :'cat_token', 'cat');
SELECT outcome FROM ticketing.abandon_cart(2601, :'cat_token', 'cat');
SELECT outcome FROM ticketing.extend_cart(2601, :'cat_token', 'cat', interval '1 minute');
SELECT * FROM ticketing.quota_summary(2601);

-- An expired cart: nothing to check out; its items are lapsed holds that expire_holds()
-- returns, with their units.
SELECT token AS eve_token FROM ticketing.open_cart(2601, 'eve') \gset
SELECT outcome FROM ticketing.hold_ticket(2601, 9, 'eve', cart => :'eve_token');
SELECT outcome FROM ticketing.checkout_cart(2601, 'x' || :'eve_token', 'eve');
UPDATE ticketing.carts SET expires_at = now() - interval '1 second' WHERE customer = 'eve';
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 second'
 WHERE event_id = 2601 AND ticket_id = 9;
SELECT outcome FROM ticketing.checkout_cart(2601, :'eve_token', 'eve');
SELECT outcome FROM ticketing.hold_ticket(2601, 10, 'eve', cart => :'eve_token');
SELECT outcome FROM ticketing.cart_contents(2601, :'eve_token', 'eve');
SELECT ticketing.expire_holds(2601) AS expired;
SELECT ticket_id, status FROM ticketing.tickets WHERE event_id = 2601 AND ticket_id = 9;
SELECT * FROM ticketing.quota_summary(2601);

-- A batch holds into carts: per request; a refused cart answers for its own requests.
SELECT token AS fay_token FROM ticketing.open_cart(2601, 'fay') \gset
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(2601, ARRAY[
    ROW(9, 'fay', NULL, NULL, :'fay_token'), ROW(10, 'gus', NULL, NULL, NULL),
    ROW(NULL, 'fay', NULL, NULL, 'not-a-token')]::ticketing.batch_request[]);
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(2601, :'fay_token', 'fay');
-- An empty cart.
SELECT token AS hal_token FROM ticketing.open_cart(2601, 'hal') \gset
SELECT outcome FROM ticketing.checkout_cart(2601, :'hal_token', 'hal');
SELECT * FROM ticketing.verify(2601);
SELECT customer, status FROM ticketing.carts WHERE event_id = 2601 ORDER BY cart_id;

-- Only a superuser sets the ceiling.
CREATE ROLE regress_cart_user;
SET ROLE regress_cart_user;
SET ticketing.cart_max_lifetime = '5h';
\echo :SQLSTATE
RESET ROLE;
DROP ROLE regress_cart_user;
