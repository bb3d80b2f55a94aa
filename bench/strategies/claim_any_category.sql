-- claim_any_category: claim_any of one category (A, B or C, at random) of an event whose
-- tickets are a third of each (workloads quotas and noquotas). A buyer whose category a
-- quota refuses (quota_exhausted) asks for the next one, then the third: so every request
-- can sell until the last unit of the quotas, as in anyseat until the last ticket.
\set k random(1, 3)
SELECT (outcome = 'quota_exhausted')::int AS refused
  FROM ticketing.claim_any(:e, 'c' || :client_id::text, category => (ARRAY['A', 'B', 'C'])[:k]) \gset
\if :refused
\set k 1 + :k % 3
SELECT (outcome = 'quota_exhausted')::int AS refused
  FROM ticketing.claim_any(:e, 'c' || :client_id::text, category => (ARRAY['A', 'B', 'C'])[:k]) \gset
\if :refused
\set k 1 + :k % 3
SELECT outcome
  FROM ticketing.claim_any(:e, 'c' || :client_id::text, category => (ARRAY['A', 'B', 'C'])[:k]);
\endif
\endif
