#include "stats.h"

namespace loadgen {

void CallStats::record(const CallResult& result) {
    ++calls;
    latency.add(result.latency);
    if (result.is_error()) {
        ++errors[result.sqlstate];
        error_examples.emplace(result.sqlstate, result.message);
    } else {
        ++outcomes[result.outcome];
    }
}

void CallStats::merge(const CallStats& other) {
    calls += other.calls;
    for (const auto& [name, count] : other.outcomes) {
        outcomes[name] += count;
    }
    for (const auto& [state, count] : other.errors) {
        errors[state] += count;
    }
    for (const auto& [state, message] : other.error_examples) {
        error_examples.emplace(state, message);
    }
    latency.merge(other.latency);
}

std::uint64_t CallStats::outcome(const std::string& name) const {
    const auto it = outcomes.find(name);
    return it == outcomes.end() ? 0 : it->second;
}

std::uint64_t CallStats::error_count() const {
    std::uint64_t total = 0;
    for (const auto& entry : errors) {
        total += entry.second;
    }
    return total;
}

} // namespace loadgen
