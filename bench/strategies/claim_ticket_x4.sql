-- claim_ticket_x4: 4 claim_ticket calls of random seats, each its own transaction (4
-- commits for up to 4 tickets).
\set t random(1, :n)
SELECT outcome FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id::text);
\set t random(1, :n)
SELECT outcome FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id::text);
\set t random(1, :n)
SELECT outcome FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id::text);
\set t random(1, :n)
SELECT outcome FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id::text);
