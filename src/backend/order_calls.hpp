// claim_tickets (several given seats, all or nothing) and claim_any (any seats,
// skip-locked, optionally adjacent).
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

CallResult run_claim_tickets(const CallArgs& args);
CallResult run_claim_any(const CallArgs& args);

} // namespace ticketing::backend
