--
-- 27_waitlist: the waiting list (issue 19). Once an event's list is open, every ticket
-- that comes free is offered, in the transaction that freed it, to the earliest waiting
-- entries it fits, as a hold in the waiter's name; the scenarios of the ticket shops'
-- trackers, each with what it must do.
--
\set VERBOSITY terse
SELECT ticketing.create_event('Waiting list', per_customer_limit => 4, event_id => 2701);
SELECT ticketing.add_tickets(2701, 8, seat_prefix => 'A-');
-- A list is opened by the shop; joining a closed one says so.
SELECT outcome, entry_id FROM ticketing.join_waitlist(2701, 'early');
SELECT ticketing.open_waitlist(2701);
SELECT waitlist_open FROM ticketing.events WHERE event_id = 2701;
-- Sold out.
SELECT count(*) AS sold FROM generate_series(1, 8) i,
       LATERAL ticketing.claim_ticket(2701, i, 'buyer-' || i) r WHERE r.outcome = 'claimed';

-- Joining: place in line; joining again answers the entry as it stands.
SELECT outcome, entry_id > 0 AS has_entry, place, status FROM ticketing.join_waitlist(2701, 'wendy');
SELECT outcome, place, status FROM ticketing.join_waitlist(2701, 'xavier', quantity => 2);
SELECT outcome, place, status FROM ticketing.join_waitlist(2701, 'yolanda');
SELECT outcome, place, status FROM ticketing.join_waitlist(2701, 'wendy', quantity => 3);
SELECT outcome, place, status FROM ticketing.waitlist_position(2701, 'yolanda');
SELECT outcome, place FROM ticketing.waitlist_position(2701, 'nobody');

-- A refund: offered to the first entry it fits (wendy), in the refund's transaction,
-- as a hold in her name that lasts her offer_for (15 minutes by default).
BEGIN;
SELECT outcome, ticket_id FROM ticketing.release_ticket(2701, 3, 'buyer-3');
SELECT ticket_id, status, owner, hold_expires_at - now() AS offer_lasts
  FROM ticketing.tickets WHERE event_id = 2701 AND ticket_id = 3;
COMMIT;
SELECT customer, place, status, ticket_ids, bought FROM ticketing.waitlist(2701);
SELECT customer, ticket_ids, seats FROM ticketing.pending_offers(2701);
SELECT outcome, status, ticket_ids, offer_expires_at > now() AS open FROM ticketing.waitlist_position(2701, 'wendy');
-- Nobody else can take an offered ticket: it is held.
SELECT outcome FROM ticketing.claim_ticket(2701, 3, 'sneaky');
SELECT outcome FROM ticketing.claim_any(2701, 'sneaky');

-- Quantity 2 when 1 frees up: xavier (2) is passed over, yolanda (1) gets it; xavier
-- keeps his place. A ticket that fits nobody (7: xavier needs two) stays on sale; when a
-- second one comes free (yolanda declines hers, below), xavier gets both.
SELECT outcome FROM ticketing.release_ticket(2701, 5, 'buyer-5');
SELECT customer, place, status, ticket_ids FROM ticketing.waitlist(2701);
SELECT outcome, place FROM ticketing.join_waitlist(2701, 'zack');
SELECT outcome FROM ticketing.release_ticket(2701, 6, 'buyer-6');
SELECT customer, place, status, ticket_ids FROM ticketing.waitlist(2701);
SELECT outcome FROM ticketing.release_ticket(2701, 7, 'buyer-7');
SELECT customer, place, status, ticket_ids FROM ticketing.waitlist(2701);

-- The waiter confirms with confirm_hold: accepted.
SELECT outcome, ticket_id FROM ticketing.confirm_hold(2701, 3, 'wendy');
SELECT customer, status, bought FROM ticketing.waitlist(2701) WHERE customer = 'wendy';
-- Another declines (release_hold): the ticket goes on down the list (zack).
SELECT outcome FROM ticketing.release_hold(2701, 5, 'yolanda');
SELECT customer, place, status, ticket_ids FROM ticketing.waitlist(2701);

-- An offer that lapses passes on in the transaction that notices: a claim of one of
-- xavier's seats returns his lapsed offer to the list (the next entry, ruth, gets both)
-- and answers held; nobody outside the list gets a lapsed offer.
SELECT outcome, place FROM ticketing.join_waitlist(2701, 'ruth', quantity => 2);
-- (The clock is moved on by moving the offer's end back.)
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 second'
 WHERE event_id = 2701 AND ticket_id IN (5, 7);
UPDATE ticketing.waitlist_entries SET offer_expires_at = now() - interval '1 second'
 WHERE event_id = 2701 AND customer = 'xavier';
SELECT outcome FROM ticketing.claim_ticket(2701, 5, 'sneaky');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2701 AND ticket_id IN (5, 7) ORDER BY 1;
SELECT customer, place, status, ticket_ids FROM ticketing.waitlist(2701);
-- expire_holds() notices too: the lapsed offer goes to the next entry (sam).
SELECT outcome, place FROM ticketing.join_waitlist(2701, 'sam', quantity => 2);
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 second'
 WHERE event_id = 2701 AND ticket_id IN (5, 7);
UPDATE ticketing.waitlist_entries SET offer_expires_at = now() - interval '1 second'
 WHERE event_id = 2701 AND customer = 'ruth';
SELECT ticketing.expire_holds(2701) AS returned;
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2701 AND ticket_id IN (5, 7) ORDER BY 1;
SELECT customer, status, ticket_ids FROM ticketing.waitlist(2701) WHERE customer IN ('xavier', 'ruth', 'sam');
-- A lapsed ordinary hold is not claimable either: claim_any returns it to the list
-- first (tina), then finds nothing.
SELECT outcome FROM ticketing.release_ticket(2701, 8, 'buyer-8');
SELECT outcome FROM ticketing.hold_ticket(2701, 8, 'holder');
SELECT outcome, place FROM ticketing.join_waitlist(2701, 'tina');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 second'
 WHERE event_id = 2701 AND ticket_id = 8;
SELECT outcome, ticket_ids FROM ticketing.claim_any(2701, 'sneaky');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2701 AND ticket_id = 8;

-- Leaving with an open offer gives it up: the tickets go on (nobody is waiting: back
-- on sale).
SELECT outcome, status, ticket_ids FROM ticketing.leave_waitlist(2701, 'tina');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 2701 AND ticket_id = 8;
SELECT outcome FROM ticketing.leave_waitlist(2701, 'tina');
-- Joining again after a finished offer makes a new entry; tickets free at join time are
-- offered at once (ticket 8 to wendy).
SELECT outcome, status, ticket_ids FROM ticketing.join_waitlist(2701, 'wendy');
SELECT customer, status, ticket_ids FROM ticketing.waitlist(2701) WHERE customer = 'wendy';
SELECT outcome, place FROM ticketing.join_waitlist(2701, 'ursula');
SELECT * FROM ticketing.verify(2701);

-------------------------------------------------------------------------------
-- A group of 4 together when 2 + 2 free up apart; then 4 adjacent.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Groups', event_id => 2702);
SELECT ticketing.add_tickets(2702, ARRAY['R1-1', 'R1-2', 'R1-3', 'R1-4', 'R1-5', 'R1-6',
                                        'R2-1', 'R2-2', 'R2-3', 'R2-4', 'R2-5', 'R2-6']);
SELECT ticketing.open_waitlist(2702);
SELECT count(*) AS sold FROM generate_series(1, 12) i,
       LATERAL ticketing.claim_ticket(2702, i, 'fan-' || i) r WHERE r.outcome = 'claimed';
SELECT outcome, place FROM ticketing.join_waitlist(2702, 'group', quantity => 4, together => true);
-- R1-1, R1-2 and R2-5, R2-6 come free: 2 + 2 apart, four seats but not together. The
-- group is not offered them (they stay on sale).
SELECT outcome FROM ticketing.release_ticket(2702, 1, 'fan-1');
SELECT outcome FROM ticketing.release_ticket(2702, 2, 'fan-2');
SELECT outcome FROM ticketing.release_ticket(2702, 11, 'fan-11');
SELECT outcome FROM ticketing.release_ticket(2702, 12, 'fan-12');
SELECT customer, place, status, ticket_ids FROM ticketing.waitlist(2702);
SELECT ticket_id, status FROM ticketing.tickets WHERE event_id = 2702 AND status <> 'sold' ORDER BY 1;
-- R1-3 comes free: still no four together. R1-4: R1-1 to R1-4 are, and the group gets
-- them together.
SELECT outcome FROM ticketing.release_ticket(2702, 3, 'fan-3');
SELECT customer, place, status FROM ticketing.waitlist(2702);
SELECT outcome FROM ticketing.release_ticket(2702, 4, 'fan-4');
SELECT customer, place, status, cardinality(ticket_ids) AS tickets FROM ticketing.waitlist(2702);
SELECT t.seat FROM ticketing.tickets t, ticketing.waitlist_entries w
 WHERE w.event_id = 2702 AND w.customer = 'group' AND t.event_id = 2702
   AND t.ticket_id = ANY (w.offered_ticket_ids) ORDER BY t.ticket_id;
SELECT * FROM ticketing.verify(2702);

-------------------------------------------------------------------------------
-- A waiter at their per-customer limit is passed over, and the entry says why; tickets
-- a quota has no room for are not on sale, so they are offered to nobody; tickets added
-- and a quota raised are offered.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Limits', per_customer_limit => 2, event_id => 2703);
SELECT ticketing.add_tickets(2703, 4, category => 'Stalls');
SELECT ticketing.add_tickets(2703, 2, seat_prefix => 'B-', category => 'Balcony');
SELECT ticketing.create_quota(2703, 'balcony', 1, ARRAY['Balcony']) > 0 AS quota;
SELECT ticketing.open_waitlist(2703);
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2703, ARRAY[1, 2], 'max');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2703, ARRAY[3, 4], 'other');
SELECT outcome FROM ticketing.claim_ticket(2703, 5, 'bal');
SELECT outcome, place FROM ticketing.join_waitlist(2703, 'max');
SELECT outcome, place FROM ticketing.join_waitlist(2703, 'nina', category => 'Stalls');
SELECT outcome, place FROM ticketing.join_waitlist(2703, 'oscar', category => 'Balcony');
-- max is at the limit: the released Stalls ticket passes him over to nina.
SELECT outcome FROM ticketing.release_ticket(2703, 3, 'other');
SELECT customer, place, status, skipped_for FROM ticketing.waitlist(2703);
-- Balcony ticket 6 is available but the balcony quota (1) is used up: oscar waits, and
-- nobody was passed over for it.
SELECT outcome, quota FROM ticketing.claim_ticket(2703, 6, 'someone');
-- Raising the quota makes room: ticket 6 is offered to oscar.
SELECT ticketing.resize_quota(2703, 'balcony', 2);
SELECT customer, place, status, ticket_ids FROM ticketing.waitlist(2703);
-- Tickets added are offered (max, still at his limit, is passed over again).
SELECT outcome, place FROM ticketing.join_waitlist(2703, 'pia');
SELECT ticketing.add_tickets(2703, 1, seat_prefix => 'N-', category => 'Stalls');
SELECT customer, place, status, skipped_for FROM ticketing.waitlist(2703);
-- close_waitlist: waiting entries are closed; joining answers waitlist_closed.
SELECT ticketing.close_waitlist(2703) AS closed;
SELECT outcome FROM ticketing.join_waitlist(2703, 'late');
SELECT customer, status FROM ticketing.waitlist(2703);
SELECT * FROM ticketing.verify(2703);

-------------------------------------------------------------------------------
-- A quota that two categories share, with one unit left: a free ticket of each counts,
-- but an entry for two of any category cannot have both (the quota refuses): it is
-- passed over and says why, and the next entry, for one, is offered.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Shared quota', event_id => 2705);
SELECT ticketing.add_tickets(2705, 2, category => 'A');
SELECT ticketing.add_tickets(2705, 2, seat_prefix => 'B-', category => 'B');
SELECT ticketing.create_quota(2705, 'shared', 3, ARRAY['A', 'B']) > 0 AS quota;
SELECT ticketing.open_waitlist(2705);
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(2705, ARRAY[1, 3], 'early');
SELECT quota, sold, available FROM ticketing.quota_summary(2705);
SELECT outcome, place FROM ticketing.join_waitlist(2705, 'pair', 2);
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.join_waitlist(2705, 'single');
SELECT customer, place, status, cardinality(ticket_ids) AS tickets, skipped_for
  FROM ticketing.waitlist(2705);
SELECT * FROM ticketing.verify(2705);

-------------------------------------------------------------------------------
-- An abandoned cart's seats go down the list.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Carts and lists', event_id => 2704);
SELECT ticketing.add_tickets(2704, 2);
SELECT ticketing.open_waitlist(2704);
SELECT token AS cart FROM ticketing.open_cart(2704, 'carter') \gset
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(2704, 'carter', 2, cart => :'cart');
SELECT outcome, place FROM ticketing.join_waitlist(2704, 'vera');
SELECT outcome FROM ticketing.abandon_cart(2704, :'cart', 'carter');
SELECT customer, status, cardinality(ticket_ids) AS tickets FROM ticketing.waitlist(2704);

-------------------------------------------------------------------------------
-- Bad input.
-------------------------------------------------------------------------------
SELECT * FROM ticketing.join_waitlist(NULL, 'x');
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(0, 'x');
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, '');
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', quantity => 0);
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', quantity => 101);
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', quantity => NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', category => '');
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', together => NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', offer_for => NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', offer_for => interval '30 seconds');
\echo :SQLSTATE
SELECT * FROM ticketing.join_waitlist(2701, 'x', offer_for => interval '8 days');
\echo :SQLSTATE
SELECT * FROM ticketing.leave_waitlist(2701, NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.waitlist_position(-1, 'x');
\echo :SQLSTATE
SELECT ticketing.offer_waitlist(999999);
\echo :SQLSTATE
SELECT ticketing.open_waitlist(999999);
\echo :SQLSTATE
SELECT outcome FROM ticketing.join_waitlist(999999, 'x');
