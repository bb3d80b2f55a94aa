-- claim_any: the extension picks any available ticket of the event.
SELECT outcome FROM ticketing.claim_any(:e, 'c' || :client_id::text);
