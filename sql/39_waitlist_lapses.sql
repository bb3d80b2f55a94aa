--
-- 39_waitlist_lapses: waiting-list offers that lapse or are renewed (found by review;
-- each section failed on e8a6832):
-- 1. a hold the customer placed after their offer lapsed and came back was taken for the
--    offer (waitlist_position, pending_offers, waitlist(), join_waitlist, leave_waitlist);
-- 2. the waiter renewed an offer past offer_for (hold_ticket, claim_tickets with
--    hold_for, a hold into a cart then extend_cart, claim_batch into a cart): the entry's
--    offer_expires_at then lied and the entries behind waited;
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

-------------------------------------------------------------------------------
-- 2. An offer keeps its end: the waiter may hold it again, into a cart too, but not
--    past offer_expires_at (nor short of it).
-------------------------------------------------------------------------------
SELECT pg_temp.setup(ev) FROM generate_series(3911, 3915) ev;
-- hold_ticket with a longer hold_for: hold_placed, ending when the offer does.
SELECT outcome, hold_expires_at = (SELECT offer_expires_at FROM ticketing.waitlist_entries
                                    WHERE event_id = 3911 AND customer = 'alice') AS offer_end
  FROM ticketing.hold_ticket(3911, 1, 'alice', hold_for => '30 days');
SELECT pg_temp.ends_with_offer(3911, 1, 'alice');
SELECT outcome FROM ticketing.hold_ticket(3911, 1, 'alice', hold_for => '1 minute');
SELECT pg_temp.ends_with_offer(3911, 1, 'alice');
-- Nothing was renewed: no audit row beyond the offer's.
SELECT from_status, to_status, customer FROM ticketing.audit_log
 WHERE event_id = 3911 AND ticket_id = 1 ORDER BY audit_id;
-- When the offer runs out, the next claim's sweep passes it to bob.
SELECT pg_temp.lapse(3911);
SELECT outcome FROM ticketing.claim_any(3911, 'outsider');
SELECT * FROM pg_temp.show(3911);

-- claim_tickets with hold_for: the offered ticket keeps the offer's end, another ticket
-- of the order is held for hold_for, and the answer says when the first of them ends.
SELECT outcome FROM ticketing.release_ticket(3912, 2, 'buyer2'); -- bob is offered it
SELECT outcome FROM ticketing.leave_waitlist(3912, 'bob');        -- on sale: nobody waits
SELECT outcome, ticket_ids,
       hold_expires_at = (SELECT offer_expires_at FROM ticketing.waitlist_entries
                           WHERE event_id = 3912 AND customer = 'alice') AS offer_end
  FROM ticketing.claim_tickets(3912, ARRAY[1, 2]::bigint[], 'alice', hold_for => '30 days');
SELECT pg_temp.ends_with_offer(3912, 1, 'alice');
SELECT ticket_id, owner, hold_expires_at > now() + interval '29 days' AS held_for_30_days
  FROM ticketing.tickets WHERE event_id = 3912 AND ticket_id = 2;
SELECT outcome, hold_expires_at = (SELECT offer_expires_at FROM ticketing.waitlist_entries
                                    WHERE event_id = 3912 AND customer = 'alice') AS offer_end
  FROM ticketing.claim_tickets(3912, ARRAY[1]::bigint[], 'alice', hold_for => '30 days');
SELECT pg_temp.ends_with_offer(3912, 1, 'alice');

-- Into a cart: the offered ticket becomes an item, still ending with the offer; the cart's
-- extension does not move it, and checkout buys it while the offer lasts.
SELECT token AS token3913 FROM ticketing.open_cart(3913, 'alice', expires_in => '1 hour') \gset
SELECT outcome, ticket_id FROM ticketing.hold_ticket(3913, 1, 'alice', cart => :'token3913');
SELECT pg_temp.ends_with_offer(3913, 1, 'alice');
SELECT outcome, ticket_ids FROM ticketing.extend_cart(3913, :'token3913', 'alice', '1 hour');
SELECT pg_temp.ends_with_offer(3913, 1, 'alice');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(3913, :'token3913', 'alice');
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(3913, :'token3913', 'alice');
SELECT * FROM pg_temp.show(3913);

-- Into a cart through claim_tickets and claim_batch: the same.
SELECT token AS token3914 FROM ticketing.open_cart(3914, 'alice', expires_in => '1 hour') \gset
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(3914, ARRAY[1]::bigint[], 'alice', cart => :'token3914');
SELECT pg_temp.ends_with_offer(3914, 1, 'alice');
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(3914,
       ARRAY[ROW(1, 'alice', NULL, NULL, :'token3914')]::ticketing.batch_request[]);
SELECT pg_temp.ends_with_offer(3914, 1, 'alice');
-- The offer runs out with the cart still open: it passes to bob; the checkout finds it gone.
SELECT pg_temp.lapse(3914);
SELECT ticketing.expire_holds(3914) AS returned;
SELECT outcome, ticket_ids FROM ticketing.checkout_cart(3914, :'token3914', 'alice');
SELECT * FROM pg_temp.show(3914);

-- A cart that happens to end when the offer does (both from the same now()): its
-- extension leaves the offer's hold where it is.
BEGIN;
SELECT outcome FROM ticketing.release_ticket(3915, 2, 'buyer2'); -- offered to bob
SELECT token AS token3915 FROM ticketing.open_cart(3915, 'bob', expires_in => '15 minutes') \gset
SELECT outcome FROM ticketing.hold_ticket(3915, 2, 'bob', cart => :'token3915');
SELECT outcome FROM ticketing.extend_cart(3915, :'token3915', 'bob', '1 hour');
SELECT pg_temp.ends_with_offer(3915, 2, 'bob');
COMMIT;

SELECT * FROM ticketing.verify();
