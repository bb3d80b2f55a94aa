#include "sale_odds.hpp"

namespace ticketing {

namespace {

constexpr std::size_t slot_of(std::int64_t event_id, std::size_t count) {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(event_id) * 0x9E3779B97F4A7C15ULL >>
                                    58) %
           count;
}

} // namespace

const SaleOdds::Slot* SaleOdds::find(std::int64_t event_id) const {
    const Slot& slot = slots_[slot_of(event_id, slots_.size())];
    return slot.event_id == event_id ? &slot : nullptr;
}

bool SaleOdds::expect_sale(std::int64_t event_id) const {
    const Slot* slot = find(event_id);
    return slot == nullptr || slot->sold_share >= one / 2;
}

void SaleOdds::record(std::int64_t event_id, bool sold) {
    Slot& slot = slots_[slot_of(event_id, slots_.size())];
    if (slot.event_id != event_id) {
        slot = Slot{event_id, one}; // a newcomer takes the slot, hopeful
    }
    // share += (outcome - share) / 8
    const std::uint32_t outcome = sold ? one : 0;
    if (outcome >= slot.sold_share) {
        slot.sold_share += (outcome - slot.sold_share) / 8;
    } else {
        slot.sold_share -= (slot.sold_share - outcome) / 8;
    }
}

} // namespace ticketing
