// Counters for one kind of call (claims or releases): outcomes, errors by SQLSTATE, latency.
#pragma once

#include "latency.h"
#include "ticket_api.h"

#include <cstdint>
#include <map>
#include <string>

namespace loadgen {

struct CallStats {
    std::uint64_t calls = 0;
    std::map<std::string, std::uint64_t> outcomes;     // outcome -> count
    std::map<std::string, std::uint64_t> errors;       // SQLSTATE -> count
    std::map<std::string, std::string> error_examples; // SQLSTATE -> first message seen
    LatencySamples latency;

    void record(const CallResult& result);
    void merge(const CallStats& other);
    std::uint64_t outcome(const std::string& name) const;
    std::uint64_t error_count() const;
};

} // namespace loadgen
