-- cart_checkout: a cart of 4 seats: open_cart, 4 hold_ticket of random seats into it,
-- checkout_cart; each call its own transaction (a buyer's requests minutes apart), so 6
-- commits for up to 4 tickets (a seat sold or held by someone else is not in the cart).
SELECT token AS cart FROM ticketing.open_cart(:e, 'c' || :client_id::text) \gset
\set t random(1, :n)
SELECT outcome FROM ticketing.hold_ticket(:e, :t, 'c' || :client_id::text, cart => :cart);
\set t random(1, :n)
SELECT outcome FROM ticketing.hold_ticket(:e, :t, 'c' || :client_id::text, cart => :cart);
\set t random(1, :n)
SELECT outcome FROM ticketing.hold_ticket(:e, :t, 'c' || :client_id::text, cart => :cart);
\set t random(1, :n)
SELECT outcome FROM ticketing.hold_ticket(:e, :t, 'c' || :client_id::text, cart => :cart);
SELECT outcome FROM ticketing.checkout_cart(:e, :cart, 'c' || :client_id::text);
