// The state machine of one ticket: given what a row says, what a claim or a release
// does. Both the lock-free first look and the re-check under the row lock use it, so
// the answer is the same rule whichever version of the row it sees.
#pragma once

#include "outcome.hpp"
#include "ticket_status.hpp"

namespace ticketing {

// What the caller needs to know of a ticket row, relative to the asking customer.
struct TicketState {
    TicketStatus status;
    bool owned_by_customer; // owner = the asking customer
    bool hold_expired;      // status held and its expiry has passed
};

enum class Action {
    answer, // nothing to change: reply with `outcome`
    sell,   // mark sold to the customer, audit, reply `outcome`
    release // mark available, audit, reply `outcome`
};

struct Decision {
    Action action;
    Outcome outcome;
};

// available, an expired hold, or the customer's own hold -> sell;
// sold to the customer -> already_owned; sold to another -> already_sold;
// another customer's live hold -> held.
Decision decide_claim(const TicketState& ticket);

// The owner of a sale or of a live hold -> release; anyone else -> not_owner.
// An expired hold counts as available, so it is not anyone's to release.
Decision decide_release(const TicketState& ticket);

} // namespace ticketing
