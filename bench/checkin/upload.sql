-- An offline gate's upload: the next :batch scans of the upload queue in one
-- check_in_batch, each with its own time (bench/checkin/setup.sql); even client ids are
-- gate A, odd ones gate B. Two uploads run at once, so a later batch often commits first.
SELECT count(*) FILTER (WHERE r.outcome = 'admitted') AS admitted
  FROM (SELECT pg_catalog.nextval('bench_next_upload') - 1 AS b) up,
       LATERAL ticketing.check_in_batch(:e, ARRAY(
           SELECT ROW(q.code, CASE WHEN :client_id % 2 = 0 THEN 'A' ELSE 'B' END,
                      q.at)::ticketing.scan
             FROM bench_uploads q
            WHERE q.n > up.b * :batch AND q.n <= (up.b + 1) * :batch
            ORDER BY q.n)) r;
