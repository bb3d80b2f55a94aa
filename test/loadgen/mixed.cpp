#include "mixed.h"

#include "audit_trail.h"
#include "client_common.h"
#include "mixed_api.h"
#include "mixed_checks.h"
#include "mixed_client.h"
#include "mixed_report.h"
#include "queries.h"
#include "signals.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

namespace loadgen {

namespace {

using Seconds = std::chrono::duration<double>;
constexpr std::chrono::seconds kStopGrace{5};
constexpr std::size_t kSweepKeys = 500; // remembered keys re-sent once more after the run

struct EventSetup {
    std::int64_t limit = 0;
    std::int64_t baseline_audit_id = 0;
};

bool prepare_event(Connection& conn, const Options& opt, MixedRun* run, EventSetup* setup) {
    std::string error;
    const auto summary = fetch_summary(conn, opt.event_id, &error);
    if (!summary) {
        std::cerr << "error: " << error << "\n";
        return false;
    }
    if (summary->total == 0 || summary->sold != 0 || summary->held != 0) {
        std::cerr << "error: event " << opt.event_id << " is not ready for a mixed run ("
                  << summary->total << " tickets, " << summary->sold << " sold, " << summary->held
                  << " held; need tickets, none sold or held)\n";
        return false;
    }
    Result res = conn.exec("SELECT coalesce(per_customer_limit, 0) FROM ticketing.events "
                           "WHERE event_id = $1::bigint",
                           {std::to_string(opt.event_id)});
    if (!res.ok() || res.rows() != 1) {
        std::cerr << "error: reading the event's limit: " << res.error_message() << "\n";
        return false;
    }
    setup->limit = res.int64(0, 0);
    const auto seats = SeatMap::fetch(conn, opt.event_id, &error);
    const auto baseline = seats ? fetch_last_audit_id(conn, opt.event_id, &error) : std::nullopt;
    if (!seats || !baseline) {
        std::cerr << "error: " << error << "\n";
        return false;
    }
    setup->baseline_audit_id = *baseline;
    run->seats = *seats;
    return true;
}

// Re-sends up to kSweepKeys remembered keys on the control connection: long after the first
// answer (holds lapsed, tickets resold), a retry must still answer as the first time.
std::uint64_t sweep_keys(Connection& conn, const MixedRun& run, std::vector<KeyRecord>& keys,
                         ClientLog* log) {
    MixedApi api(conn, run.event_id);
    std::string error;
    if (!api.prepare(&error)) {
        log->failures.add("final retries: " + error);
        return 0;
    }
    std::vector<const KeyRecord*> remembered;
    for (const KeyRecord& record : keys) {
        if (record.first) {
            remembered.push_back(&record);
        }
    }
    std::mt19937_64 rng(client_seed(run.seed, -1));
    std::shuffle(remembered.begin(), remembered.end(), rng);
    remembered.resize(std::min(remembered.size(), kSweepKeys));
    for (const KeyRecord* record : remembered) {
        const Answer answer = api.call(record->request);
        log->replays.record(answer.as_call_result());
        if (same_answer(answer, *record->first)) {
            ++log->retries.replayed;
        } else {
            log->retry_mismatches.add(describe(record->request) + ": first answer " +
                                      describe(*record->first) + ", retry after the run " +
                                      describe(answer));
        }
    }
    return remembered.size();
}

} // namespace

int run_mixed(const Options& opt) {
    std::string error;
    Connection control = Connection::open(opt.conninfo, &error);
    if (!control.is_open()) {
        std::cerr << "error: connect: " << error << "\n";
        return 2;
    }
    MixedRun run;
    EventSetup event;
    if (!prepare_event(control, opt, &run, &event)) {
        return 2;
    }
    run.event_id = opt.event_id;
    run.limit = event.limit;
    run.seed = resolve_seed(opt.seed);
    run.key_prefix = "mixed-e" + std::to_string(opt.event_id) + "-";
    for (int i = 0; i < opt.customers; ++i) {
        run.customers.push_back(std::make_unique<CustomerBook>(customer_name(i)));
    }
    run.logs.resize(static_cast<std::size_t>(opt.clients));

    WorkerPool pool(opt.conninfo);
    if (!start_or_report(pool, opt.clients,
                         [&run](WorkerContext& ctx) { run_mixed_client(ctx, run); })) {
        return 2;
    }
    run_for(pool, Seconds(std::min(opt.duration_s, opt.max_seconds)));
    const bool was_interrupted = interrupted();
    stop_or_exit(pool, kStopGrace);
    MixedSetup setup{opt.label,
                     opt.event_id,
                     opt.clients,
                     opt.customers,
                     run.seats.ticket_count(),
                     event.limit,
                     run.seed,
                     0,
                     0};
    setup.elapsed_s = Seconds(std::chrono::steady_clock::now() - pool.started_at()).count();

    MixedObservation obs;
    obs.event_id = opt.event_id;
    obs.limit = event.limit;
    obs.baseline_audit_id = event.baseline_audit_id;
    obs.key_prefix = run.key_prefix;
    for (const ClientLog& log : run.logs) {
        obs.log.merge(log);
    }
    obs.keys = run.keys.drain();
    obs.worker_errors = pool.errors();
    if (!was_interrupted) {
        setup.swept = sweep_keys(control, run, obs.keys, &obs.log);
    }

    print_mixed_summary(std::cout, setup, obs);
    MixedFindings findings;
    bool passed = run_mixed_checks(control, obs, &findings);
    print_mixed_findings(std::cout, findings);
    if (was_interrupted) {
        std::cerr << "FAIL: interrupted before the full duration\n";
        passed = false;
    }
    const std::string name = opt.label.empty() ? "mixed" : "stress-" + opt.label;
    std::cout << (passed ? "PASS " : "FAIL ") << name << "\n";
    if (was_interrupted) {
        return kExitInterrupted;
    }
    return passed ? 0 : 1;
}

} // namespace loadgen
