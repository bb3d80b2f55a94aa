#include "mixed_report.h"

#include "format.h"

#include <ostream>

namespace loadgen {

namespace {

void add_kind_rows(Table& table, const std::string& name, const CallStats& stats) {
    table.add(name, with_commas(stats.calls));
    for (const auto& [outcome, count] : stats.outcomes) {
        table.add("  " + outcome, with_commas(count));
    }
    for (const auto& [state, count] : stats.errors) {
        table.add("  error " + state, with_commas(count));
    }
}

} // namespace

void print_mixed_summary(std::ostream& out, const MixedSetup& setup, const MixedObservation& obs) {
    const ClientLog& log = obs.log;
    CallStats all;
    CallStats undone;
    for (const CallKind kind : kAllCallKinds) {
        all.merge(log.calls[kind_index(kind)]);
        undone.merge(log.rolled_back[kind_index(kind)]);
    }
    all.merge(log.replays);
    all.merge(undone);
    std::int64_t expired = 0;
    for (const ExpireCall& call : log.expiries) {
        expired += call.expired;
    }

    Table table;
    table.add("scenario", setup.label.empty() ? "-" : setup.label);
    table.add("event", std::to_string(setup.event_id));
    table.add("clients", std::to_string(setup.clients));
    table.add("customers", std::to_string(setup.customers));
    table.add("tickets", with_commas(setup.tickets));
    table.add("per-customer limit", setup.limit > 0 ? std::to_string(setup.limit) : "none");
    table.add("seed", std::to_string(setup.seed));
    table.add("elapsed s", fixed(setup.elapsed_s, 2));
    table.add("calls (all, incl. retries)", with_commas(all.calls));
    table.add("calls/s", rate(static_cast<double>(all.calls) / setup.elapsed_s));
    table.add("p50 ms", fixed(all.latency.percentile_ms(50), 3));
    table.add("p99 ms", fixed(all.latency.percentile_ms(99), 3));
    for (const CallKind kind : kAllCallKinds) {
        add_kind_rows(table, call_kind_name(kind), log.calls[kind_index(kind)]);
    }
    table.add("  holds returned by expire_holds", with_commas(expired));
    add_kind_rows(table, "rolled back on purpose", undone);
    table.add("idempotency keys", with_commas(static_cast<std::uint64_t>(obs.keys.size())));
    table.add("  retries right away", with_commas(log.retries.immediate));
    table.add("  retries later", with_commas(log.retries.later));
    table.add("  retries after the run", with_commas(setup.swept));
    table.add("  answered as the first time", with_commas(log.retries.replayed));
    table.add("  ran anew (nothing remembered)", with_commas(log.retries.ran_anew));
    table.add("  answered differently", with_commas(log.retry_mismatches.count));
    table.add("retry p50 ms", fixed(log.replays.latency.percentile_ms(50), 3));
    table.add("retry p99 ms", fixed(log.replays.latency.percentile_ms(99), 3));
    table.print(out);
    out.flush();
}

void print_mixed_findings(std::ostream& out, const MixedFindings& findings) {
    Table table;
    table.add("audit rows written", with_commas(findings.audit_rows));
    table.add("tickets sold at the end", with_commas(findings.sold));
    table.add("tickets held at the end", with_commas(findings.held));
    table.add("lapsed holds taken over by others", with_commas(findings.holds_taken_over));
    table.add("lapsed holds returned by expiry", with_commas(findings.holds_expired));
    table.add("most one customer had at once", std::to_string(findings.peak_owned));
    table.print(out);
    out.flush();
}

} // namespace loadgen
