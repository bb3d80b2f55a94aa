-- Through SPI: the same for two quotas (spi_functions.sql).
\set t random(1, 1000000)
\set s :client_id % 64
SELECT bench_spi.take2_advisory(:e, :q, :q2, :s, :t, 'c' || :client_id);
