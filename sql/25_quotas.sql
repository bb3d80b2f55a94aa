--
-- 25_quotas: price categories and shared quotas (issue 18). A ticket counts in every
-- quota that covers its category; a sale or hold that would take a quota past its size
-- answers quota_exhausted (naming the quota) and changes nothing; a release, refund,
-- lapsed hold or abandoned cart gives the unit back. verify() checks every quota.
--
\set VERBOSITY terse
SELECT ticketing.create_event('Quotas', event_id => 2501);
-- Venue of 4 covering VIP and Standard; Student has its own quota of 2 inside the venue.
SELECT ticketing.add_tickets(2501, 3, seat_prefix => 'VIP-', category => 'VIP');
SELECT ticketing.add_tickets(2501, 3, seat_prefix => 'STD-', category => 'Standard');
SELECT ticketing.add_tickets(2501, 3, seat_prefix => 'STU-', category => 'Student');
SELECT ticketing.add_tickets(2501, ARRAY['BAL-1', 'BAL-2'], category => 'Balcony');
SELECT * FROM ticketing.category_summary(2501);
SELECT ticketing.create_quota(2501, 'venue', 4, ARRAY['VIP', 'Standard', 'Student']) > 0 AS venue;
SELECT ticketing.create_quota(2501, 'students', 2, ARRAY['Student']) > 0 AS students;
SELECT * FROM ticketing.quota_summary(2501);
SELECT quota_count FROM ticketing.events WHERE event_id = 2501;

-- Every path that adds a ticket takes units; the fifth ticket of the venue is refused.
SELECT outcome, ticket_id, quota FROM ticketing.claim_ticket(2501, 1, 'a');          -- VIP
SELECT outcome, ticket_id, quota FROM ticketing.hold_ticket(2501, 4, 'b');           -- Standard
SELECT outcome, ticket_ids, quota FROM ticketing.claim_tickets(2501, ARRAY[7], 'c'); -- Student
SELECT outcome, cardinality(ticket_ids) AS tickets, quota
  FROM ticketing.claim_any(2501, 'd', category => 'Student');
-- claim_any picks at random: the student ticket it left.
SELECT min(ticket_id) AS free_student FROM ticketing.tickets
 WHERE event_id = 2501 AND category = 'Student' AND status = 'available' \gset
SELECT outcome, ticket_id, quota FROM ticketing.claim_ticket(2501, 2, 'e');
SELECT outcome, cardinality(ticket_ids) AS tickets, quota
  FROM ticketing.claim_any(2501, 'e', category => 'VIP');
SELECT request_no, outcome, quota FROM ticketing.claim_batch(2501, ARRAY[
    ROW(3, 'f', NULL, NULL, NULL), ROW(NULL, 'f', NULL, 'Standard', NULL),
    ROW(10, 'f', NULL, NULL, NULL)]::ticketing.batch_request[]);
-- Balcony is not covered: it sells.
SELECT outcome, ticket_id, quota FROM ticketing.claim_ticket(2501, 11, 'g');
-- A third student ticket would break the students quota first.
SELECT outcome, ticket_id FROM ticketing.release_ticket(2501, 1, 'a');
SELECT outcome, quota FROM ticketing.claim_ticket(2501, :free_student, 'h');
SELECT * FROM ticketing.quota_summary(2501);
SELECT * FROM ticketing.verify(2501);
SELECT pg_catalog.sum(remaining) AS venue_units_left
  FROM ticketing.quota_stripes s JOIN ticketing.quotas q USING (event_id, quota_id)
 WHERE q.event_id = 2501 AND q.name = 'venue';

-- A release gives the unit back; so does a released hold and an expired one.
SELECT outcome FROM ticketing.release_hold(2501, 4, 'b');
SELECT outcome, ticket_id, quota FROM ticketing.claim_ticket(2501, 2, 'e');
SELECT outcome, ticket_id FROM ticketing.hold_ticket(2501, 5, 'i', interval '1 hour');
-- The hold lapses (moved into the past, as hold_expiry_vs_confirm.spec does).
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 2501 AND ticket_id = 5;
SELECT * FROM ticketing.quota_summary(2501);
-- The venue is full but for the lapsed hold: a claim of another ticket reclaims its unit.
SELECT outcome, ticket_id, quota FROM ticketing.claim_ticket(2501, 6, 'j');
SELECT ticket_id, status FROM ticketing.tickets WHERE event_id = 2501 AND ticket_id IN (5, 6);
SELECT * FROM ticketing.verify(2501);

-- Resizing: never below what is sold and held (23514); larger, and sales go on.
SELECT ticketing.resize_quota(2501, 'venue', 3);
\echo :SQLSTATE
SELECT ticketing.resize_quota(2501, 'venue', 6);
SELECT outcome, ticket_id, quota FROM ticketing.claim_ticket(2501, 5, 'k');
SELECT * FROM ticketing.quota_summary(2501);
-- A quota that would start exceeded is refused; a dropped quota no longer counts.
SELECT ticketing.create_quota(2501, 'tiny', 0, ARRAY['VIP']);
\echo :SQLSTATE
SELECT ticketing.drop_quota(2501, 'students');
SELECT outcome, quota FROM ticketing.claim_ticket(2501, :free_student, 'h');
SELECT quota_count FROM ticketing.events WHERE event_id = 2501;
SELECT * FROM ticketing.verify(2501);

-- Bad input: clear SQLSTATEs.
SELECT ticketing.create_quota(2501, NULL, 1, ARRAY['VIP']);
\echo :SQLSTATE
SELECT ticketing.create_quota(2501, 'x', -1, ARRAY['VIP']);
\echo :SQLSTATE
SELECT ticketing.create_quota(2501, 'x', 1, ARRAY[]::text[]);
\echo :SQLSTATE
SELECT ticketing.create_quota(2501, 'x', 1, ARRAY['']);
\echo :SQLSTATE
SELECT ticketing.create_quota(2501, 'x', 1, ARRAY['VIP'], stripes => 0);
\echo :SQLSTATE
SELECT ticketing.create_quota(2501, 'venue', 1, ARRAY['VIP']);
\echo :SQLSTATE
SELECT ticketing.create_quota(999999, 'x', 1, ARRAY['VIP']);
\echo :SQLSTATE
SELECT ticketing.resize_quota(2501, 'nope', 1);
\echo :SQLSTATE
SELECT ticketing.drop_quota(2501, 'nope');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_any(2501, 'x', category => '');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_any(2501, 'x', category => repeat('c', 101));
\echo :SQLSTATE
SELECT ticketing.add_tickets(2501, 1, category => '');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_batch(2501, ARRAY[ROW(1, 'x', NULL, 'VIP', NULL)]::ticketing.batch_request[]);
\echo :SQLSTATE

-- A quota on a category with no tickets yet, then tickets loaded into it: they count.
SELECT ticketing.create_quota(2501, 'late', 1, ARRAY['Late']) > 0 AS late;
SELECT ticketing.add_tickets(2501, 2, seat_prefix => 'LATE-', category => 'Late');
SELECT outcome, cardinality(ticket_ids) AS tickets, quota
  FROM ticketing.claim_any(2501, 'l', 2, category => 'Late');
SELECT outcome, cardinality(ticket_ids) AS tickets, quota
  FROM ticketing.claim_any(2501, 'l', category => 'Late');
SELECT * FROM ticketing.category_summary(2501);
SELECT * FROM ticketing.verify(2501);

-- Any-seat walks for one category start at a random point of that category's own unsold
-- ids: 300 claims of the middle category of three (1,000 tickets each) spread over it
-- instead of piling onto its lowest ids (a start drawn from the whole event lands
-- outside the category two times in three and walks to its first unsold ticket).
SELECT ticketing.create_event('Category walks', event_id => 2502);
SELECT ticketing.add_tickets(2502, 1000, seat_prefix => 'L-', category => 'Low');
SELECT ticketing.add_tickets(2502, 1000, seat_prefix => 'M-', category => 'Mid');
SELECT ticketing.add_tickets(2502, 1000, seat_prefix => 'H-', category => 'High');
SELECT count(*) FILTER (WHERE r.outcome = 'claimed') AS claimed
  FROM generate_series(1, 300) i,
       LATERAL ticketing.claim_any(2502, 'walker-' || i, category => 'Mid') r;
SELECT count(*) FILTER (WHERE category = 'Mid') AS mid_sold,
       count(*) FILTER (WHERE category <> 'Mid') AS others_sold
  FROM ticketing.tickets WHERE event_id = 2502 AND status = 'sold';
-- Of the category's lowest 30 ids, not all sold (each is sold with odds of about 3 in 10).
SELECT count(*) < 30 AS spread_out
  FROM ticketing.tickets
 WHERE event_id = 2502 AND category = 'Mid' AND status = 'sold'
   AND ticket_id < (SELECT min(ticket_id) + 30 FROM ticketing.tickets
                     WHERE event_id = 2502 AND category = 'Mid');
