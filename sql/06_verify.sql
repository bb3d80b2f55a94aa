--
-- 06_verify: verify() finds nothing in healthy data, and each kind of problem when the
-- data is corrupted by hand (as superuser, behind the functions' backs).
--
\set VERBOSITY terse

SELECT ticketing.create_event('Verify test: corrupted', event_id => 601);
SELECT ticketing.add_tickets(601, 12);
SELECT ticketing.create_event('Verify test: healthy', event_id => 602);
SELECT ticketing.add_tickets(602, 3);

-- A healthy history: sales, releases, resales, a hold claimed by its holder.
SELECT outcome, event_id, ticket_id FROM ticketing.claim_ticket(602, 1, 'alice');
SELECT outcome, event_id, ticket_id FROM ticketing.release_ticket(602, 1, 'alice');
SELECT outcome, event_id, ticket_id FROM ticketing.claim_ticket(602, 1, 'bob');
SELECT outcome, event_id, ticket_id FROM ticketing.release_ticket(602, 1, 'bob');
SELECT outcome, event_id, ticket_id FROM ticketing.claim_ticket(602, 1, 'carol');
UPDATE ticketing.tickets
   SET status = 'held', owner = 'dave', hold_expires_at = now() + interval '1 hour'
 WHERE event_id = 602 AND ticket_id = 2;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (602, 2, 'available', 'held', 'dave');
SELECT * FROM ticketing.verify(602);
SELECT outcome, event_id, ticket_id FROM ticketing.claim_ticket(602, 2, 'dave');

-- Start event 601 with ordinary sales (and one sale, release and resale).
SELECT outcome, ticket_id
  FROM generate_series(1, 12) AS t(id),
       LATERAL ticketing.claim_ticket(601, t.id, 'alice')
 WHERE t.id IN (1, 4, 6, 8, 9, 10, 11, 12)
 ORDER BY ticket_id;
SELECT outcome FROM ticketing.release_ticket(601, 11, 'alice');
SELECT outcome FROM ticketing.release_ticket(601, 12, 'alice');
SELECT outcome FROM ticketing.claim_ticket(601, 12, 'bob');

-- Healthy so far, and verify() (all events) agrees with verify(NULL).
SELECT * FROM ticketing.verify(601);
SELECT * FROM ticketing.verify(602);
SELECT * FROM ticketing.verify();
SELECT * FROM ticketing.verify(NULL);
-- An unknown event is simply empty.
SELECT * FROM ticketing.verify(699999);

-------------------------------------------------------------------------------
-- Corruptions, one ticket each.
-------------------------------------------------------------------------------
-- 1: owner_missing. A sold ticket without an owner (which, with an audit row naming
--    alice, also disagrees with the audit).
UPDATE ticketing.tickets SET owner = NULL WHERE event_id = 601 AND ticket_id = 1;

-- 2: available_with_owner: an owner on a ticket that was never sold.
UPDATE ticketing.tickets SET owner = 'mallory' WHERE event_id = 601 AND ticket_id = 2;

-- 3: available_with_owner through a hold expiry on an available ticket (which is also a
--    hold expiry mismatch).
UPDATE ticketing.tickets SET hold_expires_at = '2030-01-01 00:00:00+00'
 WHERE event_id = 601 AND ticket_id = 3;

-- 4: hold_expiry_mismatch: a sold ticket with a hold expiry.
UPDATE ticketing.tickets SET hold_expires_at = '2030-01-01 00:00:00+00'
 WHERE event_id = 601 AND ticket_id = 4;

-- 5: hold_expiry_mismatch: a hold without an expiry (audited properly).
UPDATE ticketing.tickets SET status = 'held', owner = 'carol', hold_expires_at = NULL
 WHERE event_id = 601 AND ticket_id = 5;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (601, 5, 'available', 'held', 'carol');

-- 6: status_disagrees_with_audit: made available without a release row.
UPDATE ticketing.tickets SET status = 'available', owner = NULL
 WHERE event_id = 601 AND ticket_id = 6;

-- 7: status_disagrees_with_audit: sold without any audit row.
UPDATE ticketing.tickets SET status = 'sold', owner = 'mallory'
 WHERE event_id = 601 AND ticket_id = 7;

-- 8: owner_disagrees_with_audit: the owner swapped behind the audit log's back.
UPDATE ticketing.tickets SET owner = 'mallory' WHERE event_id = 601 AND ticket_id = 8;

-- 9: sold_twice, the way an oversell would look: a second available -> sold row for
--    the new owner (whose from_status also breaks the chain).
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (601, 9, 'available', 'sold', 'mallory');
UPDATE ticketing.tickets SET owner = 'mallory' WHERE event_id = 601 AND ticket_id = 9;

-- 10: sold_twice alone: sold -> sold to a new owner keeps the chain intact.
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (601, 10, 'sold', 'sold', 'mallory');
UPDATE ticketing.tickets SET owner = 'mallory' WHERE event_id = 601 AND ticket_id = 10;

-- 11: audit_chain_broken: sold and released, then the sale's audit row is lost, so the
--     release starts from a state nothing led to.
DELETE FROM ticketing.audit_log
 WHERE event_id = 601 AND ticket_id = 11 AND to_status = 'sold';

-- 12: sold, released and resold is healthy; a fourth row selling it again after the
--     release is a double sale counted from that release on.
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (601, 12, 'sold', 'sold', 'mallory');
UPDATE ticketing.tickets SET owner = 'mallory' WHERE event_id = 601 AND ticket_id = 12;

-- The audit ids in audit_chain_broken details depend on the order of the test files:
-- they are masked.
SELECT event_id, ticket_id, problem,
       regexp_replace(detail, 'audit row [0-9]+ ', 'audit row # ') AS detail
  FROM ticketing.verify(601)
 ORDER BY event_id, ticket_id, problem;

-- Each problem kind shows up.
SELECT problem, count(*) AS tickets
  FROM ticketing.verify(601) GROUP BY problem ORDER BY problem;

-- audit_chain_broken names the row that breaks the chain.
SELECT v.detail = format('audit row %s goes from sold, but the row before it left the ticket available',
                         a.audit_id) AS names_the_row
  FROM ticketing.verify(601) v
  JOIN ticketing.audit_log a ON a.event_id = v.event_id AND a.ticket_id = v.ticket_id
 WHERE v.event_id = 601 AND v.ticket_id = 11 AND v.problem = 'audit_chain_broken';

-- Scoping: the healthy event stays healthy, and verify() over every event finds
-- exactly the problems of event 601.
SELECT * FROM ticketing.verify(602);
SELECT (SELECT count(*) FROM ticketing.verify()) AS all_events,
       (SELECT count(*) FROM ticketing.verify(NULL)) AS all_events_null,
       (SELECT count(*) FROM ticketing.verify(601)) AS event_601;
SELECT DISTINCT event_id FROM ticketing.verify();

-------------------------------------------------------------------------------
-- Repairs: each fix removes its problem.
-------------------------------------------------------------------------------
UPDATE ticketing.tickets SET owner = 'alice' WHERE event_id = 601 AND ticket_id = 1;
UPDATE ticketing.tickets SET owner = NULL WHERE event_id = 601 AND ticket_id = 2;
UPDATE ticketing.tickets SET hold_expires_at = NULL WHERE event_id = 601 AND ticket_id IN (3, 4);
UPDATE ticketing.tickets SET hold_expires_at = '2030-01-01 00:00:00+00'
 WHERE event_id = 601 AND ticket_id = 5;
SELECT ticket_id, problem FROM ticketing.verify(601) ORDER BY ticket_id, problem;

-- Remove the corrupted event; everything left in the database is healthy.
DELETE FROM ticketing.audit_log WHERE event_id = 601;
DELETE FROM ticketing.tickets WHERE event_id = 601;
DELETE FROM ticketing.events WHERE event_id = 601;
SELECT * FROM ticketing.verify();
