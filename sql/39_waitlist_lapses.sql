--
-- 39_waitlist_lapses: waiting-list offers that lapse or are renewed (found by review;
-- each section failed on e8a6832):
-- 1. a hold the customer placed after their offer lapsed and came back was taken for the
--    offer (waitlist_position, pending_offers, waitlist(), join_waitlist, leave_waitlist);
-- The clock is moved on as 27_waitlist does: the offer's end is moved into the past.
--
\set VERBOSITY terse

-- Two tickets sold; alice (1) and bob (2, with `bob_quantity`) wait; ticket 1 is refunded
-- and offered to alice.
CREATE FUNCTION pg_temp.setup(ev bigint, tickets integer DEFAULT 2, bob_quantity integer DEFAULT 1,
                              per_customer_limit integer DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ticketing.create_event('lapses ' || ev, per_customer_limit => per_customer_limit,
                                 event_id => ev);
  PERFORM ticketing.add_tickets(ev, tickets, seat_prefix => 'S-');
  PERFORM ticketing.open_waitlist(ev);
  PERFORM ticketing.claim_ticket(ev, i, 'buyer' || i) FROM generate_series(1, tickets) i;
  PERFORM ticketing.join_waitlist(ev, 'alice');
  PERFORM ticketing.join_waitlist(ev, 'bob', quantity => bob_quantity);
  PERFORM ticketing.release_ticket(ev, 1, 'buyer1');
END $$;
-- alice's offer runs out (its hold and the entry's end moved into the past).
CREATE FUNCTION pg_temp.lapse(ev bigint, customer text DEFAULT 'alice') RETURNS void
LANGUAGE sql AS $$
  UPDATE ticketing.tickets t SET hold_expires_at = now() - interval '1 second'
   WHERE t.event_id = ev AND t.owner = customer AND t.status = 'held';
  UPDATE ticketing.waitlist_entries w SET offer_expires_at = now() - interval '1 second'
   WHERE w.event_id = ev AND w.customer = customer AND w.status = 'offered';
$$;
CREATE FUNCTION pg_temp.show(ev bigint) RETURNS TABLE (what text) LANGUAGE sql AS $$
  SELECT x.what FROM (
    SELECT 1 AS part, t.ticket_id AS id,
           format('ticket %s: %s %s%s', t.ticket_id, t.status, t.owner,
                  CASE WHEN t.hold_expires_at <= now() THEN ' (lapsed)' ELSE '' END) AS what
      FROM ticketing.tickets t WHERE t.event_id = ev AND t.status <> 'sold'
    UNION ALL
    SELECT 2, w.entry_id, format('entry %s: %s %s', w.customer, w.status, w.ticket_ids)
      FROM ticketing.waitlist(ev) w) x
   ORDER BY x.part, x.id
$$;
-- Whether customer's hold of ticket ends exactly when their entry's offer does.
CREATE FUNCTION pg_temp.ends_with_offer(ev bigint, ticket bigint, customer text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT t.hold_expires_at = w.offer_expires_at
    FROM ticketing.tickets t JOIN ticketing.waitlist_entries w
      ON w.event_id = t.event_id AND w.customer = t.owner AND w.status = 'offered'
   WHERE t.event_id = ev AND t.ticket_id = ticket AND t.owner = customer
$$;

-------------------------------------------------------------------------------
-- 1. A hold placed after the offer lapsed and came back is not the offer.
-------------------------------------------------------------------------------
SELECT pg_temp.setup(3931);
SELECT outcome FROM ticketing.leave_waitlist(3931, 'bob');
SELECT pg_temp.lapse(3931);
SELECT ticketing.expire_holds(3931) AS returned; -- nobody waits: ticket 1 is on sale
SELECT outcome, status FROM ticketing.waitlist_position(3931, 'alice');
-- alice holds ticket 1 into her cart, an ordinary hold of an hour.
SELECT token AS token3931 FROM ticketing.open_cart(3931, 'alice', expires_in => '1 hour') \gset
SELECT outcome FROM ticketing.hold_ticket(3931, 1, 'alice', cart => :'token3931');
SELECT outcome, status, ticket_ids FROM ticketing.waitlist_position(3931, 'alice');
SELECT customer, ticket_ids FROM ticketing.pending_offers(3931);
SELECT customer, status FROM ticketing.waitlist(3931);
-- She may join again (her finished entry is closed) and leave: the cart's hold stays.
SELECT outcome, status FROM ticketing.join_waitlist(3931, 'alice');
SELECT outcome, ticket_ids FROM ticketing.leave_waitlist(3931, 'alice');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 3931 AND ticket_id = 1;
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(3931, :'token3931', 'alice');
-- An ordinary hold of hers renews as any hold does.
SELECT pg_temp.setup(3932);
SELECT outcome FROM ticketing.leave_waitlist(3932, 'bob');
SELECT pg_temp.lapse(3932);
SELECT ticketing.expire_holds(3932) AS returned;
SELECT outcome FROM ticketing.hold_ticket(3932, 1, 'alice', hold_for => '10 minutes');
SELECT outcome, hold_expires_at - now() AS held_for
  FROM ticketing.hold_ticket(3932, 1, 'alice', hold_for => '2 hours');
SELECT outcome, status FROM ticketing.waitlist_position(3932, 'alice');

SELECT * FROM ticketing.verify();
