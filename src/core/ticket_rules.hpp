// The state machine of one ticket: given what a row says, what each call does. Both the
// lock-free first look and the re-check under the row lock use these rules, so the
// answer is the same rule whichever version of the row it sees.
#pragma once

#include "outcome.hpp"
#include "ticket_status.hpp"

namespace ticketing {

// What the caller needs to know of a ticket row, relative to the asking customer.
struct TicketState {
    TicketStatus status;
    bool owned_by_customer; // owner = the asking customer
    bool hold_expired;      // status held and its expiry has passed
    // In an event with an open waiting list a lapsed hold goes to the list before anyone
    // may claim or hold it: until it is returned, claims and holds answer `held`.
    bool lapse_waits_for_list = false;
    bool admitted = false; // checked in at a gate (1.3): it can no longer be released
};

enum class Action {
    answer,  // nothing to change: reply with `outcome`
    sell,    // mark sold to the customer
    hold,    // mark held by the customer until an expiry
    release, // mark available
};

struct Decision {
    Action action;
    Outcome outcome;
};

// What a call does to one ticket.
enum class TicketCallKind { claim, release, hold, confirm_hold, release_hold };

// claim: available, an expired hold or the customer's own hold -> sell (a lapsed hold
//   that waits for the list -> held); sold to the
//   customer -> already_owned; sold to another -> already_sold; another's live hold -> held.
// release: the owner of a sale or of a live hold -> release; anyone else -> not_owner;
//   the owner of a ticket checked in at a gate -> already_admitted (nothing changes).
// hold: like claim, but -> hold (hold_placed); the customer's own live hold is renewed.
// confirm_hold: the customer's live hold -> sell; own lapsed hold -> hold_expired; own
//   sale -> already_owned; another's sale or live hold -> not_owner; else not_held.
// release_hold: the customer's live hold -> release; own lapsed hold -> hold_expired;
//   another's sale or live hold -> not_owner; else not_held.
Decision decide(TicketCallKind kind, const TicketState& ticket);

Decision decide_claim(const TicketState& ticket);
Decision decide_release(const TicketState& ticket);

// True when the ticket counts toward the customer's per-event limit: sold to them or
// held by them and not expired.
bool counts_toward_limit(const TicketState& ticket);

// True when the decision gives the customer the ticket (a sale or a hold), whether or not
// it was theirs already.
bool acquires(const Decision& decision);

// How many tickets the decision adds to the customer's count (0 or 1).
int added_to_customer(const TicketState& ticket, const Decision& decision);

} // namespace ticketing
