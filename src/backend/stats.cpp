#include "stats.hpp"

#include "pg_guard.hpp"

extern "C" {
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace ticketing::backend {

namespace {

constexpr int outcome_kinds = sizeof(all_outcomes) / sizeof(all_outcomes[0]);
constexpr int event_slots = 1024; // events tracked one by one; others only in the total

enum CounterIndex {
    attempts_counter = 0,
    first_outcome_counter = 1,
    errors_counter = first_outcome_counter + outcome_kinds,
    lock_waits_counter,
    lock_wait_micros_counter,
    skips_counter,
    counter_count
};

struct Counters {
    pg_atomic_uint64 event_id; // 0: free slot
    pg_atomic_uint64 values[counter_count];
};

struct StatsArea {
    Counters total;
    Counters events[event_slots];
};

StatsArea* area = nullptr;
bool area_is_shared = false;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void init_area(StatsArea* stats) {
    pg_atomic_init_u64(&stats->total.event_id, 0);
    for (auto& value : stats->total.values) {
        pg_atomic_init_u64(&value, 0);
    }
    for (auto& slot : stats->events) {
        pg_atomic_init_u64(&slot.event_id, 0);
        for (auto& value : slot.values) {
            pg_atomic_init_u64(&value, 0);
        }
    }
}

void request_shared_area() {
    if (previous_request_hook) {
        previous_request_hook();
    }
    RequestAddinShmemSpace(sizeof(StatsArea));
}

void attach_shared_area() {
    if (previous_startup_hook) {
        previous_startup_hook();
    }
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    auto* shared =
        static_cast<StatsArea*>(ShmemInitStruct("ticketing stats", sizeof(StatsArea), &found));
    if (!found) {
        init_area(shared);
    }
    LWLockRelease(AddinShmemInitLock);
    area = shared;
    area_is_shared = true;
}

// This backend's own counters when the library was not preloaded, allocated in
// TopMemoryContext on first use.
StatsArea* stats_area() {
    if (area == nullptr) {
        StatsArea* local = nullptr;
        pg_call([&] {
            local = static_cast<StatsArea*>(
                MemoryContextAllocZero(TopMemoryContext, sizeof(StatsArea)));
        });
        init_area(local);
        area = local;
    }
    return area;
}

// The slot of an event: open addressing on the event id; claimed with a CAS.
Counters* slot_for(StatsArea* stats, std::int64_t event_id) {
    if (event_id <= 0) {
        return nullptr;
    }
    const auto key = static_cast<std::uint64_t>(event_id);
    const std::uint64_t start = (key * 0x9E3779B97F4A7C15ULL) >> 54; // top 10 bits
    for (int probe = 0; probe < event_slots; ++probe) {
        Counters& slot = stats->events[(start + probe) % event_slots];
        std::uint64_t current = pg_atomic_read_u64(&slot.event_id);
        if (current == key) {
            return &slot;
        }
        if (current == 0) {
            std::uint64_t expected = 0;
            if (pg_atomic_compare_exchange_u64(&slot.event_id, &expected, key) || expected == key) {
                return &slot;
            }
        }
    }
    return nullptr; // table full: counted in the total only
}

void add(std::int64_t event_id, int counter, std::uint64_t amount) {
    StatsArea* stats = stats_area();
    pg_atomic_fetch_add_u64(&stats->total.values[counter], static_cast<int64>(amount));
    if (Counters* slot = slot_for(stats, event_id)) {
        pg_atomic_fetch_add_u64(&slot->values[counter], static_cast<int64>(amount));
    }
}

int outcome_index(Outcome outcome) {
    for (int i = 0; i < outcome_kinds; ++i) {
        if (all_outcomes[i] == outcome) {
            return i;
        }
    }
    return 0;
}

void copy_row(const Counters& counters, std::int64_t event_id, StatsRow* row) {
    auto read = [&](int index) {
        return pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&counters.values[index]));
    };
    row->event_id = event_id;
    row->attempts = read(attempts_counter);
    for (int i = 0; i < outcome_kinds; ++i) {
        row->outcomes[i] = read(first_outcome_counter + i);
    }
    row->errors = read(errors_counter);
    row->lock_waits = read(lock_waits_counter);
    row->lock_wait_micros = read(lock_wait_micros_counter);
    row->skips = read(skips_counter);
}

} // namespace

void install_stats_hooks() {
    if (!process_shared_preload_libraries_in_progress) {
        return;
    }
    previous_request_hook = shmem_request_hook;
    shmem_request_hook = request_shared_area;
    previous_startup_hook = shmem_startup_hook;
    shmem_startup_hook = attach_shared_area;
}

void count_outcome(std::int64_t event_id, Outcome outcome) {
    add(event_id, attempts_counter, 1);
    add(event_id, first_outcome_counter + outcome_index(outcome), 1);
}

void count_error(std::int64_t event_id) {
    add(event_id, attempts_counter, 1);
    add(event_id, errors_counter, 1);
}

void count_lock_wait(std::int64_t event_id, std::int64_t micros) {
    add(event_id, lock_waits_counter, 1);
    add(event_id, lock_wait_micros_counter, static_cast<std::uint64_t>(micros > 0 ? micros : 0));
}

void count_skip(std::int64_t event_id) {
    add(event_id, skips_counter, 1);
}

bool stats_are_shared() {
    return area_is_shared;
}

int stats_capacity() {
    return event_slots + 1;
}

int read_stats(StatsRow* rows, int capacity) {
    StatsArea* stats = stats_area();
    int count = 0;
    copy_row(stats->total, 0, &rows[count++]);
    for (const Counters& slot : stats->events) {
        const auto id = pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&slot.event_id));
        if (id != 0 && count < capacity) {
            copy_row(slot, static_cast<std::int64_t>(id), &rows[count++]);
        }
    }
    return count;
}

void reset_stats() {
    StatsArea* stats = stats_area();
    for (auto& value : stats->total.values) {
        pg_atomic_write_u64(&value, 0);
    }
    for (auto& slot : stats->events) {
        for (auto& value : slot.values) {
            pg_atomic_write_u64(&value, 0);
        }
    }
}

} // namespace ticketing::backend
