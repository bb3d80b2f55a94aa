// Waiting-list rules (issue 19): what a join may ask for, what an entry's stored status
// means, how the outcome of one attempt to offer tickets to an entry decides what
// happens to the entry, and what the notification of an offer says. No PostgreSQL here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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

// The categories an offer walk no longer offers: those of the quotas it found busy (each
// stripe with units held locked by other transactions). An entry of such a category would
// find them busy too, one subtransaction each; and were a later entry to get what an
// earlier one was passed over for (the lock released in between), the list's order would
// break. What the lock holders free is theirs to offer: a refund queued for the offer
// lock walks after this walk, a claim that commits used the units, and one that rolls
// back leaves them to the next walk (expire_holds() runs one over every open list).
class BlockedCategories {
  public:
    // Whether `category` was not blocked before.
    bool block(std::string_view category);
    bool empty() const { return blocked_.empty(); }
    // Whether an entry of `category` (nullopt: any) is passed over without an attempt,
    // when `free` are the categories with tickets free: its category is blocked, or (of
    // any category) every free category is.
    bool blocks(std::optional<std::string_view> category,
                const std::vector<std::string>& free) const;
    const std::set<std::string, std::less<>>& categories() const { return blocked_; }

  private:
    std::set<std::string, std::less<>> blocked_;
};

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
