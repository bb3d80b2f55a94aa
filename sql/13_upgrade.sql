--
-- 13_upgrade: the upgrade path from 1.0 to 1.1 to 1.2 to 1.3. The extension is dropped,
-- created at version 1.0, used, and updated with ALTER EXTENSION ... UPDATE. What 1.0
-- sold survives, and the 1.1 calls work on it; 1.2 qualifies the column defaults. The
-- updated extension is compared with a fresh install of the default version, which the
-- files after this one find as pg_regress left it.
--
\set VERBOSITY terse

-- The ids of an answer in ascending order (claim_any picks from a random start).
CREATE FUNCTION pg_temp.sorted(ids bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(i ORDER BY i), '{}') FROM unnest(ids) AS i
$$;

DROP EXTENSION ticketing;
CREATE EXTENSION ticketing VERSION '1.0';
SELECT extname, extversion FROM pg_extension WHERE extname = 'ticketing';
SELECT p.oid::regprocedure AS function
  FROM pg_proc p WHERE p.pronamespace = 'ticketing'::regnamespace
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-------------------------------------------------------------------------------
-- Life under 1.0 (events without a limit: 1.0 does not enforce limits).
--   1301: 1 sold to alice, 2 sold to bob and released, 3 sold to carol,
--         4 dave's live hold, 5 erin's lapsed hold (holds made by hand), 6 available
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Upgrade test', event_id => 1301);
SELECT ticketing.add_tickets(1301, 6);
SELECT ticketing.create_event('Upgrade test, limited later', event_id => 1302);
SELECT ticketing.add_tickets(1302, ARRAY['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4']);
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1301, 1, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1301, 2, 'bob', 'nowait');
SELECT outcome, ticket_id FROM ticketing.release_ticket(1301, 2, 'bob');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1301, 3, 'carol', wait => 'skip');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1301, 1, 'bob');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1302, 1, 'frank');
UPDATE ticketing.tickets
   SET status = 'held', owner = 'dave', hold_expires_at = now() + interval '1 hour', updated_at = now()
 WHERE event_id = 1301 AND ticket_id = 4;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (1301, 4, 'available', 'held', 'dave');
UPDATE ticketing.tickets
   SET status = 'held', owner = 'erin', hold_expires_at = now() - interval '1 minute', updated_at = now()
 WHERE event_id = 1301 AND ticket_id = 5;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (1301, 5, 'available', 'held', 'erin');
SELECT * FROM ticketing.verify();

-- The 1.1 calls do not exist yet.
SELECT * FROM ticketing.hold_ticket(1301, 6, 'alice');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(1301, 6, 'alice', 'wait', 'key');
\echo :SQLSTATE

-------------------------------------------------------------------------------
-- The update.
-------------------------------------------------------------------------------
ALTER EXTENSION ticketing UPDATE TO '1.1';
SELECT extname, extversion FROM pg_extension WHERE extname = 'ticketing';
-- The 1.1 calls are there, SECURITY DEFINER (their statements qualify every name).
SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer, p.proconfig
  FROM pg_proc p
 WHERE p.pronamespace = 'ticketing'::regnamespace
   AND p.proname IN ('claim_ticket', 'release_ticket', 'hold_ticket', 'confirm_hold',
                     'release_hold', 'claim_tickets', 'claim_any', 'expire_holds',
                     'purge_idempotency_keys')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
-- The new tables are dumped with the inventory.
SELECT c.config::regclass AS dumped
  FROM pg_extension e, unnest(e.extconfig) AS c(config)
 WHERE e.extname = 'ticketing'
   AND c.config IN ('ticketing.customer_slots'::regclass, 'ticketing.idempotency_keys'::regclass)
 ORDER BY c.config::regclass::text COLLATE "C";
-- Nothing for PUBLIC, in 1.1 either.
SELECT count(*) AS functions_with_default_acl
  FROM pg_proc p WHERE p.pronamespace = 'ticketing'::regnamespace AND p.proacl IS NULL;
SELECT count(*) AS public_relation_grants
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'ticketing'::regnamespace AND a.grantee = 0;

-- Everything 1.0 did is still there, history included.
SELECT event_id, ticket_id, status, owner, hold_expires_at > now() AS live_hold
  FROM ticketing.tickets WHERE event_id IN (1301, 1302) ORDER BY event_id, ticket_id;
SELECT event_id, ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id IN (1301, 1302) ORDER BY audit_id;
SELECT * FROM ticketing.event_summary(1301);
SELECT * FROM ticketing.verify();

-------------------------------------------------------------------------------
-- 1.1 on the data of 1.0.
-------------------------------------------------------------------------------
-- The 1.0 calls answer as before (the old signatures are gone, the same calls work).
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(1301, 1, 'alice');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(1301, 1, 'bob', 'nowait');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(1301, 3, 'dave');
-- Holds made under 1.0 behave like 1.1 holds.
SELECT outcome, ticket_id FROM ticketing.hold_ticket(1301, 4, 'bob');
SELECT outcome, ticket_id FROM ticketing.confirm_hold(1301, 5, 'erin');
SELECT ticketing.expire_holds(1301) AS expired;
SELECT outcome, ticket_id FROM ticketing.confirm_hold(1301, 4, 'dave');
-- New calls: holds, orders, claim_any, idempotency keys.
SELECT outcome, ticket_id, owner_is_you FROM ticketing.hold_ticket(1301, 2, 'alice');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1301, ARRAY[2, 1], 'alice');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1301, ARRAY[1, 5], 'bob');
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids
  FROM ticketing.claim_any(1301, 'gina', 2, idempotency_key => 'u-1');
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids
  FROM ticketing.claim_any(1301, 'gina', 2, idempotency_key => 'u-1');
SELECT outcome, remaining FROM ticketing.claim_any(1301, 'gina');
-- A limit set on an event made under 1.0 is enforced; frank bought 1 under 1.0.
UPDATE ticketing.events SET per_customer_limit = 2 WHERE event_id = 1302;
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1302, 'frank', 2, adjacent => true);
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1302, 'frank', 1, adjacent => true);
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1302, 4, 'frank');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1302, 4, 'harry');

SELECT event_id, ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id IN (1301, 1302) ORDER BY event_id, ticket_id;
SELECT event_id, ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id IN (1301, 1302) ORDER BY txid, ticket_id, audit_id; -- one statement may audit several tickets in any order
SELECT * FROM ticketing.verify();

-------------------------------------------------------------------------------
-- 1.1 -> 1.2: column defaults bound to pg_catalog's functions, whatever search_path
-- the script ran with; purge_idempotency_keys refuses a negative age.
-------------------------------------------------------------------------------
-- A default captured by a function planted in the schema (what an unqualified name
-- in a 1.1 install could have bound to): the update binds every default to
-- pg_catalog's functions again.
CREATE FUNCTION ticketing.now() RETURNS timestamptz
    LANGUAGE sql AS $$SELECT timestamptz '2000-01-01 00:00+00'$$;
ALTER TABLE ticketing.audit_log ALTER COLUMN at SET DEFAULT ticketing.now();
SELECT c.relname, a.attname, p.oid::regprocedure AS default_calls
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  JOIN pg_depend x ON x.classid = 'pg_attrdef'::regclass AND x.objid = d.oid
                  AND x.refclassid = 'pg_proc'::regclass
  JOIN pg_proc p ON p.oid = x.refobjid
 WHERE c.relnamespace = 'ticketing'::regnamespace
 ORDER BY 1, 2;
SELECT ticketing.purge_idempotency_keys(interval '-1 day');
\echo :SQLSTATE
ALTER EXTENSION ticketing UPDATE TO '1.2';
SELECT extname, extversion FROM pg_extension WHERE extname = 'ticketing';
SELECT c.relname, a.attname, p.oid::regprocedure AS default_calls
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  JOIN pg_depend x ON x.classid = 'pg_attrdef'::regclass AND x.objid = d.oid
                  AND x.refclassid = 'pg_proc'::regclass
  JOIN pg_proc p ON p.oid = x.refobjid
 WHERE c.relnamespace = 'ticketing'::regnamespace
 ORDER BY 1, 2;
DROP FUNCTION ticketing.now();
SELECT ticketing.purge_idempotency_keys(interval '-1 day');
\echo :SQLSTATE
SELECT ticketing.purge_idempotency_keys(interval '1 day') AS purged;
-- Keys are scoped per (event, customer) now: gina's key 'u-1' in event 1301 does not
-- stand in the way of the same key in event 1302. (1.1's purge with a negative age above
-- forgot the key of 1301 already, so that call runs again: the event is sold out now, and
-- sold_out changes nothing, so no key remembers it.)
SELECT pg_get_constraintdef(c.oid) AS idempotency_key
  FROM pg_constraint c
 WHERE c.conrelid = 'ticketing.idempotency_keys'::regclass AND c.contype = 'p';
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids
  FROM ticketing.claim_any(1301, 'gina', 2, idempotency_key => 'u-1');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1302, ARRAY[3], 'gina', idempotency_key => 'u-1');
SELECT event_id, customer, idempotency_key, outcome FROM ticketing.idempotency_keys
 WHERE idempotency_key = 'u-1' ORDER BY event_id;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1301, 6, 'ivy');
SELECT * FROM ticketing.verify();

-------------------------------------------------------------------------------
-- 1.2 -> 1.3, with the inventory in place: add_tickets refuses seat labels over 200
-- bytes (22023 instead of the index's 54000); expire_holds locks FOR NO KEY UPDATE.
-------------------------------------------------------------------------------
SELECT ticketing.add_tickets(1302, 1, seat_prefix => repeat('p', 5000000));
\echo :SQLSTATE
ALTER EXTENSION ticketing UPDATE TO '1.3';
SELECT extname, extversion FROM pg_extension WHERE extname = 'ticketing';
SELECT ticketing.add_tickets(1302, 1, seat_prefix => repeat('p', 5000000));
\echo :SQLSTATE
SELECT ticketing.add_tickets(1302, ARRAY[repeat('s', 201)]);
\echo :SQLSTATE
SELECT (SELECT count(*) FROM ticketing.tickets WHERE event_id IN (1301, 1302)) AS tickets,
       (SELECT count(*) FROM ticketing.audit_log WHERE event_id IN (1301, 1302)) AS audit_rows,
       (SELECT count(*) FROM ticketing.idempotency_keys) AS keys;
-- Selling goes on: a replayed key, a new sale, a hold.
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1302, ARRAY[3], 'gina', idempotency_key => 'u-1');
SELECT ticketing.add_tickets(1302, ARRAY['A-1-5']);
SELECT outcome, ticket_id FROM ticketing.hold_ticket(1302, 5, 'jane');
SELECT ticketing.expire_holds(1302) AS expired;
-- Issue 19 on the upgraded data: an event sold under 1.0 opens a waiting list (its row
-- got waitlist_open = false from the update); a waiter is offered the ticket a 1.0
-- buyer refunds, in the refund's transaction, and buys it.
SELECT event_id, waitlist_open FROM ticketing.events WHERE event_id IN (1301, 1302) ORDER BY 1;
SELECT count(*) FILTER (WHERE status = 'available') AS available,
       count(*) FILTER (WHERE status = 'sold') AS sold
  FROM ticketing.tickets WHERE event_id = 1301;
SELECT ticketing.open_waitlist(1301);
SELECT outcome, place, status FROM ticketing.join_waitlist(1301, 'nia');
CREATE TEMP TABLE refunded AS
SELECT t.ticket_id, t.owner FROM ticketing.tickets t
 WHERE t.event_id = 1301 AND t.status = 'sold' ORDER BY t.ticket_id LIMIT 1;
SELECT r.outcome FROM refunded f, LATERAL ticketing.release_ticket(1301, f.ticket_id, f.owner) r;
SELECT w.outcome, w.status, w.ticket_ids = ARRAY[f.ticket_id] AS the_refunded_ticket
  FROM refunded f, LATERAL ticketing.waitlist_position(1301, 'nia') w;
SELECT c.outcome FROM refunded f, LATERAL ticketing.confirm_hold(1301, f.ticket_id, 'nia') c;
SELECT customer, status, bought FROM ticketing.waitlist(1301);
SELECT ticketing.close_waitlist(1301) AS closed;
-- Issue 18 on the upgraded data: the tickets sold before the update are in the default
-- category, a quota made now counts them, a cart holds and checks out.
SELECT category, total, available, held, sold FROM ticketing.category_summary(1302);
SELECT ticketing.add_tickets(1302, ARRAY['A-1-6', 'A-1-7', 'A-1-8']);
SELECT ticketing.create_quota(1302, 'house', 7, ARRAY['general']) IS NOT NULL AS quota_made;
SELECT quota, size, sold, held, available FROM ticketing.quota_summary(1302);
CREATE TEMP TABLE upgraded_cart AS SELECT token FROM ticketing.open_cart(1302, 'kim');
SELECT outcome, ticket_id, quota FROM ticketing.hold_ticket(1302, 6, 'kim',
       cart => (SELECT token FROM upgraded_cart));
SELECT outcome, cardinality(ticket_ids) AS tickets, quota FROM ticketing.claim_any(1302, 'lou');
SELECT outcome, cardinality(ticket_ids) AS tickets, quota FROM ticketing.claim_any(1302, 'max');
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(1302, (SELECT token FROM upgraded_cart), 'kim');
SELECT quota, size, sold, held, available FROM ticketing.quota_summary(1302);
SELECT * FROM ticketing.verify();
-- Issue 19 on the upgraded data: the update made a secret, and every ticket sold before
-- it has a working code (made from its owner and its sale's time: nothing was written
-- for it). Each is checked in once; a refund of a checked-in ticket is refused; a ticket
-- sold under 1.0 is transferred, its old code revoked, the receiver's admitted.
SELECT count(*) AS secrets FROM ticketing.code_secret;
CREATE TEMP TABLE upgraded_codes AS
SELECT t.event_id, t.ticket_id, t.owner, c.code
  FROM ticketing.tickets t
  LEFT JOIN LATERAL ticketing.ticket_codes(t.event_id, t.owner) c ON c.ticket_id = t.ticket_id
 WHERE t.event_id IN (1301, 1302) AND t.status = 'sold';
-- (By owner: lou's ticket came from claim_any, whose walk starts at a random ticket.)
SELECT event_id, owner, count(*) AS tickets, bool_and(code IS NOT NULL) AS all_have_codes
  FROM upgraded_codes GROUP BY 1, 2 ORDER BY 1, 2;
SELECT u.event_id, u.owner, i.outcome, bool_and(i.seat IS NOT NULL) AS seats, i.gate, count(*)
  FROM upgraded_codes u, LATERAL ticketing.check_in(u.event_id, u.code, 'upgrade-gate') i
 WHERE u.ticket_id <> 3 GROUP BY 1, 2, 3, 5 ORDER BY 1, 2, 3;
SELECT u.event_id, u.ticket_id, i.outcome
  FROM upgraded_codes u, LATERAL ticketing.check_in(u.event_id, u.code, 'second-gate') i
 WHERE u.ticket_id = 1 ORDER BY 1, 2;
SELECT outcome, owner_is_you FROM ticketing.release_ticket(1301, 1, 'nia');   -- bought from the list above
SELECT outcome, ticket_id, code IS NOT NULL AS new_code
  FROM ticketing.transfer_ticket(1301, 3, 'carol', 'zoe');
SELECT i.outcome FROM upgraded_codes u, LATERAL ticketing.check_in(1301, u.code, 'upgrade-gate') i
 WHERE u.event_id = 1301 AND u.ticket_id = 3;
SELECT i.outcome FROM ticketing.ticket_codes(1301, 'zoe') c,
       LATERAL ticketing.check_in(1301, c.code, 'upgrade-gate') i;
SELECT ticket_id, from_status, to_status, customer, transferred_from
  FROM ticketing.audit_log WHERE event_id = 1301 AND ticket_id = 3 ORDER BY audit_id;
SELECT count(*) AS admissions FROM ticketing.admissions WHERE event_id IN (1301, 1302);
SELECT * FROM ticketing.verify();
-- What the updates made, kept to compare with a fresh install at the end.
CREATE TEMP TABLE upgraded_members AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ticketing')
   AND d.deptype = 'e';
CREATE TEMP TABLE upgraded_columns AS
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'ticketing'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped;
CREATE TEMP TABLE upgraded_functions AS
SELECT p.oid::regprocedure::text AS function, pg_get_function_result(p.oid) AS result,
       p.prosecdef, p.provolatile, p.proconfig, p.proacl IS NULL AS default_acl
  FROM pg_proc p WHERE p.pronamespace = 'ticketing'::regnamespace;
CREATE TEMP TABLE upgraded_defaults AS
SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) AS column_default
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE c.relnamespace = 'ticketing'::regnamespace;
CREATE TEMP TABLE upgraded_constraints AS
SELECT c.conrelid::regclass::text AS relation, c.conname, pg_get_constraintdef(c.oid) AS definition
  FROM pg_constraint c WHERE c.connamespace = 'ticketing'::regnamespace AND c.conrelid <> 0;
CREATE TEMP TABLE upgraded_triggers AS
SELECT t.tgrelid::regclass::text AS relation, t.tgname, pg_get_triggerdef(t.oid) AS definition
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'ticketing'::regnamespace AND NOT t.tgisinternal;
CREATE TEMP TABLE upgraded_bodies AS
SELECT p.oid::regprocedure::text AS function, p.prosrc
  FROM pg_proc p WHERE p.pronamespace = 'ticketing'::regnamespace;

-------------------------------------------------------------------------------
-- Back to a fresh install at the default version for the files after this one.
-------------------------------------------------------------------------------
DROP EXTENSION ticketing;
CREATE EXTENSION ticketing;
SELECT extname, extversion FROM pg_extension WHERE extname = 'ticketing';
-- The updated extension is the same as a fresh install: members, columns, functions.
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ticketing')
   AND d.deptype = 'e'
EXCEPT SELECT member FROM upgraded_members;
SELECT member FROM upgraded_members
EXCEPT
SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ticketing')
   AND d.deptype = 'e';
SELECT count(*) > 0 AS compared_members FROM upgraded_members;
(SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
  WHERE c.relnamespace = 'ticketing'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
 EXCEPT SELECT * FROM upgraded_columns)
UNION ALL
(SELECT * FROM upgraded_columns
 EXCEPT
 SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
  WHERE c.relnamespace = 'ticketing'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped);
(SELECT p.oid::regprocedure::text, pg_get_function_result(p.oid), p.prosecdef, p.provolatile,
        p.proconfig, p.proacl IS NULL
   FROM pg_proc p WHERE p.pronamespace = 'ticketing'::regnamespace
 EXCEPT SELECT * FROM upgraded_functions)
UNION ALL
(SELECT * FROM upgraded_functions
 EXCEPT
 SELECT p.oid::regprocedure::text, pg_get_function_result(p.oid), p.prosecdef, p.provolatile,
        p.proconfig, p.proacl IS NULL
   FROM pg_proc p WHERE p.pronamespace = 'ticketing'::regnamespace);
(SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)
   FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
   JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE c.relnamespace = 'ticketing'::regnamespace
 EXCEPT SELECT * FROM upgraded_defaults)
UNION ALL
(SELECT * FROM upgraded_defaults
 EXCEPT
 SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)
   FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
   JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE c.relnamespace = 'ticketing'::regnamespace);
-- The function bodies are the same as a fresh install's too.
SELECT u.function
  FROM upgraded_bodies u JOIN pg_proc p ON p.oid::regprocedure::text = u.function
 WHERE p.pronamespace = 'ticketing'::regnamespace AND p.prosrc <> u.prosrc
 ORDER BY 1;
-- Constraints (a CHECK added by the update, such as the admission's) and triggers.
(SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
   FROM pg_constraint c WHERE c.connamespace = 'ticketing'::regnamespace AND c.conrelid <> 0
 EXCEPT SELECT * FROM upgraded_constraints)
UNION ALL
(SELECT * FROM upgraded_constraints
 EXCEPT
 SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
   FROM pg_constraint c WHERE c.connamespace = 'ticketing'::regnamespace AND c.conrelid <> 0);
SELECT count(*) > 0 AS compared_constraints FROM upgraded_constraints;
(SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  WHERE c.relnamespace = 'ticketing'::regnamespace AND NOT t.tgisinternal
 EXCEPT SELECT * FROM upgraded_triggers)
UNION ALL
(SELECT * FROM upgraded_triggers
 EXCEPT
 SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  WHERE c.relnamespace = 'ticketing'::regnamespace AND NOT t.tgisinternal);
SELECT count(*) AS compared_triggers FROM upgraded_triggers;
SELECT (SELECT count(*) FROM ticketing.events) AS events,
       (SELECT count(*) FROM ticketing.tickets) AS tickets,
       (SELECT count(*) FROM ticketing.audit_log) AS audit_rows,
       (SELECT count(*) FROM ticketing.idempotency_keys) AS keys;
-- And it works, kept plans and all.
SELECT ticketing.create_event('Upgrade test, after', event_id => 1303);
SELECT ticketing.add_tickets(1303, 2);
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids
  FROM ticketing.claim_any(1303, 'alice', 2, idempotency_key => 'u-1');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(1303, 1, 'bob');
SELECT * FROM ticketing.verify();
