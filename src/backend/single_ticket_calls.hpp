// claim_ticket, release_ticket, hold_ticket, confirm_hold, release_hold: the critical
// section for one ticket, run inside the backend.
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

CallResult run_ticket_call(TicketCallKind kind, const CallArgs& args);

} // namespace ticketing::backend
