#include "queries.h"

#include "format.h"

namespace loadgen {

namespace {

constexpr int kMaxExamples = 10;

} // namespace

std::optional<EventSummary> fetch_summary(Connection& conn, std::int64_t event_id,
                                          std::string* error) {
    Result res = conn.exec("SELECT total, available, held, sold "
                           "FROM ticketing.event_summary($1::bigint)",
                           {std::to_string(event_id)});
    if (!res.ok()) {
        *error = "event_summary: " + res.error_message();
        return std::nullopt;
    }
    if (res.rows() != 1) {
        *error = "event_summary returned " + std::to_string(res.rows()) + " rows for event " +
                 std::to_string(event_id) + " (does the event exist?)";
        return std::nullopt;
    }
    EventSummary summary;
    summary.total = res.int64(0, 0);
    summary.available = res.int64(0, 1);
    summary.held = res.int64(0, 2);
    summary.sold = res.int64(0, 3);
    return summary;
}

std::optional<VerifyReport> run_verify(Connection& conn, std::int64_t event_id,
                                       std::string* error) {
    Result res = conn.exec("SELECT ticket_id, problem, detail, count(*) OVER () "
                           "FROM ticketing.verify($1::bigint) ORDER BY ticket_id LIMIT " +
                               std::to_string(kMaxExamples),
                           {std::to_string(event_id)});
    if (!res.ok()) {
        *error = "verify: " + res.error_message();
        return std::nullopt;
    }
    VerifyReport report;
    for (int row = 0; row < res.rows(); ++row) {
        report.problems = res.int64(row, 3);
        const std::string ticket = res.is_null(row, 0) ? "-" : res.text(row, 0);
        report.examples.push_back("ticket " + ticket + ": " + res.text(row, 1) + " (" +
                                  res.text(row, 2) + ")");
    }
    return report;
}

Check check_verify(Connection& conn, std::int64_t event_id) {
    Check check{"(a) verify(event) is empty", true, {}};
    std::string error;
    const auto report = run_verify(conn, event_id, &error);
    if (!report) {
        check.fail(error);
    } else if (report->problems != 0) {
        check.fail(with_commas(report->problems) + " problems reported");
        for (const std::string& example : report->examples) {
            check.fail(example);
        }
    }
    return check;
}

} // namespace loadgen
