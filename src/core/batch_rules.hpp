// claim_batch: many independent claims in one call. The backend locks what it can with
// SKIP LOCKED and never waits for a row, so one request's conflict never holds up or
// undoes another's; these rules hand the locked tickets to the requests.
#pragma once

#include "outcome.hpp"
#include "ticket_status.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ticketing {

// A ticket as the batch saw it.
struct BatchTicket {
    std::int64_t ticket_id;
    TicketStatus status;
    std::string_view owner; // empty: nobody
    bool hold_expired;
    bool locked;                       // the batch holds its row lock
    std::string_view category = {};    // the ticket's category (known when quotas need it)
    std::string_view pool = {};        // pooled for any-seat requests of this category ("": any)
    bool lapse_waits_for_list = false; // see TicketState
    bool taken_here = false;           // an earlier request of this batch took it
};

// One request: a given ticket, or any seat (no ticket_id), of a category if it names one.
struct BatchItem {
    std::optional<std::int64_t> ticket_id;
    std::string_view customer;
    std::optional<std::string_view> category = std::nullopt;
    bool hold = false; // into a cart: the ticket is held for the customer, not sold
};

struct BatchDecision {
    Outcome outcome;
    bool takes;                                  // sell `ticket_id` to the request's customer
    std::int64_t ticket_id;                      // the ticket concerned (0: none)
    TicketStatus from = TicketStatus::available; // its status before the sale
};

enum class Admission { admitted, limit_reached, busy };

// Per-customer limits (and quotas): whether `customer` may take one more ticket. With
// `take` the answer `admitted` uses up that room; without it the room is only looked at.
// `ticket` is the ticket it would take (nullptr when only the customer's room is asked).
struct AdmitAnswer {
    Admission admission;
    Outcome refusal = Outcome::limit_reached; // what Admission::limit_reached answers
};
using AdmitFunction =
    std::function<AdmitAnswer(std::string_view customer, const BatchTicket* ticket, bool take)>;

// Whether `customer`'s slot is held by this batch (false: another transaction holds it).
// A request that keeps a ticket the customer counts already (their own hold) adds
// nothing to their count, but still needs the slot: the hold may lapse by the slot's
// clock while another transaction of theirs claims.
using SlotFunction = std::function<bool(std::string_view customer)>;

// The answer for an any-seat request (of a category, or of any) once its pool is empty.
using ExhaustedFunction = std::function<Outcome(const std::optional<std::string_view>& category)>;

// Decides every request in order. `given` holds the tickets named by requests, sorted
// by id; `pool` the claimable tickets locked for any-seat requests, each pooled for one
// category or for any ("" in BatchTicket::pool), taken in order by the requests of that
// pool; `pool_exhausted` gives the answer for an any-seat request once its pool is empty
// (sold_out or busy), unless the customer has no room left (limit_reached) or their
// slot is busy. A ticket one request takes is sold (or, into a cart, held) for the
// requests after it; one taken as a hold is not taken again by a later request of the
// same customer (busy: run it on its own). `admit` is asked once per ticket a customer
// would take (per-customer limits); `slot_held` (when given) whether a customer who
// keeps their own hold holds their slot (busy when not).
std::vector<BatchDecision>
decide_batch(const std::vector<BatchItem>& items, std::vector<BatchTicket>& given,
             std::vector<BatchTicket>& pool, const ExhaustedFunction& pool_exhausted,
             const AdmitFunction& admit, const SlotFunction& slot_held = nullptr);

// What a request can be settled with before the batch takes any row lock, from a
// lock-free look at its ticket.
enum class LockFreeStep {
    answer, // the look decides: `outcome` (sold, held by someone, yours, no such ticket)
    sell,   // available: sell it at the version seen, if nobody has locked or changed it
            // since; otherwise decide it under the lock after all
    lock    // decided under the row lock, with the other requests
};

struct LockFreePlan {
    LockFreeStep step;
    Outcome outcome; // for `answer`
};

// `looked` is the ticket as a lock-free look found it (nullptr: no such ticket). A
// request is independent of the rest of the batch only when no other request names its
// ticket and the event has no per-customer limit (a customer's count spans requests);
// every other request is `lock`. A ticket that is not available but might be taken
// (a lapsed hold, a hold of this customer) is `lock` too: its sale needs the lock.
LockFreePlan plan_lock_free(const BatchTicket* looked, std::string_view customer, bool named_once,
                            bool event_has_limit);

// The ticket ids that exactly one request names.
std::unordered_set<std::int64_t> named_once(const std::vector<BatchItem>& items);

} // namespace ticketing
