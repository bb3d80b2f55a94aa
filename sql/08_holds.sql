--
-- 08_holds: hold_ticket, confirm_hold, release_hold and expire_holds (1.1). Every
-- outcome, the audit rows each writes (or not), and what they refuse.
-- A hold is made to lapse without sleeping by moving its expiry into the past as
-- superuser (the status does not change, so the audit log stays consistent); one
-- hold lapses for real with a one-second hold and pg_sleep.
--
\set VERBOSITY terse

\i sql/include/try.sql

-- Makes a hold lapse: its expiry moves one minute into the past.
CREATE FUNCTION pg_temp.lapse(e bigint, t bigint) RETURNS void
LANGUAGE sql AS $$
    UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
     WHERE event_id = e AND ticket_id = t AND status = 'held'
$$;

SELECT ticketing.create_event('Hold test', event_id => 801);
SELECT ticketing.add_tickets(801, 10);
SELECT ticketing.create_event('Hold test, confirm and release', event_id => 802);
SELECT ticketing.add_tickets(802, 12);
SELECT ticketing.create_event('Hold test, expiry', event_id => 803);
SELECT ticketing.add_tickets(803, 6);
SELECT ticketing.create_event('Hold test, expiry elsewhere', event_id => 804);
SELECT ticketing.add_tickets(804, 2);

-------------------------------------------------------------------------------
-- hold_ticket
-------------------------------------------------------------------------------
-- hold_placed: available -> held by the customer until now() + hold_for (10 minutes
-- by default); one audit row.
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at = now() AS at_is_now,
       hold_expires_at = now() + interval '10 minutes' AS expires_in_10_minutes
  FROM ticketing.hold_ticket(801, 1, 'alice');
SELECT status, owner, hold_expires_at = updated_at + interval '10 minutes' AS expiry_matches
  FROM ticketing.tickets WHERE event_id = 801 AND ticket_id = 1;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 801 ORDER BY audit_id;

-- The answer's `at` is the moment of the change: the audit row's and the ticket's.
SELECT at AS hold_at, hold_expires_at AS hold_until
  FROM ticketing.hold_ticket(801, 2, 'alice', hold_for => interval '2 hours') \gset
SELECT a.at = :'hold_at'::timestamptz AS audit_at_matches,
       t.updated_at = :'hold_at'::timestamptz AS updated_at_matches,
       t.hold_expires_at = :'hold_until'::timestamptz AS expiry_matches,
       t.hold_expires_at = t.updated_at + interval '2 hours' AS two_hours
  FROM ticketing.audit_log a
  JOIN ticketing.tickets t USING (event_id, ticket_id)
 WHERE a.event_id = 801 AND a.ticket_id = 2;

-- Every wait policy holds an unlocked available ticket.
SELECT outcome, ticket_id, owner_is_you FROM ticketing.hold_ticket(801, 3, 'bob', wait => 'wait');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.hold_ticket(801, 4, 'bob', wait => 'nowait');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.hold_ticket(801, 5, 'bob', wait => 'skip');
SELECT outcome, ticket_id, owner_is_you
  FROM ticketing.hold_ticket(801, 6, 'bob', interval '1 minute', 'skip');

-- Renewing the customer's own live hold: hold_placed again with a new expiry; the
-- audit says held -> held.
SELECT hold_expires_at AS first_expiry FROM ticketing.tickets WHERE event_id = 801 AND ticket_id = 1 \gset
SELECT outcome, ticket_id, owner_is_you,
       hold_expires_at = now() + interval '1 hour' AS expires_in_an_hour,
       hold_expires_at > :'first_expiry'::timestamptz AS later_than_before
  FROM ticketing.hold_ticket(801, 1, 'alice', hold_for => interval '1 hour');
SELECT status, owner, hold_expires_at = updated_at + interval '1 hour' AS expiry_matches
  FROM ticketing.tickets WHERE event_id = 801 AND ticket_id = 1;
SELECT from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 801 AND ticket_id = 1 ORDER BY audit_id;
-- A renewal may also shorten the hold.
SELECT outcome, hold_expires_at = now() + interval '5 minutes' AS expires_in_5_minutes
  FROM ticketing.hold_ticket(801, 1, 'alice', hold_for => interval '5 minutes');

-- held: another customer's live hold. The answer says when it lapses, never whose it
-- is; nothing is locked or written.
SELECT hold_expires_at AS alice_expiry FROM ticketing.tickets WHERE event_id = 801 AND ticket_id = 1 \gset
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
BEGIN;
SELECT outcome, ticket_id, seat, owner_is_you, at IS NOT NULL AS has_at,
       hold_expires_at = :'alice_expiry'::timestamptz AS shows_expiry
  FROM ticketing.hold_ticket(801, 1, 'bob');
SELECT outcome, owner_is_you, hold_expires_at IS NOT NULL AS shows_expiry
  FROM ticketing.hold_ticket(801, 1, 'bob', wait => 'nowait');
SELECT outcome, owner_is_you, hold_expires_at IS NOT NULL AS shows_expiry
  FROM ticketing.hold_ticket(801, 1, 'bob', wait => 'skip');
SELECT r::text LIKE '%alice%' AS reveals_holder FROM ticketing.hold_ticket(801, 1, 'bob') AS r;
-- A claim by someone else answers held as well.
SELECT outcome, owner_is_you, hold_expires_at = :'alice_expiry'::timestamptz AS shows_expiry
  FROM ticketing.claim_ticket(801, 1, 'bob');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_held;
COMMIT;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- already_owned / already_sold: a sold ticket cannot be held.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(801, 7, 'alice');
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
BEGIN;
SELECT outcome, ticket_id, seat, owner_is_you, hold_expires_at
  FROM ticketing.hold_ticket(801, 7, 'alice');
SELECT outcome, ticket_id, seat, owner_is_you, hold_expires_at
  FROM ticketing.hold_ticket(801, 7, 'bob');
SELECT outcome, owner_is_you FROM ticketing.hold_ticket(801, 7, 'bob', wait => 'skip');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_sold;
COMMIT;
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 801 AND ticket_id = 7;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- not_found: unknown ticket or event. No seat, no time.
SELECT * FROM ticketing.hold_ticket(801, 11, 'alice');
SELECT * FROM ticketing.hold_ticket(899999, 1, 'alice');

-- A lapsed hold is anyone's: bob's hold on ticket 3 lapses, carol holds it.
SELECT pg_temp.lapse(801, 3);
SELECT outcome, ticket_id, owner_is_you, hold_expires_at = now() + interval '10 minutes' AS new_expiry
  FROM ticketing.hold_ticket(801, 3, 'carol');
-- ... and a lapsed hold of one's own can be held again.
SELECT pg_temp.lapse(801, 4);
SELECT outcome, ticket_id, owner_is_you, hold_expires_at = now() + interval '10 minutes' AS new_expiry
  FROM ticketing.hold_ticket(801, 4, 'bob');
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id = 801 AND ticket_id IN (3, 4) ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 801 AND ticket_id IN (3, 4) ORDER BY audit_id;

-- A hold that rolls back leaves nothing.
BEGIN;
SELECT outcome, ticket_id FROM ticketing.hold_ticket(801, 8, 'dave');
SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS xid_after_hold_placed;
SELECT outcome, owner_is_you FROM ticketing.hold_ticket(801, 8, 'erin');
ROLLBACK;
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 801 AND ticket_id = 8;
SELECT count(*) AS audit_rows_for_8 FROM ticketing.audit_log WHERE event_id = 801 AND ticket_id = 8;

-- hold_for: between 1 second and 30 days, both ends included.
SELECT outcome, hold_expires_at = now() + interval '1 second' AS one_second
  FROM ticketing.hold_ticket(801, 9, 'dave', hold_for => interval '1 second');
SELECT outcome, hold_expires_at = now() + interval '30 days' AS thirty_days
  FROM ticketing.hold_ticket(801, 10, 'dave', hold_for => interval '30 days');
SELECT outcome, hold_expires_at = now() + interval '720 hours' AS thirty_days
  FROM ticketing.hold_ticket(801, 10, 'dave', hold_for => interval '720 hours');

SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT ord, t.*
  FROM (VALUES
        -- hold_for NULL: 22004
        (1, $$SELECT ticketing.hold_ticket(801, 8, 'dave', NULL)$$),
        (2, $$SELECT ticketing.hold_ticket(801, 8, 'dave', hold_for => NULL)$$),
        -- hold_for outside 1 second .. 30 days: 22023
        (3, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '0')$$),
        (4, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '999 milliseconds')$$),
        (5, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '-10 minutes')$$),
        (6, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '30 days 1 second')$$),
        (7, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '721 hours')$$),
        (8, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '1 year')$$),
        (9, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '-1 year')$$),
        -- the other arguments, as for claim_ticket
        (10, $$SELECT ticketing.hold_ticket(NULL, 8, 'dave')$$),
        (11, $$SELECT ticketing.hold_ticket(801, NULL, 'dave')$$),
        (12, $$SELECT ticketing.hold_ticket(801, 8, NULL)$$),
        (13, $$SELECT ticketing.hold_ticket(801, 8, 'dave', wait => NULL)$$),
        (14, $$SELECT ticketing.hold_ticket(0, 8, 'dave')$$),
        (15, $$SELECT ticketing.hold_ticket(801, -8, 'dave')$$),
        (16, $$SELECT ticketing.hold_ticket(801, 8, '')$$),
        (17, $$SELECT ticketing.hold_ticket(801, 8, repeat('x', 201))$$),
        (18, $$SELECT ticketing.hold_ticket(801, 8, 'dave', wait => 'bogus')$$),
        (19, $$SELECT ticketing.hold_ticket(801, 8, 'dave', idempotency_key => '')$$),
        (20, $$SELECT ticketing.hold_ticket(801, 8, 'dave', idempotency_key => repeat('k', 201))$$),
        -- checked before anything is looked up
        (21, $$SELECT ticketing.hold_ticket(899999, 1, 'dave', interval '0')$$),
        (22, $$SELECT ticketing.hold_ticket(801, 7, 'bob', interval '1 year')$$),
        -- the expiry itself is checked (months are calendar months): a year less 331
        -- days ends 34 or 35 days from now, minus a year plus 361 days 4 or 5 days ago
        (23, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '12 mon -331 days')$$),
        (24, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '-12 mon 361 days')$$),
        (25, $$SELECT ticketing.claim_tickets(801, ARRAY[8], 'dave', hold_for => interval '-12 mon 361 days')$$),
        (26, $$SELECT ticketing.claim_any(801, 'dave', hold_for => interval '12 mon -331 days')$$),
        -- far beyond any timestamp: refused, not an overflow
        (27, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '178000000 years')$$),
        (28, $$SELECT ticketing.hold_ticket(801, 8, 'dave', interval '-2147483648 days')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
-- A hold whose interval mixes months and days is placed when its expiry falls within
-- 1 second .. 30 days of now, whatever the month lengths are today.
SELECT ticketing.create_event('Hold test, calendar months', event_id => 809);
SELECT ticketing.add_tickets(809, 1);
SELECT ((now() + interval '-1 mon 30 days 1 sec' - now())
            BETWEEN interval '1 second' AND interval '30 days')
       = (state = '00000') AS placed_exactly_when_in_range,
       state IN ('00000', '22023') AS placed_or_refused
  FROM pg_temp.try($$SELECT ticketing.hold_ticket(809, 1, 'dave', interval '-1 mon 30 days 1 sec')$$);
SELECT count(*) FILTER (WHERE status = 'held') = count(*) FILTER (WHERE hold_expires_at > now())
           AS every_hold_placed_is_live
  FROM ticketing.tickets WHERE event_id = 809;
-- Whether it was placed depends on today's month lengths: leave nothing of it behind.
DELETE FROM ticketing.audit_log WHERE event_id = 809;
DELETE FROM ticketing.tickets WHERE event_id = 809;
-- A key of 200 bytes is fine.
SELECT outcome, ticket_id FROM ticketing.hold_ticket(801, 8, 'dave', idempotency_key => repeat('k', 200));
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- As the client sees it.
SELECT * FROM ticketing.hold_ticket(801, 8, 'dave', NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.hold_ticket(801, 8, 'dave', interval '31 days');
\echo :SQLSTATE
\set VERBOSITY default
SELECT * FROM ticketing.hold_ticket(801, 8, 'dave', interval '0');
\set VERBOSITY terse

SELECT ticket_id, status, owner, hold_expires_at IS NOT NULL AS has_hold_expiry
  FROM ticketing.tickets WHERE event_id = 801 ORDER BY ticket_id;
SELECT * FROM ticketing.verify(801);

-------------------------------------------------------------------------------
-- confirm_hold and release_hold. Event 802:
--   1, 2, 3: alice's live holds        4, 5: alice's lapsed holds
--   6: sold to alice   7: sold to bob  8: bob's live hold   9: bob's lapsed hold
--   10, 11, 12: available
-------------------------------------------------------------------------------
SELECT outcome, ticket_id
  FROM generate_series(1, 5) AS t(id), LATERAL ticketing.hold_ticket(802, t.id, 'alice')
 ORDER BY ticket_id;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(802, 6, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(802, 7, 'bob');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(802, 8, 'bob');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(802, 9, 'bob');
SELECT pg_temp.lapse(802, 4), pg_temp.lapse(802, 5), pg_temp.lapse(802, 9);
SELECT * FROM ticketing.verify(802);

SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
-- Every answer that changes nothing, with no lock taken and nothing written.
BEGIN;
-- confirm_hold
SELECT 'confirm' AS call, t.id AS ticket, r.outcome, r.owner_is_you,
       r.hold_expires_at IS NOT NULL AS shows_expiry
  FROM unnest(ARRAY[4, 6, 7, 8, 9, 10]) AS t(id),
       LATERAL ticketing.confirm_hold(802, t.id, 'alice') AS r
 ORDER BY t.id;
-- release_hold
SELECT 'release_hold' AS call, t.id AS ticket, r.outcome, r.owner_is_you,
       r.hold_expires_at IS NOT NULL AS shows_expiry
  FROM unnest(ARRAY[5, 6, 7, 8, 9, 10]) AS t(id),
       LATERAL ticketing.release_hold(802, t.id, 'alice') AS r
 ORDER BY t.id;
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_answers;
COMMIT;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- The lapsed hold's answer says when it lapsed. Its holder has it no longer, but the
-- status stays held until someone takes it or expire_holds() runs.
SELECT hold_expires_at AS lapsed_at FROM ticketing.tickets WHERE event_id = 802 AND ticket_id = 4 \gset
SELECT outcome, ticket_id, seat, owner_is_you,
       hold_expires_at = :'lapsed_at'::timestamptz AS shows_lapse
  FROM ticketing.confirm_hold(802, 4, 'alice');
SELECT outcome, ticket_id, seat, owner_is_you,
       hold_expires_at = :'lapsed_at'::timestamptz AS shows_lapse
  FROM ticketing.release_hold(802, 4, 'alice');
SELECT status, owner FROM ticketing.tickets WHERE event_id = 802 AND ticket_id = 4;

-- Answers never reveal someone else's identity.
SELECT r::text LIKE '%bob%' AS reveals_owner FROM ticketing.confirm_hold(802, 8, 'alice') AS r;
SELECT r::text LIKE '%bob%' AS reveals_owner FROM ticketing.release_hold(802, 7, 'alice') AS r;

-- not_found.
SELECT * FROM ticketing.confirm_hold(802, 13, 'alice');
SELECT * FROM ticketing.confirm_hold(899999, 1, 'alice');
SELECT * FROM ticketing.release_hold(802, 13, 'alice');
SELECT * FROM ticketing.release_hold(899999, 1, 'alice');

-- claimed: confirm_hold turns the customer's live hold into a sale (held -> sold, hold
-- expiry cleared).
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at = now() AS at_is_now, hold_expires_at
  FROM ticketing.confirm_hold(802, 1, 'alice');
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 802 AND ticket_id = 1;
SELECT from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 802 AND ticket_id = 1 ORDER BY audit_id;
-- Confirming again: already_owned, nothing written.
SELECT outcome, ticket_id, owner_is_you, hold_expires_at FROM ticketing.confirm_hold(802, 1, 'alice');
SELECT count(*) AS audit_rows_for_1 FROM ticketing.audit_log WHERE event_id = 802 AND ticket_id = 1;

-- released: release_hold gives the customer's live hold back (held -> available).
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at = now() AS at_is_now, hold_expires_at
  FROM ticketing.release_hold(802, 2, 'alice');
SELECT status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 802 AND ticket_id = 2;
SELECT from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 802 AND ticket_id = 2 ORDER BY audit_id;
-- Then it is nobody's hold: not_held for every call, and anyone can take it.
SELECT outcome FROM ticketing.release_hold(802, 2, 'alice');
SELECT outcome FROM ticketing.confirm_hold(802, 2, 'alice');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(802, 2, 'carol');

-- release_ticket gives back a live hold too (held -> available).
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(802, 3, 'bob');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(802, 3, 'alice');
SELECT from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 802 AND ticket_id = 3 ORDER BY audit_id;

-- A lapsed hold cannot be confirmed by anyone; another customer may simply take it:
-- held -> sold to carol.
SELECT outcome FROM ticketing.confirm_hold(802, 9, 'carol');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(802, 9, 'carol');
SELECT outcome, owner_is_you FROM ticketing.confirm_hold(802, 9, 'bob');
SELECT from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 802 AND ticket_id = 9 ORDER BY audit_id;

-- A confirm that rolls back leaves the hold in place.
BEGIN;
SELECT outcome FROM ticketing.confirm_hold(802, 8, 'bob');
SELECT outcome FROM ticketing.confirm_hold(802, 8, 'bob');
ROLLBACK;
SELECT status, owner, hold_expires_at > now() AS live FROM ticketing.tickets WHERE event_id = 802 AND ticket_id = 8;

-- A hold that lapses on the clock: one second, then a little longer.
SELECT outcome FROM ticketing.hold_ticket(802, 10, 'dave', hold_for => interval '1 second');
SELECT pg_sleep(1.1);
SELECT outcome, hold_expires_at IS NOT NULL AS shows_lapse FROM ticketing.confirm_hold(802, 10, 'dave');
SELECT outcome FROM ticketing.release_hold(802, 10, 'dave');
SELECT outcome, owner_is_you FROM ticketing.hold_ticket(802, 10, 'erin');
SELECT outcome, owner_is_you FROM ticketing.confirm_hold(802, 10, 'erin');

-- Bad input: the arguments of claim_ticket without a wait policy.
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.confirm_hold(NULL, 8, 'bob')$$),
        (2, $$SELECT ticketing.confirm_hold(802, NULL, 'bob')$$),
        (3, $$SELECT ticketing.confirm_hold(802, 8, NULL)$$),
        (4, $$SELECT ticketing.confirm_hold(-802, 8, 'bob')$$),
        (5, $$SELECT ticketing.confirm_hold(802, 0, 'bob')$$),
        (6, $$SELECT ticketing.confirm_hold(802, 8, '')$$),
        (7, $$SELECT ticketing.confirm_hold(802, 8, 'bob', idempotency_key => '')$$),
        (8, $$SELECT ticketing.release_hold(NULL, 8, 'bob')$$),
        (9, $$SELECT ticketing.release_hold(802, NULL, 'bob')$$),
        (10, $$SELECT ticketing.release_hold(802, 8, NULL)$$),
        (11, $$SELECT ticketing.release_hold(0, 8, 'bob')$$),
        (12, $$SELECT ticketing.release_hold(802, -8, 'bob')$$),
        (13, $$SELECT ticketing.release_hold(802, 8, repeat('x', 201))$$),
        (14, $$SELECT ticketing.release_hold(802, 8, 'bob', idempotency_key => repeat('k', 201))$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 802 AND ticket_id = 8;

SELECT ticket_id, status, owner, hold_expires_at > now() AS live_hold
  FROM ticketing.tickets WHERE event_id = 802 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 802 ORDER BY audit_id;
SELECT * FROM ticketing.event_summary(802);
SELECT * FROM ticketing.verify(802);

-------------------------------------------------------------------------------
-- Read-only transactions refuse every hold call (25006).
-------------------------------------------------------------------------------
BEGIN READ ONLY;
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.hold_ticket(802, 11, 'bob')$$),
        (2, $$SELECT ticketing.hold_ticket(802, 7, 'alice')$$),
        (3, $$SELECT ticketing.confirm_hold(802, 8, 'bob')$$),
        (4, $$SELECT ticketing.confirm_hold(802, 11, 'bob')$$),
        (5, $$SELECT ticketing.release_hold(802, 8, 'bob')$$),
        (6, $$SELECT ticketing.release_hold(802, 99, 'bob')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
COMMIT;

-------------------------------------------------------------------------------
-- expire_holds. Event 803:
--   1: alice's live hold   2: bob's lapsed hold   3: carol's lapsed hold
--   4: sold to dave        5: available           6: erin's lapsed hold, then claimed
-- Event 804: 1: frank's lapsed hold (another event).
-------------------------------------------------------------------------------
SELECT outcome, ticket_id FROM ticketing.hold_ticket(803, 1, 'alice');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(803, 2, 'bob');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(803, 3, 'carol');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(803, 4, 'dave');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(803, 6, 'erin');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(804, 1, 'frank');
SELECT pg_temp.lapse(803, 2), pg_temp.lapse(803, 3), pg_temp.lapse(803, 6), pg_temp.lapse(804, 1);
-- A lapsed hold someone took in the meantime is no longer a hold.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(803, 6, 'gina');
SELECT * FROM ticketing.event_summary(803);

SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
-- Scoped to one event: its two lapsed holds go back to available.
SELECT ticketing.expire_holds(803) AS expired;
SELECT ticket_id, status, owner, hold_expires_at > now() AS live_hold
  FROM ticketing.tickets WHERE event_id = 803 ORDER BY ticket_id;
-- One audit row each, naming the holder.
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log
 WHERE event_id = 803 AND from_status = 'held' AND to_status = 'available'
 ORDER BY ticket_id;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
-- The other event's lapsed hold is untouched.
SELECT status, owner FROM ticketing.tickets WHERE event_id = 804 AND ticket_id = 1;
-- Nothing more to do for that event.
SELECT ticketing.expire_holds(803) AS expired;
SELECT ticketing.expire_holds(899999) AS expired_unknown_event;
-- Every event: whatever holds have lapsed anywhere, 804's included.
SELECT count(*) AS lapsed_anywhere FROM ticketing.tickets
 WHERE status = 'held' AND hold_expires_at <= now() \gset
SELECT ticketing.expire_holds() = :lapsed_anywhere AS expired_all, :lapsed_anywhere >= 1 AS some;
SELECT count(*) AS lapsed_left FROM ticketing.tickets WHERE status = 'held' AND hold_expires_at <= now();
SELECT status, owner FROM ticketing.tickets WHERE event_id = 804 AND ticket_id = 1;
SELECT from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 804 ORDER BY audit_id;
SELECT ticketing.expire_holds(NULL) AS expired;

-- An expired hold is available again: its holder must start over.
SELECT outcome FROM ticketing.confirm_hold(803, 2, 'bob');
SELECT outcome FROM ticketing.release_hold(803, 2, 'bob');
SELECT outcome, owner_is_you FROM ticketing.hold_ticket(803, 2, 'bob');

-- An expiry that rolls back leaves the lapsed hold in place.
SELECT pg_temp.lapse(803, 1);
BEGIN;
SELECT ticketing.expire_holds(803) AS expired;
ROLLBACK;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 803 AND ticket_id = 1;
SELECT ticketing.expire_holds(803) AS expired;

SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 803 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 803 ORDER BY audit_id;
SELECT * FROM ticketing.event_summary(803);
SELECT * FROM ticketing.verify(803);
SELECT * FROM ticketing.verify(804);
SELECT * FROM ticketing.verify();
