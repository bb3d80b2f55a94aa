-- A claim of a random seat in one of the sale events: nearly always a sale (the inventory
-- is large), the wait bounded so contention answers busy instead of an error.
\set e random(1, :sale_events)
\set t random(1, :sale_tickets)
SELECT outcome FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id, wait => '250ms');
