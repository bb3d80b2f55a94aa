--
-- 14_executor_writes: every sale, hold, release and audit row is a statement that
-- PostgreSQL's executor runs, so whatever a DBA adds to the tables applies to the
-- extension exactly as to the hand-written UPDATE and INSERT: foreign keys, CHECK
-- constraints as currently defined, type modifiers and domains, replica identity,
-- privileges, triggers (also ones that return NULL), generated columns, rules and row
-- security. Each block shows the SQLSTATE the hand-written statement would raise.
--
\set VERBOSITY terse

SELECT ticketing.create_event('Executor writes', event_id => 1401);
SELECT ticketing.add_tickets(1401, 40);
SELECT ticketing.create_event('Executor writes, batches', event_id => 1402);
SELECT ticketing.add_tickets(1402, 10);

-- The plain sale: row, audit row (audit_id and txid from their defaults), answer.
BEGIN;
SELECT outcome, ticket_id, seat, owner_is_you, at = now() AS at_is_now
  FROM ticketing.claim_ticket(1401, 1, 'alice');
SELECT status, owner, hold_expires_at, updated_at = now() AS updated_now
  FROM ticketing.tickets WHERE event_id = 1401 AND ticket_id = 1;
SELECT from_status, to_status, customer, at = now() AS at_now,
       audit_id = currval('ticketing.audit_id_seq') AS audit_id_from_sequence,
       txid = pg_current_xact_id() AS txid_of_this_transaction
  FROM ticketing.audit_log WHERE event_id = 1401 AND ticket_id = 1;
COMMIT;
SELECT outcome FROM ticketing.claim_ticket(1401, 1, 'bob');
-- The indexes know the new version: found by owner, gone from the claimable index.
SET enable_seqscan = off;
SELECT ticket_id FROM ticketing.tickets WHERE event_id = 1401 AND owner = 'alice';
SELECT count(*) AS claimable FROM ticketing.tickets WHERE event_id = 1401 AND status <> 'sold';
RESET enable_seqscan;

-------------------------------------------------------------------------------
-- 1. A foreign key the DBA adds on tickets.owner holds on every path (23503).
-------------------------------------------------------------------------------
CREATE TABLE public.customers (customer text PRIMARY KEY);
INSERT INTO public.customers VALUES ('known');
ALTER TABLE ticketing.tickets ADD CONSTRAINT tickets_owner_known
    FOREIGN KEY (owner) REFERENCES public.customers NOT VALID;
SELECT outcome FROM ticketing.claim_ticket(1401, 2, 'stranger');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_ticket(1401, 2, 'stranger', wait => 'skip');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_any(1401, 'stranger');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_any(1401, 'stranger', 2);
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_tickets(1401, ARRAY[2, 3], 'stranger');
\echo :SQLSTATE
SELECT outcome FROM ticketing.hold_ticket(1401, 2, 'stranger');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(1, 'stranger', NULL)]::ticketing.claim_request[]);
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(NULL, 'stranger', NULL)]::ticketing.claim_request[]);
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_ticket(1401, 2, 'known');
SELECT count(*) AS sold_to_strangers FROM ticketing.tickets WHERE owner = 'stranger';
ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_owner_known;
DROP TABLE public.customers;

-------------------------------------------------------------------------------
-- 2. CHECK constraints as currently defined, also in a session that already sold
-- under the old definition (23514).
-------------------------------------------------------------------------------
CREATE FUNCTION public.may_buy(customer text) RETURNS boolean
    LANGUAGE sql AS $$SELECT true$$;
ALTER TABLE ticketing.tickets ADD CONSTRAINT tickets_may_buy
    CHECK (owner IS NULL OR public.may_buy(owner)) NOT VALID;
SELECT outcome FROM ticketing.claim_ticket(1401, 3, 'banned');
CREATE OR REPLACE FUNCTION public.may_buy(customer text) RETURNS boolean
    LANGUAGE sql AS $$SELECT customer <> 'banned'$$;
SELECT outcome FROM ticketing.claim_ticket(1401, 4, 'banned');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_any(1401, 'banned');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_ticket(1401, 4, 'carol');
ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_may_buy;
DROP FUNCTION public.may_buy(text);

-------------------------------------------------------------------------------
-- 3. Type modifiers and domains: an owner longer than varchar(8) (22001), a NOT NULL
-- domain on an audit column that gets no value (23502).
-------------------------------------------------------------------------------
ALTER TABLE ticketing.tickets ALTER COLUMN owner TYPE varchar(8);
SELECT outcome FROM ticketing.claim_ticket(1401, 5, 'a-customer-with-25-bytes!');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(2, 'a-customer-with-25-bytes!', NULL)]::ticketing.claim_request[]);
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_ticket(1401, 5, 'dave');
SELECT owner, pg_typeof(owner) FROM ticketing.tickets WHERE event_id = 1401 AND ticket_id = 5;
ALTER TABLE ticketing.tickets ALTER COLUMN owner TYPE text;
CREATE DOMAIN public.channel AS text NOT NULL;
ALTER TABLE ticketing.audit_log ADD COLUMN channel public.channel DEFAULT 'box office';
SELECT outcome FROM ticketing.claim_ticket(1401, 6, 'erin');
SELECT customer, channel FROM ticketing.audit_log WHERE event_id = 1401 AND ticket_id = 6;
ALTER TABLE ticketing.audit_log ALTER COLUMN channel DROP DEFAULT;
SELECT outcome FROM ticketing.claim_ticket(1401, 7, 'erin');
\echo :SQLSTATE
SELECT outcome FROM ticketing.release_ticket(1401, 6, 'erin');
\echo :SQLSTATE
ALTER TABLE ticketing.audit_log DROP COLUMN channel;
DROP DOMAIN public.channel;
SELECT outcome FROM ticketing.claim_ticket(1401, 7, 'erin');

-------------------------------------------------------------------------------
-- 4. A published table without a replica identity refuses the update (55000).
-------------------------------------------------------------------------------
SET client_min_messages = error; -- CREATE PUBLICATION warns when wal_level is not logical
CREATE PUBLICATION regress_ticket_changes FOR TABLE ticketing.tickets;
RESET client_min_messages;
ALTER TABLE ticketing.tickets REPLICA IDENTITY NOTHING;
SELECT outcome FROM ticketing.claim_ticket(1401, 8, 'frank');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_any(1401, 'frank');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(3, 'frank', NULL)]::ticketing.claim_request[]);
\echo :SQLSTATE
ALTER TABLE ticketing.tickets REPLICA IDENTITY DEFAULT;
DROP PUBLICATION regress_ticket_changes;
SELECT outcome FROM ticketing.claim_ticket(1401, 8, 'frank');

-------------------------------------------------------------------------------
-- 5. Privileges: the claim functions are SECURITY DEFINER, so their owner's rights
-- apply. An owner that may read but not update the tables sells nothing (42501); one
-- that may not even read gets 42501 on the first look.
-------------------------------------------------------------------------------
CREATE ROLE regress_ticketing_owner;
GRANT USAGE ON SCHEMA ticketing TO regress_ticketing_owner;
GRANT SELECT ON ticketing.tickets, ticketing.events, ticketing.audit_log
   TO regress_ticketing_owner;
ALTER FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text)
    OWNER TO regress_ticketing_owner;
ALTER FUNCTION ticketing.claim_batch(bigint, ticketing.claim_request[])
    OWNER TO regress_ticketing_owner;
SELECT outcome FROM ticketing.claim_ticket(1401, 9, 'gina');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(4, 'gina', NULL)]::ticketing.claim_request[]);
\echo :SQLSTATE
REVOKE SELECT ON ticketing.tickets FROM regress_ticketing_owner;
SELECT outcome FROM ticketing.claim_ticket(1401, 1, 'gina');
\echo :SQLSTATE
-- With UPDATE on tickets but not INSERT on audit_log, the sale is refused as a whole.
GRANT SELECT, UPDATE ON ticketing.tickets TO regress_ticketing_owner;
SELECT outcome FROM ticketing.claim_ticket(1401, 9, 'gina');
\echo :SQLSTATE
GRANT INSERT ON ticketing.audit_log TO regress_ticketing_owner;
GRANT USAGE ON SEQUENCE ticketing.audit_id_seq TO regress_ticketing_owner;
-- Audit ids are drawn by the column's default, ticketing.next_audit_id (the live feed's
-- order rests on it): inserting an audit row takes EXECUTE on it too.
SELECT outcome FROM ticketing.claim_ticket(1401, 9, 'gina');
\echo :SQLSTATE
GRANT EXECUTE ON FUNCTION ticketing.next_audit_id(regclass) TO regress_ticketing_owner;
SELECT outcome FROM ticketing.claim_ticket(1401, 9, 'gina');

-------------------------------------------------------------------------------
-- Row security applies to a function owner that does not bypass it: the first looks
-- then go through statements too, and a ticket the policy hides does not exist.
-------------------------------------------------------------------------------
ALTER TABLE ticketing.tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY regress_not_1401_10 ON ticketing.tickets TO regress_ticketing_owner
    USING (NOT (event_id = 1401 AND ticket_id = 10));
SELECT outcome, seat FROM ticketing.claim_ticket(1401, 10, 'hank');
SELECT outcome, seat FROM ticketing.claim_ticket(1401, 11, 'hank');
SELECT outcome, seat FROM ticketing.claim_ticket(1401, 1, 'hank');
-- The table owner (the superuser running this test) is not subject to it.
SELECT outcome FROM ticketing.hold_ticket(1401, 10, 'hank');
SELECT outcome FROM ticketing.release_hold(1401, 10, 'hank');
DROP POLICY regress_not_1401_10 ON ticketing.tickets;
ALTER TABLE ticketing.tickets DISABLE ROW LEVEL SECURITY;
ALTER FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text) OWNER TO CURRENT_USER;
ALTER FUNCTION ticketing.claim_batch(bigint, ticketing.claim_request[]) OWNER TO CURRENT_USER;
DROP OWNED BY regress_ticketing_owner;
DROP ROLE regress_ticketing_owner;

-------------------------------------------------------------------------------
-- Triggers fire: a BEFORE UPDATE trigger that changes the row, an AFTER UPDATE trigger
-- on tickets and an AFTER INSERT trigger on audit_log.
-------------------------------------------------------------------------------
CREATE TABLE public.executor_seen (what text, ticket_id bigint, owner text);
CREATE FUNCTION public.executor_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_WHEN = 'BEFORE' THEN
        NEW.seat := NEW.seat || ' (sold)';
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'tickets' THEN
        INSERT INTO public.executor_seen VALUES ('tickets ' || TG_OP, NEW.ticket_id, NEW.owner);
    ELSE
        INSERT INTO public.executor_seen VALUES ('audit_log ' || TG_OP, NEW.ticket_id, NEW.customer);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER shout BEFORE UPDATE ON ticketing.tickets
    FOR EACH ROW EXECUTE FUNCTION public.executor_note();
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(1401, 12, 'ivan');
SELECT seat, owner FROM ticketing.tickets WHERE event_id = 1401 AND ticket_id = 12;
DROP TRIGGER shout ON ticketing.tickets;
CREATE TRIGGER noted AFTER UPDATE ON ticketing.tickets
    FOR EACH ROW EXECUTE FUNCTION public.executor_note();
SELECT outcome FROM ticketing.claim_ticket(1401, 13, 'judy');
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(1402, ARRAY[
    (5, 'kim', NULL), (6, 'lee', NULL), (5, 'max', NULL)]::ticketing.claim_request[]);
DROP TRIGGER noted ON ticketing.tickets;
CREATE TRIGGER noted AFTER INSERT ON ticketing.audit_log
    FOR EACH ROW EXECUTE FUNCTION public.executor_note();
SELECT outcome FROM ticketing.claim_ticket(1401, 14, 'kay');
DROP TRIGGER noted ON ticketing.audit_log;
SELECT outcome FROM ticketing.claim_ticket(1401, 15, 'liam'); -- no trigger: not seen
SELECT * FROM public.executor_seen ORDER BY what, ticket_id;

-------------------------------------------------------------------------------
-- 8. A BEFORE trigger that returns NULL. On tickets it skips the change, as it would
-- for the hand-written UPDATE: nothing is sold and the call says so (TK003), on every
-- path, instead of answering a sale that did not happen. On audit_log it skips the
-- audit row only: the ticket is sold, as with the hand-written statement, and
-- verify() reports the missing history.
-------------------------------------------------------------------------------
CREATE FUNCTION public.executor_skip() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END $$;
CREATE TRIGGER skip_all BEFORE UPDATE ON ticketing.tickets
    FOR EACH ROW EXECUTE FUNCTION public.executor_skip();
SELECT outcome FROM ticketing.claim_ticket(1401, 16, 'mia');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_ticket(1401, 16, 'mia', wait => 'skip');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_any(1401, 'mia');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_any(1401, 'mia', 2);
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_tickets(1401, ARRAY[16, 17], 'mia');
\echo :SQLSTATE
SELECT outcome FROM ticketing.hold_ticket(1401, 16, 'mia');
\echo :SQLSTATE
SELECT outcome FROM ticketing.release_ticket(1401, 15, 'liam');
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(7, 'mia', NULL)]::ticketing.claim_request[]);
\echo :SQLSTATE
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(7, 'mia', NULL), ROW(7, 'nia', NULL)]::ticketing.claim_request[]);
\echo :SQLSTATE
DROP TRIGGER skip_all ON ticketing.tickets;
SELECT count(*) AS sold_to_mia FROM ticketing.tickets WHERE owner = 'mia';
CREATE TRIGGER skip_all BEFORE INSERT ON ticketing.audit_log
    FOR EACH ROW EXECUTE FUNCTION public.executor_skip();
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(1401, 16, 'nora');
DROP TRIGGER skip_all ON ticketing.audit_log;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 1401 AND ticket_id = 16;
SELECT count(*) AS audit_rows FROM ticketing.audit_log WHERE event_id = 1401 AND ticket_id = 16;
SELECT ticket_id, problem FROM ticketing.verify(1401);
-- Put the history right by hand, as a DBA would.
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (1401, 16, 'available', 'sold', 'nora');
DROP FUNCTION public.executor_skip();

-------------------------------------------------------------------------------
-- Generated columns are computed, rules are never bypassed: PostgreSQL refuses DO ALSO
-- rules on a data-modifying WITH (0A000), as it would for the hand-written statement.
-------------------------------------------------------------------------------
ALTER TABLE ticketing.tickets ADD COLUMN sold_label text
    GENERATED ALWAYS AS (CASE WHEN status = 'sold' THEN seat || ' (sold)' END) STORED;
SELECT outcome FROM ticketing.claim_ticket(1401, 17, 'otto');
SELECT outcome FROM ticketing.claim_batch(1402, ARRAY[ROW(8, 'otto', NULL)]::ticketing.claim_request[]);
SELECT event_id, ticket_id, sold_label FROM ticketing.tickets
 WHERE (event_id, ticket_id) IN ((1401, 17), (1401, 18), (1402, 8)) ORDER BY 1, 2;
ALTER TABLE ticketing.tickets DROP COLUMN sold_label;
CREATE RULE count_sales AS ON UPDATE TO ticketing.tickets
    DO ALSO INSERT INTO public.executor_seen VALUES ('rule', NEW.ticket_id, NEW.owner);
SELECT outcome FROM ticketing.claim_ticket(1401, 18, 'pia');
\echo :SQLSTATE
DROP RULE count_sales ON ticketing.tickets;
SELECT * FROM public.executor_seen WHERE what = 'rule';
DROP TABLE public.executor_seen;
DROP FUNCTION public.executor_note();

-- A hold that lapsed is sold by a batch and audited as coming from "held".
SELECT outcome FROM ticketing.hold_ticket(1402, 9, 'quinn', interval '1 second');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 1402 AND ticket_id = 9;
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(1402, ARRAY[
    (9, 'rosa', NULL), (10, 'rosa', NULL)]::ticketing.claim_request[]);
SELECT ticket_id, from_status, to_status, customer FROM ticketing.audit_log
 WHERE event_id = 1402 ORDER BY ticket_id, audit_id;

-- Everything sold is consistent.
SELECT count(*) FILTER (WHERE status = 'sold') AS sold,
       (SELECT count(*) FROM ticketing.audit_log WHERE event_id = 1401) AS audit_rows
  FROM ticketing.tickets WHERE event_id = 1401;
SELECT * FROM ticketing.verify() WHERE event_id IN (1401, 1402);
