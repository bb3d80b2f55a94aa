// The ticket ids one stress client believes it owns: O(1) add, remove, lookup, random pick.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace loadgen {

class OwnedTickets {
  public:
    bool contains(std::int64_t ticket_id) const { return index_.count(ticket_id) != 0; }
    void add(std::int64_t ticket_id);
    void remove(std::int64_t ticket_id);
    bool empty() const { return ids_.empty(); }
    std::size_t size() const { return ids_.size(); }
    // The i-th owned id (0 <= i < size()), in no particular order.
    std::int64_t at(std::size_t i) const { return ids_[i]; }
    const std::vector<std::int64_t>& ids() const { return ids_; }

  private:
    std::vector<std::int64_t> ids_;
    std::unordered_map<std::int64_t, std::size_t> index_; // id -> position in ids_
};

} // namespace loadgen
