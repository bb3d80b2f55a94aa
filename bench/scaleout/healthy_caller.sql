-- A buyer of an event on the healthy shard, through the same pgbouncer as the slow
-- shard's buyers.
\set t random(1, :sale_tickets)
SELECT outcome FROM ticketing.claim_ticket(:healthy_event, :t, 'h' || :client_id, wait => '250ms');
