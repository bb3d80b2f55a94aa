// transfer_ticket (1.3): a sold ticket moves from its owner to another customer in one
// call: its row locked (FOR NO KEY UPDATE, waiting), the receiver's per-customer limit
// checked exactly as a sale checks it (the receiver's slot locked and written, then
// counted), the row updated through the executor with a new owner and a new sale time
// (so the old code stops matching), an audit row from sold to sold naming the receiver.
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

// CallArgs: event_id, ticket_id, customer (the sender), to_customer, idempotency_key.
// The result carries the receiver's new code.
CallResult run_transfer_ticket(const CallArgs& args);

} // namespace ticketing::backend
