// Client-side checks of one answer against its own request: an outcome the call can give,
// the tickets and seats it should list, and the hold length it asked for.
#pragma once

#include "mixed_request.h"
#include "seat_map.h"

#include <cstdint>
#include <string>

namespace loadgen {

// Empty if the answer fits the request; else what is wrong with it. Errors are not judged
// here (the error check counts them). `limit`: the event's per-customer limit (0: none);
// with one, claim_tickets may answer busy for the customer's slot, naming no ticket.
std::string answer_problem(const Request& request, const Answer& answer, const SeatMap& seats,
                           std::int64_t limit);

} // namespace loadgen
