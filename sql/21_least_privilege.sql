--
-- 21_least_privilege: an application role with exactly the README's grants calls the
-- API (carts, categories and quotas too) and can do nothing else: 42501 for every direct
-- read or write of each table, sequence and view, the administrative functions, the stats
-- and their reset, and any change to the schema. Objects of its own placed before
-- pg_catalog (and temporary tables) on its search_path change nothing the API does, and
-- are never run by it.
--
\set VERBOSITY terse
\i sql/include/try.sql
SELECT ticketing.create_event('least privilege', event_id => 2101);
SELECT ticketing.add_tickets(2101, 12);
SELECT ticketing.create_event('least privilege, seated', per_customer_limit => 3, event_id => 2102);
SELECT ticketing.add_tickets(2102, ARRAY['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4']);
SELECT outcome FROM ticketing.claim_ticket(2101, 12, 'someone-else');
-- Categories under a quota, and carts (1.3).
SELECT ticketing.create_event('least privilege, categories', event_id => 2103);
SELECT ticketing.add_tickets(2103, 4, seat_prefix => 'V-', category => 'vip');
SELECT ticketing.add_tickets(2103, ARRAY['S-5', 'S-6', 'S-7', 'S-8'], category => 'standard');
SELECT ticketing.create_quota(2103, 'vip-cap', 2, ARRAY['vip']) > 0 AS quota_made;
-- A sold-out event with an open waiting list.
SELECT ticketing.create_event('least privilege, waiting list', event_id => 2104);
SELECT ticketing.add_tickets(2104, 1);
SELECT outcome FROM ticketing.claim_ticket(2104, 1, 'someone-else');
SELECT ticketing.open_waitlist(2104);

-- Exactly the README's grants.
CREATE ROLE regress_shop_app;
GRANT USAGE ON SCHEMA ticketing TO regress_shop_app;
GRANT EXECUTE ON FUNCTION
    ticketing.claim_ticket(bigint, bigint, text, text, text),
    ticketing.release_ticket(bigint, bigint, text, text),
    ticketing.hold_ticket(bigint, bigint, text, interval, text, text, text),
    ticketing.confirm_hold(bigint, bigint, text, text),
    ticketing.release_hold(bigint, bigint, text, text),
    ticketing.claim_tickets(bigint, bigint[], text, text, interval, text, text),
    ticketing.claim_any(bigint, text, integer, text, text, boolean, interval, text, text, text),
    ticketing.claim_batch(bigint, ticketing.claim_request[]),
    ticketing.claim_batch(bigint, ticketing.batch_request[]),
    ticketing.open_cart(bigint, text, interval),
    ticketing.extend_cart(bigint, text, text, interval),
    ticketing.checkout_cart(bigint, text, text, text),
    ticketing.abandon_cart(bigint, text, text, text),
    ticketing.cart_contents(bigint, text, text),
    ticketing.join_waitlist(bigint, text, integer, text, boolean, interval),
    ticketing.leave_waitlist(bigint, text),
    ticketing.waitlist_position(bigint, text),
    ticketing.event_summary(bigint),
    ticketing.category_summary(bigint),
    ticketing.quota_summary(bigint)
  TO regress_shop_app;

-- What that makes reachable in the schema: the seventeen functions, and no relation.
SELECT p.oid::regprocedure AS executable
  FROM pg_proc p
 WHERE p.pronamespace = 'ticketing'::regnamespace
   AND has_function_privilege('regress_shop_app', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT c.relname
  FROM pg_class c
 WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind IN ('r', 'v', 'S', 'p')
   AND (has_table_privilege('regress_shop_app', c.oid,
                            'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
        OR has_any_column_privilege('regress_shop_app', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
        OR (c.relkind = 'S' AND has_sequence_privilege('regress_shop_app', c.oid, 'USAGE, SELECT, UPDATE')));

-------------------------------------------------------------------------------
-- The API works.
-------------------------------------------------------------------------------
SET ROLE regress_shop_app;
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(2101, 1, 'app-alice');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(2101, 1, 'app-alice');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(2101, 2, 'app-alice', interval '5 minutes');
SELECT outcome, ticket_id FROM ticketing.confirm_hold(2101, 2, 'app-alice');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(2101, 3, 'app-bob');
SELECT outcome, ticket_id FROM ticketing.release_hold(2101, 3, 'app-bob');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2101, ARRAY[5, 4], 'app-bob');
SELECT outcome, seats FROM ticketing.claim_any(2102, 'app-carol', 2, adjacent => true);
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(2101, ARRAY[
    ROW(6, 'app-dave', 'k-1'), ROW(12, 'app-dave', NULL)]::ticketing.claim_request[]);
SELECT * FROM ticketing.event_summary(2101);
SELECT outcome, seats FROM ticketing.claim_any(2103, 'app-gus', 2, category => 'vip', adjacent => true);
SELECT outcome, quota FROM ticketing.claim_any(2103, 'app-gus', 1, category => 'vip');
SELECT request_no, outcome, quota FROM ticketing.claim_batch(2103, ARRAY[
    ROW(NULL, 'app-hal', 'k-2', 'vip', NULL), ROW(5, 'app-hal', NULL, NULL, NULL)]::ticketing.batch_request[]);
SELECT quota, categories, size, sold, held, available FROM ticketing.quota_summary(2103);
SELECT category, total, available, held, sold FROM ticketing.category_summary(2103);
SELECT outcome, token IS NOT NULL AS has_token FROM ticketing.open_cart(2103, 'app-ivy', '10 minutes');
SELECT token AS cart FROM ticketing.open_cart(2103, 'app-ivy') \gset
SELECT outcome, ticket_id FROM ticketing.hold_ticket(2103, 6, 'app-ivy', cart => :'cart');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2103, ARRAY[7], 'app-ivy', cart => :'cart');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(2103, :'cart', 'app-ivy');
SELECT outcome FROM ticketing.extend_cart(2103, :'cart', 'app-ivy', '1 minute');
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(2103, :'cart', 'app-ivy', 'co-1');
SELECT token AS other_cart FROM ticketing.open_cart(2103, 'app-ivy') \gset
SELECT outcome, seats FROM ticketing.claim_any(2103, 'app-ivy', category => 'standard', cart => :'other_cart');
SELECT outcome, cardinality(ticket_ids) FROM ticketing.abandon_cart(2103, :'other_cart', 'app-ivy');
SELECT outcome, place, status FROM ticketing.join_waitlist(2104, 'app-wes', 1);
SELECT outcome, place FROM ticketing.waitlist_position(2104, 'app-wes');
SELECT outcome, status FROM ticketing.leave_waitlist(2104, 'app-wes');
SELECT outcome, place FROM ticketing.join_waitlist(2104, 'app-wes', 1);

-------------------------------------------------------------------------------
-- And nothing else.
-------------------------------------------------------------------------------
SELECT ord, stmt, state
  FROM (VALUES
        (1, 'SELECT * FROM ticketing.events'),
        (2, 'INSERT INTO ticketing.events (event_id, name) VALUES (9, ''x'')'),
        (3, 'UPDATE ticketing.events SET per_customer_limit = NULL'),
        (4, 'DELETE FROM ticketing.events'),
        (5, 'TRUNCATE ticketing.events CASCADE'),
        (6, 'LOCK TABLE ticketing.events IN ACCESS SHARE MODE'),
        (7, 'SELECT owner FROM ticketing.tickets WHERE event_id = 2101'),
        (8, 'INSERT INTO ticketing.tickets (event_id, ticket_id, seat) VALUES (2101, 99, ''x'')'),
        (9, 'UPDATE ticketing.tickets SET status = ''sold'', owner = ''app-alice'' WHERE ticket_id = 7'),
        (10, 'DELETE FROM ticketing.tickets WHERE ticket_id = 12'),
        (11, 'TRUNCATE ticketing.tickets'),
        (12, 'LOCK TABLE ticketing.tickets IN ACCESS SHARE MODE'),
        (13, 'SELECT customer FROM ticketing.audit_log'),
        (14, 'INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer) VALUES (2101, 7, ''available'', ''sold'', ''app-alice'')'),
        (15, 'UPDATE ticketing.audit_log SET customer = ''app-alice'''),
        (16, 'DELETE FROM ticketing.audit_log'),
        (17, 'TRUNCATE ticketing.audit_log'),
        (18, 'LOCK TABLE ticketing.audit_log IN ACCESS SHARE MODE'),
        (19, 'SELECT * FROM ticketing.idempotency_keys'),
        (20, 'INSERT INTO ticketing.idempotency_keys (customer, idempotency_key, event_id, fingerprint) VALUES (''a'', ''b'', 1, ''c'')'),
        (21, 'UPDATE ticketing.idempotency_keys SET created_at = ''epoch'''),
        (22, 'DELETE FROM ticketing.idempotency_keys'),
        (23, 'TRUNCATE ticketing.idempotency_keys'),
        (24, 'LOCK TABLE ticketing.idempotency_keys IN ACCESS SHARE MODE'),
        (25, 'SELECT * FROM ticketing.customer_slots'),
        (26, 'INSERT INTO ticketing.customer_slots (event_id, customer) VALUES (2102, ''x'')'),
        (27, 'UPDATE ticketing.customer_slots SET customer = ''x'''),
        (28, 'DELETE FROM ticketing.customer_slots'),
        (29, 'TRUNCATE ticketing.customer_slots'),
        (30, 'LOCK TABLE ticketing.customer_slots IN ACCESS SHARE MODE'),
        (31, 'COPY ticketing.tickets TO ''/tmp/regress_tickets.copy'''),
        (32, 'SELECT * FROM ticketing.stats'),
        (33, 'SELECT * FROM ticketing.read_stats()'),
        (34, 'SELECT ticketing.reset_stats()'),
        (35, 'SELECT nextval(''ticketing.event_id_seq'')'),
        (36, 'SELECT setval(''ticketing.event_id_seq'', 1)'),
        (37, 'SELECT currval(''ticketing.event_id_seq'')'),
        (38, 'SELECT last_value FROM ticketing.event_id_seq'),
        (39, 'SELECT nextval(''ticketing.audit_id_seq'')'),
        (40, 'SELECT setval(''ticketing.audit_id_seq'', 1)'),
        (41, 'SELECT currval(''ticketing.audit_id_seq'')'),
        (42, 'SELECT last_value FROM ticketing.audit_id_seq'),
        (43, 'SELECT ticketing.create_event(''mine'')'),
        (44, 'SELECT ticketing.add_tickets(2101, 10)'),
        (45, 'SELECT ticketing.add_tickets(2101, ARRAY[''X-1''])'),
        (46, 'SELECT ticketing.lock_event_for_load(2101)'),
        (47, 'SELECT * FROM ticketing.verify()'),
        (48, 'SELECT * FROM ticketing.verify_tickets()'),
        (49, 'SELECT ticketing.expire_holds()'),
        (50, 'SELECT ticketing.purge_idempotency_keys(interval ''1 second'')'),
        (51, 'CREATE TABLE ticketing.mine (a int)'),
        (52, 'CREATE FUNCTION ticketing.nextval(text) RETURNS bigint LANGUAGE sql AS ''SELECT 1::bigint'''),
        (53, 'CREATE INDEX ON ticketing.tickets (seat)'),
        (54, 'ALTER TABLE ticketing.tickets ADD COLUMN mine int'),
        (55, 'ALTER TABLE ticketing.tickets DISABLE ROW LEVEL SECURITY'),
        (56, 'ALTER FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text) SECURITY INVOKER'),
        (57, 'DROP FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text)'),
        (58, 'COMMENT ON TABLE ticketing.tickets IS ''mine'''),
        (59, 'DROP EXTENSION ticketing'),
        (60, 'ALTER EXTENSION ticketing UPDATE'),
        (61, 'SET ticketing.idempotency_retention = ''1s'''),
        (62, 'ALTER ROLE regress_shop_app SUPERUSER'),
        (63, 'CREATE ROLE regress_shop_helper SUPERUSER'),
        (64, 'SELECT * FROM ticketing.quotas'),
        (65, 'UPDATE ticketing.quota_stripes SET remaining = remaining + 100'),
        (66, 'INSERT INTO ticketing.quota_categories (event_id, quota_id, category) VALUES (2103, 1, ''standard'')'),
        (67, 'DELETE FROM ticketing.quotas'),
        (68, 'SELECT token_hash, customer FROM ticketing.carts'),
        (69, 'UPDATE ticketing.carts SET expires_at = ''infinity'''),
        (70, 'DELETE FROM ticketing.cart_items'),
        (71, 'SELECT nextval(''ticketing.quota_id_seq'')'),
        (72, 'SELECT nextval(''ticketing.cart_id_seq'')'),
        (73, 'SELECT ticketing.create_quota(2103, ''mine'', 100, ARRAY[''vip''])'),
        (74, 'SELECT ticketing.resize_quota(2103, ''vip-cap'', 100)'),
        (75, 'SELECT ticketing.drop_quota(2103, ''vip-cap'')'),
        (76, 'SELECT ticketing.add_tickets(2103, 5, category => ''vip'')'),
        (77, 'SELECT * FROM ticketing.quota_usage(2103, 1)'),
        (78, 'SELECT ticketing.quota_stripe_shares(10, 2)'),
        (79, 'SELECT customer FROM ticketing.waitlist_entries'),
        (80, 'UPDATE ticketing.waitlist_entries SET entry_id = 0'),
        (81, 'SELECT * FROM ticketing.waitlist(2104)'),
        (82, 'SELECT * FROM ticketing.pending_offers(2104)'),
        (83, 'SELECT ticketing.offer_waitlist(2104)'),
        (84, 'SELECT ticketing.open_waitlist(2101)'),
        (85, 'SELECT ticketing.close_waitlist(2104)'),
        (86, 'SELECT nextval(''ticketing.waitlist_entry_seq'')'),
        (87, 'SELECT secret FROM ticketing.code_secret'),
        (88, 'SELECT ticketing.rotate_code_secret()'),
        (89, 'SELECT * FROM ticketing.admissions'),
        (90, 'SELECT nextval(''ticketing.admission_id_seq'')'),
        (91, 'SELECT * FROM ticketing.check_in(2101, ''x'', ''g'')')
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
RESET ROLE;

-------------------------------------------------------------------------------
-- Check-in and transfer: the README's second block. The shop's role also looks codes up
-- and transfers; a gate's role admits and does nothing else.
-------------------------------------------------------------------------------
GRANT EXECUTE ON FUNCTION
    ticketing.ticket_codes(bigint, text),
    ticketing.transfer_ticket(bigint, bigint, text, text, text)
  TO regress_shop_app;
CREATE ROLE regress_shop_gate;
GRANT USAGE ON SCHEMA ticketing TO regress_shop_gate;
GRANT EXECUTE ON FUNCTION
    ticketing.check_in(bigint, text, text),
    ticketing.check_in_batch(bigint, ticketing.scan[])
  TO regress_shop_gate;
SELECT p.oid::regprocedure AS gate_executable
  FROM pg_proc p
 WHERE p.pronamespace = 'ticketing'::regnamespace
   AND has_function_privilege('regress_shop_gate', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
SET ROLE regress_shop_app;
SELECT code AS app_code FROM ticketing.ticket_codes(2101, 'app-bob') WHERE ticket_id = 4 \gset
SELECT outcome, ticket_id, code IS NOT NULL AS new_code
  FROM ticketing.transfer_ticket(2101, 5, 'app-bob', 'app-eve');
RESET ROLE;
SET ROLE regress_shop_gate;
SELECT outcome, ticket_id, gate FROM ticketing.check_in(2101, :'app_code', 'north');
SELECT scan_no, outcome, gate FROM ticketing.check_in_batch(2101,
       ARRAY[ROW(:'app_code', 'south', now())]::ticketing.scan[]);
SELECT ord, stmt, state
  FROM (VALUES
        (1, 'SELECT * FROM ticketing.ticket_codes(2101, ''app-bob'')'),
        (2, 'SELECT * FROM ticketing.claim_ticket(2101, 8, ''gate-x'')'),
        (3, 'SELECT * FROM ticketing.release_ticket(2101, 4, ''app-bob'')'),
        (4, 'SELECT * FROM ticketing.transfer_ticket(2101, 4, ''app-bob'', ''gate-x'')'),
        (5, 'SELECT * FROM ticketing.event_summary(2101)'),
        (6, 'SELECT secret FROM ticketing.code_secret'),
        (7, 'SELECT ticketing.rotate_code_secret()'),
        (8, 'SELECT * FROM ticketing.admissions'),
        (9, 'UPDATE ticketing.tickets SET admitted_at = NULL, admitted_gate = NULL'),
        (10, 'SELECT owner FROM ticketing.tickets')
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
RESET ROLE;

-------------------------------------------------------------------------------
-- Hostile objects of its own first on its search_path: operators that say "equal"
-- to anything, a now() at infinity, nextval() and pg_current_xact_id() of its own,
-- temporary tables named like the extension's. Each of its functions notes that it
-- ran (a SECURITY DEFINER call running it would run it as the extension's owner).
-------------------------------------------------------------------------------
CREATE SCHEMA regress_shop_own AUTHORIZATION regress_shop_app;
SET ROLE regress_shop_app;
CREATE TABLE regress_shop_own.ran (what text);
GRANT INSERT ON regress_shop_own.ran TO PUBLIC;
CREATE FUNCTION regress_shop_own.yes(text, text) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('= on text'); RETURN true; END$$;
CREATE FUNCTION regress_shop_own.no(text, text) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('<> on text'); RETURN false; END$$;
CREATE FUNCTION regress_shop_own.yes(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('= on bigint'); RETURN true; END$$;
CREATE OPERATOR regress_shop_own.= (LEFTARG = text, RIGHTARG = text, PROCEDURE = regress_shop_own.yes);
CREATE OPERATOR regress_shop_own.<> (LEFTARG = text, RIGHTARG = text, PROCEDURE = regress_shop_own.no);
CREATE OPERATOR regress_shop_own.= (LEFTARG = bigint, RIGHTARG = bigint, PROCEDURE = regress_shop_own.yes);
CREATE FUNCTION regress_shop_own.now() RETURNS timestamptz LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('now()'); RETURN 'infinity'; END$$;
CREATE FUNCTION regress_shop_own.nextval(regclass) RETURNS bigint LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('nextval(regclass)'); RETURN 1; END$$;
CREATE FUNCTION regress_shop_own.nextval(text) RETURNS bigint LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('nextval(text)'); RETURN 1; END$$;
CREATE FUNCTION regress_shop_own.pg_current_xact_id() RETURNS xid8 LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('pg_current_xact_id()'); RETURN '1'; END$$;
CREATE FUNCTION regress_shop_own.cardinality(anyarray) RETURNS integer LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO regress_shop_own.ran VALUES ('cardinality()'); RETURN 0; END$$;
CREATE TEMP TABLE tickets (event_id bigint, ticket_id bigint, status text, owner text);
INSERT INTO tickets VALUES (2101, 7, 'sold', 'app-erin');
CREATE TEMP TABLE audit_log (event_id bigint);
SET search_path = pg_temp, regress_shop_own, pg_catalog, ticketing;

-- Ticket 7 is free; the rogue "=" would make app-erin look like the owner of ticket 12.
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(2101, 7, 'app-erin');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(2101, 12, 'app-erin');
SELECT outcome FROM ticketing.release_ticket(2101, 12, 'app-erin');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(2101, 8, 'app-erin', interval '1 minute');
-- A now() at infinity would make this hold lapsed and the next claim succeed.
SELECT outcome FROM ticketing.claim_ticket(2101, 8, 'app-frank');
SELECT outcome FROM ticketing.confirm_hold(2101, 8, 'app-frank');
SELECT outcome FROM ticketing.release_hold(2101, 8, 'app-frank');
SELECT outcome FROM ticketing.confirm_hold(2101, 8, 'app-erin');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2101, ARRAY[9, 12], 'app-erin');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2101, ARRAY[9, 10], 'app-erin', idempotency_key => 'k-9');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2101, ARRAY[9, 10], 'app-erin', idempotency_key => 'k-9');
SELECT outcome, seats FROM ticketing.claim_any(2102, 'app-erin', 2, adjacent => true);
SELECT outcome, remaining FROM ticketing.claim_any(2102, 'app-carol', 2);
-- Only ticket 3 stays free for the batch's any-seat request (any-seat picks start at a
-- random ticket).
SELECT outcome FROM ticketing.claim_ticket(2101, 1, 'app-erin');
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(2101, ARRAY[
    ROW(11, 'app-erin', NULL), ROW(12, 'app-erin', NULL), ROW(NULL, 'app-erin', 'k-any')
    ]::ticketing.claim_request[]);
SELECT * FROM ticketing.event_summary(2101);
SELECT outcome, quota FROM ticketing.claim_any(2103, 'app-erin', category => 'vip');
SELECT token AS hostile_cart FROM ticketing.open_cart(2103, 'app-erin') \gset
SELECT outcome FROM ticketing.hold_ticket(2103, 8, 'app-erin', cart => :'hostile_cart');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(2103, :'hostile_cart', 'app-frank');
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(2103, :'hostile_cart', 'app-erin');
SELECT quota, sold, held, available FROM ticketing.quota_summary(2103);
RESET search_path;
SELECT what, count(*) FROM regress_shop_own.ran GROUP BY what ORDER BY what;
RESET ROLE;

-- As the superuser sees it: the sales are the customers', the audit trail complete.
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id IN (2101, 2102, 2103)
 ORDER BY event_id, ticket_id;
SELECT count(*) AS audit_rows FROM ticketing.audit_log WHERE event_id IN (2101, 2102, 2103);
SELECT status, customer, (SELECT count(*) FROM ticketing.cart_items i WHERE i.cart_id = c.cart_id) AS items
  FROM ticketing.carts c WHERE c.event_id = 2103 ORDER BY c.cart_id;
SELECT * FROM ticketing.verify();
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_shop_app';
DROP SCHEMA regress_shop_own CASCADE;
DROP OWNED BY regress_shop_app;
DROP ROLE regress_shop_app;
DROP OWNED BY regress_shop_gate;
DROP ROLE regress_shop_gate;
