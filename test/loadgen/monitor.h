// Sellout monitor: polls event_summary on its own connection, prints live progress to stderr
// and stops the clients once the event is sold out (or the time cap is reached).
#pragma once

#include "options.h"
#include "pg.h"
#include "wakeup.h"
#include "worker_pool.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace loadgen {

enum class StopReason { SoldOut, TimedOut, Interrupted, ClientsGone };

const char* stop_reason_name(StopReason reason);

struct MonitorConfig {
    std::int64_t event_id = 0;
    std::chrono::milliseconds poll_interval{500};
    std::chrono::duration<double> max_run{120.0};
    ProgressStyle style = ProgressStyle::Plain; // Tty, Plain or None (not Auto)
};

class ProgressMonitor {
  public:
    // `claimed` counts claimed outcomes seen by the clients; `wakeup` cuts a poll short.
    ProgressMonitor(Connection& conn, MonitorConfig config, WorkerPool& pool,
                    const std::atomic<std::uint64_t>& claimed, Wakeup& wakeup)
        : conn_(conn), config_(config), pool_(pool), claimed_(claimed), wakeup_(wakeup) {}

    // Runs until the event is sold out, the cap is reached, a signal arrives or all clients
    // are gone; then asks the pool to stop and returns why.
    StopReason run();

  private:
    void show(std::int64_t sold, std::int64_t remaining, double claims_per_second);
    void finish_line();

    Connection& conn_;
    MonitorConfig config_;
    WorkerPool& pool_;
    const std::atomic<std::uint64_t>& claimed_;
    Wakeup& wakeup_;
    std::size_t last_width_ = 0;
    std::string last_error_;
};

} // namespace loadgen
