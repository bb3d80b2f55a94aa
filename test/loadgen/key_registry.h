// Idempotency keys used in a mixed run, with their first remembered answer, shared by all
// clients so that any client acting for the customer can re-send a key later.
#pragma once

#include "mixed_request.h"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace loadgen {

struct KeyRecord {
    Request request;                 // carries the customer and the key
    std::optional<Answer> first;     // the first answer the key remembers
    std::vector<Answer> rolled_back; // answers of attempts rolled back on purpose
    int later_retries = 0;           // later re-sends still to do
};

class KeyRegistry {
  public:
    using Clock = std::chrono::steady_clock;

    // Files a record: due again at `due` if it has later retries left, else done.
    void put(KeyRecord record, Clock::time_point due);
    // Takes out the earliest record due by `now` (the caller puts it back); nullopt if none.
    std::optional<KeyRecord> take_due(Clock::time_point now);
    // Every record, due or done; the registry is empty afterwards.
    std::vector<KeyRecord> drain();

  private:
    std::mutex mutex_;
    std::vector<KeyRecord> done_;
    std::multimap<Clock::time_point, KeyRecord> due_;
};

} // namespace loadgen
