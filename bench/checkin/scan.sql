-- One scan at a gate: the next code of the queue (bench/checkin/setup.sql). Clients with
-- an even id are gate A, odd ones gate B, so a duplicate often arrives at the other gate.
SELECT c.outcome
  FROM bench_scans s,
       LATERAL ticketing.check_in(:e, s.code, CASE WHEN :client_id % 2 = 0 THEN 'A' ELSE 'B' END) c
 WHERE s.n = (SELECT pg_catalog.nextval('bench_next_scan'));
