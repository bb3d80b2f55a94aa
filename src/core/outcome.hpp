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
    not_owner,     // release asked by someone who does not own it
};

std::string_view outcome_name(Outcome outcome);

// True for outcomes that leave the customer owning the ticket.
bool owner_is_customer(Outcome outcome);

} // namespace ticketing
