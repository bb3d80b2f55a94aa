// One mixed-mode client: a thread with its own connection making random calls for random
// customers of a shared pool, re-sending idempotent calls and rolling some back on purpose.
#pragma once

#include "customer_book.h"
#include "key_registry.h"
#include "mixed_log.h"
#include "recent_tickets.h"
#include "seat_map.h"
#include "worker_pool.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loadgen {

// Shared by all clients of one run.
struct MixedRun {
    std::int64_t event_id = 0;
    std::uint64_t seed = 0;
    std::string key_prefix; // unique per run: "m<seed>-"
    SeatMap seats;
    std::int64_t limit = 0; // the event's per-customer limit (0: none)
    std::vector<std::unique_ptr<CustomerBook>> customers;
    KeyRegistry keys;
    RecentTickets recent;
    std::vector<ClientLog> logs; // one per client
};

// The body of client ctx.index(); returns when the pool asks it to stop.
void run_mixed_client(WorkerContext& ctx, MixedRun& run);

} // namespace loadgen
