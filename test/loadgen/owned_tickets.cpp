#include "owned_tickets.h"

namespace loadgen {

void OwnedTickets::add(std::int64_t ticket_id) {
    if (index_.emplace(ticket_id, ids_.size()).second) {
        ids_.push_back(ticket_id);
    }
}

void OwnedTickets::remove(std::int64_t ticket_id) {
    const auto it = index_.find(ticket_id);
    if (it == index_.end()) {
        return;
    }
    const std::size_t pos = it->second;
    index_.erase(it);
    if (pos + 1 != ids_.size()) {
        ids_[pos] = ids_.back();
        index_[ids_[pos]] = pos;
    }
    ids_.pop_back();
}

} // namespace loadgen
