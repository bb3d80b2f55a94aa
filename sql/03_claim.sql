--
-- 03_claim: every outcome of claim_ticket, the audit rows it writes (or not), and
-- the proof that saying "no" takes no lock and writes nothing.
--
\set VERBOSITY terse

SELECT ticketing.create_event('Claim test', event_id => 301);
SELECT ticketing.add_tickets(301, 8);
SELECT ticketing.create_event('Claim test, other event', event_id => 302);
SELECT ticketing.add_tickets(302, 2);

-------------------------------------------------------------------------------
-- claimed: available -> sold to the customer, one audit row.
-------------------------------------------------------------------------------
SELECT outcome, event_id, ticket_id, seat, owner_is_you, hold_expires_at
  FROM ticketing.claim_ticket(301, 1, 'alice');
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 1;
SELECT ticket_id, from_status, to_status, customer, txid IS NOT NULL AS has_txid
  FROM ticketing.audit_log WHERE event_id = 301 ORDER BY audit_id;

-- The answer's `at` is the moment of the sale: the audit row's and the ticket's time.
SELECT at AS claim_at FROM ticketing.claim_ticket(301, 2, 'alice') \gset
SELECT a.at = :'claim_at'::timestamptz AS audit_at_matches,
       t.updated_at = :'claim_at'::timestamptz AS updated_at_matches
  FROM ticketing.audit_log a
  JOIN ticketing.tickets t USING (event_id, ticket_id)
 WHERE a.event_id = 301 AND a.ticket_id = 2;

-- Every wait policy sells an unlocked available ticket.
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(301, 3, 'bob', wait => 'wait');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(301, 4, 'bob', wait => 'nowait');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(301, 5, 'bob', wait => 'skip');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(301, 6, 'bob', 'skip');

-- Customers are compared exactly: case and spacing matter.
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(301, 1, 'Alice');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(301, 1, 'alice ');

-- The ticket is found by (event_id, ticket_id): the same ticket id in another event
-- is another ticket.
SELECT outcome, event_id, ticket_id, seat, owner_is_you FROM ticketing.claim_ticket(302, 1, 'bob');

-------------------------------------------------------------------------------
-- already_owned: the same customer again. Nothing changes, nothing is written.
-------------------------------------------------------------------------------
SELECT updated_at AS sold_at FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 1 \gset
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset

SELECT outcome, event_id, ticket_id, seat, owner_is_you, at = :'sold_at'::timestamptz AS at_is_sale,
       hold_expires_at
  FROM ticketing.claim_ticket(301, 1, 'alice');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 1, 'alice', wait => 'nowait');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 1, 'alice', wait => 'skip');

SELECT status, owner, updated_at = :'sold_at'::timestamptz AS unchanged
  FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 1;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-------------------------------------------------------------------------------
-- already_sold: sold to someone else. The answer never names the owner.
-------------------------------------------------------------------------------
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at = :'sold_at'::timestamptz AS at_is_sale,
       hold_expires_at
  FROM ticketing.claim_ticket(301, 1, 'bob');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 1, 'bob', wait => 'nowait');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 1, 'bob', wait => 'skip');
SELECT r::text LIKE '%alice%' AS reveals_owner FROM ticketing.claim_ticket(301, 1, 'bob') AS r;

SELECT status, owner, updated_at = :'sold_at'::timestamptz AS unchanged
  FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 1;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-------------------------------------------------------------------------------
-- not_found: no such ticket in the event, or no such event. No seat, no time.
-------------------------------------------------------------------------------
SELECT * FROM ticketing.claim_ticket(301, 9, 'alice');
SELECT * FROM ticketing.claim_ticket(301, 9223372036854775807, 'alice', wait => 'nowait');
SELECT * FROM ticketing.claim_ticket(399999, 1, 'alice');
SELECT * FROM ticketing.claim_ticket(399999, 1, 'alice', wait => 'skip');
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-------------------------------------------------------------------------------
-- Saying "no" is cheap: no transaction id is assigned, so no row lock was taken and
-- nothing was written. A sale, by contrast, needs one.
-------------------------------------------------------------------------------
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(301, 1, 'bob');
SELECT outcome FROM ticketing.claim_ticket(301, 1, 'bob', wait => 'nowait');
SELECT outcome FROM ticketing.claim_ticket(301, 1, 'bob', wait => 'skip');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_already_sold;
SELECT outcome FROM ticketing.claim_ticket(301, 1, 'alice');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_already_owned;
SELECT outcome FROM ticketing.claim_ticket(301, 9, 'alice');
SELECT outcome FROM ticketing.claim_ticket(399999, 1, 'alice');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_not_found;
-- No tuple lock, no transaction id, nothing written. (Relations only: AccessShareLock
-- from the look, and RowExclusiveLock when a claim tried its selling statement first,
-- which the claims of an event that has been selling do: see docs/design.md.)
SELECT DISTINCT locktype FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype <> 'virtualxid'
 ORDER BY 1;
SELECT count(*) AS stronger_than_row_exclusive FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'relation'
   AND mode NOT IN ('AccessShareLock', 'RowExclusiveLock');
SELECT count(*) AS row_or_xid_locks FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype IN ('tuple', 'transactionid');
COMMIT;

BEGIN;
SELECT outcome FROM ticketing.claim_ticket(301, 7, 'carol');
SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS xid_after_claimed;
-- The sale is visible in the claiming transaction, and is undone by its rollback.
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 7, 'carol');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 7, 'dave');
ROLLBACK;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 7;
SELECT count(*) AS audit_rows_for_7 FROM ticketing.audit_log WHERE event_id = 301 AND ticket_id = 7;

-------------------------------------------------------------------------------
-- Holds (created by hand here: holds come from a later feature).
--   ticket 7: carol's live hold       ticket 8: dave's lapsed hold
--   ticket 2 of event 302: carol's live hold, claimed by carol herself
-------------------------------------------------------------------------------
UPDATE ticketing.tickets
   SET status = 'held', owner = 'carol', hold_expires_at = now() + interval '1 hour',
       updated_at = now()
 WHERE event_id = 301 AND ticket_id = 7;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (301, 7, 'available', 'held', 'carol');
UPDATE ticketing.tickets
   SET status = 'held', owner = 'dave', hold_expires_at = now() - interval '1 second',
       updated_at = now()
 WHERE event_id = 301 AND ticket_id = 8;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (301, 8, 'available', 'held', 'dave');
UPDATE ticketing.tickets
   SET status = 'held', owner = 'carol', hold_expires_at = now() + interval '1 hour',
       updated_at = now()
 WHERE event_id = 302 AND ticket_id = 2;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (302, 2, 'available', 'held', 'carol');
SELECT * FROM ticketing.verify(301);
SELECT * FROM ticketing.event_summary(301);

SELECT hold_expires_at AS carol_hold_expires_at
  FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 7 \gset
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset

-- held: someone else's live hold. The answer says when it lapses, not whose it is.
SELECT outcome, ticket_id, seat, owner_is_you, at IS NOT NULL AS has_at,
       hold_expires_at = :'carol_hold_expires_at'::timestamptz AS shows_expiry
  FROM ticketing.claim_ticket(301, 7, 'bob');
SELECT outcome, owner_is_you, hold_expires_at IS NOT NULL AS shows_expiry
  FROM ticketing.claim_ticket(301, 7, 'bob', wait => 'nowait');
SELECT outcome, owner_is_you, hold_expires_at IS NOT NULL AS shows_expiry
  FROM ticketing.claim_ticket(301, 7, 'bob', wait => 'skip');
SELECT r::text LIKE '%carol%' AS reveals_holder FROM ticketing.claim_ticket(301, 7, 'bob') AS r;
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(301, 7, 'bob');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_held;
COMMIT;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 7;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- A lapsed hold is anyone's: held -> sold to the claimant.
SELECT outcome, ticket_id, seat, owner_is_you, hold_expires_at
  FROM ticketing.claim_ticket(301, 8, 'bob');
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 8;
SELECT from_status, to_status, customer FROM ticketing.audit_log
 WHERE event_id = 301 AND ticket_id = 8 ORDER BY audit_id;
-- ... and then it is bob's like any sale.
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 8, 'bob');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(301, 8, 'dave');

-- The customer's own live hold is claimable: held -> sold, hold expiry cleared.
SELECT outcome, event_id, ticket_id, seat, owner_is_you, hold_expires_at
  FROM ticketing.claim_ticket(302, 2, 'carol');
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 302 AND ticket_id = 2;
SELECT from_status, to_status, customer FROM ticketing.audit_log
 WHERE event_id = 302 AND ticket_id = 2 ORDER BY audit_id;

-- carol's hold on 301/7 is still in place.
SELECT status, owner, hold_expires_at = :'carol_hold_expires_at'::timestamptz AS same_hold
  FROM ticketing.tickets WHERE event_id = 301 AND ticket_id = 7;

-------------------------------------------------------------------------------
-- Totals: the whole history of the two events, and a clean bill of health.
-------------------------------------------------------------------------------
SELECT ticket_id, status, owner, hold_expires_at IS NOT NULL AS has_hold_expiry
  FROM ticketing.tickets WHERE event_id = 301 ORDER BY ticket_id;
SELECT event_id, ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id IN (301, 302) ORDER BY audit_id;
SELECT * FROM ticketing.event_summary(301);
SELECT * FROM ticketing.event_summary(302);
SELECT * FROM ticketing.verify(301);
SELECT * FROM ticketing.verify(302);
