-- ga_skip_locked: bench.ga_skip_locked() (bench/setup.sql): FOR UPDATE SKIP LOCKED LIMIT 1.
SELECT bench.ga_skip_locked(:e, 'c' || :client_id::text);
