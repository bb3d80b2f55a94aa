// Reads what the database holds after a mixed run: the event's audit rows, the tickets that
// are not available, and the idempotency keys of the run.
#pragma once

#include "pg.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

struct AuditRow {
    std::int64_t audit_id = 0;
    std::int64_t ticket_id = 0;
    std::string from;
    std::string to;
    std::string customer;
    std::int64_t at_us = 0;
    std::uint64_t txid = 0;
};

// The highest audit_id of the event (0 if none).
std::optional<std::int64_t> fetch_last_audit_id(Connection& conn, std::int64_t event_id,
                                                std::string* error);

// The event's audit rows after `after_id`, in audit_id order.
std::optional<std::vector<AuditRow>> fetch_audit_rows(Connection& conn, std::int64_t event_id,
                                                      std::int64_t after_id, std::string* error);

struct TicketState {
    std::string status; // "sold" or "held"
    std::string owner;
    std::optional<std::int64_t> hold_expires_us;
};

// Tickets of the event that are sold or held (lapsed holds included), by id.
std::optional<std::map<std::int64_t, TicketState>>
fetch_taken_tickets(Connection& conn, std::int64_t event_id, std::string* error);

struct StoredKey {
    std::string outcome;
    std::string ticket_ids; // comma-separated
    std::optional<std::int64_t> at_us;
    std::optional<std::int64_t> hold_expires_us;
    std::optional<std::int64_t> remaining;
};

// idempotency_keys rows whose key starts with `prefix`, by (customer, key).
std::optional<std::map<std::pair<std::string, std::string>, StoredKey>>
fetch_stored_keys(Connection& conn, const std::string& prefix, std::string* error);

} // namespace loadgen
