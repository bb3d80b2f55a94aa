-- bench/checkin/claim_setup.sql: the baseline's event, S tickets for sale, and a queue of
-- S claims of them in random order (psql -v claim_event=E -v scans=S).
\set ON_ERROR_STOP on
\set VERBOSITY terse
SELECT ticketing.create_event('claim baseline', event_id => :claim_event);
SELECT ticketing.add_tickets(:claim_event, :scans);
DROP TABLE IF EXISTS bench_claims;
CREATE UNLOGGED TABLE bench_claims (n bigint PRIMARY KEY, ticket_id bigint NOT NULL);
INSERT INTO bench_claims
SELECT row_number() OVER (ORDER BY random()), g FROM generate_series(1, :scans) g;
DROP SEQUENCE IF EXISTS bench_next_scan, bench_next_claim, bench_next_upload;
CREATE SEQUENCE bench_next_scan;
CREATE SEQUENCE bench_next_claim;
CREATE SEQUENCE bench_next_upload;
VACUUM ANALYZE bench_claims, ticketing.tickets;
CHECKPOINT;
