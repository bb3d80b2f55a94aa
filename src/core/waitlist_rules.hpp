// Waiting-list rules (issue 19): what a join may ask for, what an entry's stored status
// means, how the outcome of one attempt to offer tickets to an entry decides what
// happens to the entry, and what the notification of an offer says. No PostgreSQL here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ticketing {

enum class Outcome;

// Arguments of join_waitlist as SQL passed them (absent: NULL).
struct JoinRequest {
    std::optional<std::int64_t> event_id;
    std::optional<std::string_view> customer;
    std::optional<std::int64_t> quantity;
    std::optional<std::string_view> category; // NULL: any category
    std::optional<bool> together;
    std::optional<std::int64_t> offer_for_micros; // NULL: not given
};

struct ValidJoin {
    std::int64_t event_id;
    std::string_view customer;
    int quantity;
    std::optional<std::string_view> category;
    bool together;
    std::int64_t offer_for_micros;
};

// Throws DomainError: NULL event_id, customer, quantity, together or offer_for
// (null_value); a non-positive event_id, a bad customer, a quantity outside 1 to
// max_order_tickets, an empty or over-long category, an offer shorter than a minute or
// longer than 7 days (invalid_parameter).
ValidJoin validate_join(const JoinRequest& request);

inline constexpr std::int64_t min_offer_microseconds = 60LL * 1'000'000;
inline constexpr std::int64_t max_offer_microseconds = 7LL * 24 * 3600 * 1'000'000;

// An entry's status as stored (waitlist_entries.status).
enum class EntryStatus {
    waiting, // in the list, in the order it joined
    offered, // tickets were held for the customer; what became of them is in the tickets
    left,    // the customer left (leave_waitlist)
    closed,  // the list was closed, or a finished offer was closed by a new join
};
std::string_view entry_status_name(EntryStatus status);
std::optional<EntryStatus> parse_entry_status(std::string_view name);

// Whether an offered entry still stands in the way of the customer joining again: while
// any ticket of the offer is still held for them (`live_holds` > 0). A finished offer
// (accepted, lapsed or declined) is closed by the new join.
bool offer_still_open(std::int64_t live_holds);

// What one attempt to hold tickets for an entry (a claim_any for the entry's customer,
// quantity, category and adjacency) means for the list.
enum class AttemptVerdict {
    offered,      // tickets are held for the customer: the entry is offered
    does_not_fit, // not enough free tickets of its kind: the entry keeps waiting
    skip_limit,   // the customer is at their per-customer limit: passed over, says why
    skip_quota,   // a quota covering the tickets has no room: passed over, says why
    busy,         // a lock the attempt may not wait for is held: the offer cannot go
                  // past this entry, so the freeing change must not happen now
};
AttemptVerdict judge_attempt(Outcome outcome);

// The reason stored in waitlist_entries.skipped_for for a passed-over entry.
std::string_view skip_reason_name(AttemptVerdict verdict);

// Offers and joins exclude each other per event through stripes of lock: a join takes
// one stripe exclusively, an offer takes every stripe exclusively. So joins run side by
// side, offers one at a time, and an offer never runs while a join it cannot see commits.
inline constexpr int waitlist_lock_stripes = 8;

// NOTIFY channel and payload of an offer (delivered after commit). The payload names no
// customer, since any role may LISTEN: {"event_id":1,"entry_id":7,"tickets":2}. A mailer
// reads the rest from pending_offers().
std::string waitlist_channel(std::int64_t event_id);
std::string offer_payload(std::int64_t event_id, std::int64_t entry_id, int tickets);

} // namespace ticketing
