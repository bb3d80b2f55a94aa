#include "customer_book.h"

#include <chrono>

namespace loadgen {

namespace {

constexpr std::int64_t kForgetLapsedAfterUs = 3'000'000;
constexpr std::uint64_t kAbandonedPercent = 40;

// Decided once per hold, reproducibly.
bool abandon(std::int64_t ticket, std::int64_t expires_us) {
    const auto mix = static_cast<std::uint64_t>(ticket) * 0x9E3779B97F4A7C15ULL ^
                     static_cast<std::uint64_t>(expires_us);
    return (mix >> 17) % 100 < kAbandonedPercent;
}

} // namespace

std::int64_t wall_clock_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

CustomerBook::View CustomerBook::view(std::int64_t now_us) {
    std::lock_guard<std::mutex> lock(mutex_);
    View view;
    view.sold = sold_.ids();
    for (auto it = holds_.begin(); it != holds_.end();) {
        if (it->second.expires_us + kForgetLapsedAfterUs < now_us) {
            it = holds_.erase(it);
        } else {
            view.holds.push_back(it->second);
            ++it;
        }
    }
    return view;
}

void CustomerBook::forget(std::int64_t ticket) {
    sold_.remove(ticket);
    holds_.erase(ticket);
}

void CustomerBook::apply(const Answer& answer) {
    if (answer.is_error()) {
        return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string& outcome = answer.outcome;
    if (outcome == "claimed" || outcome == "already_owned") {
        // Every listed ticket is the customer's sale (already_owned of an order: all of them).
        for (const std::int64_t ticket : answer.tickets) {
            holds_.erase(ticket);
            sold_.add(ticket);
        }
    } else if (outcome == "hold_placed") {
        // An order's hold lists tickets the customer had bought before, too.
        for (const std::int64_t ticket : answer.tickets) {
            if (!sold_.contains(ticket) && answer.hold_expires_us) {
                const std::int64_t expires = *answer.hold_expires_us;
                holds_[ticket] = Hold{ticket, expires, abandon(ticket, expires)};
            }
        }
    } else if (outcome == "released" || outcome == "not_owner" || outcome == "already_sold" ||
               outcome == "held" || outcome == "not_found") {
        // Gone, or someone else's now (an order lists the tickets in its way).
        for (const std::int64_t ticket : answer.tickets) {
            forget(ticket);
        }
    } else if (outcome == "hold_expired" || outcome == "not_held") {
        for (const std::int64_t ticket : answer.tickets) {
            holds_.erase(ticket);
        }
    }
}

} // namespace loadgen
