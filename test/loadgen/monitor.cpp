#include "monitor.h"

#include "format.h"
#include "queries.h"
#include "signals.h"

#include <iostream>

namespace loadgen {

namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

} // namespace

const char* stop_reason_name(StopReason reason) {
    switch (reason) {
    case StopReason::SoldOut:
        return "sold out";
    case StopReason::TimedOut:
        return "time cap reached";
    case StopReason::Interrupted:
        return "interrupted";
    case StopReason::ClientsGone:
        return "all clients stopped";
    }
    return "?";
}

StopReason ProgressMonitor::run() {
    const auto start = pool_.started_at();
    auto last_shown = start;
    std::uint64_t claimed_at_last_shown = 0;
    StopReason reason = StopReason::TimedOut;

    for (;;) {
        wakeup_.wait_for(config_.poll_interval);
        const auto now = Clock::now();
        if (interrupted()) {
            reason = StopReason::Interrupted;
            break;
        }
        if (pool_.running() == 0) {
            reason = StopReason::ClientsGone;
            break;
        }

        std::string error;
        const auto summary = fetch_summary(conn_, config_.event_id, &error);
        if (!summary) {
            if (error != last_error_) {
                finish_line();
                std::cerr << "monitor: " << error << "\n";
                last_error_ = error;
            }
            if (conn_.is_broken()) {
                PQreset(conn_.raw());
            }
        } else {
            const bool sold_out = summary->available == 0 && summary->held == 0;
            const Seconds since_shown = now - last_shown;
            const bool due = config_.style == ProgressStyle::Tty || since_shown.count() >= 1.0;
            if (due || sold_out) {
                const std::uint64_t claimed = claimed_.load();
                const double seconds = since_shown.count();
                const double rate =
                    seconds > 0 ? static_cast<double>(claimed - claimed_at_last_shown) / seconds
                                : 0.0;
                show(summary->sold, summary->total - summary->sold, rate);
                last_shown = now;
                claimed_at_last_shown = claimed;
            }
            if (sold_out) {
                reason = StopReason::SoldOut;
                break;
            }
        }
        if (Seconds(now - start) >= config_.max_run) {
            reason = StopReason::TimedOut;
            break;
        }
    }
    pool_.request_stop();
    finish_line();
    return reason;
}

void ProgressMonitor::show(std::int64_t sold, std::int64_t remaining, double claims_per_second) {
    if (config_.style == ProgressStyle::None) {
        return;
    }
    const std::string line = "sold " + with_commas(sold) + " / remaining " +
                             with_commas(remaining) + " / " + rate(claims_per_second) + " claims/s";
    if (config_.style == ProgressStyle::Tty) {
        const std::size_t pad = last_width_ > line.size() ? last_width_ - line.size() : 0;
        std::cerr << '\r' << line << std::string(pad, ' ') << std::flush;
        last_width_ = line.size();
    } else {
        std::cerr << line << std::endl;
    }
}

void ProgressMonitor::finish_line() {
    if (last_width_ > 0) {
        std::cerr << std::endl;
        last_width_ = 0;
    }
}

} // namespace loadgen
