// What one mixed-mode call asks for, and what it answered, independent of libpq.
#pragma once

#include "ticket_api.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

enum class CallKind {
    ClaimTicket,
    ClaimAny,
    ClaimTickets,
    HoldTicket,
    ConfirmHold,
    ReleaseHold,
    ReleaseTicket,
    ExpireHolds,
};
constexpr std::size_t kCallKindCount = 8;
constexpr std::array<CallKind, kCallKindCount> kAllCallKinds = {
    CallKind::ClaimTicket, CallKind::ClaimAny,    CallKind::ClaimTickets,  CallKind::HoldTicket,
    CallKind::ConfirmHold, CallKind::ReleaseHold, CallKind::ReleaseTicket, CallKind::ExpireHolds,
};

const char* call_kind_name(CallKind kind);
inline std::size_t kind_index(CallKind kind) {
    return static_cast<std::size_t>(kind);
}

struct Request {
    CallKind kind = CallKind::ClaimTicket;
    std::string customer;
    std::vector<std::int64_t> tickets;  // one for single-ticket calls; 2-4 for claim_tickets
    WaitPolicy wait = WaitPolicy::Wait; // claim_ticket, hold_ticket, claim_tickets
    int quantity = 1;                   // claim_any
    bool adjacent = false;              // claim_any
    std::string section;                // claim_any; empty: any section
    int hold_ms = 0;                    // hold_for; 0: none (claim_any, claim_tickets)
    std::string key;                    // idempotency key; empty: none
    bool roll_back = false;             // run in a transaction that is rolled back

    bool single_ticket() const;
    bool places_hold() const { return hold_ms > 0; }
};

// "claim_any(buyer-3, quantity 2, adjacent, section B, hold 1500 ms, key k-1-7)"
std::string describe(const Request& request);

// One answer. An error (other than 55P03, which is the outcome "lock_not_available") sets
// sqlstate; expire_holds answers "expired" with `remaining` holding the count.
struct Answer {
    std::string outcome;
    std::vector<std::int64_t> tickets; // single-ticket calls: the requested id
    std::string seats;                 // comma-separated
    std::optional<std::int64_t> at_us; // microseconds since the Unix epoch
    std::optional<std::int64_t> hold_expires_us;
    std::optional<std::int64_t> remaining;
    std::uint64_t xid = 0; // the call's transaction id, 0 if none was assigned
    std::string sqlstate;
    std::string message;
    bool connection_lost = false;
    std::chrono::nanoseconds latency{0};

    bool is_error() const { return !sqlstate.empty(); }
    // Whether an idempotency key keeps this answer: only one that changed tickets (1.3:
    // a refusal is not remembered, and its retry runs anew).
    bool remembered() const;
    // Whether the call changed tickets (claimed, hold_placed, released).
    bool changed_tickets() const;
    // As CallStats records it.
    CallResult as_call_result() const;
};

// Same outcome, tickets, seats, timestamps and remaining count.
bool same_answer(const Answer& a, const Answer& b);

// "claimed [12,13] at 1700000000123456 hold - remaining -" or "error 40P01: ..."
std::string describe(const Answer& answer);

} // namespace loadgen
