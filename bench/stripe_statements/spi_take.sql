-- Through SPI: a take of one quota (take_units' shape), then the sale (spi_functions.sql).
\set t random(1, 1000000)
\set s :client_id % 64
SELECT bench_spi.take(:e, :q, :q2, :s, :t, 'c' || :client_id);
