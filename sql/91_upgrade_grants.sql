-- Upgrading 1.0 -> 1.1 keeps an application role's EXECUTE grants on the functions
-- whose signature changed, and the 1.1 library serves a 1.0 schema until the update
-- (limits, a 1.1 feature, are not enforced before it).
DROP EXTENSION ticketing;
CREATE EXTENSION ticketing VERSION '1.0';
CREATE ROLE regress_upgrade_app;
GRANT USAGE ON SCHEMA ticketing TO regress_upgrade_app;
GRANT EXECUTE ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text),
                          ticketing.release_ticket(bigint, bigint, text)
   TO regress_upgrade_app;

SELECT ticketing.create_event('Before the update', per_customer_limit => 1, event_id => 9101);
SELECT ticketing.add_tickets(9101, 3);
SET ROLE regress_upgrade_app;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(9101, 1, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(9101, 2, 'alice');
RESET ROLE;

ALTER EXTENSION ticketing UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'ticketing';
SELECT p.oid::regprocedure AS function,
       has_function_privilege('regress_upgrade_app', p.oid, 'EXECUTE') AS app_can_execute
  FROM pg_proc p
 WHERE p.pronamespace = 'ticketing'::regnamespace
   AND p.proname IN ('claim_ticket', 'release_ticket', 'claim_any')
 ORDER BY 1::text COLLATE "C";

SET ROLE regress_upgrade_app;
-- 1.1 enforces the limit: alice already has two.
SELECT outcome FROM ticketing.claim_ticket(9101, 3, 'alice');
SELECT outcome FROM ticketing.release_ticket(9101, 2, 'alice', idempotency_key => 'refund-2');
SELECT outcome FROM ticketing.claim_ticket(9101, 3, 'bob');
RESET ROLE;
SELECT * FROM ticketing.verify_tickets(9101);
-- And on to 1.2: the grants stay.
ALTER EXTENSION ticketing UPDATE TO '1.2';
SELECT p.oid::regprocedure AS function,
       has_function_privilege('regress_upgrade_app', p.oid, 'EXECUTE') AS app_can_execute
  FROM pg_proc p
 WHERE p.pronamespace = 'ticketing'::regnamespace
   AND p.proname IN ('claim_ticket', 'release_ticket', 'claim_any')
 ORDER BY 1::text COLLATE "C";
SET ROLE regress_upgrade_app;
SELECT outcome FROM ticketing.claim_ticket(9101, 2, 'carol');
RESET ROLE;

DROP EXTENSION ticketing;
DROP OWNED BY regress_upgrade_app;
DROP ROLE regress_upgrade_app;
CREATE EXTENSION ticketing;
