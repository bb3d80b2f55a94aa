-- claim_batch of 100 consecutive seats in one sale event, one customer per seat: the
-- routing cost shared by 100 claims (the report divides by 100).
\set e random(1, :sale_events)
\set t random(1, :sale_tickets - 99)
SELECT count(*) FROM ticketing.claim_batch(:e, ARRAY(
    SELECT ROW(g, 'c' || :client_id || '-' || g, NULL)::ticketing.claim_request
      FROM generate_series(:t, :t + 99) AS g));
