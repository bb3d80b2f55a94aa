// Reads of one ticket and one event straight through their primary-key indexes with the
// table-access API: no SPI, no executor. A claim's first look uses this, so answering
// "no" (sold, held, unknown) costs one index probe, no lock and no write.
#pragma once

#include "ticket_store.hpp"

namespace ticketing::backend {

// The ticket as a fresh statement snapshot sees it, relative to `customer`. `seat` is
// copied into the call's memory context. has_limit/limit are not filled in.
std::optional<TicketRow> read_ticket(std::int64_t event_id, std::int64_t ticket_id,
                                     std::string_view customer);

// What read_available found.
struct AvailableTicket {
    std::optional<TicketRow> ticket; // the first that looks free to sell
    bool nothing_unsold;             // the event has no unsold ticket at all
};

// The first ticket of the event that looks free to sell right now (available, and
// nobody holding it locked or changing it), walking the index of unsold tickets from
// ticket id `start` up and then from the event's first ticket up to `start`, looking at
// no more than `max_looked` rows; or that the walk met no unsold ticket at all (sold
// out as of its snapshot). Neither when the schema has no such index. Takes no lock: a
// sale of what it returns must be conditional (sell_directly). `seat` is copied into the
// call's memory context.
AvailableTicket read_available(std::int64_t event_id, std::int64_t start, int max_looked);

// The event's highest ticket id (0: no tickets), from the end of the primary key.
std::int64_t read_max_ticket_id(std::int64_t event_id);

// The event's existence and per-customer limit.
EventInfo read_event(std::int64_t event_id);

// Called once per backend: forget cached relation ids when the tables are dropped.
void register_relation_cache_reset();

} // namespace ticketing::backend
