-- claim_batch: the extension, :batch requests per call (one transaction, one commit).
-- Ticket ids are random in 1..:n, or NULL ("any seat") when :any = 1.
SELECT count(*) FILTER (WHERE outcome = 'claimed') AS claimed
  FROM ticketing.claim_batch(:e, ARRAY(
       SELECT ROW(CASE WHEN :any = 1 THEN NULL
                       ELSE 1 + floor(random() * :n)::bigint END,
                  'c' || :client_id::text, NULL)::ticketing.claim_request
         FROM generate_series(1, :batch)));
