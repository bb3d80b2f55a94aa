-- claim_ticket_x4_txn: 4 claim_ticket calls of random seats in one transaction (one
-- commit for up to 4 tickets; a seat already sold is answered and skipped).
\set t1 random(1, :n)
\set t2 random(1, :n)
\set t3 random(1, :n)
\set t4 random(1, :n)
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(:e, :t1, 'c' || :client_id::text);
SELECT outcome FROM ticketing.claim_ticket(:e, :t2, 'c' || :client_id::text);
SELECT outcome FROM ticketing.claim_ticket(:e, :t3, 'c' || :client_id::text);
SELECT outcome FROM ticketing.claim_ticket(:e, :t4, 'c' || :client_id::text);
COMMIT;
