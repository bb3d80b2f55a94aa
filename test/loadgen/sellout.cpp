#include "sellout.h"

#include "client_common.h"
#include "format.h"
#include "monitor.h"
#include "queries.h"
#include "signals.h"
#include "stats.h"
#include "ticket_api.h"
#include "worker_pool.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <thread>
#include <vector>

namespace loadgen {

namespace {

using Seconds = std::chrono::duration<double>;
constexpr std::chrono::seconds kStopGrace{5};

struct SelloutRun {
    std::int64_t event_id = 0;
    std::int64_t tickets = 0;
    std::uint64_t seed = 0;
    std::atomic<std::uint64_t> claimed{0};
    Wakeup sold_out_hint;
    std::vector<CallStats> per_client;
};

void buy_until_stopped(WorkerContext& ctx, SelloutRun& run) {
    TicketApi api(ctx.connection());
    std::string error;
    if (!api.prepare(&error)) {
        ctx.fail(error);
        return;
    }
    std::mt19937_64 rng(client_seed(run.seed, ctx.index()));
    std::uniform_int_distribution<std::int64_t> pick(1, run.tickets);
    const std::string customer = customer_name(ctx.index());
    CallStats& stats = run.per_client[static_cast<std::size_t>(ctx.index())];
    if (!ctx.ready()) {
        return;
    }
    while (!ctx.stop_requested()) {
        const CallResult result = api.claim(run.event_id, pick(rng), customer, WaitPolicy::Wait);
        stats.record(result);
        if (result.outcome == "claimed") {
            const std::uint64_t seen = run.claimed.fetch_add(1) + 1;
            if (seen >= static_cast<std::uint64_t>(run.tickets)) {
                run.sold_out_hint.notify();
            }
        }
        if (result.connection_lost) {
            break;
        }
    }
}

ProgressStyle resolve_style(ProgressStyle style) {
    if (style != ProgressStyle::Auto) {
        return style;
    }
    return isatty(STDERR_FILENO) ? ProgressStyle::Tty : ProgressStyle::Plain;
}

// Checks that the event exists and nothing is sold or held yet; settles the ticket count.
bool check_fresh_event(Connection& conn, const Options& opt, std::int64_t* tickets) {
    std::string error;
    const auto summary = fetch_summary(conn, opt.event_id, &error);
    if (!summary) {
        std::cerr << "error: " << error << "\n";
        return false;
    }
    *tickets = opt.tickets > 0 ? opt.tickets : summary->total;
    if (summary->total != *tickets) {
        std::cerr << "error: event " << opt.event_id << " has " << summary->total
                  << " tickets but --tickets is " << *tickets << "\n";
        return false;
    }
    if (*tickets == 0 || summary->sold != 0 || summary->held != 0) {
        std::cerr << "error: event " << opt.event_id << " is not ready for a sell-out ("
                  << summary->total << " tickets, " << summary->sold << " sold, " << summary->held
                  << " held)\n";
        return false;
    }
    return true;
}

// What the clients saw, once they have all stopped.
struct ClientTotals {
    StopReason reason = StopReason::TimedOut;
    double elapsed_s = 0;
    CallStats claims;
    std::vector<std::string> worker_errors;
};

// The event as the database sees it after the run.
struct FinalState {
    std::optional<EventSummary> summary;
    std::optional<VerifyReport> verify;
    std::vector<std::string> query_errors;
};

// Runs the clients and the monitor until the sell-out ends. nullopt if the clients could not
// be started (the reasons are printed).
std::optional<ClientTotals> drive(Connection& control, const Options& opt, SelloutRun& run) {
    WorkerPool pool(opt.conninfo);
    if (!start_or_report(pool, opt.clients,
                         [&run](WorkerContext& ctx) { buy_until_stopped(ctx, run); })) {
        return std::nullopt;
    }

    MonitorConfig config;
    config.event_id = opt.event_id;
    config.max_run = Seconds(opt.max_seconds);
    config.style = resolve_style(opt.progress);
    ProgressMonitor monitor(control, config, pool, run.claimed, run.sold_out_hint);
    ClientTotals totals;
    std::thread monitor_thread([&] { totals.reason = monitor.run(); });
    monitor_thread.join();

    stop_or_exit(pool, kStopGrace);
    totals.elapsed_s = Seconds(std::chrono::steady_clock::now() - pool.started_at()).count();
    for (const CallStats& stats : run.per_client) {
        totals.claims.merge(stats);
    }
    totals.worker_errors = pool.errors();
    return totals;
}

FinalState read_final_state(Connection& control, std::int64_t event_id) {
    FinalState state;
    std::string error;
    state.summary = fetch_summary(control, event_id, &error);
    if (!state.summary) {
        state.query_errors.push_back(error);
    }
    state.verify = run_verify(control, event_id, &error);
    if (!state.verify) {
        state.query_errors.push_back(error);
    }
    return state;
}

void print_table(const Options& opt, const SelloutRun& run, const ClientTotals& totals,
                 const FinalState& state) {
    const CallStats& claims = totals.claims;
    const double claimed = static_cast<double>(claims.outcome("claimed"));
    Table table;
    table.add("tickets", with_commas(run.tickets));
    table.add("sold", state.summary ? with_commas(state.summary->sold) : "?");
    table.add("attempts", with_commas(claims.calls));
    add_outcome_rows(table, claims, claim_outcome_kinds());
    add_error_rows(table, claims);
    table.add("oversells (verify)", state.verify ? with_commas(state.verify->problems) : "?");
    table.add("elapsed s", fixed(totals.elapsed_s, 2));
    table.add("claims/s", rate(claimed / totals.elapsed_s));
    table.add("attempts/s", rate(static_cast<double>(claims.calls) / totals.elapsed_s));
    table.add("p50 latency ms", fixed(claims.latency.percentile_ms(50), 3));
    table.add("p99 latency ms", fixed(claims.latency.percentile_ms(99), 3));
    table.add("clients", std::to_string(opt.clients));
    table.add("stopped", stop_reason_name(totals.reason));
    table.print(std::cout);
    std::cout.flush();
}

// Everything that makes the sell-out a failure, as one line each.
std::vector<std::string> find_failures(const SelloutRun& run, const ClientTotals& totals,
                                       const FinalState& state) {
    std::vector<std::string> failures = state.query_errors;
    const auto claimed = static_cast<std::int64_t>(totals.claims.outcome("claimed"));
    if (state.summary && state.summary->sold != run.tickets) {
        failures.push_back("sold " + with_commas(state.summary->sold) + " of " +
                           with_commas(run.tickets) + " tickets (" +
                           stop_reason_name(totals.reason) + ")");
    }
    if (state.summary && claimed != state.summary->sold) {
        failures.push_back("clients saw " + with_commas(claimed) + " claimed outcomes but " +
                           with_commas(state.summary->sold) + " tickets are sold");
    }
    if (state.verify && state.verify->problems != 0) {
        failures.push_back("verify reported " + with_commas(state.verify->problems) + " problems");
        for (const std::string& example : state.verify->examples) {
            failures.push_back("  verify: " + example);
        }
    }
    const std::uint64_t errors = totals.claims.error_count() + totals.worker_errors.size();
    if (errors != 0) {
        failures.push_back(with_commas(errors) + " unexpected errors");
    }
    if (totals.reason == StopReason::Interrupted) {
        failures.push_back("interrupted");
    }
    return failures;
}

} // namespace

int run_sellout(const Options& opt) {
    std::string error;
    Connection control = Connection::open(opt.conninfo, &error);
    if (!control.is_open()) {
        std::cerr << "error: connect: " << error << "\n";
        return 2;
    }
    SelloutRun run;
    run.event_id = opt.event_id;
    if (!check_fresh_event(control, opt, &run.tickets)) {
        return 2;
    }
    run.seed = resolve_seed(opt.seed);
    run.per_client.resize(static_cast<std::size_t>(opt.clients));

    const auto totals = drive(control, opt, run);
    if (!totals) {
        return 2;
    }
    const FinalState state = read_final_state(control, opt.event_id);
    print_table(opt, run, *totals, state);

    print_error_examples(std::cerr, totals->claims);
    for (const std::string& message : totals->worker_errors) {
        std::cerr << "error: " << message << "\n";
    }
    const std::vector<std::string> failures = find_failures(run, *totals, state);
    for (const std::string& failure : failures) {
        std::cerr << "FAIL: " << failure << "\n";
    }
    std::cout << (failures.empty() ? "PASS" : "FAIL") << " sellout\n";
    if (totals->reason == StopReason::Interrupted) {
        return kExitInterrupted;
    }
    return failures.empty() ? 0 : 1;
}

} // namespace loadgen
