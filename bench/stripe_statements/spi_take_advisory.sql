-- Through SPI: a take that skips stripes by an advisory try-lock instead of a row lock, then the sale (spi_functions.sql).
\set t random(1, 1000000)
\set s :client_id % 64
SELECT bench_spi.take_advisory(:e, :q, :q2, :s, :t, 'c' || :client_id);
