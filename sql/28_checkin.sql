--
-- 28_checkin: ticket codes and check-in at the gates (issue 19). Every sold ticket has a
-- code (a MAC over the ticket, its owner and its sale time under a server-side secret),
-- returned by the sale and by ticket_codes(); check_in admits it once; check_in_batch
-- takes an offline gate's scans, the earliest scan of a ticket being its admission. Codes
-- are random, so they are printed only as what they are (the format, equal or not).
--
\set VERBOSITY terse
\i sql/include/try.sql

-- A code's shape: the prefix and base64url.
CREATE FUNCTION pg_temp.is_code(c text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT c ~ '^TK1\.[A-Za-z0-9_-]{20,48}$'
$$;
-- A code's payload (base64url after the prefix) and a code made of a payload.
CREATE FUNCTION pg_temp.payload(c text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT decode(translate(substr(c, 5), '-_', '+/')
                  || repeat('=', (4 - length(substr(c, 5)) % 4) % 4), 'base64')
$$;
CREATE FUNCTION pg_temp.code_of(p bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'TK1.' || rtrim(translate(encode(p, 'base64'), '+/', '-_'), '=')
$$;

SELECT ticketing.create_event('Check-in', event_id => 2801);
SELECT ticketing.add_tickets(2801, ARRAY['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4', 'A-1-5', 'A-1-6',
                                         'A-1-7', 'A-1-8', 'A-1-9', 'A-1-10']);
SELECT ticketing.create_event('Check-in, another event', event_id => 2802);
SELECT ticketing.add_tickets(2802, 3);

-------------------------------------------------------------------------------
-- The sale returns the code; the owner can look it up again.
-------------------------------------------------------------------------------
SELECT outcome, ticket_id, pg_temp.is_code(code) AS has_code
  FROM ticketing.claim_ticket(2801, 1, 'alice', idempotency_key => 'a-1');
SELECT code AS alice1 FROM ticketing.ticket_codes(2801, 'alice') WHERE ticket_id = 1 \gset
-- The same code from an already_owned answer, a replay of the key and the lookup.
SELECT outcome, code = :'alice1' AS same_code FROM ticketing.claim_ticket(2801, 1, 'alice');
SELECT outcome, code = :'alice1' AS same_code
  FROM ticketing.claim_ticket(2801, 1, 'alice', idempotency_key => 'a-1');
SELECT outcome, code = :'alice1' AS same_code FROM ticketing.hold_ticket(2801, 1, 'alice');
-- Nobody else gets a code for it, and no answer that is not a sale carries one.
SELECT outcome, code FROM ticketing.claim_ticket(2801, 1, 'bob');
SELECT outcome, code FROM ticketing.hold_ticket(2801, 2, 'bob');
SELECT outcome, pg_temp.is_code(code) AS has_code FROM ticketing.confirm_hold(2801, 2, 'bob');
SELECT outcome, code FROM ticketing.release_ticket(2801, 2, 'bob');
-- Orders: a code per ticket, parallel to ticket_ids; claim_batch: a code per sale.
SELECT outcome, ticket_ids, cardinality(codes) AS codes,
       (SELECT bool_and(pg_temp.is_code(c)) FROM unnest(codes) c) AS all_codes
  FROM ticketing.claim_tickets(2801, ARRAY[3, 4], 'carol');
SELECT outcome, cardinality(ticket_ids) AS tickets,
       (SELECT bool_and(pg_temp.is_code(c)) FROM unnest(codes) c) AS all_codes
  FROM ticketing.claim_any(2802, 'dave', 2);
-- claim_tickets with one ticket already carol's: both codes, the old one unchanged.
SELECT code AS carol3 FROM ticketing.ticket_codes(2801, 'carol') WHERE ticket_id = 3 \gset
SELECT outcome, ticket_ids, codes[1] = :'carol3' AS old_code_kept, pg_temp.is_code(codes[2]) AS new_code
  FROM ticketing.claim_tickets(2801, ARRAY[3, 5], 'carol');
SELECT request_no, outcome, ticket_id, pg_temp.is_code(code) AS has_code
  FROM ticketing.claim_batch(2801, ARRAY[ROW(6, 'erin', NULL), ROW(6, 'erin', NULL),
                                          ROW(1, 'erin', NULL)]::ticketing.claim_request[]);
-- A hold placed answers no code; confirming it does.
SELECT outcome, codes FROM ticketing.claim_tickets(2801, ARRAY[7], 'frank', hold_for => '1 hour');
-- ticket_codes: every sold ticket of the customer, in ticket order, with its code.
SELECT ticket_id, seat, pg_temp.is_code(code) AS has_code FROM ticketing.ticket_codes(2801, 'carol');
SELECT count(*) AS none FROM ticketing.ticket_codes(2801, 'frank');
SELECT count(*) AS none FROM ticketing.ticket_codes(2899, 'carol');
-- Codes differ from ticket to ticket and from event to event.
SELECT count(DISTINCT code) = count(*) AS all_distinct
  FROM (SELECT code FROM ticketing.ticket_codes(2801, 'carol')
        UNION ALL SELECT code FROM ticketing.ticket_codes(2802, 'dave')
        UNION ALL SELECT code FROM ticketing.ticket_codes(2801, 'alice')) c;

-------------------------------------------------------------------------------
-- check_in: admitted once, then already_admitted with the gate and time.
-------------------------------------------------------------------------------
SELECT outcome, ticket_id, seat, gate, admitted_at = now() AS admitted_now
  FROM ticketing.check_in(2801, :'alice1', 'north-1');
SELECT outcome, ticket_id, seat, gate, admitted_at < now() AS admitted_before
  FROM ticketing.check_in(2801, :'alice1', 'south-2');
SELECT ticket_id, status, owner, admitted_gate, admitted_at IS NOT NULL AS admitted,
       updated_at < admitted_at AS sale_time_kept
  FROM ticketing.tickets WHERE event_id = 2801 AND ticket_id = 1;
SELECT event_id, ticket_id, customer, gate, previous_gate FROM ticketing.admissions
 WHERE event_id = 2801 ORDER BY admission_id;
-- The code still answers already_admitted in a later transaction: the admission leaves
-- the sale's time (what the code is made from) alone.
SELECT outcome, gate FROM ticketing.check_in(2801, :'alice1', 'west-3');

-- wrong_event: a genuine code of another event.
SELECT code AS dave_code FROM ticketing.ticket_codes(2802, 'dave') ORDER BY ticket_id LIMIT 1 \gset
SELECT outcome, ticket_id, seat, gate FROM ticketing.check_in(2801, :'dave_code', 'north-1');
-- unknown_code: not a code, a forged one, a code of no ticket.
SELECT outcome, ticket_id FROM ticketing.check_in(2801, 'not a code', 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, '', 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, repeat('x', 100000), 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, lower(:'alice1'), 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, :'alice1' || '=', 'north-1');
-- Codes made by hand from a genuine one: its payload (varint event, varint ticket, MAC)
-- with one byte changed. Event 2801 is F1 15 as a varint, 2802 is F2 15.
SELECT pg_temp.code_of(pg_temp.payload(:'alice1')) = :'alice1' AS round_trip,
       encode(substr(pg_temp.payload(:'alice1'), 1, 3), 'hex') AS ids;
-- The MAC changed in one bit.
SELECT outcome, ticket_id FROM ticketing.check_in(2801, pg_temp.code_of(set_byte(
           pg_temp.payload(:'alice1'), 10, get_byte(pg_temp.payload(:'alice1'), 10) # 1)), 'north-1');
-- Another ticket (9, unsold) or no ticket (99) under alice's MAC.
SELECT outcome, ticket_id FROM ticketing.check_in(2801, pg_temp.code_of(set_byte(
           pg_temp.payload(:'alice1'), 2, 9)), 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, pg_temp.code_of(set_byte(
           pg_temp.payload(:'alice1'), 2, 99)), 'north-1');
-- dave's MAC with the event changed to 2801: the MAC covers the event, so it matches no
-- sale here (unknown_code), and it is not a genuine code of another event either.
SELECT outcome, ticket_id FROM ticketing.check_in(2801, pg_temp.code_of(set_byte(
           pg_temp.payload(:'dave_code'), 0, 241)), 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, pg_temp.code_of(set_byte(
           pg_temp.payload(:'dave_code'), 0, 243)), 'north-1');

-------------------------------------------------------------------------------
-- revoked and not_sold: genuine codes of a ticket that changed since.
-------------------------------------------------------------------------------
-- Released: not_sold. Resold to someone else: the old code is revoked, the new one admits.
SELECT code AS carol4 FROM ticketing.ticket_codes(2801, 'carol') WHERE ticket_id = 4 \gset
SELECT outcome FROM ticketing.release_ticket(2801, 4, 'carol');
SELECT outcome, ticket_id, seat, gate FROM ticketing.check_in(2801, :'carol4', 'north-1');
SELECT outcome FROM ticketing.hold_ticket(2801, 4, 'gina');
SELECT outcome, ticket_id, seat FROM ticketing.check_in(2801, :'carol4', 'north-1');
SELECT code AS gina4 FROM ticketing.confirm_hold(2801, 4, 'gina') \gset
SELECT outcome, ticket_id, seat FROM ticketing.check_in(2801, :'carol4', 'north-1');
-- Released and bought again by the same customer: a new sale, a new code.
SELECT code AS carol5 FROM ticketing.ticket_codes(2801, 'carol') WHERE ticket_id = 5 \gset
SELECT outcome FROM ticketing.release_ticket(2801, 5, 'carol');
SELECT code AS carol5b FROM ticketing.claim_ticket(2801, 5, 'carol') \gset
SELECT :'carol5' <> :'carol5b' AS new_code;
SELECT outcome, ticket_id FROM ticketing.check_in(2801, :'carol5', 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, :'carol5b', 'north-1');
SELECT outcome, ticket_id FROM ticketing.check_in(2801, :'gina4', 'north-1');

-------------------------------------------------------------------------------
-- A checked-in ticket is not refunded.
-------------------------------------------------------------------------------
SELECT outcome, ticket_id, owner_is_you, code FROM ticketing.release_ticket(2801, 1, 'alice');
SELECT outcome FROM ticketing.release_ticket(2801, 1, 'alice', idempotency_key => 'r-1');
SELECT outcome FROM ticketing.release_ticket(2801, 1, 'alice', idempotency_key => 'r-1');
SELECT outcome FROM ticketing.release_ticket(2801, 1, 'bob');
SELECT status, owner, admitted_gate FROM ticketing.tickets WHERE event_id = 2801 AND ticket_id = 1;
SELECT count(*) AS audit_rows FROM ticketing.audit_log WHERE event_id = 2801 AND ticket_id = 1;

-------------------------------------------------------------------------------
-- check_in_batch: an offline gate's scans, each with its own time.
-------------------------------------------------------------------------------
SELECT code AS erin6 FROM ticketing.ticket_codes(2801, 'erin') WHERE ticket_id = 6 \gset
SELECT code AS carol3 FROM ticketing.ticket_codes(2801, 'carol') WHERE ticket_id = 3 \gset
-- One row per scan, in scan order. erin's ticket scanned three times: the earliest scan
-- (the second) is the admission, the others duplicates of it. carol's ticket once.
-- Junk, another event's code and a revoked code answer for themselves.
SELECT scan_no, outcome, ticket_id, gate,
       (extract(epoch FROM now() - admitted_at) / 60)::int AS minutes_ago
  FROM ticketing.check_in_batch(2801, ARRAY[
       ROW(:'erin6', 'east-1', now() - interval '5 minutes'),
       ROW(:'erin6', 'east-2', now() - interval '10 minutes'),
       ROW(:'carol3', 'east-1', now() - interval '7 minutes'),
       ROW('junk', 'east-1', now() - interval '7 minutes'),
       ROW(:'dave_code', 'east-1', now() - interval '7 minutes'),
       ROW(:'carol4', 'east-1', now() - interval '7 minutes'),
       ROW(:'erin6', 'east-1', now() - interval '1 minute')]::ticketing.scan[]);
-- A later upload with an earlier scan of erin's ticket: it becomes the admission (the
-- one recorded before goes to the trail), a later scan is a duplicate of it.
SELECT scan_no, outcome, ticket_id, gate,
       (extract(epoch FROM now() - admitted_at) / 60)::int AS minutes_ago
  FROM ticketing.check_in_batch(2801, ARRAY[
       ROW(:'erin6', 'east-3', now() - interval '8 minutes'),
       ROW(:'erin6', 'east-4', now() - interval '20 minutes')]::ticketing.scan[]);
-- A live check-in afterwards: already_admitted, with the earliest scan's gate.
SELECT outcome, gate, round(extract(epoch FROM now() - admitted_at) / 60) AS minutes_ago
  FROM ticketing.check_in(2801, :'erin6', 'north-1');
-- A scan no earlier than the recorded admission changes nothing (ties included).
SELECT scan_no, outcome, gate FROM ticketing.check_in_batch(2801, ARRAY[
       ROW(:'erin6', 'east-5', now() - interval '20 minutes')]::ticketing.scan[]);
-- An upload earlier than a live admission replaces it too.
SELECT outcome, gate FROM ticketing.check_in(2801, :'carol5b', 'north-9');
SELECT scan_no, outcome, gate FROM ticketing.check_in_batch(2801, ARRAY[
       ROW(:'carol5b', 'east-6', now() - interval '1 hour')]::ticketing.scan[]);
-- The trail: every admission and every replacement, with what it replaced.
SELECT ticket_id, customer, gate, previous_gate,
       previous_admitted_at IS NOT NULL AS replaced_one
  FROM ticketing.admissions WHERE event_id = 2801 ORDER BY admission_id;
SELECT ticket_id, admitted_gate FROM ticketing.tickets
 WHERE event_id = 2801 AND admitted_at IS NOT NULL ORDER BY ticket_id;
SELECT * FROM ticketing.verify(2801);

-------------------------------------------------------------------------------
-- Rotating the secret: every old code stops working (unknown_code), the owners look
-- their codes up again. Superuser only.
-------------------------------------------------------------------------------
SELECT code AS gina_before FROM ticketing.ticket_codes(2801, 'gina') \gset
SELECT ticketing.rotate_code_secret() = now() AS rotated_now;
SELECT count(*) AS secrets FROM ticketing.code_secret;
SELECT outcome FROM ticketing.check_in(2801, :'gina_before', 'north-1');
SELECT outcome FROM ticketing.check_in(2802, :'dave_code', 'north-1');
SELECT code AS gina_after FROM ticketing.ticket_codes(2801, 'gina') \gset
SELECT :'gina_before' <> :'gina_after' AS new_code, pg_temp.is_code(:'gina_after') AS has_code;
SELECT outcome, ticket_id FROM ticketing.check_in(2801, :'gina_after', 'north-1');
-- An admitted ticket stays admitted; its new code says so.
SELECT outcome, gate FROM ticketing.check_in(2801, (SELECT code FROM ticketing.ticket_codes(2801, 'alice') WHERE ticket_id = 1), 'north-1');
-- A rotation rolled back changes nothing.
SELECT code AS gina_kept FROM ticketing.ticket_codes(2801, 'gina') \gset
BEGIN;
SELECT ticketing.rotate_code_secret() IS NOT NULL AS rotated;
SELECT code <> :'gina_kept' AS changed_inside FROM ticketing.ticket_codes(2801, 'gina');
ROLLBACK;
SELECT code = :'gina_kept' AS unchanged FROM ticketing.ticket_codes(2801, 'gina');
-- Not for other roles: no EXECUTE by default, and a grant does not make one a superuser.
CREATE ROLE checkin_staff;
GRANT USAGE ON SCHEMA ticketing TO checkin_staff;
SET ROLE checkin_staff;
SELECT * FROM pg_temp.try('SELECT ticketing.rotate_code_secret()');
SELECT * FROM pg_temp.try('SELECT * FROM ticketing.code_secret');
RESET ROLE;
GRANT EXECUTE ON FUNCTION ticketing.rotate_code_secret() TO checkin_staff;
SET ROLE checkin_staff;
SELECT * FROM pg_temp.try('SELECT ticketing.rotate_code_secret()');
RESET ROLE;
REVOKE ALL ON FUNCTION ticketing.rotate_code_secret() FROM checkin_staff;
REVOKE USAGE ON SCHEMA ticketing FROM checkin_staff;
DROP ROLE checkin_staff;
-- With no secret at all, a sale fails rather than answer without a code (the table's
-- trigger tells every backend, this one included, to read the secret again).
BEGIN;
DELETE FROM ticketing.code_secret;
SELECT * FROM pg_temp.try($$SELECT outcome FROM ticketing.claim_ticket(2801, 8, 'hana')$$);
ROLLBACK;
SELECT outcome, pg_temp.is_code(code) AS has_code FROM ticketing.claim_ticket(2801, 8, 'hana');

-------------------------------------------------------------------------------
-- Bad input: errors with SQLSTATEs, not outcomes.
-------------------------------------------------------------------------------
SELECT v.call, t.state, t.message
  FROM (VALUES
    ('check_in: NULL event', $$SELECT ticketing.check_in(NULL, 'x', 'g')$$),
    ('check_in: event 0', $$SELECT ticketing.check_in(0, 'x', 'g')$$),
    ('check_in: NULL code', $$SELECT ticketing.check_in(2801, NULL, 'g')$$),
    ('check_in: NULL gate', $$SELECT ticketing.check_in(2801, 'x', NULL)$$),
    ('check_in: empty gate', $$SELECT ticketing.check_in(2801, 'x', '')$$),
    ('check_in: 101-byte gate', $$SELECT ticketing.check_in(2801, 'x', repeat('g', 101))$$),
    ('batch: NULL event', $$SELECT ticketing.check_in_batch(NULL, ARRAY[ROW('x', 'g', now())]::ticketing.scan[])$$),
    ('batch: NULL scans', $$SELECT ticketing.check_in_batch(2801, NULL)$$),
    ('batch: no scans', $$SELECT ticketing.check_in_batch(2801, ARRAY[]::ticketing.scan[])$$),
    ('batch: 1001 scans', $$SELECT ticketing.check_in_batch(2801, (SELECT array_agg(ROW('x', 'g', now())::ticketing.scan) FROM generate_series(1, 1001)))$$),
    ('batch: 2-D', $$SELECT ticketing.check_in_batch(2801, ARRAY[[ROW('x', 'g', now())::ticketing.scan]])$$),
    ('batch: NULL scan', $$SELECT ticketing.check_in_batch(2801, ARRAY[ROW('x', 'g', now()), NULL]::ticketing.scan[])$$),
    ('batch: NULL code', $$SELECT ticketing.check_in_batch(2801, ARRAY[ROW(NULL, 'g', now())]::ticketing.scan[])$$),
    ('batch: NULL gate', $$SELECT ticketing.check_in_batch(2801, ARRAY[ROW('x', NULL, now())]::ticketing.scan[])$$),
    ('batch: empty gate', $$SELECT ticketing.check_in_batch(2801, ARRAY[ROW('x', '', now())]::ticketing.scan[])$$),
    ('batch: NULL time', $$SELECT ticketing.check_in_batch(2801, ARRAY[ROW('x', 'g', NULL)]::ticketing.scan[])$$),
    ('batch: -infinity', $$SELECT ticketing.check_in_batch(2801, ARRAY[ROW('x', 'g', '-infinity')]::ticketing.scan[])$$),
    ('batch: 2 days ahead', $$SELECT ticketing.check_in_batch(2801, ARRAY[ROW('x', 'g', now() + interval '2 days')]::ticketing.scan[])$$),
    ('ticket_codes: NULL event', $$SELECT ticketing.ticket_codes(NULL, 'alice')$$),
    ('ticket_codes: NULL customer', $$SELECT ticketing.ticket_codes(2801, NULL)$$),
    ('ticket_codes: empty customer', $$SELECT ticketing.ticket_codes(2801, '')$$)
  ) AS v(call, stmt), LATERAL pg_temp.try(v.stmt) t;
-- A day ahead is a gate's clock running fast, not an error.
SELECT scan_no, outcome FROM ticketing.check_in_batch(2801, ARRAY[
       ROW('junk', 'g', now() + interval '23 hours')]::ticketing.scan[]);
-- In a read-only transaction: PostgreSQL's own 25006.
BEGIN READ ONLY;
SELECT * FROM pg_temp.try($$SELECT ticketing.check_in(2801, 'x', 'g')$$);
ROLLBACK;
-- ticket_codes only reads: fine in a read-only transaction.
BEGIN READ ONLY;
SELECT count(*) AS codes FROM ticketing.ticket_codes(2801, 'carol');
ROLLBACK;

-------------------------------------------------------------------------------
-- verify(): an admitted ticket that is not sold, an admission the trail disagrees with.
-------------------------------------------------------------------------------
BEGIN;
ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_admission_check;
UPDATE ticketing.tickets SET status = 'available', owner = NULL
 WHERE event_id = 2801 AND ticket_id = 1;
UPDATE ticketing.tickets SET admitted_gate = 'forged' WHERE event_id = 2801 AND ticket_id = 6;
UPDATE ticketing.tickets SET admitted_at = now(), admitted_gate = 'nowhere'
 WHERE event_id = 2801 AND ticket_id = 8;
SELECT event_id, ticket_id, problem FROM ticketing.verify(2801)
 WHERE problem IN ('admitted_unsold', 'admission_disagrees_with_log') ORDER BY ticket_id, problem;
ROLLBACK;
-- The constraint itself: an admitted ticket cannot be made unsold by hand either.
SELECT * FROM pg_temp.try($$UPDATE ticketing.tickets SET status = 'available', owner = NULL
                             WHERE event_id = 2801 AND ticket_id = 1$$);
SELECT * FROM ticketing.verify(2801);
SELECT * FROM ticketing.verify(2802);

-------------------------------------------------------------------------------
-- The waiting list: an offer is a hold, so confirming it (confirm_hold, or claim_tickets
-- of the offered tickets) is a sale and answers the new ticket's code, which admits.
-- A checked-in ticket cannot be refunded, so it is never offered to the list.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Check-in and the waiting list', event_id => 2803);
SELECT ticketing.add_tickets(2803, 4);
SELECT ticketing.open_waitlist(2803);
SELECT count(*) AS sold FROM generate_series(1, 4) i,
       LATERAL ticketing.claim_ticket(2803, i, 'buyer-' || i) r WHERE r.outcome = 'claimed';
SELECT outcome FROM ticketing.join_waitlist(2803, 'wendy');
SELECT outcome FROM ticketing.join_waitlist(2803, 'xavier', quantity => 2);
-- buyer-1 is admitted, then asks for a refund: refused, nothing is offered.
SELECT c.outcome FROM ticketing.ticket_codes(2803, 'buyer-1') t,
       LATERAL ticketing.check_in(2803, t.code, 'north') c;
SELECT outcome FROM ticketing.release_ticket(2803, 1, 'buyer-1');
SELECT count(*) AS offers FROM ticketing.pending_offers(2803);
-- buyer-2's refund is offered to wendy; her confirmation is a sale with a code.
CREATE TEMP TABLE codes_2803_buyer2 AS SELECT code FROM ticketing.ticket_codes(2803, 'buyer-2');
SELECT outcome FROM ticketing.release_ticket(2803, 2, 'buyer-2');
SELECT customer, ticket_ids FROM ticketing.pending_offers(2803);
CREATE TEMP TABLE offer_sale AS SELECT * FROM ticketing.confirm_hold(2803, 2, 'wendy');
SELECT outcome, ticket_id, code IS NOT NULL AS has_code FROM offer_sale;
SELECT o.code = t.code AS same_as_lookup
  FROM offer_sale o JOIN ticketing.ticket_codes(2803, 'wendy') t USING (ticket_id);
SELECT c.outcome, c.ticket_id FROM offer_sale o, LATERAL ticketing.check_in(2803, o.code, 'north') c;
-- buyer-2's old code is revoked: the seat was resold through the list.
SELECT outcome FROM ticketing.check_in(2803, (SELECT code FROM codes_2803_buyer2), 'north');
-- Two refunds offered to xavier (quantity 2), confirmed with claim_tickets: an order
-- with a code for each ticket, in ticket order.
SELECT outcome FROM ticketing.release_ticket(2803, 3, 'buyer-3');
SELECT outcome FROM ticketing.release_ticket(2803, 4, 'buyer-4');
SELECT customer, ticket_ids FROM ticketing.pending_offers(2803);
CREATE TEMP TABLE offer_order AS SELECT * FROM ticketing.claim_tickets(2803, ARRAY[3, 4]::bigint[], 'xavier');
SELECT outcome, ticket_ids, cardinality(codes) AS codes FROM offer_order;
SELECT c.outcome, c.ticket_id
  FROM offer_order o, unnest(o.codes) WITH ORDINALITY AS k(code, n),
       LATERAL ticketing.check_in(2803, k.code, 'south') c ORDER BY k.n;
SELECT customer, status FROM ticketing.waitlist(2803) ORDER BY place;
SELECT * FROM ticketing.verify(2803);
