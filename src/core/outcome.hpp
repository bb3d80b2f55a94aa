// Outcomes a caller can expect. They are values in the result row, never errors,
// so a conflict does not abort the caller's transaction.
#pragma once

#include <string_view>

namespace ticketing {

enum class Outcome {
    claimed,       // the ticket is now sold to the customer
    already_owned, // the customer bought it before; nothing changed
    already_sold,  // someone else bought it
    held,          // someone else holds it and the hold has not expired
    not_found,     // no such ticket in that event
    busy,          // another transaction has it locked and wait => 'skip' was asked
    released,      // the owner gave it back; it is available again
    not_owner,     // someone else owns or holds it
    hold_placed,   // the ticket is now held for the customer until hold_expires_at
    hold_expired,  // the customer's hold lapsed before it was confirmed or released
    not_held,      // confirm or release of a hold the customer does not have
    limit_reached, // the event's per-customer maximum would be exceeded
    insufficient,  // fewer claimable tickets than asked for remain
    sold_out,      // no claimable ticket remains
    // Quotas and carts (1.3).
    quota_exhausted, // a quota covering the ticket's category has no unit left
    cart_not_found,  // no open cart of this customer in this event has that token
    cart_expired,    // the customer's cart expired; nothing was done
    cart_closed,     // the customer's cart was checked out or abandoned already
    empty_cart,      // the cart holds nothing to check out
    opened,          // a new cart
    extended,        // the cart (and every hold in it) lasts longer now
    capped,          // extended, but only to the ceiling of a cart's lifetime
    // Check-in and transfer (1.3).
    admitted,         // the code is good: the holder may enter (recorded now)
    already_admitted, // the ticket was checked in before (when and at which gate)
    not_sold,         // a genuine code, but its ticket is not sold now
    unknown_code,     // not a code of this server: malformed, forged, no such ticket
    wrong_event,      // a genuine code of another event
    revoked,          // a genuine code, but the ticket was transferred or resold since
    transferred,      // the ticket now belongs to the receiver, with a new code
    // Waiting list (1.3, issue 19).
    joined,          // the customer is on the event's waiting list
    offered,         // tickets are held for the customer as an offer from the list
    waiting,         // the customer's entry is waiting (waitlist_position)
    already_waiting, // the customer has an open entry in the event already
    left,            // the customer left the list (an open offer given up)
    not_waiting,     // the customer has no open entry in the event
    waitlist_closed, // the event's waiting list is not open
};

inline constexpr Outcome all_outcomes[] = {
    Outcome::claimed,        Outcome::already_owned, Outcome::already_sold,
    Outcome::held,           Outcome::not_found,     Outcome::busy,
    Outcome::released,       Outcome::not_owner,     Outcome::hold_placed,
    Outcome::hold_expired,   Outcome::not_held,      Outcome::limit_reached,
    Outcome::insufficient,   Outcome::sold_out,      Outcome::quota_exhausted,
    Outcome::cart_not_found, Outcome::cart_expired,  Outcome::cart_closed,
    Outcome::empty_cart,     Outcome::opened,        Outcome::extended,
    Outcome::capped,         Outcome::admitted,      Outcome::already_admitted,
    Outcome::not_sold,       Outcome::unknown_code,  Outcome::wrong_event,
    Outcome::revoked,        Outcome::transferred,   Outcome::joined,
    Outcome::offered,        Outcome::waiting,       Outcome::already_waiting,
    Outcome::left,           Outcome::not_waiting,   Outcome::waitlist_closed};

std::string_view outcome_name(Outcome outcome);

// True for outcomes that leave the customer owning or holding the ticket.
bool owner_is_customer(Outcome outcome);

// True for outcomes that changed tickets (and so wrote audit rows).
bool changes_tickets(Outcome outcome);

// True for outcomes that answer with tickets sold to the customer (claimed, already_owned):
// the answers that carry the tickets' codes.
bool gives_sold_tickets(Outcome outcome);

// Whether an idempotency key remembers this outcome: only those that changed tickets. An
// answer that changed nothing (already_sold, busy, limit_reached, ...) is not kept, so a
// retry with the same key runs again (and may succeed), and a refusal writes nothing.
bool remembered_by_idempotency_key(Outcome outcome);

} // namespace ticketing
