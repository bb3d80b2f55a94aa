// The random mix of the mixed mode: which call to make next, with which arguments, for a
// customer given what it believes it owns and holds.
#pragma once

#include "customer_book.h"
#include "mixed_request.h"
#include "recent_tickets.h"
#include "seat_map.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace loadgen {

class RequestPicker {
  public:
    // `limit`: the event's per-customer limit (0: none). A customer at its limit often
    // releases, so that the run keeps selling.
    // `recent`: tickets just given back, which claims often go for.
    RequestPicker(const SeatMap& seats, std::int64_t limit, RecentTickets& recent)
        : seats_(seats), limit_(limit), recent_(recent) {}

    // The next request for `customer` (no idempotency key yet).
    Request next(std::mt19937_64& rng, const std::string& customer, const CustomerBook::View& view,
                 std::int64_t now_us) const;

  private:
    // A ticket id: often one just given back or from the hot first rows, sometimes one that
    // does not exist.
    std::int64_t any_ticket(std::mt19937_64& rng) const;
    std::int64_t owned_or_any(std::mt19937_64& rng, const CustomerBook::View& view) const;
    // One of the customer's holds to settle; nullopt if it has none worth settling.
    std::optional<std::int64_t> own_hold(std::mt19937_64& rng, const CustomerBook::View& view,
                                         std::int64_t now_us) const;
    void fill_claim_tickets(std::mt19937_64& rng, const CustomerBook::View& view,
                            Request* request) const;
    void fill_contested(std::mt19937_64& rng, Request* request) const;
    void fill_claim_any(std::mt19937_64& rng, Request* request) const;

    const SeatMap& seats_;
    const std::int64_t limit_;
    RecentTickets& recent_;
};

// A hold length the extension accepts (it refuses holds under one second).
int random_hold_ms(std::mt19937_64& rng);
WaitPolicy random_wait(std::mt19937_64& rng);
// True with probability percent/100.
bool chance(std::mt19937_64& rng, int percent);

} // namespace loadgen
