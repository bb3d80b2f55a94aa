// Validation and lock ordering for calls that touch several tickets, holds and
// idempotency keys.
#pragma once

#include "validation.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticketing {

// The most tickets one order (claim_tickets, claim_any) may take.
inline constexpr int max_order_tickets = 100;
// The most requests one claim_batch call may carry.
inline constexpr int max_batch_requests = 1000;
// Holds last at least one second and at most 30 days.
inline constexpr std::int64_t min_hold_microseconds = 1'000'000;
inline constexpr std::int64_t max_hold_microseconds = 30LL * 24 * 3600 * 1'000'000;
inline constexpr std::size_t max_idempotency_key_bytes = 200;

// The global lock order for several tickets: ascending ticket id. Two orders over
// overlapping seats therefore wait for each other in one direction only and never
// deadlock. Throws DomainError for NULL elements, an empty array, more than
// max_order_tickets ids, non-positive or duplicate ids.
std::vector<std::int64_t> lock_order(const std::vector<std::optional<std::int64_t>>& ticket_ids);

// 1 <= quantity <= max_order_tickets.
void require_quantity(const std::optional<std::int64_t>& quantity);

// min_hold_microseconds <= hold <= max_hold_microseconds.
void require_hold_duration(std::string_view argument, std::int64_t microseconds);

// NULL means no key; otherwise 1..max_idempotency_key_bytes bytes.
void require_idempotency_key(const std::optional<std::string_view>& key,
                             std::string_view argument = "idempotency_key");

// A canonical text of a request's parameters. A reused idempotency key must come with
// the same fingerprint.
class Fingerprint {
  public:
    explicit Fingerprint(std::string_view call);
    Fingerprint& add(std::string_view name, std::int64_t value);
    Fingerprint& add(std::string_view name, std::string_view value);
    Fingerprint& add(std::string_view name, bool value);
    Fingerprint& add_null(std::string_view name);
    Fingerprint& add(std::string_view name, const std::vector<std::int64_t>& values);
    const std::string& text() const { return text_; }

  private:
    std::string text_;
};

// Whether a key's stored fingerprint names the request `current` describes. A batch's
// request for a given ticket (no category, no cart) is the purchase claim_ticket makes and
// is fingerprinted as claim_ticket's, so one key serves both calls (the Go service's
// coalescer sends a request in a batch and retries it alone, or the other way round);
// keys stored before that named it claim_batch, and still match it.
bool same_request(std::string_view stored, std::string_view current);

} // namespace ticketing

namespace ticketing {

struct Decision;
enum class Outcome;

// The verdict on an all-or-nothing order from the decision on each of its tickets.
struct OrderVerdict {
    bool proceed;                      // change the tickets whose action is not answer
    Outcome outcome;                   // success outcome, or why not
    std::vector<std::size_t> culprits; // indexes of the tickets that block the order
};

// Any ticket sold to someone else -> already_sold (culprits: those); else any ticket
// another customer holds -> held; else every ticket already the customer's ->
// already_owned (nothing to do); else proceed with `success`.
OrderVerdict judge_order(const std::vector<Decision>& decisions, Outcome success);

} // namespace ticketing
