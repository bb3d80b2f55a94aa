// Carts (1.3): many holds under one token that expire together and are bought in one
// step, all or nothing (docs/design.md, "Carts"). A cart belongs to one customer and one
// event; its token is made of 192 random bits and only its SHA-256 is stored. Every hold
// into a cart lasts exactly as long as the cart; extend_cart moves them all, up to the
// ceiling of a cart's lifetime (ticketing.cart_max_lifetime, set by a superuser only).
// Items of an expired cart are lapsed holds: claims take them over, expire_holds()
// returns them.
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

// Seconds a cart may live after it was opened: ticketing.cart_max_lifetime.
extern int cart_max_lifetime_seconds;
void define_cart_settings();

// 22023 for a token of the wrong length (1 to 100 bytes; NULL: no cart).
void require_cart_token(const std::optional<std::string_view>& token);

// What an idempotency key's fingerprint records of a token: a hash, never the token.
std::int64_t token_fingerprint(std::string_view token);

struct CartHold {
    std::int64_t cart_id;
    TimestampTz expires_at;
};

// Locks the cart a call names (args.cart), if there is one of this customer, before the
// call takes any other lock: every call on a cart does so first, so calls on one cart
// queue on its row alone. (A hold that returns lapsed holds to a waiting list takes the
// event's offer lock; took it before the cart, it could wait for a hold into the same
// cart that held the cart and waited for the offer lock.) The call reads the cart again.
// The lock is taken as `wait` says, as a ticket's is: nowait raises 55P03 and skip
// answers busy at once when another call on the cart holds it; a duration waits at most
// what is left of the call's bound, then busy. Returns that busy answer, or nothing when
// the call goes on (the cart locked, or no cart of this customer with that token: the
// call answers cart_not_found).
std::optional<CallResult> lock_cart_first(const CallArgs& args,
                                          LockWait wait = LockWait{WaitPolicy::wait, 0});

// The cart a hold goes into: the customer's open cart with that token in the event
// (locked until the transaction ends), or the outcome that refuses it:
// cart_not_found (unknown, or another customer's), cart_expired, cart_closed.
struct CartLookup {
    std::optional<Outcome> outcome;
    CartHold cart;
};
CartLookup find_cart_for_hold(std::int64_t event_id, Datum token, Datum customer);

// Remembers that tickets `ids` were held into the cart.
void add_to_cart(std::int64_t event_id, std::int64_t cart_id, const std::int64_t* ids, int count);

// The calls (CallArgs: event_id, customer, cart = the token, hold_for = the interval,
// idempotency_key).
CallResult run_open_cart(const CallArgs& args);
CallResult run_extend_cart(const CallArgs& args);
CallResult run_checkout_cart(const CallArgs& args);
CallResult run_abandon_cart(const CallArgs& args);
CallResult run_cart_contents(const CallArgs& args);

} // namespace ticketing::backend
