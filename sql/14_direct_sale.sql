--
-- 14_direct_sale: claim_ticket sells an available ticket straight through the
-- table-access API (no statement), and stays honest about what a statement would do:
-- CHECK constraints a DBA adds are enforced, audit_log columns get their defaults,
-- and with a trigger or rule on either table the sale goes through a statement, so the
-- trigger fires.
--
\set VERBOSITY terse

SELECT ticketing.create_event('Direct sale', event_id => 1401);
SELECT ticketing.add_tickets(1401, 10);

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

-- A CHECK constraint added by a DBA holds: the sale fails with 23514, nothing changes.
ALTER TABLE ticketing.tickets
    ADD CONSTRAINT tickets_no_banned CHECK (owner IS DISTINCT FROM 'banned');
SELECT outcome FROM ticketing.claim_ticket(1401, 2, 'banned');
\echo :SQLSTATE
SELECT status, owner FROM ticketing.tickets WHERE event_id = 1401 AND ticket_id = 2;
SELECT outcome FROM ticketing.claim_ticket(1401, 2, 'carol');
ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_no_banned;

-- A column added to audit_log gets its default; a dropped one is skipped.
ALTER TABLE ticketing.audit_log ADD COLUMN channel text NOT NULL DEFAULT 'box office';
SELECT outcome FROM ticketing.claim_ticket(1401, 3, 'dave');
SELECT customer, channel FROM ticketing.audit_log WHERE event_id = 1401 AND ticket_id = 3;
ALTER TABLE ticketing.audit_log DROP COLUMN channel;
SELECT outcome FROM ticketing.claim_ticket(1401, 4, 'erin');
SELECT customer, to_status FROM ticketing.audit_log WHERE event_id = 1401 AND ticket_id = 4;

-- Triggers fire: a BEFORE UPDATE trigger that changes the row, an AFTER UPDATE
-- trigger on tickets and an AFTER INSERT trigger on audit_log.
CREATE TABLE public.direct_sale_seen (what text, ticket_id bigint, owner text);
CREATE FUNCTION public.direct_sale_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_WHEN = 'BEFORE' THEN
        NEW.seat := NEW.seat || ' (sold)';
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'tickets' THEN
        INSERT INTO public.direct_sale_seen VALUES ('tickets ' || TG_OP, NEW.ticket_id, NEW.owner);
    ELSE
        INSERT INTO public.direct_sale_seen VALUES ('audit_log ' || TG_OP, NEW.ticket_id, NEW.customer);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER shout BEFORE UPDATE ON ticketing.tickets
    FOR EACH ROW EXECUTE FUNCTION public.direct_sale_note();
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(1401, 5, 'frank');
SELECT seat, owner FROM ticketing.tickets WHERE event_id = 1401 AND ticket_id = 5;
DROP TRIGGER shout ON ticketing.tickets;
CREATE TRIGGER noted AFTER UPDATE ON ticketing.tickets
    FOR EACH ROW EXECUTE FUNCTION public.direct_sale_note();
SELECT outcome FROM ticketing.claim_ticket(1401, 6, 'grace');
DROP TRIGGER noted ON ticketing.tickets;
CREATE TRIGGER noted AFTER INSERT ON ticketing.audit_log
    FOR EACH ROW EXECUTE FUNCTION public.direct_sale_note();
SELECT outcome FROM ticketing.claim_ticket(1401, 7, 'heidi');
DROP TRIGGER noted ON ticketing.audit_log;
SELECT outcome FROM ticketing.claim_ticket(1401, 8, 'ivan'); -- no trigger: not seen
SELECT * FROM public.direct_sale_seen ORDER BY ticket_id;

-- claim_batch takes the same two paths: with the AFTER UPDATE trigger its sales go
-- through a statement and the trigger sees each of them; without, straight through.
SELECT ticketing.create_event('Direct sale, batches', event_id => 1402);
SELECT ticketing.add_tickets(1402, 6);
CREATE TRIGGER noted AFTER UPDATE ON ticketing.tickets
    FOR EACH ROW EXECUTE FUNCTION public.direct_sale_note();
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(1402, ARRAY[
    (1, 'kim', NULL), (2, 'lee', NULL), (1, 'max', NULL)]::ticketing.claim_request[]);
DROP TRIGGER noted ON ticketing.tickets;
SELECT * FROM public.direct_sale_seen WHERE ticket_id IN (1, 2) AND what = 'tickets UPDATE'
 ORDER BY ticket_id;
-- A hold that lapsed is sold by the batch and audited as coming from "held".
SELECT outcome FROM ticketing.hold_ticket(1402, 3, 'nia', interval '1 second');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 1402 AND ticket_id = 3;
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(1402, ARRAY[
    (3, 'oto', NULL), (4, 'oto', NULL), (5, 'pia', NULL)]::ticketing.claim_request[]);
SELECT ticket_id, from_status, to_status, customer FROM ticketing.audit_log
 WHERE event_id = 1402 ORDER BY audit_id;
SELECT ticket_id, status, owner, hold_expires_at FROM ticketing.tickets
 WHERE event_id = 1402 ORDER BY ticket_id;

-- A rule on tickets is never bypassed: the sale goes to the statement, and PostgreSQL
-- refuses DO ALSO rules on a data-modifying WITH (0A000), so the claim fails loudly
-- instead of selling without the rule.
CREATE RULE count_sales AS ON UPDATE TO ticketing.tickets
    DO ALSO INSERT INTO public.direct_sale_seen VALUES ('rule', NEW.ticket_id, NEW.owner);
SELECT outcome FROM ticketing.claim_ticket(1401, 9, 'judy');
\echo :SQLSTATE
DROP RULE count_sales ON ticketing.tickets;
SELECT * FROM public.direct_sale_seen WHERE what = 'rule';

DROP TABLE public.direct_sale_seen;
DROP FUNCTION public.direct_sale_note();

-- The direct reads probe the primary keys by column position. A primary key redefined
-- by hand (here with its columns swapped) is refused with 55000, not misread.
BEGIN;
ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_pkey;
ALTER TABLE ticketing.tickets ADD PRIMARY KEY (ticket_id, event_id);
SELECT outcome FROM ticketing.claim_ticket(1401, 10, 'kay');
\echo :SQLSTATE
ROLLBACK;
SELECT outcome FROM ticketing.claim_ticket(1401, 10, 'kay');

-- Everything sold is consistent.
SELECT count(*) FILTER (WHERE status = 'sold') AS sold,
       (SELECT count(*) FROM ticketing.audit_log WHERE event_id = 1401) AS audit_rows
  FROM ticketing.tickets WHERE event_id = 1401;
SELECT * FROM ticketing.verify() WHERE event_id IN (1401, 1402);
