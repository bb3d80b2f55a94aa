// Decoding SQL arguments into plain structs and encoding results as composite Datums.
// These run in the extern "C" shims, outside any C++ object's lifetime.
#pragma once

#include "ticket_operations.hpp"

namespace ticketing::backend {

// Reads (event_id bigint, ticket_id bigint, customer text[, wait text]).
TicketArgs decode_ticket_args(FunctionCallInfo fcinfo, bool takes_wait);

// Builds a ticketing.ticket_result row.
Datum encode_ticket_result(FunctionCallInfo fcinfo, const TicketResult& result);

} // namespace ticketing::backend
