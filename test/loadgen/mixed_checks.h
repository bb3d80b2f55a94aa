// Post-run checks of a mixed run against the database and its audit log.
#pragma once

#include "key_registry.h"
#include "mixed_log.h"
#include "pg.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

// Everything the clients observed during the run.
struct MixedObservation {
    std::int64_t event_id = 0;
    std::int64_t limit = 0;             // the event's per-customer limit (0: none)
    std::int64_t baseline_audit_id = 0; // the event's last audit_id before the run
    std::string key_prefix;
    ClientLog log;               // all clients merged, plus the final sweep
    std::vector<KeyRecord> keys; // every idempotency key used
    std::vector<std::string> worker_errors;
};

// Numbers the checks found, for the summary.
struct MixedFindings {
    std::uint64_t audit_rows = 0;
    std::uint64_t sold = 0;
    std::uint64_t held = 0;
    std::int64_t peak_owned = 0;        // most tickets one customer had at once (audit replay)
    std::uint64_t holds_taken_over = 0; // lapsed holds claimed or held by another customer
    std::uint64_t holds_expired = 0;    // lapsed holds returned by expire_holds
};

// Runs checks (a)-(i); prints "ok: ..." lines to stdout and "FAIL: ..." lines to stderr.
// Returns true if every check passed.
bool run_mixed_checks(Connection& conn, const MixedObservation& obs, MixedFindings* findings);

} // namespace loadgen
