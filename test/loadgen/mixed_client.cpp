#include "mixed_client.h"

#include "answer_checks.h"
#include "client_common.h"
#include "mixed_api.h"
#include "mixed_workload.h"

#include <algorithm>
#include <random>
#include <thread>

namespace loadgen {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kKeyedPercent = 25;   // calls that carry an idempotency key
constexpr int kRollbackPercent = 5; // calls rolled back on purpose (always keyed)
constexpr int kImmediateRetryPercent = 50;
constexpr int kLaterRetryPercent = 60;
constexpr int kTakeDuePercent = 20; // iterations that look for a due later retry
constexpr int kHotCustomers = 8;    // often picked, so they act on two connections at once
constexpr int kHotCustomerPercent = 30;

const char* change_target(const std::string& outcome) {
    if (outcome == "claimed") {
        return "sold";
    }
    if (outcome == "hold_placed") {
        return "held";
    }
    return "available";
}

class MixedClient {
  public:
    MixedClient(WorkerContext& ctx, MixedRun& run)
        : ctx_(ctx), run_(run), log_(run.logs[static_cast<std::size_t>(ctx.index())]),
          api_(ctx.connection(), run.event_id), picker_(run.seats, run.limit, run.recent),
          rng_(client_seed(run.seed, ctx.index())) {}

    void run() {
        std::string error;
        if (!api_.prepare(&error)) {
            ctx_.fail(error);
            return;
        }
        if (!ctx_.ready()) {
            return;
        }
        while (!ctx_.stop_requested() && !lost_) {
            if (chance(rng_, kTakeDuePercent)) {
                if (auto record = run_.keys.take_due(Clock::now())) {
                    retry_later(std::move(*record));
                    continue;
                }
            }
            CustomerBook& book = pick_customer();
            const std::int64_t now_us = wall_clock_us();
            Request request = picker_.next(rng_, book.name(), book.view(now_us), now_us);
            if (request.kind == CallKind::ExpireHolds) {
                run_committed(request);
            } else if (request.roll_back) {
                rolled_back(std::move(request)); // contested: no key, no retries
            } else if (chance(rng_, kRollbackPercent)) {
                request.roll_back = true;
                request.key = next_key();
                rolled_back(std::move(request));
            } else if (chance(rng_, kKeyedPercent)) {
                request.key = next_key();
                keyed(std::move(request));
            } else {
                run_committed(request);
            }
        }
    }

  private:
    CustomerBook& pick_customer() {
        const int pool = static_cast<int>(run_.customers.size());
        const int range = chance(rng_, kHotCustomerPercent) ? std::min(kHotCustomers, pool) : pool;
        return *run_.customers[static_cast<std::size_t>(
            std::uniform_int_distribution<int>(0, range - 1)(rng_))];
    }

    CustomerBook& book_of(const std::string& customer) {
        for (auto& book : run_.customers) {
            if (book->name() == customer) {
                return *book;
            }
        }
        return *run_.customers.front(); // not reached: keys are only made for pool customers
    }

    std::string next_key() {
        return run_.key_prefix + std::to_string(ctx_.index() + 1) + "-" + std::to_string(++keys_);
    }

    void note_lost(const Answer& answer) {
        if (answer.connection_lost && !lost_) {
            lost_ = true;
            log_.failures.add("client " + std::to_string(ctx_.index() + 1) +
                              " lost its connection: " + answer.message);
        }
    }

    void check(const Request& request, const Answer& answer) {
        const std::string problem = answer_problem(request, answer, run_.seats, run_.limit);
        if (!problem.empty()) {
            log_.anomalies.add(describe(request) + " -> " + describe(answer) + ": " + problem);
        }
    }

    // A call that ran and committed (or failed): counted, checked, believed, logged.
    Answer run_committed(const Request& request) {
        const Answer answer = api_.call(request);
        log_.calls[kind_index(request.kind)].record(answer.as_call_result());
        note_lost(answer);
        check(request, answer);
        if (answer.is_error()) {
            return answer;
        }
        if (request.kind == CallKind::ExpireHolds) {
            log_.expiries.push_back(ExpireCall{answer.xid, answer.remaining.value_or(0)});
            return answer;
        }
        book_of(request.customer).apply(answer);
        if (answer.outcome == "released") {
            run_.recent.add(request.tickets[0]);
        }
        if (answer.changed_tickets()) {
            ChangeEvent change;
            change.xid = answer.xid;
            change.customer = request.customer;
            change.kind = request.kind;
            change.to = change_target(answer.outcome);
            change.tickets = answer.tickets;
            change.hold_expires_us = answer.hold_expires_us;
            change.may_list_owned = request.kind == CallKind::ClaimTickets;
            change.request = describe(request);
            log_.changes.push_back(std::move(change));
        }
        return answer;
    }

    // Re-sends a keyed request. With a remembered first answer this must be a replay of it;
    // without one (rolled back, busy, 55P03) the request runs anew.
    void resend(KeyRecord& record) {
        if (!record.first) {
            const Answer answer = run_committed(record.request);
            ++log_.retries.ran_anew;
            for (const Answer& undone : record.rolled_back) {
                if (undone.changed_tickets() && answer.changed_tickets() &&
                    answer.at_us == undone.at_us) {
                    log_.rollback_traces.add(describe(record.request) +
                                             ": after a rollback the retry answered the "
                                             "rolled-back result " +
                                             describe(undone));
                }
            }
            if (answer.remembered()) {
                record.first = answer;
            }
            return;
        }
        const Answer answer = api_.call(record.request);
        log_.replays.record(answer.as_call_result());
        note_lost(answer);
        if (same_answer(answer, *record.first)) {
            ++log_.retries.replayed;
        } else {
            log_.retry_mismatches.add(describe(record.request) + ": first answer " +
                                      describe(*record.first) + ", retry " + describe(answer));
        }
    }

    void file(KeyRecord record) {
        Clock::time_point due = Clock::now();
        if (chance(rng_, kLaterRetryPercent)) {
            record.later_retries = chance(rng_, 40) ? 2 : 1;
            due += std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 3000)(rng_));
        }
        run_.keys.put(std::move(record), due);
    }

    void keyed(Request request) {
        KeyRecord record;
        record.request = std::move(request);
        const Answer answer = run_committed(record.request);
        if (answer.remembered()) {
            record.first = answer;
        }
        if (!lost_ && chance(rng_, kImmediateRetryPercent)) {
            ++log_.retries.immediate;
            resend(record);
        }
        file(std::move(record));
    }

    void rolled_back(Request request) {
        KeyRecord record;
        record.request = std::move(request);
        std::string error;
        if (!api_.begin(&error)) {
            log_.failures.add(error);
            return;
        }
        const Answer answer = api_.call(record.request);
        // Keep the locks a moment, so that other clients meet them.
        std::this_thread::sleep_for(
            std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng_)));
        if (!api_.rollback(&error)) {
            log_.failures.add(error);
        }
        log_.rolled_back[kind_index(record.request.kind)].record(answer.as_call_result());
        note_lost(answer);
        check(record.request, answer);
        if (answer.xid != 0) {
            log_.rolled_back_xids.push_back(answer.xid);
        }
        if (record.request.key.empty()) {
            return;
        }
        record.request.roll_back = false; // retries commit
        record.rolled_back.push_back(answer);
        if (!lost_ && chance(rng_, kImmediateRetryPercent)) {
            ++log_.retries.immediate;
            resend(record);
        }
        file(std::move(record));
    }

    void retry_later(KeyRecord record) {
        ++log_.retries.later;
        resend(record);
        --record.later_retries;
        run_.keys.put(std::move(record),
                      Clock::now() + std::chrono::milliseconds(
                                         std::uniform_int_distribution<int>(500, 3000)(rng_)));
    }

    WorkerContext& ctx_;
    MixedRun& run_;
    ClientLog& log_;
    MixedApi api_;
    RequestPicker picker_;
    std::mt19937_64 rng_;
    std::uint64_t keys_ = 0;
    bool lost_ = false;
};

} // namespace

void run_mixed_client(WorkerContext& ctx, MixedRun& run) {
    MixedClient client(ctx, run);
    client.run();
}

} // namespace loadgen
