// claim_batch: many independent claim requests in one call and one transaction.
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

// The requests as the shim decoded them (palloc'd parallel arrays).
struct BatchArgs {
    std::optional<std::int64_t> event_id;
    bool has_requests;
    int count;
    const bool* request_null;
    const bool* ticket_null;
    const std::int64_t* ticket_ids;
    const bool* customer_null;
    const Datum* customers; // text
    const bool* key_null;
    const Datum* keys; // text
};

// One answer per request, in request order.
struct BatchRow {
    Outcome outcome;
    std::int64_t ticket_id; // 0: none
    Datum seat;             // 0: none
    bool has_at;
    TimestampTz at;
};

// Fills rows[0 .. args.count).
void run_claim_batch(const BatchArgs& args, BatchRow* rows);

} // namespace ticketing::backend
