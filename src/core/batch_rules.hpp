// claim_batch: many independent claims in one call. The backend locks what it can with
// SKIP LOCKED and never waits for a row, so one request's conflict never holds up or
// undoes another's; these rules hand the locked tickets to the requests.
#pragma once

#include "outcome.hpp"
#include "ticket_status.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace ticketing {

// A ticket as the batch saw it.
struct BatchTicket {
    std::int64_t ticket_id;
    TicketStatus status;
    std::string_view owner; // empty: nobody
    bool hold_expired;
    bool locked; // the batch holds its row lock
};

// One request: a given ticket, or any seat (no ticket_id).
struct BatchItem {
    std::optional<std::int64_t> ticket_id;
    std::string_view customer;
};

struct BatchDecision {
    Outcome outcome;
    bool takes;                                  // sell `ticket_id` to the request's customer
    std::int64_t ticket_id;                      // the ticket concerned (0: none)
    TicketStatus from = TicketStatus::available; // its status before the sale
};

enum class Admission { admitted, limit_reached, busy };

// Decides every request in order. `given` holds the tickets named by requests, sorted
// by id; `pool` the claimable tickets locked for any-seat requests, taken in order;
// `pool_exhausted` is the answer for an any-seat request once the pool is empty
// (sold_out or busy). A ticket one request takes is sold for the requests after it.
// `admit` is asked once per ticket a customer would take (per-customer limits).
std::vector<BatchDecision> decide_batch(const std::vector<BatchItem>& items,
                                        std::vector<BatchTicket>& given,
                                        std::vector<BatchTicket>& pool, Outcome pool_exhausted,
                                        const std::function<Admission(std::string_view)>& admit);

} // namespace ticketing
