--
-- 04_release: release_ticket by the owner, by anyone else, and of unknown tickets.
--
\set VERBOSITY terse

SELECT ticketing.create_event('Release test', event_id => 401);
SELECT ticketing.add_tickets(401, 4);
SELECT outcome, ticket_id FROM ticketing.claim_ticket(401, 1, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(401, 2, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(401, 3, 'bob');

-------------------------------------------------------------------------------
-- not_owner: anyone but the owner, and nobody at all for an available ticket.
-- Nothing changes and no transaction id is assigned.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
BEGIN;
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at IS NOT NULL AS has_at, hold_expires_at
  FROM ticketing.release_ticket(401, 1, 'bob');
SELECT outcome, ticket_id, seat, owner_is_you FROM ticketing.release_ticket(401, 1, 'Alice');
SELECT outcome, ticket_id, seat, owner_is_you FROM ticketing.release_ticket(401, 4, 'alice');
SELECT outcome, ticket_id, seat, owner_is_you FROM ticketing.release_ticket(401, 4, 'bob');
SELECT r::text LIKE '%alice%' AS reveals_owner FROM ticketing.release_ticket(401, 1, 'bob') AS r;
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_not_owner;
COMMIT;

-------------------------------------------------------------------------------
-- not_found: unknown ticket or unknown event.
-------------------------------------------------------------------------------
BEGIN;
SELECT * FROM ticketing.release_ticket(401, 5, 'alice');
SELECT * FROM ticketing.release_ticket(499999, 1, 'alice');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_not_found;
COMMIT;

SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 401 ORDER BY ticket_id;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-------------------------------------------------------------------------------
-- released: the owner gives the ticket back. sold -> available, owner cleared, one
-- audit row naming the releaser.
-------------------------------------------------------------------------------
SELECT outcome, event_id, ticket_id, seat, owner_is_you, hold_expires_at
  FROM ticketing.release_ticket(401, 1, 'alice');
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 401 AND ticket_id = 1;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 401 AND ticket_id = 1 ORDER BY audit_id;

-- The answer's `at` is the moment of the release.
SELECT at AS released_at FROM ticketing.release_ticket(401, 3, 'bob') \gset
SELECT a.from_status, a.to_status, a.customer,
       a.at = :'released_at'::timestamptz AS audit_at_matches,
       t.updated_at = :'released_at'::timestamptz AS updated_at_matches
  FROM ticketing.audit_log a
  JOIN ticketing.tickets t USING (event_id, ticket_id)
 WHERE a.event_id = 401 AND a.ticket_id = 3
 ORDER BY a.audit_id DESC LIMIT 1;

-- A second release is not the releaser's any more.
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(401, 1, 'alice');

-- The released ticket sells again, to anyone, including the releaser.
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(401, 1, 'carol');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(401, 1, 'alice');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(401, 1, 'carol');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(401, 1, 'alice');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(401, 3, 'bob');

-- A release that rolls back leaves the sale in place.
BEGIN;
SELECT outcome, ticket_id FROM ticketing.release_ticket(401, 2, 'alice');
SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS xid_after_released;
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(401, 2, 'bob');
ROLLBACK;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 401 AND ticket_id = 2;
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(401, 2, 'alice');

-- Someone else's hold (made by hand: holds come from a later feature) is not the
-- caller's to release either.
UPDATE ticketing.tickets
   SET status = 'held', owner = 'dave', hold_expires_at = now() + interval '1 hour',
       updated_at = now()
 WHERE event_id = 401 AND ticket_id = 4;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (401, 4, 'available', 'held', 'dave');
BEGIN;
SELECT outcome, ticket_id, seat, owner_is_you, hold_expires_at IS NOT NULL AS shows_expiry
  FROM ticketing.release_ticket(401, 4, 'bob');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_not_owner;
COMMIT;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 401 AND ticket_id = 4;

-------------------------------------------------------------------------------
-- The whole history, and a clean bill of health.
-------------------------------------------------------------------------------
SELECT ticket_id, status, owner, hold_expires_at IS NOT NULL AS has_hold_expiry
  FROM ticketing.tickets WHERE event_id = 401 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 401 ORDER BY audit_id;
SELECT * FROM ticketing.event_summary(401);
SELECT * FROM ticketing.verify(401);
