// claim_ticket and release_ticket: the critical section, run inside the backend.
#pragma once

#include "ticket_store.hpp"

namespace ticketing::backend {

// What a single-ticket call answers; encoded as ticketing.ticket_result.
struct TicketResult {
    Outcome outcome;
    std::int64_t event_id;
    std::int64_t ticket_id;
    bool has_seat;
    Datum seat;
    bool owner_is_you;
    bool has_at;
    TimestampTz at;
    bool has_hold_expiry;
    TimestampTz hold_expires_at;
};

// Arguments exactly as SQL passed them; validated by the operations.
struct TicketArgs {
    TicketRequest request;
    Datum customer;
};

TicketResult claim_ticket(const TicketArgs& args);
TicketResult release_ticket(const TicketArgs& args);

} // namespace ticketing::backend
