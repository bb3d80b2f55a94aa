--
-- 20_schema_hijack: CREATE EXTENSION refuses (42P15) a schema ticketing that it did
-- not create: one owned by another role (the attack of issue 11, and the same schema
-- empty), one that already holds another role's objects, or one where another role may
-- create objects. A superuser's own empty schema is accepted, also another
-- superuser's (as pg_restore makes it). test/reliability/t/005_hijack_1_1.pl runs the same attack
-- against the 1.1 scripts, where the attacker becomes superuser.
--
\set VERBOSITY terse
\set regress_db :DBNAME
CREATE DATABASE regress_hijack;
\c regress_hijack

-- The attacker's schema with the planted nextval(text).
\i sql/include/schema_hijack_attack.sql
CREATE EXTENSION ticketing;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'ticketing';
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_attacker';
-- Nothing was added to the attacker's schema; its function is left for the DBA to see.
SELECT p.oid::regprocedure AS planted, pg_get_userbyid(p.proowner) AS owner
  FROM pg_proc p WHERE p.pronamespace = 'ticketing'::regnamespace;
SELECT count(*) AS relations FROM pg_class WHERE relnamespace = 'ticketing'::regnamespace;
DROP SCHEMA ticketing CASCADE;

-- The same schema, empty: its owner could still add objects later.
SET ROLE regress_attacker;
CREATE SCHEMA ticketing;
RESET ROLE;
CREATE EXTENSION ticketing;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA ticketing;

-- The superuser's own schema, holding a function another role put there.
CREATE SCHEMA ticketing;
GRANT CREATE ON SCHEMA ticketing TO regress_attacker;
SET ROLE regress_attacker;
CREATE FUNCTION ticketing.now() RETURNS timestamptz
    LANGUAGE sql AS $$SELECT timestamptz 'epoch'$$;
RESET ROLE;
CREATE EXTENSION ticketing;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA ticketing CASCADE;
-- The superuser's own empty schema, but another role may create objects in it (and
-- could add, after the install, a claim_ticket(bigint, bigint, text) that an
-- application's three-argument call would run).
CREATE SCHEMA ticketing;
GRANT CREATE ON SCHEMA ticketing TO regress_attacker;
CREATE EXTENSION ticketing;
\echo :LAST_ERROR_SQLSTATE
GRANT CREATE ON SCHEMA ticketing TO PUBLIC;
REVOKE CREATE ON SCHEMA ticketing FROM regress_attacker;
CREATE EXTENSION ticketing;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA ticketing;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_attacker';
-- An empty schema of another superuser (pg_restore recreates the schema under its old
-- owner before CREATE EXTENSION runs) is accepted; tried in a transaction rolled back.
CREATE ROLE regress_other_superuser SUPERUSER;
BEGIN;
CREATE SCHEMA ticketing AUTHORIZATION regress_other_superuser;
CREATE EXTENSION ticketing;
SELECT extname, pg_get_userbyid(n.nspowner) AS schema_owner
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'ticketing';
ROLLBACK;
DROP ROLE regress_other_superuser;

-- The superuser's own empty schema is accepted, and the extension works there, for
-- an application role too.
CREATE SCHEMA ticketing;
CREATE EXTENSION ticketing;
SELECT extname, extnamespace::regnamespace AS schema, pg_get_userbyid(n.nspowner) AS schema_owner
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'ticketing';
SELECT ticketing.create_event('hijack test', event_id => 2001);
SELECT ticketing.add_tickets(2001, 2);
CREATE ROLE regress_hijack_app;
GRANT USAGE ON SCHEMA ticketing TO regress_hijack_app;
GRANT EXECUTE ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text)
    TO regress_hijack_app;
SET ROLE regress_hijack_app;
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(2001, 1, 'alice');
RESET ROLE;
SELECT audit_id, ticket_id, from_status, to_status, customer FROM ticketing.audit_log;
SELECT * FROM ticketing.verify();

\c :regress_db
DROP DATABASE regress_hijack;
DROP ROLE regress_attacker;
DROP ROLE regress_hijack_app;
