// Counters of what the calls did, per event and per database, kept in memory: no table
// writes on the hot path. With shared_preload_libraries = 'ticketing' they live in
// shared memory and cover every backend of the server, keyed by (database, event), so
// events of the same id in two databases never mix; without it each backend counts its
// own calls and ticketing.stats shows the current session's. An event gets counters of
// its own from the first answer that found it (not_found and errors never claim one),
// and reset_stats() frees the current database's (counts racing with a reset may land
// in the freed counters and be lost).
#pragma once

#include "pg.hpp"

#include "../core/outcome.hpp"

namespace ticketing::backend {

// Called from _PG_init: asks for shared memory when the library is being preloaded.
void install_stats_hooks();

void count_outcome(std::int64_t event_id, Outcome outcome);
void count_error(std::int64_t event_id);
void count_lock_wait(std::int64_t event_id, std::int64_t micros);
void count_skip(std::int64_t event_id);

// The counters of the current database: one row for all its events (event_id 0), then
// one per event tracked.
struct StatsRow {
    std::int64_t event_id;
    std::uint64_t attempts;
    std::uint64_t outcomes[sizeof(all_outcomes) / sizeof(all_outcomes[0])];
    std::uint64_t errors;
    std::uint64_t lock_waits;
    std::uint64_t lock_wait_micros;
    std::uint64_t skips;
};
bool stats_are_shared();
int read_stats(StatsRow* rows, int capacity);
int stats_capacity();
void reset_stats();

} // namespace ticketing::backend
