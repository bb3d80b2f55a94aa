-- One sale: the next ticket of the claim queue, as bench/checkin/scan.sql takes the next
-- code (the same one-row lookup around the call).
SELECT c.outcome
  FROM bench_claims q,
       LATERAL ticketing.claim_ticket(:e, q.ticket_id, 'buyer-' || q.n) c
 WHERE q.n = (SELECT pg_catalog.nextval('bench_next_claim'));
