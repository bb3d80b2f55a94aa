// A one-shot-per-wait wake-up signal: notify() makes the next (or current) wait return early.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace loadgen {

class Wakeup {
  public:
    void notify() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            pending_ = true;
        }
        cv_.notify_all();
    }

    // Returns true if woken by notify(), false on timeout.
    bool wait_for(std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mutex_);
        const bool woken = cv_.wait_for(lock, timeout, [&] { return pending_; });
        pending_ = false;
        return woken;
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool pending_ = false;
};

} // namespace loadgen
