-- The claim functions are SECURITY DEFINER without a SET search_path clause: every name
-- and operator in their statements is schema-qualified, so a caller's search_path
-- cannot slip its own objects into them. Here a schema with an "=" operator on text that
-- always says true and a "now()" that lies come first in the path.
SELECT ticketing.create_event('search_path', event_id => 9301);
SELECT ticketing.add_tickets(9301, 4);
CREATE SCHEMA regress_evil;
CREATE FUNCTION regress_evil.always_equal(text, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR regress_evil.= (LEFTARG = text, RIGHTARG = text,
                                PROCEDURE = regress_evil.always_equal);
CREATE FUNCTION regress_evil.now() RETURNS timestamptz
    LANGUAGE sql AS $$SELECT 'infinity'::timestamptz$$;
SET search_path = regress_evil, pg_catalog;

SELECT outcome, owner_is_you FROM ticketing.claim_ticket(9301, 1, 'alice');
-- With the rogue "=", bob would look like the owner.
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(9301, 1, 'bob');
SELECT outcome FROM ticketing.release_ticket(9301, 1, 'bob');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(9301, ARRAY[1], 'bob');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(9301, ARRAY[2], 'carol');
SELECT outcome, ticket_id FROM ticketing.claim_batch(9301, ARRAY[ROW(1, 'bob', NULL)]::ticketing.claim_request[]);
SELECT outcome FROM ticketing.hold_ticket(9301, 3, 'frank', interval '1 minute');
-- Ticket 4 is the only claimable one; a rogue now() would make frank's live hold on 3
-- look lapsed and claimable.
SELECT outcome, ticket_ids FROM ticketing.claim_any(9301, 'dave');
SELECT outcome, remaining FROM ticketing.claim_any(9301, 'erin');

RESET search_path;
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 9301 ORDER BY ticket_id;
SELECT * FROM ticketing.verify(9301);
-- The waiting list's walk, passing over an entry a second time for the same reason:
-- before 2026-12-08 that statement compared the reasons with IS DISTINCT FROM, whose
-- "=" the caller's search_path chose, and ran it as the extension's owner (a role with
-- only the README's grants made itself superuser that way). Here the caller's "=" fails
-- loudly if anything calls it.
SELECT ticketing.create_event('search_path list', per_customer_limit => 1, event_id => 9302);
SELECT ticketing.add_tickets(9302, 3);
SELECT outcome FROM ticketing.claim_ticket(9302, 1, 'alice');
SELECT outcome FROM ticketing.claim_ticket(9302, 2, 'bob');
SELECT outcome FROM ticketing.claim_ticket(9302, 3, 'carol');
SELECT ticketing.open_waitlist(9302);
SELECT outcome FROM ticketing.join_waitlist(9302, 'alice');
SELECT outcome FROM ticketing.release_ticket(9302, 2, 'bob');
DROP OPERATOR regress_evil.= (text, text);
CREATE FUNCTION regress_evil.loud_equal(text, text) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'the caller''s = ran as %', current_user; END$$;
CREATE OPERATOR regress_evil.= (LEFTARG = text, RIGHTARG = text,
                                PROCEDURE = regress_evil.loud_equal);
SET search_path = regress_evil, pg_catalog;
SELECT outcome FROM ticketing.release_ticket(9302, 3, 'carol');
RESET search_path;
SELECT customer, status, skipped_for FROM ticketing.waitlist(9302);
SELECT * FROM ticketing.verify(9302);
DROP SCHEMA regress_evil CASCADE;
