// Row-level access to ticketing.tickets and ticketing.audit_log through kept plans.
// Callers are inside an SPI connection. Text Datums returned are copied to the
// caller's memory context, so they outlive SPI_finish.
#pragma once

#include "call_types.hpp"

#include "../core/wait_policy.hpp"

namespace ticketing::backend {

struct TicketRow {
    std::int64_t ticket_id;
    Datum seat;
    TimestampTz updated_at;
    TimestampTz hold_expires_at;
    std::int64_t limit;
    ItemPointerData row_version; // the version read (read_ticket) or locked (lock_claimable)
    TicketState state;
    bool has_hold_expiry;
    bool has_limit;    // the event's per-customer limit (peeks only)
    bool looks_locked; // another transaction had it locked or was updating it (direct reads)
};

// Sells an available ticket with its audit row in one statement, if its event has no
// per-customer limit; the time recorded, or nothing when it did not (no longer
// available, or a limit to check: then nothing was written). With
// WaitPolicy::wait it is a conditional UPDATE, which queues behind a lock holder like
// the lock step would (one row version written, no separate lock record); otherwise a
// ticket someone has locked is skipped (nothing returned).
std::optional<TimestampTz> claim_available(std::int64_t event_id, std::int64_t ticket_id,
                                           Datum customer, WaitPolicy policy);

// peek_ticket for several ids; fills `rows` (capacity max_order_tickets) in id order and
// returns how many exist.
int peek_tickets(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                 TicketRow* rows);

enum class LockStatus {
    locked,  // row locked; the row is its newest committed version
    skipped, // another transaction holds the lock and the policy is skip
    missing  // the row no longer exists
};

// SELECT ... FOR UPDATE with a wait policy. Under READ COMMITTED a waiter gets the
// version the lock holder left behind.
LockStatus lock_ticket(std::int64_t event_id, std::int64_t ticket_id, Datum customer,
                       WaitPolicy policy, TicketRow* row);

struct Transition {
    TicketStatus to;
    bool owner_is_customer; // new owner: the customer, or nobody
    bool has_hold_expiry;   // new hold expiry (holds only)
    TimestampTz hold_expires_at;
};

Transition transition_for(Action action, const CallArgs& args);

// Updates a locked ticket and writes its audit row in one statement; returns the time
// recorded for the change.
TimestampTz apply_transition(std::int64_t event_id, const TicketRow& row, Datum customer,
                             const Transition& transition);

// The same for several locked tickets at once.
TimestampTz apply_transitions(std::int64_t event_id, const TicketRow* rows, int count,
                              Datum customer, const Transition& transition);

// Claimable tickets (available or with a lapsed hold), locked with SKIP LOCKED, in id
// order from `start` (ids >= start), or before it (ids < start). Fills id, state, seat
// and row_version.
int lock_claimable(std::int64_t event_id, std::int64_t start, bool before, Datum prefix, int wanted,
                   TicketRow* rows);

// Takes the first claimable ticket from `start` (or before it) in one statement: locks it
// with SKIP LOCKED, applies `transition` for `customer`, audits it. Fills `row` (id, seat,
// status before) and returns the time recorded, or nothing when none could be had.
std::optional<TimestampTz> take_one_claimable(std::int64_t event_id, std::int64_t start,
                                              bool before, Datum prefix, Datum customer,
                                              const Transition& transition, TicketRow* row);

// Claimable (id, seat) pairs from `start` on, unlocked; up to `limit`.
struct SeatRef {
    std::int64_t ticket_id;
    Datum seat;
};
int claimable_candidates(std::int64_t event_id, std::int64_t start, Datum prefix, int limit,
                         SeatRef* out);

std::int64_t count_claimable(std::int64_t event_id, Datum prefix);

// A bigint[] Datum of `count` values, in the current memory context.
Datum int8_array(const std::int64_t* values, int count);

// Column 1 of the first row the last statement returned, as a timestamp.
TimestampTz first_timestamp();

// The text in a text Datum, without copying.
std::string_view text_view(Datum datum);

// A text Datum in the current memory context.
Datum make_text(std::string_view text);

} // namespace ticketing::backend

namespace ticketing::backend {

struct EventInfo {
    bool exists;
    bool has_limit;
    std::int64_t limit;
};

} // namespace ticketing::backend
