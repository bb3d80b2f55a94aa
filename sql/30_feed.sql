--
-- 30_feed: the live availability feed. changes_since hands out an event's changes in
-- audit id order, never the customer, and never a row past one that a running
-- transaction may still commit (test/isolation/specs/feed_commit_order.spec shows the
-- concurrent case); feed_snapshot is the state a listener starts from; audit ids are
-- drawn by next_audit_id, which publishes the writer's floor.
--
\set VERBOSITY terse

SELECT ticketing.create_event('Feed test', event_id => 3001);
SELECT ticketing.add_tickets(3001, ARRAY['A-1-1', 'A-1-2', 'A-1-3', 'A-2-1', 'B-1-1', 'GA-1']);
SELECT ticketing.create_event('Feed test, other event', event_id => 3002);
SELECT ticketing.add_tickets(3002, 3);

-- Notifications need the library preloaded; the functions below work either way.
SELECT ticketing.feed_notifications_on() =
       (current_setting('shared_preload_libraries') ~ 'ticketing') AS notifications_as_configured;

-------------------------------------------------------------------------------
-- A fresh event: the snapshot has every ticket, available, as of the audit log's end.
-------------------------------------------------------------------------------
SELECT ticket_id, seat, status, hold_expires_at FROM ticketing.feed_snapshot(3001);
SELECT DISTINCT through_audit_id = coalesce(pg_sequence_last_value('ticketing.audit_id_seq'), 0)
       AS through_the_last_id
  FROM ticketing.feed_snapshot(3001);
SELECT coalesce(pg_sequence_last_value('ticketing.audit_id_seq'), 0) AS start \gset
SELECT count(*) AS nothing_yet FROM ticketing.changes_since(3001, :start);

-------------------------------------------------------------------------------
-- Every kind of change, through every call, appears once, in order; the other event's
-- changes and the customers never do.
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.claim_ticket(3001, 1, 'alice');
SELECT outcome FROM ticketing.claim_ticket(3002, 1, 'zed');
SELECT outcome FROM ticketing.hold_ticket(3001, 2, 'bob', interval '10 minutes');
SELECT outcome FROM ticketing.claim_tickets(3001, ARRAY[4, 5], 'carol');
SELECT outcome FROM ticketing.release_ticket(3001, 5, 'carol');
SELECT outcome FROM ticketing.claim_any(3001, 'dave', seat_prefix => 'GA-');
SELECT request_no, outcome FROM ticketing.claim_batch(3001, ARRAY[ROW(3, 'erin', NULL)]::ticketing.claim_request[]);
SELECT outcome FROM ticketing.claim_ticket(3001, 1, 'frank');     -- a "no": no change

SELECT audit_id - :start AS n, ticket_id, seat, status, at IS NOT NULL AS has_at,
       hold_expires_at > now() + interval '9 minutes' AS hold_ends_in_10_minutes
  FROM ticketing.changes_since(3001, :start);

-- The columns: no customer, no owner.
SELECT a.name, a.type
  FROM pg_proc p, unnest(p.proargnames, p.proallargtypes::regtype[], p.proargmodes)
       WITH ORDINALITY AS a(name, type, mode, n)
 WHERE p.oid = 'ticketing.changes_since(bigint, bigint, integer, bigint)'::regprocedure AND a.mode = 't'
 ORDER BY a.n;
SELECT count(*) AS rows_naming_a_customer
  FROM ticketing.changes_since(3001, :start) c
 WHERE c::text ~ '(alice|bob|carol|dave|erin|frank)';

-- The same as the audit log says, row for row.
SELECT (SELECT array_agg(audit_id ORDER BY audit_id) FROM ticketing.changes_since(3001, :start)) =
       (SELECT array_agg(audit_id ORDER BY audit_id) FROM ticketing.audit_log
         WHERE event_id = 3001 AND audit_id > :start) AS every_change_once;

-- Paging: max_rows at a time, from the last audit_id returned, adds up to the same.
CREATE TEMP TABLE pages AS SELECT * FROM ticketing.changes_since(3001, :start, 2);
SELECT count(*) AS first_page FROM pages;
INSERT INTO pages SELECT * FROM ticketing.changes_since(3001, (SELECT max(audit_id) FROM pages), 2);
INSERT INTO pages SELECT * FROM ticketing.changes_since(3001, (SELECT max(audit_id) FROM pages), 2);
INSERT INTO pages SELECT * FROM ticketing.changes_since(3001, (SELECT max(audit_id) FROM pages), 2);
SELECT count(*) AS paged, count(DISTINCT audit_id) AS distinct_ids,
       (SELECT count(*) FROM ticketing.changes_since(3001, :start)) AS in_one_call
  FROM pages;
SELECT count(*) AS past_the_end
  FROM ticketing.changes_since(3001, (SELECT max(audit_id) FROM ticketing.audit_log));

-- The hold's end while the hold lasts; gone once it was confirmed.
SELECT outcome FROM ticketing.confirm_hold(3001, 2, 'bob');
SELECT ticket_id, status, hold_expires_at IS NOT NULL AS shows_hold_end
  FROM ticketing.changes_since(3001, :start) WHERE ticket_id = 2 ORDER BY audit_id;

-- The snapshot now is the tickets table, and the last id it covers.
SELECT ticket_id, seat, status FROM ticketing.feed_snapshot(3001);
SELECT bool_and(s.status = t.status) AS snapshot_matches_tickets
  FROM ticketing.feed_snapshot(3001) s
  JOIN ticketing.tickets t ON t.event_id = 3001 AND t.ticket_id = s.ticket_id;
SELECT DISTINCT through_audit_id = (SELECT max(audit_id) FROM ticketing.audit_log) AS through_the_last_id
  FROM ticketing.feed_snapshot(3001);

-------------------------------------------------------------------------------
-- A writer publishes its floor (an advisory lock of the extension's own class 0x5446,
-- objsubid 21574) with its first audit row, and holds it to the end of the transaction,
-- savepoints rolled back or not. Its own rows, uncommitted, are not handed out, not even
-- to itself; changes committed by others after it drew ids wait for it too
-- (feed_commit_order.spec).
-------------------------------------------------------------------------------
SELECT max(audit_id) AS before_txn FROM ticketing.audit_log \gset
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(3001, 5, 'gina');
SELECT locktype, mode, objsubid FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'advisory';
SELECT count(*) AS own_uncommitted_rows_handed_out FROM ticketing.changes_since(3001, :before_txn);
-- settled_through is the caller's word that ids up to it are settled: up to there rows
-- are handed out whatever runs (here wrongly vouched for, to show it).
SELECT count(*) AS handed_out_when_vouched_for
  FROM ticketing.changes_since(3001, :before_txn, 10, :before_txn + 100);
SAVEPOINT s;
SELECT outcome FROM ticketing.release_ticket(3001, 5, 'gina');
ROLLBACK TO SAVEPOINT s;
SELECT count(*) AS floor_kept_after_rollback_to_savepoint FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'advisory' AND objsubid = 21574;
COMMIT;
SELECT count(*) AS floor_after_commit FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'advisory';
SELECT ticket_id, status FROM ticketing.changes_since(3001, :before_txn);

-- A "no" draws no id: no floor, no lock, no transaction id.
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(3001, 5, 'hugo');
SELECT outcome FROM ticketing.claim_ticket(3001, 99, 'hugo');
SELECT count(*) AS locks_besides_relations FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype NOT IN ('relation', 'virtualxid');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid;
COMMIT;

-- A row written by hand (a DBA's correction) and a COPY go through the same default.
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (3001, 6, 'sold', 'sold', 'by hand');
COPY ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer) FROM stdin;
3001	6	sold	sold	by copy
\.
SELECT ticket_id, status FROM ticketing.changes_since(3001, :before_txn);
DELETE FROM ticketing.audit_log WHERE event_id = 3001 AND customer IN ('by hand', 'by copy');
SELECT * FROM ticketing.verify(3001);

-------------------------------------------------------------------------------
-- The waiting list's writes are announced like any other: a refund offered to the list
-- is the release and the offer's hold, both in the refund's transaction (one floor, held
-- back together until it commits); an offer given up puts the ticket back on sale.
-- Never the waiter's name.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Feed test, waiting list', event_id => 3003);
SELECT ticketing.add_tickets(3003, ARRAY['W-1-1', 'W-1-2']);
SELECT ticketing.open_waitlist(3003);
SELECT outcome FROM ticketing.claim_tickets(3003, ARRAY[1, 2], 'ivan');
SELECT outcome, place FROM ticketing.join_waitlist(3003, 'wendy');
SELECT max(audit_id) AS before_refund FROM ticketing.audit_log \gset
BEGIN;
SELECT outcome FROM ticketing.release_ticket(3003, 1, 'ivan');
SELECT status, owner FROM ticketing.tickets WHERE event_id = 3003 AND ticket_id = 1;
SELECT count(*) AS floors_of_the_refund FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'advisory' AND objsubid = 21574;
SELECT count(*) AS rows_of_the_refund FROM ticketing.audit_log
 WHERE event_id = 3003 AND audit_id > :before_refund;
SELECT count(*) AS handed_out_before_commit FROM ticketing.changes_since(3003, :before_refund);
COMMIT;
SELECT audit_id - :before_refund AS n, ticket_id, seat, status,
       hold_expires_at > now() + interval '14 minutes' AS offer_ends_in_15_minutes
  FROM ticketing.changes_since(3003, :before_refund);
SELECT outcome FROM ticketing.leave_waitlist(3003, 'wendy');
SELECT audit_id - :before_refund AS n, ticket_id, status
  FROM ticketing.changes_since(3003, :before_refund);
SELECT count(*) AS rows_naming_a_customer
  FROM ticketing.changes_since(3003, 0) c WHERE c::text ~ '(ivan|wendy)';
SELECT bool_and(s.status = t.status) AS snapshot_matches_tickets,
       bool_and(s.through_audit_id = (SELECT max(audit_id) FROM ticketing.audit_log)) AS through_the_last_id
  FROM ticketing.feed_snapshot(3003) s
  JOIN ticketing.tickets t ON t.event_id = 3003 AND t.ticket_id = s.ticket_id;

-------------------------------------------------------------------------------
-- Kept plans ignore the session's planner settings.
-------------------------------------------------------------------------------
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SET random_page_cost = 1000000;
SELECT count(*) AS changes_with_odd_settings FROM ticketing.changes_since(3001, :start);
RESET enable_indexscan;
RESET enable_bitmapscan;
RESET random_page_cost;

-- REPEATABLE READ: the feed reads the latest committed changes, not the transaction's
-- snapshot (a snapshot older than the bound would miss rows below it).
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS seen_in_rr FROM ticketing.changes_since(3001, :start);
COMMIT;

-------------------------------------------------------------------------------
-- Bad input: NULLs 22004, out of range 22023, no such event P0002.
-------------------------------------------------------------------------------
SELECT * FROM ticketing.changes_since(NULL, 0);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3001, NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3001, 0, NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(0, 0);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3001, -1);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3001, 0, 0);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3001, 0, 10001);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3001, 0, 10, NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3001, 0, 10, -1);
\echo :SQLSTATE
SELECT * FROM ticketing.changes_since(3999, 0);
\echo :SQLSTATE
SELECT * FROM ticketing.feed_snapshot(NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.feed_snapshot(-5);
\echo :SQLSTATE
SELECT * FROM ticketing.feed_snapshot(3999);
\echo :SQLSTATE
SELECT ticketing.next_audit_id('ticketing.event_id_seq');
\echo :SQLSTATE
SELECT ticketing.next_audit_id(NULL) IS NULL AS strict;

-------------------------------------------------------------------------------
-- What the order rests on is checked: a different default for audit_id, or a sequence
-- that caches values per session, is refused with TK002 and a hint.
-------------------------------------------------------------------------------
ALTER TABLE ticketing.audit_log ALTER COLUMN audit_id
    SET DEFAULT pg_catalog.nextval('ticketing.audit_id_seq'::pg_catalog.regclass);
SELECT * FROM ticketing.changes_since(3001, 0);
\echo :SQLSTATE
ALTER TABLE ticketing.audit_log ALTER COLUMN audit_id
    SET DEFAULT ticketing.next_audit_id('ticketing.audit_id_seq'::pg_catalog.regclass);
ALTER SEQUENCE ticketing.audit_id_seq CACHE 10;
SELECT * FROM ticketing.feed_snapshot(3001);
\echo :SQLSTATE
ALTER SEQUENCE ticketing.audit_id_seq CACHE 1;
SELECT count(*) > 0 AS works_again FROM ticketing.changes_since(3001, 0);

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; a reader role needs EXECUTE on the feed's functions
-- only, never rights on the tables.
-------------------------------------------------------------------------------
CREATE ROLE regress_feed_reader;
GRANT USAGE ON SCHEMA ticketing TO regress_feed_reader;
SET ROLE regress_feed_reader;
SELECT * FROM ticketing.changes_since(3001, 0);
\echo :SQLSTATE
RESET ROLE;
GRANT EXECUTE ON FUNCTION ticketing.changes_since(bigint, bigint, integer, bigint),
                          ticketing.feed_snapshot(bigint),
                          ticketing.feed_notifications_on()
   TO regress_feed_reader;
SET ROLE regress_feed_reader;
SELECT count(*) > 0 AS reads_changes FROM ticketing.changes_since(3001, 0);
SELECT count(*) AS snapshot_rows FROM ticketing.feed_snapshot(3001);
SELECT count(*) FROM ticketing.audit_log;
\echo :SQLSTATE
RESET ROLE;
DROP OWNED BY regress_feed_reader;
DROP ROLE regress_feed_reader;
