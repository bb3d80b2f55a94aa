// Tickets recently given back (released, or holds let go), shared by all clients: claims
// often go for them, so that several connections race for the same few tickets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

namespace loadgen {

class RecentTickets {
  public:
    explicit RecentTickets(std::size_t capacity = 64) : ids_(capacity, 0) {}

    void add(std::int64_t ticket_id);
    // One of the remembered ids at random; nullopt if none yet.
    std::optional<std::int64_t> pick(std::mt19937_64& rng);

  private:
    std::mutex mutex_;
    std::vector<std::int64_t> ids_; // ring buffer
    std::size_t next_ = 0;
    std::size_t size_ = 0;
};

} // namespace loadgen
