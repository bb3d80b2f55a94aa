// The summary table of a mixed run.
#pragma once

#include "mixed_checks.h"

#include <cstdint>
#include <iosfwd>
#include <string>

namespace loadgen {

struct MixedSetup {
    std::string label;
    std::int64_t event_id = 0;
    int clients = 0;
    int customers = 0;
    std::int64_t tickets = 0;
    std::int64_t limit = 0;
    std::uint64_t seed = 0;
    double elapsed_s = 0;
    std::uint64_t swept = 0; // keys re-sent after the run
};

// Calls and outcomes per kind, rolled-back calls, retries, throughput and latency.
void print_mixed_summary(std::ostream& out, const MixedSetup& setup, const MixedObservation& obs);

// What the database holds after the run.
void print_mixed_findings(std::ostream& out, const MixedFindings& findings);

} // namespace loadgen
