-- A buyer of the slow shard's event (its sales sleep in a trigger), the answer or the
-- error kept by public.attempt_noted(), so that pgbench goes on after a timeout.
\set t random(1, :sale_tickets)
SELECT public.attempt_noted(:slow_event, :t, 's' || :client_id);
