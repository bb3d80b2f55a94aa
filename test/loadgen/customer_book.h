// What one customer believes it owns (sales) and holds (with expiry), from the answers
// its calls got on any connection. A share of the holds is abandoned, so that they lapse. Shared by
// all clients; every method locks. Answers of concurrent calls can arrive in another order than
// they committed, so this view guides what to ask next; the post-run checks order changes by the
// audit log instead.
#pragma once

#include "mixed_request.h"
#include "owned_tickets.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace loadgen {

class CustomerBook {
  public:
    explicit CustomerBook(std::string name) : name_(std::move(name)) {}
    const std::string& name() const { return name_; }

    struct Hold {
        std::int64_t ticket = 0;
        std::int64_t expires_us = 0;
        bool abandoned = false; // left to lapse: never confirmed or released while live
    };
    struct View {
        std::vector<std::int64_t> sold;
        std::vector<Hold> holds;
    };
    // A copy of the beliefs; forgets holds that lapsed more than a few seconds ago.
    View view(std::int64_t now_us);

    // Updates the beliefs from a committed answer.
    void apply(const Answer& answer);

  private:
    void forget(std::int64_t ticket);

    const std::string name_;
    std::mutex mutex_;
    OwnedTickets sold_;
    std::map<std::int64_t, Hold> holds_;
};

// Microseconds since the Unix epoch (the clock the server's timestamps use).
std::int64_t wall_clock_us();

} // namespace loadgen
