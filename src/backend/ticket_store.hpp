// Row-level access to ticketing.tickets and ticketing.audit_log through kept plans.
// Callers are inside an SPI connection.
#pragma once

#include "pg.hpp"

#include "../core/ticket_rules.hpp"
#include "../core/validation.hpp"

namespace ticketing::backend {

// A decoded ticket call: validated arguments plus the customer as a text Datum, to
// bind as a parameter without copying.
struct TicketCall {
    ValidTicketRequest request;
    Datum customer;
};

struct TicketRow {
    TicketState state;
    Datum seat; // text, copied to the caller's memory context
    TimestampTz updated_at;
    bool has_hold_expiry;
    TimestampTz hold_expires_at;
};

enum class LockStatus {
    locked,  // row locked; `row` is its newest committed version
    skipped, // another transaction holds the lock and the policy is skip
    missing  // the row no longer exists
};

struct LockedTicket {
    LockStatus status;
    TicketRow row;
};

// Reads the ticket with the statement's snapshot and takes no lock: answering "no"
// this way costs no lock and no WAL.
std::optional<TicketRow> peek_ticket(const TicketCall& call);

// SELECT ... FOR UPDATE with the call's wait policy. Under READ COMMITTED a waiter gets
// the version the lock holder left behind.
LockedTicket lock_ticket(const TicketCall& call);

struct Transition {
    TicketStatus from;
    TicketStatus to;
    bool to_owner_is_customer; // new owner: the customer, or none
};

// Updates the locked ticket and writes its audit row in one statement; returns the time
// recorded for the change.
TimestampTz apply_transition(const TicketCall& call, const Transition& transition);

} // namespace ticketing::backend
