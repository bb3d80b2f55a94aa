// Row-level access to ticketing.tickets and ticketing.audit_log through kept plans
// (statements.cpp): every write is a statement the executor runs. Text Datums returned
// are copied to the caller's memory context, so they outlive SPI_finish.
#pragma once

#include <vector>

#include "call_types.hpp"

#include "../core/wait_policy.hpp"

namespace ticketing::backend {

struct EventInfo {
    bool exists;
    bool has_limit;
    std::int64_t limit;
    std::int32_t quota_count = 0; // quotas the event has (1.3): a sale takes their units
    bool has_quotas() const { return quota_count > 0; }
    bool waitlist_open = false; // freed tickets go to the waiting list first (1.3)
    // The event row's version, as the xmin of the version read (direct reads only; not
    // set when this transaction wrote it): create_quota and drop_quota write the row, so
    // an event's quotas are the same at every read of one version (quota_units.cpp).
    bool has_row_version = false;
    TransactionId row_version = InvalidTransactionId;
};

struct TicketRow {
    std::int64_t ticket_id;
    ItemPointerData row_version; // the version a lock returned (lock_claimable)
    Datum seat;
    TimestampTz updated_at;
    TimestampTz hold_expires_at;
    std::int64_t limit;
    TicketState state;
    bool has_hold_expiry;
    bool has_limit;    // the event's per-customer limit (peeks only)
    bool looks_locked; // another transaction had it locked or was updating it (direct reads)
};

// Sells an available ticket with its audit row in one statement, if its event has no
// per-customer limit; the time recorded and the seat, or nothing when it did not (no longer
// available, or a limit to check: then nothing was written). With
// WaitPolicy::wait it is a conditional UPDATE, which queues behind a lock holder like
// the lock step would (one row version written, no separate lock record); otherwise a
// ticket someone has locked is skipped (nothing returned).
struct Sale {
    TimestampTz at;
    Datum seat; // text, in the call's memory context
};
std::optional<Sale> claim_available(std::int64_t event_id, std::int64_t ticket_id, Datum customer,
                                    WaitPolicy policy);

// The first look by statement (when direct reads are off): false when there is no such
// ticket.
bool peek_ticket(std::int64_t event_id, std::int64_t ticket_id, Datum customer, TicketRow* row);

// peek_ticket for several ids; fills `rows` (capacity max_order_tickets) in id order and
// returns how many exist.
int peek_tickets(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                 TicketRow* rows);

enum class LockStatus {
    locked,  // row locked; the row is its newest committed version
    skipped, // another transaction holds the lock and the policy is skip, or a bounded
             // wait ran out
    missing  // the row no longer exists
};

// SELECT ... FOR UPDATE with a wait policy. Under READ COMMITTED a waiter gets the
// version the lock holder left behind. A bounded wait runs in a subtransaction of its
// own, so running out of time rolls back nothing but that wait.
LockStatus lock_ticket(std::int64_t event_id, std::int64_t ticket_id, Datum customer, LockWait wait,
                       TicketRow* row);

struct Transition {
    TicketStatus to;
    bool owner_is_customer; // new owner: the customer, or nobody
    bool has_hold_expiry;   // new hold expiry (holds only)
    TimestampTz hold_expires_at;
};

Transition transition_for(Action action, const CallArgs& args);

// How long a hold for `args.hold_for` lasts: its expiry (the transaction's start plus
// the interval, months counted as calendar months) minus the start. Intervals so large
// that no timestamp could hold the expiry come back as a length far beyond any limit.
std::int64_t hold_length_micros(const CallArgs& args);

// Updates a locked ticket and writes its audit row in one statement; returns the time
// recorded for the change. A BEFORE trigger that returns NULL (or a row security policy
// that hides the row from UPDATE) makes the statement change nothing, as it would for
// hand-written SQL; the call then fails with TK003 rather than answer a change that did
// not happen.
TimestampTz apply_transition(std::int64_t event_id, const TicketRow& row, Datum customer,
                             const Transition& transition);

// The same for several locked tickets at once.
TimestampTz apply_transitions(std::int64_t event_id, const TicketRow* rows, int count,
                              Datum customer, const Transition& transition);

// Up to `wanted` claimable tickets (available or with a lapsed hold) with
// `from` <= id < `to`, none of `excluded` (a bigint[]; 0: none), locked with SKIP LOCKED,
// in id order. Fills id, state, seat and row_version.
// With `category` (text; 0: any), only tickets of that category; else with `barred` (a
// text[]; 0: none), no ticket of a category in it.
int lock_claimable(std::int64_t event_id, std::int64_t from, std::int64_t to, Datum prefix,
                   Datum excluded, int wanted, TicketRow* rows, Datum category = 0,
                   Datum barred = 0);

// Tickets `ids` (ascending) locked with SKIP LOCKED, with their states relative to
// `customer`; fills `rows` in id order and returns how many it locked.
int lock_tickets_skip(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                      TicketRow* rows);

// The same, waiting for each lock (in ascending id order, so two callers cannot
// deadlock over them).
int lock_tickets_waiting(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                         TicketRow* rows);

// Takes the first claimable ticket from `start` (or before it) in one statement: locks it
// with SKIP LOCKED, applies `transition` for `customer`, audits it. Fills `row` (id, seat,
// status before) and returns the time recorded, or nothing when none could be had.
std::optional<TimestampTz> take_one_claimable(std::int64_t event_id, std::int64_t start,
                                              bool before, Datum prefix, Datum customer,
                                              const Transition& transition, TicketRow* row);

// Claimable (id, seat) pairs from `start` on, unlocked, in id order: one page of at most
// claimable_page_size.
constexpr int claimable_page_size = 2000; // the LIMIT of claimable_candidates
struct SeatRef {
    std::int64_t ticket_id;
    Datum seat;
};
// `barred` (a text[], or 0): categories passed over (with no `category` only).
int claimable_candidates(std::int64_t event_id, std::int64_t start, Datum prefix, SeatRef* out,
                         Datum category = 0, Datum barred = 0);

std::int64_t count_claimable(std::int64_t event_id, Datum prefix, Datum category = 0);

// A random ticket id where an any-seat walk starts (0: nothing to walk): within the
// event's ids, or within the unsold ids of `category` (text; 0: any category).
std::int64_t random_walk_start(std::int64_t event_id, Datum category);

// The first looks by statement (when direct reads are off).
std::int64_t max_ticket_id(std::int64_t event_id);
EventInfo event_by_statement(std::int64_t event_id);

// TK003: a statement that had to change `expected` locked tickets changed `changed`
// (a BEFORE trigger returned NULL, or a row security policy hid the row from UPDATE).
[[noreturn]] void change_skipped(std::int64_t event_id, std::uint64_t changed,
                                 std::uint64_t expected);

// A bigint[] Datum of `count` values, in the current memory context.
Datum int8_array(const std::int64_t* values, int count);

// A text[] Datum of text Datums, in the current memory context.
Datum text_array(const std::vector<Datum>& values);

// Column `column` of the first row the last statement returned, as a timestamp.
TimestampTz first_timestamp(int column = 1);

// The text in a text Datum: without copying when it is stored plainly, detoasted (inside
// pg_call) when it is compressed or out of line.
std::string_view text_view(Datum datum);

// A text Datum in the current memory context.
Datum make_text(std::string_view text);

} // namespace ticketing::backend
