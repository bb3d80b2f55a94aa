// The first looks: one ticket, one event, the event's last ticket id, and the first
// ticket of an event that looks free, read without a lock. Where the current user may
// read the tables directly (schema_shape.hpp: SELECT granted, no row security), they go
// straight through the primary-key and unsold-ticket indexes with the table-access API:
// no SPI, no executor, so answering "no" (sold, held, unknown) costs one index probe and
// no lock or write. Otherwise they are statements, which apply privileges and policies.
// They only read: every decision taken from them is taken again by the statement that
// writes (`... AND status = 'available'`).
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
    bool nothing_unsold;             // under one snapshot, the event has no unsold ticket
};

// The first ticket of the event that looks free to sell right now (available, and
// nobody holding it locked or changing it), walking the index of unsold tickets from
// ticket id `start` up and then from the event's first ticket up to `start`, all under
// one snapshot, looking at no more than `max_looked` rows; or that the walk met no
// unsold ticket at all (the event was sold out as of that snapshot). Neither when the
// walk cannot be made (the index is not the extension's, or direct reads are off).
// Takes no lock: the sale of what it returns must be a conditional statement.
AvailableTicket read_available(std::int64_t event_id, std::int64_t start, int max_looked);

// The event's highest ticket id (0: no tickets).
std::int64_t read_max_ticket_id(std::int64_t event_id);

// The event's existence and per-customer limit.
EventInfo read_event(std::int64_t event_id);

// Whether a statement snapshot sees a row of idempotency_keys for (event, customer,
// key) (for (customer, key) on a 1.1 schema: !per_event), by one probe of its primary
// key without the executor; std::nullopt when that read would not be what a statement
// reads (the functions' owner may not SELECT the table, or row security applies to it):
// then ask a statement. After lock_table(OwnTable::idempotency_keys).
std::optional<bool> read_key_exists(bool per_event, std::int64_t event_id, Datum customer,
                                    Datum key);

// The ticket and its key under one statement snapshot, each by one probe of its primary
// key: `key_stored` says whether a row of idempotency_keys for (event, customer, key)
// is visible (as read_key_exists), `ticket` the ticket relative to `customer` (as
// read_ticket). Under one snapshot, a ticket changed by a call that stored this key
// shows that key too. std::nullopt when either cannot be read directly. After
// lock_table(OwnTable::idempotency_keys).
struct KeyedLook {
    bool key_stored;
    std::optional<TicketRow> ticket;
};
std::optional<KeyedLook> read_ticket_and_key(bool per_event, std::int64_t event_id,
                                             std::int64_t ticket_id, Datum customer, Datum key);

// A ticket as its code and check-in see it (1.3): owner and sale time (what its code is
// made from) and its admission. Text values are copied into the call's memory context.
struct CodedTicket {
    std::int64_t ticket_id;
    TicketStatus status;
    Datum owner; // text; 0: none
    TimestampTz updated_at;
    bool admitted;
    TimestampTz admitted_at;
    Datum admitted_gate; // text; 0: none
    Datum seat;          // text
};

// The ticket as a fresh statement snapshot sees it, without a lock (a probe of the primary
// key where direct reads are allowed, otherwise a statement); nothing when there is no
// such ticket. Only in a schema with check-in.
std::optional<CodedTicket> read_coded_ticket(std::int64_t event_id, std::int64_t ticket_id);

// Row `n` of the last coded_peek / coded_lock / coded_lock_many statement.
CodedTicket decode_coded_row(std::int64_t event_id, std::uint64_t n);

} // namespace ticketing::backend
