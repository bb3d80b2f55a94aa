--
-- 23_retention_pooling: ticketing.idempotency_retention decides whether a retry is
-- recognised, so an application role must not change it on its (pooled) connection.
-- 11_idempotency refuses SET once the library is loaded; here the SET comes first, in
-- a fresh backend, while the parameter is still an unknown placeholder: the library
-- drops the value when it loads, and a retry two seconds later is still recognised.
--
\set VERBOSITY terse
SELECT ticketing.create_event('pooled retention', event_id => 2301);
SELECT ticketing.add_tickets(2301, 3);
CREATE ROLE regress_pooled_client;
GRANT USAGE ON SCHEMA ticketing TO regress_pooled_client;
GRANT EXECUTE ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text)
    TO regress_pooled_client;

-- A fresh backend, where the library is not loaded yet.
\c
SELECT count(*) AS retention_known FROM pg_settings WHERE name = 'ticketing.idempotency_retention';
SET ROLE regress_pooled_client;
SET ticketing.idempotency_retention = '1s';
SHOW ticketing.idempotency_retention;
-- The first call loads the library, which refuses the value the client set.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(2301, 1, 'pat', idempotency_key => 'order-1');
SHOW ticketing.idempotency_retention;
SELECT pg_sleep(1.5);
-- The retry is still recognised: the same answer, and the key refuses another request
-- (a forgotten key would have sold ticket 2 to the retry).
SELECT outcome, ticket_id FROM ticketing.claim_ticket(2301, 1, 'pat', idempotency_key => 'order-1');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(2301, 2, 'pat', idempotency_key => 'order-1');
\echo :LAST_ERROR_SQLSTATE
-- Loaded: every way to set it for the session, the transaction or the role is refused.
SET ticketing.idempotency_retention = '1s';
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SET LOCAL ticketing.idempotency_retention = '1s';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT set_config('ticketing.idempotency_retention', '1s', false);
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE regress_pooled_client SET ticketing.idempotency_retention = '1s';
\echo :LAST_ERROR_SQLSTATE
SHOW ticketing.idempotency_retention;

-- Again in a fresh backend, with set_config and ALTER ROLE before the library loads.
\c
SET ROLE regress_pooled_client;
ALTER ROLE regress_pooled_client SET ticketing.idempotency_retention = '1s';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('ticketing.idempotency_retention', '1s', false);
SELECT outcome, ticket_id FROM ticketing.claim_ticket(2301, 3, 'quinn');
SHOW ticketing.idempotency_retention;
RESET ROLE;
SELECT count(*) AS role_settings
  FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE r.rolname = 'regress_pooled_client';

SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2301 ORDER BY ticket_id;
SELECT ticket_id, to_status, customer FROM ticketing.audit_log WHERE event_id = 2301 ORDER BY audit_id;
SELECT * FROM ticketing.verify(2301);
DROP OWNED BY regress_pooled_client;
DROP ROLE regress_pooled_client;
