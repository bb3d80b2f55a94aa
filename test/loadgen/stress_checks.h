// Post-run consistency checks of a stress run against the database.
#pragma once

#include "pg.h"
#include "stats.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace loadgen {

// Audit rows of one event: sales (to 'sold') and returns to 'available' from a real status
// (rows with a NULL from_status, such as ticket creation, are not returns).
struct AuditCounts {
    std::int64_t sales = 0;
    std::int64_t releases = 0;
};

std::optional<AuditCounts> fetch_audit_counts(Connection& conn, std::int64_t event_id,
                                              std::string* error);

using OwnedSet = std::set<std::pair<std::int64_t, std::string>>; // (ticket_id, owner)

// Everything the clients observed during the run.
struct StressObservation {
    std::int64_t event_id = 0;
    AuditCounts baseline; // audit counts before the run
    CallStats claims;
    CallStats releases;
    OwnedSet believed_owned;
    std::uint64_t anomalies = 0; // client-side contradictions (e.g. release of an owned ticket
                                 // answered not_owner)
    std::vector<std::string> anomaly_examples;
    std::vector<std::string> worker_errors;
};

// Runs checks (a)-(g); prints "ok: ..." lines to stdout and "FAIL: ..." lines to stderr.
// Returns true if every check passed.
bool run_stress_checks(Connection& conn, const StressObservation& obs);

} // namespace loadgen
