--
-- 01_schema: the objects the extension installs, what pg_dump keeps, and who may
-- touch what. pg_regress has already run CREATE EXTENSION ticketing.
--
\set VERBOSITY terse

-- Every member object of the extension.
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ticketing')
   AND d.deptype = 'e'
 ORDER BY pg_describe_object(d.classid, d.objid, d.objsubid) COLLATE "C";

SELECT extname, extversion, extrelocatable, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'ticketing';

-- pg_extension_config_dump: the inventory, its history and both sequences are dumped
-- in full (empty condition).
SELECT c.config::regclass AS dumped, c.condition
  FROM pg_extension e,
       unnest(e.extconfig, e.extcondition) AS c(config, condition)
 WHERE e.extname = 'ticketing'
 ORDER BY c.config::regclass::text COLLATE "C";

-- The single-ticket result every claim and release answers with; no owner column.
SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'ticketing.ticket_result'::regtype)
   AND a.attnum > 0
 ORDER BY a.attnum;

SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'ticketing.event_counts'::regtype)
   AND a.attnum > 0
 ORDER BY a.attnum;

SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'ticketing.violation'::regtype)
   AND a.attnum > 0
 ORDER BY a.attnum;

-- Functions: claims and releases are C and SECURITY DEFINER; their statements qualify
-- every name (93_search_path), the SQL functions pin their search_path.
SELECT p.oid::regprocedure AS function, l.lanname AS language, p.prosecdef AS security_definer,
       p.provolatile AS volatility, p.proconfig
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'ticketing'::regnamespace
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-- Tables: tickets leaves room for HOT updates.
SELECT c.oid::regclass AS relation, c.relkind, c.reloptions
  FROM pg_class c
 WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind IN ('r', 'S')
 ORDER BY c.relkind, c.oid::regclass::text COLLATE "C";

-------------------------------------------------------------------------------
-- Nothing for PUBLIC.
-------------------------------------------------------------------------------

-- No ACL entry anywhere in the schema names PUBLIC (grantee 0).
SELECT count(*) AS public_relation_grants
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'ticketing'::regnamespace AND a.grantee = 0;
SELECT count(*) AS public_function_grants
  FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.pronamespace = 'ticketing'::regnamespace AND a.grantee = 0;
-- Functions default to EXECUTE for PUBLIC when proacl is NULL: every one has an ACL.
SELECT count(*) AS functions_with_default_acl
  FROM pg_proc p
 WHERE p.pronamespace = 'ticketing'::regnamespace AND p.proacl IS NULL;

-- A fresh role can do nothing at all.
CREATE ROLE regress_ticketing_nobody;

SELECT has_schema_privilege('regress_ticketing_nobody', 'ticketing', 'USAGE') AS schema_usage;

SELECT c.oid::regclass AS tbl,
       bool_or(has_table_privilege('regress_ticketing_nobody', c.oid, priv)) AS any_privilege
  FROM pg_class c,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',
                    'TRIGGER']) AS priv
 WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind = 'r'
 GROUP BY c.oid
 ORDER BY c.oid::regclass::text COLLATE "C";

SELECT c.oid::regclass AS seq,
       bool_or(has_sequence_privilege('regress_ticketing_nobody', c.oid, priv)) AS any_privilege
  FROM pg_class c, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS priv
 WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind = 'S'
 GROUP BY c.oid
 ORDER BY c.oid::regclass::text COLLATE "C";

SELECT p.oid::regprocedure AS function,
       has_function_privilege('regress_ticketing_nobody', p.oid, 'EXECUTE') AS can_execute
  FROM pg_proc p
 WHERE p.pronamespace = 'ticketing'::regnamespace
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-- Without the schema, not even the claim function can be reached.
SET ROLE regress_ticketing_nobody;
SELECT outcome FROM ticketing.claim_ticket(101, 1, 'nobody');
\echo :SQLSTATE
RESET ROLE;

-------------------------------------------------------------------------------
-- An application role: USAGE on the schema and EXECUTE on three functions.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Schema test', event_id => 101);
SELECT ticketing.add_tickets(101, 3);

CREATE ROLE regress_ticketing_app;
GRANT USAGE ON SCHEMA ticketing TO regress_ticketing_app;
GRANT EXECUTE ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text),
                          ticketing.release_ticket(bigint, bigint, text, text),
                          ticketing.event_summary(bigint)
   TO regress_ticketing_app;

SET ROLE regress_ticketing_app;
SELECT current_user;

-- The SECURITY DEFINER functions work for it.
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at IS NOT NULL AS has_at
  FROM ticketing.claim_ticket(101, 1, 'app-customer');
SELECT outcome, ticket_id, seat, owner_is_you
  FROM ticketing.claim_ticket(101, 1, 'other-customer', wait => 'nowait');
SELECT outcome, ticket_id, owner_is_you
  FROM ticketing.claim_ticket(101, 2, 'app-customer', wait => 'skip');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(101, 2, 'app-customer');
SELECT * FROM ticketing.event_summary(101);

-- The tables, sequences and other functions stay out of reach.
SELECT count(*) FROM ticketing.tickets;
\echo :SQLSTATE
SELECT owner FROM ticketing.tickets WHERE event_id = 101 AND ticket_id = 1;
\echo :SQLSTATE
UPDATE ticketing.tickets SET status = 'sold', owner = 'app-customer'
 WHERE event_id = 101 AND ticket_id = 3;
\echo :SQLSTATE
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (101, 3, 'available', 'sold', 'app-customer');
\echo :SQLSTATE
SELECT count(*) FROM ticketing.audit_log;
\echo :SQLSTATE
SELECT count(*) FROM ticketing.events;
\echo :SQLSTATE
SELECT nextval('ticketing.event_id_seq');
\echo :SQLSTATE
SELECT ticketing.create_event('Not allowed');
\echo :SQLSTATE
SELECT ticketing.add_tickets(101, 1);
\echo :SQLSTATE
SELECT * FROM ticketing.verify(101);
\echo :SQLSTATE
SELECT ticketing.lock_event_for_load(101);
\echo :SQLSTATE
RESET ROLE;

-- What the application role did, seen by the superuser: its customer string, not its
-- role name, is the owner and the audit customer.
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 101 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 101 ORDER BY audit_id;
SELECT * FROM ticketing.verify(101);

DROP OWNED BY regress_ticketing_app;
DROP ROLE regress_ticketing_app;
DROP ROLE regress_ticketing_nobody;
