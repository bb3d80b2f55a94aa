// Check-in at the gates and transfers between customers (1.3): what a code says about a
// ticket, who is let in, which of several scans of one ticket is the admission, and what
// a transfer does. Plain rules; the backend reads the rows and computes the MACs.
#pragma once

#include "outcome.hpp"
#include "ticket_rules.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ticketing {

inline constexpr std::size_t max_gate_bytes = 100;
// The most scans one check_in_batch call may carry.
inline constexpr int max_batch_scans = 1000;
// A scan's own time may be ahead of the server's clock by at most this (a gate's clock
// runs fast; a time further ahead is a broken clock, not a scan).
inline constexpr std::int64_t max_scan_ahead_micros = 24LL * 3600 * 1'000'000;

// A gate's name: not NULL (22004), 1 to max_gate_bytes bytes (22023).
void require_gate(const std::optional<std::string_view>& gate, std::string_view argument = "gate");

// A scan's time: not NULL (22004), finite and at most max_scan_ahead_micros after `now`
// (22023). `finite` is false for -infinity and infinity.
void require_scan_time(std::optional<std::int64_t> scanned_at, bool finite, std::int64_t now,
                       std::string_view argument);

// Which sale of its ticket a code's MAC matches under the current secret.
enum class CodeMatch {
    none,    // no sale: malformed, forged, made under a rotated secret, or no such ticket
    current, // the ticket's current owner and sale time
    past,    // an earlier sale of the ticket (its audit trail): transferred or resold since
};

struct CheckInVerdict {
    bool admit;      // record the admission now
    Outcome outcome; // admitted when admit; otherwise the answer
};

// A code of the event being checked in, for a ticket whose status is `status`:
//   none                      -> unknown_code
//   current, sold, not yet in -> admit (admitted)
//   current, sold, admitted   -> already_admitted
//   current or past, not sold -> not_sold (released, perhaps held by someone else now)
//   past, sold                -> revoked (transferred, or released and sold again)
CheckInVerdict decide_check_in(CodeMatch match, TicketStatus status, bool admitted);

// A code of another event: wrong_event when it is genuine (matches a sale of that
// ticket, now or before), unknown_code otherwise.
Outcome decide_foreign_code(CodeMatch match);

// One valid scan of a ticket in a batch: its time and its position in the batch.
struct ScanTime {
    std::int64_t at;
    int scan_no;
};

// Which scan of one ticket is its admission: the earliest (ties: the first in the batch),
// unless the admission already recorded is not later than it. `winner` is an index into
// `scans`, or nothing when the recorded admission stands; every other scan is a
// duplicate (already_admitted) of the winner.
struct AdmissionPlan {
    std::optional<std::size_t> winner;
    bool replaces_recorded; // the winner is earlier than an admission recorded before
};
AdmissionPlan plan_admission(std::optional<std::int64_t> recorded_at,
                             const std::vector<ScanTime>& scans);

struct TransferVerdict {
    bool move;
    Outcome outcome;
};

// A transfer of a ticket as `from` sees it (owned_by_customer: owned by `from`):
// not sold (available, or held by anyone) -> not_sold; sold to someone else -> not_owner;
// checked in -> already_admitted; otherwise it moves (transferred).
TransferVerdict decide_transfer(const TicketState& ticket);

// 22023 when the receiver is the sender.
void require_other_customer(std::string_view from_customer, std::string_view to_customer);

} // namespace ticketing
