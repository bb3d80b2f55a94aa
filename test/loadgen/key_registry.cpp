#include "key_registry.h"

namespace loadgen {

void KeyRegistry::put(KeyRecord record, Clock::time_point due) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (record.later_retries > 0) {
        due_.emplace(due, std::move(record));
    } else {
        done_.push_back(std::move(record));
    }
}

std::optional<KeyRecord> KeyRegistry::take_due(Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (due_.empty() || due_.begin()->first > now) {
        return std::nullopt;
    }
    KeyRecord record = std::move(due_.begin()->second);
    due_.erase(due_.begin());
    return record;
}

std::vector<KeyRecord> KeyRegistry::drain() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<KeyRecord> all = std::move(done_);
    done_.clear();
    for (auto& entry : due_) {
        all.push_back(std::move(entry.second));
    }
    due_.clear();
    return all;
}

} // namespace loadgen
