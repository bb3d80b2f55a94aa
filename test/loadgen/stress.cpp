#include "stress.h"

#include "client_common.h"
#include "format.h"
#include "owned_tickets.h"
#include "queries.h"
#include "signals.h"
#include "stats.h"
#include "stress_checks.h"
#include "ticket_api.h"
#include "worker_pool.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

namespace loadgen {

namespace {

using Seconds = std::chrono::duration<double>;
constexpr std::chrono::seconds kStopGrace{5};
constexpr std::size_t kMaxAnomalyExamples = 5;

// What one client saw; written only by its own thread.
struct ClientState {
    std::string customer;
    CallStats claims;
    CallStats releases;
    OwnedTickets owned;
    std::uint64_t anomalies = 0;
    std::vector<std::string> anomaly_examples;

    void anomaly(const std::string& what) {
        ++anomalies;
        const std::string example = customer + ": " + what;
        if (anomaly_examples.size() < kMaxAnomalyExamples &&
            std::find(anomaly_examples.begin(), anomaly_examples.end(), example) ==
                anomaly_examples.end()) {
            anomaly_examples.push_back(example);
        }
    }
};

struct StressRun {
    std::int64_t event_id = 0;
    std::int64_t tickets = 0;
    int release_percent = 0;
    std::uint64_t seed = 0;
    std::vector<ClientState> clients;
};

// Updates the client's view after a claim and flags outcomes that contradict it.
void apply_claim(ClientState& client, std::int64_t ticket, WaitPolicy policy,
                 const std::string& outcome) {
    const std::string what = "claim of ticket " + std::to_string(ticket) + " (" +
                             wait_policy_name(policy) + ") returned " + outcome;
    const bool owned = client.owned.contains(ticket);
    if (outcome == "claimed") {
        if (owned) {
            client.anomaly(what + " although the client already owned it");
        }
        client.owned.add(ticket);
    } else if (outcome == "already_owned") {
        if (!owned) {
            client.anomaly(what + " although the client does not own it");
        }
    } else if (outcome == "already_sold") {
        if (owned) {
            client.anomaly(what + " although the client owns it");
        }
    } else if (outcome == "busy") {
        if (policy != WaitPolicy::Skip) {
            client.anomaly(what);
        }
    } else if (outcome == kLockNotAvailable) {
        if (policy != WaitPolicy::NoWait) {
            client.anomaly(what);
        }
    } else {
        client.anomaly(what);
    }
}

void apply_release(ClientState& client, std::int64_t ticket, const std::string& outcome) {
    if (outcome == "released") {
        client.owned.remove(ticket);
    } else {
        client.anomaly("release of owned ticket " + std::to_string(ticket) + " returned " +
                       outcome);
    }
}

void churn_until_stopped(WorkerContext& ctx, StressRun& run) {
    TicketApi api(ctx.connection());
    std::string error;
    if (!api.prepare(&error)) {
        ctx.fail(error);
        return;
    }
    ClientState& client = run.clients[static_cast<std::size_t>(ctx.index())];
    client.customer = customer_name(ctx.index());
    std::mt19937_64 rng(client_seed(run.seed, ctx.index()));
    std::uniform_int_distribution<std::int64_t> pick_ticket(1, run.tickets);
    std::uniform_int_distribution<int> pick_policy(0, 2);
    std::uniform_int_distribution<int> percent(0, 99);
    const WaitPolicy policies[] = {WaitPolicy::Wait, WaitPolicy::NoWait, WaitPolicy::Skip};
    if (!ctx.ready()) {
        return;
    }

    while (!ctx.stop_requested()) {
        const std::int64_t ticket = pick_ticket(rng);
        const WaitPolicy policy = policies[pick_policy(rng)];
        const CallResult claim = api.claim(run.event_id, ticket, client.customer, policy);
        client.claims.record(claim);
        if (claim.connection_lost) {
            break;
        }
        if (!claim.is_error()) {
            apply_claim(client, ticket, policy, claim.outcome);
        }

        if (client.owned.empty() || percent(rng) >= run.release_percent) {
            continue;
        }
        std::uniform_int_distribution<std::size_t> pick_owned(0, client.owned.size() - 1);
        const std::int64_t owned = client.owned.at(pick_owned(rng));
        const CallResult release = api.release(run.event_id, owned, client.customer);
        client.releases.record(release);
        if (release.connection_lost) {
            break;
        }
        if (!release.is_error()) {
            apply_release(client, owned, release.outcome);
        }
    }
}

bool check_fresh_event(Connection& conn, const Options& opt) {
    std::string error;
    const auto summary = fetch_summary(conn, opt.event_id, &error);
    if (!summary) {
        std::cerr << "error: " << error << "\n";
        return false;
    }
    if (summary->total < opt.tickets || summary->sold != 0 || summary->held != 0) {
        std::cerr << "error: event " << opt.event_id << " is not ready for a stress run ("
                  << summary->total << " tickets, " << summary->sold << " sold, " << summary->held
                  << " held; need " << opt.tickets << " tickets, none sold or held)\n";
        return false;
    }
    return true;
}

StressObservation collect(const StressRun& run, const WorkerPool& pool, AuditCounts baseline) {
    StressObservation obs;
    obs.event_id = run.event_id;
    obs.baseline = baseline;
    for (const ClientState& client : run.clients) {
        obs.claims.merge(client.claims);
        obs.releases.merge(client.releases);
        for (const std::int64_t ticket : client.owned.ids()) {
            obs.believed_owned.emplace(ticket, client.customer);
        }
        obs.anomalies += client.anomalies;
        for (const std::string& example : client.anomaly_examples) {
            if (obs.anomaly_examples.size() < kMaxAnomalyExamples) {
                obs.anomaly_examples.push_back(example);
            }
        }
    }
    obs.worker_errors = pool.errors();
    return obs;
}

void print_summary(const Options& opt, const StressRun& run, const StressObservation& obs,
                   double elapsed) {
    std::vector<std::string> claim_kinds = claim_outcome_kinds();
    claim_kinds.push_back(kLockNotAvailable);
    const std::uint64_t calls = obs.claims.calls + obs.releases.calls;

    Table table;
    table.add("scenario", opt.label.empty() ? "-" : opt.label);
    table.add("event", std::to_string(run.event_id));
    table.add("clients", std::to_string(opt.clients));
    table.add("tickets", with_commas(run.tickets));
    table.add("seed", std::to_string(run.seed));
    table.add("elapsed s", fixed(elapsed, 2));
    table.add("claim attempts", with_commas(obs.claims.calls));
    add_outcome_rows(table, obs.claims, claim_kinds);
    table.add("release attempts", with_commas(obs.releases.calls));
    add_outcome_rows(table, obs.releases, {"released", "not_owner", "not_found"});
    CallStats all = obs.claims;
    all.merge(obs.releases);
    add_error_rows(table, all);
    table.add("tickets owned at end",
              with_commas(static_cast<std::uint64_t>(obs.believed_owned.size())));
    table.add("attempts/s", rate(static_cast<double>(calls) / elapsed));
    table.add("claim p50 ms", fixed(obs.claims.latency.percentile_ms(50), 3));
    table.add("claim p99 ms", fixed(obs.claims.latency.percentile_ms(99), 3));
    table.add("release p50 ms", fixed(obs.releases.latency.percentile_ms(50), 3));
    table.add("release p99 ms", fixed(obs.releases.latency.percentile_ms(99), 3));
    table.print(std::cout);
    std::cout.flush();
}

} // namespace

int run_stress(const Options& opt) {
    std::string error;
    Connection control = Connection::open(opt.conninfo, &error);
    if (!control.is_open()) {
        std::cerr << "error: connect: " << error << "\n";
        return 2;
    }
    if (!check_fresh_event(control, opt)) {
        return 2;
    }
    const auto baseline = fetch_audit_counts(control, opt.event_id, &error);
    if (!baseline) {
        std::cerr << "error: " << error << "\n";
        return 2;
    }

    StressRun run;
    run.event_id = opt.event_id;
    run.tickets = opt.tickets;
    run.release_percent = opt.release_percent;
    run.seed = resolve_seed(opt.seed);
    run.clients.resize(static_cast<std::size_t>(opt.clients));

    WorkerPool pool(opt.conninfo);
    if (!start_or_report(pool, opt.clients,
                         [&run](WorkerContext& ctx) { churn_until_stopped(ctx, run); })) {
        return 2;
    }
    run_for(pool, Seconds(std::min(opt.duration_s, opt.max_seconds)));
    const bool was_interrupted = interrupted();
    stop_or_exit(pool, kStopGrace);
    const double elapsed = Seconds(std::chrono::steady_clock::now() - pool.started_at()).count();

    const StressObservation obs = collect(run, pool, *baseline);
    print_summary(opt, run, obs, elapsed);
    bool passed = run_stress_checks(control, obs);
    if (was_interrupted) {
        std::cerr << "FAIL: interrupted before the full duration\n";
        passed = false;
    }
    const std::string name = opt.label.empty() ? "stress" : "stress " + opt.label;
    std::cout << (passed ? "PASS " : "FAIL ") << name << "\n";
    if (was_interrupted) {
        return kExitInterrupted;
    }
    return passed ? 0 : 1;
}

} // namespace loadgen
