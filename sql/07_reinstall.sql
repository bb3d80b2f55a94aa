--
-- 07_reinstall: DROP EXTENSION and CREATE EXTENSION in one session. The C functions
-- keep their prepared plans for the life of the backend; after the tables are
-- recreated those plans must re-plan against the new ones, for every statement.
--
\set VERBOSITY terse

-- Warm up every kept plan in this backend: peek, the three lock variants, and the
-- transition (sale and release).
SELECT ticketing.create_event('Reinstall test, before', event_id => 701);
SELECT ticketing.add_tickets(701, 4);
SELECT outcome, ticket_id FROM ticketing.claim_ticket(701, 1, 'alice', wait => 'wait');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(701, 2, 'alice', wait => 'nowait');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(701, 3, 'alice', wait => 'skip');
SELECT outcome, ticket_id FROM ticketing.release_ticket(701, 3, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(701, 1, 'bob');

DROP EXTENSION ticketing;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'ticketing';
SELECT * FROM ticketing.claim_ticket(701, 4, 'alice');
\echo :SQLSTATE

CREATE EXTENSION ticketing;
SELECT extname, extversion FROM pg_extension WHERE extname = 'ticketing';
SELECT c.config::regclass AS dumped
  FROM pg_extension e, unnest(e.extconfig) AS c(config)
 WHERE e.extname = 'ticketing'
 ORDER BY c.config::regclass::text COLLATE "C";

-- The new tables start empty: the old inventory went with the old extension.
SELECT (SELECT count(*) FROM ticketing.events) AS events,
       (SELECT count(*) FROM ticketing.tickets) AS tickets,
       (SELECT count(*) FROM ticketing.audit_log) AS audit_rows;
SELECT * FROM ticketing.claim_ticket(701, 1, 'bob');

-- Same ids as before, new tables: every plan runs against them.
SELECT ticketing.create_event('Reinstall test, after', event_id => 701);
SELECT ticketing.add_tickets(701, 4);
SELECT outcome, ticket_id, seat, owner_is_you FROM ticketing.claim_ticket(701, 1, 'alice', wait => 'wait');
SELECT outcome, ticket_id, seat, owner_is_you FROM ticketing.claim_ticket(701, 2, 'alice', wait => 'nowait');
SELECT outcome, ticket_id, seat, owner_is_you FROM ticketing.claim_ticket(701, 3, 'alice', wait => 'skip');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(701, 1, 'alice');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(701, 1, 'bob');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(701, 3, 'bob');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.release_ticket(701, 3, 'alice');
SELECT * FROM ticketing.claim_ticket(701, 5, 'alice');

SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 701 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 701 ORDER BY audit_id;
SELECT * FROM ticketing.event_summary(701);
SELECT * FROM ticketing.verify();

-- Twice more in the same session, without warming up in between.
DROP EXTENSION ticketing;
CREATE EXTENSION ticketing;
DROP EXTENSION ticketing;
CREATE EXTENSION ticketing;
SELECT ticketing.create_event('Reinstall test, third', event_id => 702);
SELECT ticketing.add_tickets(702, 1);
SELECT outcome, event_id, ticket_id, seat, owner_is_you FROM ticketing.claim_ticket(702, 1, 'carol');
SELECT outcome, event_id, ticket_id FROM ticketing.claim_ticket(702, 1, 'dave', wait => 'nowait');
SELECT outcome, event_id, ticket_id FROM ticketing.release_ticket(702, 1, 'carol');
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log ORDER BY audit_id;
