// Control-connection queries: event summary and verify().
#pragma once

#include "check.h"
#include "pg.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

struct EventSummary {
    std::int64_t total = 0;
    std::int64_t available = 0;
    std::int64_t held = 0;
    std::int64_t sold = 0;
};

// ticketing.event_summary(event). nullopt with *error set if the query failed or the event is
// unknown.
std::optional<EventSummary> fetch_summary(Connection& conn, std::int64_t event_id,
                                          std::string* error);

struct VerifyReport {
    std::int64_t problems = 0;
    std::vector<std::string> examples; // "ticket 7: problem (detail)", at most a few
};

// ticketing.verify(event). nullopt with *error set if the query failed.
std::optional<VerifyReport> run_verify(Connection& conn, std::int64_t event_id, std::string* error);

// Check "(a) verify(event) is empty": fails with verify's count and first examples, or
// with the query's error.
Check check_verify(Connection& conn, std::int64_t event_id);

} // namespace loadgen
