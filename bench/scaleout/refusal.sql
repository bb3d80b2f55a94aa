-- A claim in a sold-out event: answered already_sold by the lock-free first look (no lock,
-- no write), the cheapest answer, so the one where routing weighs most.
\set e random(:sale_events + 1, :sale_events + 8)
\set t random(1, 1000)
SELECT outcome FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id, wait => '250ms');
