-- plpgsql: bench.plpgsql_claim() (bench/setup.sql) does what claim_ticket does, in PL/pgSQL.
\set t random(1, :n)
SELECT bench.plpgsql_claim(:e, :t, 'c' || :client_id::text);
