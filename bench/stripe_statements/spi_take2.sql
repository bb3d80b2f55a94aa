-- Through SPI: a take of each of two quotas, one statement each, then the sale (spi_functions.sql).
\set t random(1, 1000000)
\set s :client_id % 64
SELECT bench_spi.take2(:e, :q, :q2, :s, :t, 'c' || :client_id);
