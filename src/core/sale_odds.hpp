// Which first step a claim of a named ticket takes. A claim can look at the row first
// (one index probe, no lock: the cheap way to answer "sold", "held" or "yours") and
// sell with a statement only when the look says available; or try the selling
// statement at once (it re-checks `status = 'available'` itself) and look only when it
// sold nothing. The first is cheaper when most claims are refused (a hot sold-out
// event), the second when most succeed (a fresh flash sale): the look is a second
// index descent that a sale does not need. Both give the same answers.
//
// SaleOdds remembers, per event, how often lately the selling statement sold the
// ticket (an exponentially weighted average over about the last eight claims this
// backend made) and says which way to go. Plain C++: it only counts.
#pragma once

#include <array>
#include <cstdint>

namespace ticketing {

class SaleOdds {
  public:
    // Whether the next claim in `event_id` should try the selling statement first.
    // Events not seen yet start hopeful: a sale is what a fresh event mostly sees.
    bool expect_sale(std::int64_t event_id) const;

    // What the claim found: whether the selling statement sold the ticket (false also
    // when the look showed the statement would not have).
    void record(std::int64_t event_id, bool sold);

  private:
    static constexpr int slot_count = 64;
    static constexpr std::uint32_t one = 1u << 16; // the average in units of 1/65536
    struct Slot {
        std::int64_t event_id = 0; // 0: empty
        std::uint32_t sold_share = 0;
    };
    const Slot* find(std::int64_t event_id) const;
    std::array<Slot, slot_count> slots_{};
};

} // namespace ticketing
