-- A stream of bad requests (an empty customer) through the router, each caught by
-- public.attempt() so that pgbench goes on: with 1.2 each costs a shard error and so the
-- router's connection to the shard; with 1.3 the router refuses it itself.
\set e random(1, :sale_events)
\set t random(1, :sale_tickets)
SELECT public.attempt(:e, :t, '');
