--
-- 12_limits: per-customer limits (create_event(..., per_customer_limit => n), 1.1).
-- What counts: the customer's sold tickets and live holds in the event. Every path
-- that would go over answers limit_reached and changes nothing; turning one's own hold
-- into a sale does not count twice; a lapsed hold no longer counts. verify() reports a
-- customer over the limit.
--
\set VERBOSITY terse

SELECT ticketing.create_event('Limit test', per_customer_limit => 2, event_id => 1201);
SELECT ticketing.add_tickets(1201, 12);
SELECT ticketing.create_event('Limit test, orders', per_customer_limit => 3, event_id => 1202);
SELECT ticketing.add_tickets(1202, 12);
SELECT ticketing.create_event('Limit test, verify', per_customer_limit => 1, event_id => 1203);
SELECT ticketing.add_tickets(1203, 4);

-------------------------------------------------------------------------------
-- Single tickets. alice: 1 sold, 2 held: she is at her limit of 2.
-------------------------------------------------------------------------------
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 1, 'alice');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(1201, 2, 'alice');

SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT outcome, event_id, ticket_id, seat, owner_is_you, hold_expires_at
  FROM ticketing.claim_ticket(1201, 3, 'alice');
SELECT outcome, ticket_id, owner_is_you, hold_expires_at
  FROM ticketing.hold_ticket(1201, 3, 'alice');
SELECT outcome, ticket_ids, seats, remaining, at, hold_expires_at
  FROM ticketing.claim_tickets(1201, ARRAY[3], 'alice');
SELECT outcome, ticket_ids, remaining
  FROM ticketing.claim_tickets(1201, ARRAY[3], 'alice', hold_for => interval '1 hour');
SELECT outcome, ticket_ids, seats, remaining, at, hold_expires_at
  FROM ticketing.claim_any(1201, 'alice');
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1201, 'alice', hold_for => interval '1 hour');
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
SELECT count(*) FILTER (WHERE owner = 'alice') AS alices, count(*) FILTER (WHERE status = 'available') AS available
  FROM ticketing.tickets WHERE event_id = 1201;

-- What she has already is not "more": the answers are as without a limit.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 1, 'alice');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1201, ARRAY[1], 'alice');
-- Renewing her hold adds nothing.
SELECT outcome, ticket_id, hold_expires_at = now() + interval '1 hour' AS renewed
  FROM ticketing.hold_ticket(1201, 2, 'alice', interval '1 hour');
-- Turning her hold into a sale adds nothing either.
SELECT outcome, ticket_id FROM ticketing.confirm_hold(1201, 2, 'alice');
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id = 1201 AND owner = 'alice' ORDER BY ticket_id;

-- Limits are per event: alice may still buy in another event.
SELECT outcome FROM ticketing.claim_ticket(1202, 12, 'alice');

-- Giving a ticket back makes room.
SELECT outcome FROM ticketing.release_ticket(1201, 1, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 3, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 4, 'alice');

-- bob holds 5 and 6. claim_ticket of his own holds and an order of them sell them.
SELECT outcome FROM ticketing.hold_ticket(1201, 5, 'bob');
SELECT outcome FROM ticketing.hold_ticket(1201, 6, 'bob');
SELECT outcome FROM ticketing.hold_ticket(1201, 7, 'bob');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 5, 'bob');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1201, ARRAY[6], 'bob');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1201, ARRAY[5, 6, 7], 'bob');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1201, ARRAY[5, 6], 'bob');

-- A lapsed hold no longer counts. carol holds 8 and 9; 9 lapses: she may take 10.
SELECT outcome FROM ticketing.hold_ticket(1201, 8, 'carol');
SELECT outcome FROM ticketing.hold_ticket(1201, 9, 'carol');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(1201, 10, 'carol');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 1201 AND ticket_id = 9;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 10, 'carol');
-- ... and taking the lapsed hold back would be one too many.
SELECT outcome, ticket_id FROM ticketing.hold_ticket(1201, 9, 'carol');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 9, 'carol');
-- Anyone else may take it.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1201, 9, 'dave');
-- Her live hold she may still buy.
SELECT outcome FROM ticketing.confirm_hold(1201, 8, 'carol');

SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 1201 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 1201 ORDER BY audit_id;
SELECT * FROM ticketing.verify(1201);

-------------------------------------------------------------------------------
-- Orders (limit 3): all or nothing against the limit.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT outcome, event_id, ticket_ids, seats, remaining FROM ticketing.claim_tickets(1202, ARRAY[1, 2, 3, 4], 'erin');
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1202, 'erin', 4);
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1202, 'erin', 4, hold_for => interval '1 hour');
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1202, ARRAY[1, 2, 3], 'erin');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1202, ARRAY[1, 2, 3, 4], 'erin');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1202, ARRAY[1, 2], 'erin');
SELECT outcome, ticket_ids FROM ticketing.claim_any(1202, 'erin');

-- frank holds three with claim_any, then buys exactly those: nothing counts twice.
SELECT outcome, cardinality(ticket_ids) AS tickets, ticket_ids AS frank_ids
  FROM ticketing.claim_any(1202, 'frank', 3, hold_for => interval '1 hour') \gset
SELECT :'outcome' AS outcome, :tickets AS tickets;
SELECT outcome, ticket_ids = (SELECT array_agg(i ORDER BY i) FROM unnest(:'frank_ids'::bigint[]) AS i) AS the_held_ones
  FROM ticketing.claim_tickets(1202, :'frank_ids', 'frank');
SELECT outcome FROM ticketing.claim_any(1202, 'frank');
SELECT owner, status, count(*) AS tickets FROM ticketing.tickets
 WHERE event_id = 1202 AND owner IS NOT NULL GROUP BY owner, status ORDER BY owner COLLATE "C", status;

-- An answer of limit_reached changed nothing, so its key does not remember it (1.3):
-- after erin's release the retry with the same key claims, and the next one is over the
-- limit again.
SELECT outcome FROM ticketing.claim_any(1202, 'erin', idempotency_key => 'limit-1');
SELECT outcome FROM ticketing.release_ticket(1202, 1, 'erin');
SELECT outcome FROM ticketing.claim_any(1202, 'erin', idempotency_key => 'limit-1');
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(1202, 'erin', idempotency_key => 'limit-2');
SELECT * FROM ticketing.verify(1202);

-------------------------------------------------------------------------------
-- verify() and limits (1203, limit 1).
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.claim_ticket(1203, 1, 'gina');
SELECT outcome FROM ticketing.claim_ticket(1203, 2, 'gina');
SELECT * FROM ticketing.verify(1203);
-- A superuser sells gina a second ticket behind the functions' backs (with a proper
-- audit row, so nothing but the limit is wrong).
UPDATE ticketing.tickets SET status = 'sold', owner = 'gina', updated_at = now()
 WHERE event_id = 1203 AND ticket_id = 2;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (1203, 2, 'available', 'sold', 'gina');
SELECT * FROM ticketing.verify(1203);
SELECT event_id, ticket_id, problem FROM ticketing.verify() ORDER BY event_id;
-- A live hold counts as well, a lapsed one does not.
UPDATE ticketing.tickets SET status = 'held', owner = 'gina', hold_expires_at = now() + interval '1 hour',
       updated_at = now()
 WHERE event_id = 1203 AND ticket_id = 3;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (1203, 3, 'available', 'held', 'gina');
SELECT * FROM ticketing.verify(1203);
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 1203 AND ticket_id = 3;
SELECT * FROM ticketing.verify(1203);
-- gina is over her limit: she can take nothing more, not even her own lapsed hold.
SELECT outcome FROM ticketing.claim_ticket(1203, 3, 'gina');
SELECT outcome FROM ticketing.claim_ticket(1203, 4, 'gina');
-- A lower limit set later makes customers who bought under the old one show up.
UPDATE ticketing.events SET per_customer_limit = 1 WHERE event_id = 1202;
SELECT event_id, ticket_id, problem, detail FROM ticketing.verify(1202) ORDER BY detail COLLATE "C";
UPDATE ticketing.events SET per_customer_limit = 3 WHERE event_id = 1202;
SELECT * FROM ticketing.verify(1202);
-- Repair: gina gives the extra ticket back.
SELECT outcome FROM ticketing.release_ticket(1203, 2, 'gina');
SELECT * FROM ticketing.verify(1203);
SELECT * FROM ticketing.verify();
