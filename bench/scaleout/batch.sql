-- claim_batch of 20 consecutive seats in one sale event, one customer per seat: one routed
-- call carries 20 claims, so the routing cost is shared by 20 (the report divides by 20).
\set e random(1, :sale_events)
\set t random(1, :sale_tickets - 19)
SELECT count(*) FROM ticketing.claim_batch(:e, ARRAY(
    SELECT ROW(g, 'c' || :client_id || '-' || g, NULL)::ticketing.claim_request
      FROM generate_series(:t, :t + 19) AS g));
