-- claim_ticket: the extension.
\set t random(1, :n)
SELECT outcome FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id::text);
