#include "recent_tickets.h"

namespace loadgen {

void RecentTickets::add(std::int64_t ticket_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    ids_[next_] = ticket_id;
    next_ = (next_ + 1) % ids_.size();
    if (size_ < ids_.size()) {
        ++size_;
    }
}

std::optional<std::int64_t> RecentTickets::pick(std::mt19937_64& rng) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (size_ == 0) {
        return std::nullopt;
    }
    return ids_[std::uniform_int_distribution<std::size_t>(0, size_ - 1)(rng)];
}

} // namespace loadgen
