--
-- 29_transfer: transfer_ticket (issue 19) moves a sold ticket from its owner to another
-- customer in one call, with its audit row (sold to sold, naming the receiver and the
-- sender); the receiver's per-customer limit applies; the old code stops working and
-- the answer carries the new one. Keyed like every call.
--
\set VERBOSITY terse
\i sql/include/try.sql

CREATE FUNCTION pg_temp.is_code(c text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT c ~ '^TK1\.[A-Za-z0-9_-]{20,48}$'
$$;

SELECT ticketing.create_event('Transfer', per_customer_limit => 2, event_id => 2901);
SELECT ticketing.add_tickets(2901, 10);
SELECT ticketing.create_event('Transfer, no limit', event_id => 2902);
SELECT ticketing.add_tickets(2902, 4, category => 'floor');
SELECT ticketing.create_quota(2902, 'floor', 3, ARRAY['floor']) IS NOT NULL AS created;

-------------------------------------------------------------------------------
-- transferred: a new owner, a new code, the old one revoked.
-------------------------------------------------------------------------------
SELECT code AS alice1 FROM ticketing.claim_ticket(2901, 1, 'alice') \gset
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at = now() AS now,
       pg_temp.is_code(code) AS has_code, code <> :'alice1' AS new_code
  FROM ticketing.transfer_ticket(2901, 1, 'alice', 'bob');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2901 AND ticket_id = 1;
SELECT ticket_id, from_status, to_status, customer, transferred_from
  FROM ticketing.audit_log WHERE event_id = 2901 AND ticket_id = 1 ORDER BY audit_id;
SELECT count(*) AS alice_codes FROM ticketing.ticket_codes(2901, 'alice');
SELECT code AS bob1 FROM ticketing.ticket_codes(2901, 'bob') WHERE ticket_id = 1 \gset
SELECT outcome, ticket_id FROM ticketing.check_in(2901, :'alice1', 'north');
-- bob is the owner now: alice can neither transfer nor refund it; bob can.
SELECT outcome, ticket_id, seat, code FROM ticketing.transfer_ticket(2901, 1, 'alice', 'carol');
SELECT outcome FROM ticketing.release_ticket(2901, 1, 'alice');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(2901, 1, 'bob');
-- The receiver's slot row is written, as by a sale to them (limits: design, "Per-customer
-- limits").
SELECT customer FROM ticketing.customer_slots WHERE event_id = 2901 ORDER BY customer COLLATE "C";

-- On and on: bob to carol to alice. Every step a new code; verify() sees transfers, not
-- second sales.
SELECT outcome, code <> :'bob1' AS new_code FROM ticketing.transfer_ticket(2901, 1, 'bob', 'carol');
SELECT outcome FROM ticketing.transfer_ticket(2901, 1, 'carol', 'alice');
SELECT code AS alice1b FROM ticketing.ticket_codes(2901, 'alice') \gset
SELECT :'alice1b' <> :'alice1' AS not_her_first_code;
SELECT outcome FROM ticketing.check_in(2901, :'alice1', 'north');
SELECT outcome FROM ticketing.check_in(2901, :'bob1', 'north');
SELECT ticket_id, from_status, to_status, customer, transferred_from
  FROM ticketing.audit_log WHERE event_id = 2901 AND ticket_id = 1 ORDER BY audit_id;
SELECT * FROM ticketing.verify(2901);

-------------------------------------------------------------------------------
-- Idempotency: a retry replays the first answer, code included.
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.claim_ticket(2901, 2, 'dave');
SELECT outcome, code AS erin2 FROM ticketing.transfer_ticket(2901, 2, 'dave', 'erin', idempotency_key => 't-1') \gset
SELECT :'outcome' AS first_answer;
SELECT outcome, code = :'erin2' AS same_code
  FROM ticketing.transfer_ticket(2901, 2, 'dave', 'erin', idempotency_key => 't-1');
SELECT count(*) AS transfers FROM ticketing.audit_log
 WHERE event_id = 2901 AND ticket_id = 2 AND transferred_from IS NOT NULL;
-- The same key for another request: TK001.
SELECT * FROM pg_temp.try($$SELECT ticketing.transfer_ticket(2901, 2, 'dave', 'fay', idempotency_key => 't-1')$$);
SELECT * FROM pg_temp.try($$SELECT ticketing.transfer_ticket(2901, 3, 'dave', 'erin', idempotency_key => 't-1')$$);

-------------------------------------------------------------------------------
-- Refusals change nothing: not_owner, not_sold, not_found, already_admitted,
-- limit_reached.
-------------------------------------------------------------------------------
SELECT outcome, ticket_id, code FROM ticketing.transfer_ticket(2901, 2, 'dave', 'fay');
SELECT outcome, ticket_id, seat, code FROM ticketing.transfer_ticket(2901, 5, 'dave', 'fay');
SELECT outcome FROM ticketing.hold_ticket(2901, 6, 'dave');
SELECT outcome, ticket_id FROM ticketing.transfer_ticket(2901, 6, 'dave', 'fay');
SELECT outcome, ticket_id FROM ticketing.transfer_ticket(2901, 99, 'dave', 'fay');
SELECT outcome, ticket_id FROM ticketing.transfer_ticket(2999, 1, 'dave', 'fay');
-- Checked in: it stays with erin.
SELECT outcome FROM ticketing.check_in(2901, :'erin2', 'north');
SELECT outcome, ticket_id, code FROM ticketing.transfer_ticket(2901, 2, 'erin', 'fay');
SELECT owner, admitted_gate FROM ticketing.tickets WHERE event_id = 2901 AND ticket_id = 2;
-- The receiver's limit (2): gina owns 2 (a sale and a live hold), so she cannot receive.
SELECT outcome FROM ticketing.claim_ticket(2901, 7, 'gina');
SELECT outcome FROM ticketing.hold_ticket(2901, 8, 'gina');
SELECT outcome FROM ticketing.claim_ticket(2901, 9, 'hana');
SELECT outcome, ticket_id, seat, code FROM ticketing.transfer_ticket(2901, 9, 'hana', 'gina');
SELECT owner FROM ticketing.tickets WHERE event_id = 2901 AND ticket_id = 9;
-- Her hold released, she has room for one.
SELECT outcome FROM ticketing.release_hold(2901, 8, 'gina');
SELECT outcome, pg_temp.is_code(code) AS has_code FROM ticketing.transfer_ticket(2901, 9, 'hana', 'gina');
SELECT owner, count(*) AS tickets FROM ticketing.tickets
 WHERE event_id = 2901 AND owner IS NOT NULL GROUP BY owner ORDER BY owner COLLATE "C";
SELECT * FROM ticketing.verify(2901);

-- An event without a limit, with a quota: a transfer takes and gives back no unit.
SELECT outcome FROM ticketing.claim_ticket(2902, 1, 'ivan');
SELECT quota, sold, available FROM ticketing.quota_summary(2902);
SELECT outcome FROM ticketing.transfer_ticket(2902, 1, 'ivan', 'judy');
SELECT quota, sold, available FROM ticketing.quota_summary(2902);
SELECT * FROM ticketing.verify(2902);

-- The receiver may refund it; the ticket returns to inventory as any sale does.
SELECT outcome FROM ticketing.release_ticket(2902, 1, 'judy');
SELECT quota, sold, available FROM ticketing.quota_summary(2902);
SELECT * FROM ticketing.verify(2902);

-------------------------------------------------------------------------------
-- verify() still reports a sale to a new owner that is no transfer: a sold-to-sold row
-- that names no sender, or names someone who did not own the ticket.
-------------------------------------------------------------------------------
BEGIN;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (2901, 7, 'sold', 'sold', 'mallory');
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, transferred_from)
VALUES (2901, 9, 'sold', 'sold', 'mallory', 'not-the-owner');
UPDATE ticketing.tickets SET owner = 'mallory' WHERE event_id = 2901 AND ticket_id IN (7, 9);
SELECT ticket_id, problem FROM ticketing.verify(2901) ORDER BY ticket_id, problem;
ROLLBACK;

-------------------------------------------------------------------------------
-- Bad input.
-------------------------------------------------------------------------------
SELECT v.call, t.state, t.message
  FROM (VALUES
    ('NULL event', $$SELECT ticketing.transfer_ticket(NULL, 1, 'a', 'b')$$),
    ('NULL ticket', $$SELECT ticketing.transfer_ticket(2901, NULL, 'a', 'b')$$),
    ('NULL from', $$SELECT ticketing.transfer_ticket(2901, 1, NULL, 'b')$$),
    ('NULL to', $$SELECT ticketing.transfer_ticket(2901, 1, 'a', NULL)$$),
    ('event 0', $$SELECT ticketing.transfer_ticket(0, 1, 'a', 'b')$$),
    ('ticket -1', $$SELECT ticketing.transfer_ticket(2901, -1, 'a', 'b')$$),
    ('empty from', $$SELECT ticketing.transfer_ticket(2901, 1, '', 'b')$$),
    ('empty to', $$SELECT ticketing.transfer_ticket(2901, 1, 'a', '')$$),
    ('201-byte to', $$SELECT ticketing.transfer_ticket(2901, 1, 'a', repeat('b', 201))$$),
    ('to oneself', $$SELECT ticketing.transfer_ticket(2901, 1, 'alice', 'alice')$$),
    ('empty key', $$SELECT ticketing.transfer_ticket(2901, 1, 'a', 'b', idempotency_key => '')$$)
  ) AS v(call, stmt), LATERAL pg_temp.try(v.stmt) t;
BEGIN READ ONLY;
SELECT * FROM pg_temp.try($$SELECT ticketing.transfer_ticket(2901, 1, 'alice', 'bob')$$);
ROLLBACK;
SELECT owner FROM ticketing.tickets WHERE event_id = 2901 AND ticket_id = 1;
