--
-- 17_shard_identity: a node of a sharded cluster knows its index and the shard count
-- (set_shard), picks only event ids that belong to it, refuses others (TK004), and
-- verify() reports an event that does not belong to it. shard_of() is the partition
-- PL/Proxy's `RUN ON hashint8(event_id)` picks over a power-of-2 number of shards.
-- Runs in a database of its own, so the events of the other tests do not get in the way.
--
\set VERBOSITY terse
CREATE DATABASE regress_shard;
\c regress_shard
SET client_min_messages = warning;
CREATE EXTENSION ticketing;
RESET client_min_messages;
\i sql/include/try.sql

-- shard_of is hashint8 masked to the shard count.
SELECT bool_and(ticketing.shard_of(g, 4) = (hashint8(g) & 3)) AS same_as_plproxy,
       count(DISTINCT ticketing.shard_of(g, 4)) AS shards_used,
       min(ticketing.shard_of(g, 4)) AS lowest, max(ticketing.shard_of(g, 4)) AS highest
  FROM generate_series(1, 1000) g;
SELECT ticketing.shard_of(NULL, 2) IS NULL AS null_event_has_no_shard;

-- Bad arguments.
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.set_shard(NULL, 2)$$),
        (2, $$SELECT ticketing.set_shard(0, NULL)$$),
        (3, $$SELECT ticketing.set_shard(0, 3)$$),
        (4, $$SELECT ticketing.set_shard(0, 0)$$),
        (5, $$SELECT ticketing.set_shard(0, 2048)$$),
        (6, $$SELECT ticketing.set_shard(2, 2)$$),
        (7, $$SELECT ticketing.set_shard(-1, 2)$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;

-- A node without events becomes shard 1 of 2.
SELECT ticketing.set_shard(1, 2);
SELECT * FROM ticketing.shard_identity;
-- Without an id, create_event picks the next ones that belong here.
SELECT bool_and(ticketing.shard_of(ticketing.create_event('picked ' || g), 2) = 1)
           AS picked_ids_belong_here
  FROM generate_series(1, 10) g;
SELECT count(*) AS events FROM ticketing.events;
-- With an id: one that belongs here is taken; one that belongs to shard 0 is refused.
SELECT min(g) AS id_of_shard_0 FROM generate_series(1000, 1100) g WHERE ticketing.shard_of(g, 2) = 0 \gset
SELECT min(g) AS id_of_shard_1 FROM generate_series(1000, 1100) g WHERE ticketing.shard_of(g, 2) = 1 \gset
SELECT ticketing.create_event('mine', event_id => :id_of_shard_1) = :id_of_shard_1 AS taken;
SELECT ticketing.create_event('not mine', event_id => :id_of_shard_0);
\echo :LAST_ERROR_SQLSTATE
SELECT ticketing.add_tickets(:id_of_shard_1, 3);
SELECT outcome FROM ticketing.claim_ticket(:id_of_shard_1, 1, 'alice');
SELECT * FROM ticketing.verify();
-- An event that arrived some other way (a restore to the wrong node, say) is reported.
INSERT INTO ticketing.events (event_id, name) VALUES (:id_of_shard_0, 'misplaced');
SELECT problem, event_id = :id_of_shard_0 AS the_misplaced_one, detail LIKE 'the event belongs to shard 0 of 2; this node is shard 1' AS says_where
  FROM ticketing.verify();
-- And the node cannot claim to be another shard while it holds events of shard 1.
SELECT ticketing.set_shard(0, 2);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ticketing.events WHERE event_id = :id_of_shard_0;
-- Four shards: this node's events must all map to its new index.
SELECT ticketing.set_shard(1, 4);
\echo :LAST_ERROR_SQLSTATE
SELECT shard_index, shard_count FROM ticketing.shard_identity;

\c contrib_regression
DROP DATABASE regress_shard;
