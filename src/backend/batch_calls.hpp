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
    // 1.3's batch_request: any seat of a category, a hold into a cart (NULL: none). Arrays
    // of all-NULL for the 1.2 claim_request.
    const bool* category_null;
    const Datum* categories; // text
    const bool* cart_null;
    const Datum* carts; // text: tokens
};

// One answer per request, in request order.
struct BatchRow {
    Outcome outcome;
    std::int64_t ticket_id; // 0: none
    Datum seat;             // 0: none
    bool has_at;
    TimestampTz at;
    Datum quota = 0; // text: the quota named by quota_exhausted; 0: none
    Datum code = 0;  // text: the ticket's code when the answer gives a sold ticket (1.3)
};

// Fills rows[0 .. args.count).
void run_claim_batch(const BatchArgs& args, BatchRow* rows);

} // namespace ticketing::backend
