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
// (database, event) pairs tracked one by one, the databases' totals included; others are
// counted in their database's total only.
constexpr int table_slots = 4096;
constexpr const char* tranche_name = "ticketing stats";

enum CounterIndex {
    attempts_counter = 0,
    first_outcome_counter = 1,
    errors_counter = first_outcome_counter + outcome_kinds,
    lock_waits_counter,
    lock_wait_micros_counter,
    skips_counter,
    counter_count
};

// A slot's life: free, in use (database and event set before it is published), or
// deleted by reset_stats() (a tombstone: lookups probe past it, a new key may reuse it).
enum SlotState : std::uint32_t { slot_free = 0, slot_in_use = 1, slot_deleted = 2 };

struct Counters {
    pg_atomic_uint32 state;
    Oid database;
    std::int64_t event_id; // 0: the database's total over all its events
    pg_atomic_uint64 values[counter_count];
};

struct StatsArea {
    Counters slots[table_slots];
};

StatsArea* area = nullptr;
LWLock* creation_lock = nullptr; // shared area only: serialises claiming and deleting slots
bool area_is_shared = false;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void init_area(StatsArea* stats) {
    for (auto& slot : stats->slots) {
        pg_atomic_init_u32(&slot.state, slot_free);
        slot.database = InvalidOid;
        slot.event_id = 0;
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
    RequestNamedLWLockTranche(tranche_name, 1);
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
    creation_lock = &(GetNamedLWLockTranche(tranche_name))->lock;
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

// The creation lock, when there is one (the shared area). Held only around plain
// memory writes: nothing in between can raise an error.
void lock_creation() {
    if (creation_lock != nullptr) {
        LWLockAcquire(creation_lock, LW_EXCLUSIVE);
    }
}

void unlock_creation() {
    if (creation_lock != nullptr) {
        LWLockRelease(creation_lock);
    }
}

std::size_t first_probe(Oid database, std::int64_t event_id) {
    const auto key = static_cast<std::uint64_t>(event_id) * 0x9E3779B97F4A7C15ULL ^
                     static_cast<std::uint64_t>(database) * 0xC2B2AE3D27D4EB4FULL;
    return static_cast<std::size_t>(key >> 32) % table_slots;
}

bool holds(const Counters& slot, Oid database, std::int64_t event_id) {
    if (pg_atomic_read_u32(const_cast<pg_atomic_uint32*>(&slot.state)) != slot_in_use) {
        return false;
    }
    pg_read_barrier(); // the key was written before the state was published
    return slot.database == database && slot.event_id == event_id;
}

// The slot of (database, event), or nullptr. Lock-free: probes until a free slot.
Counters* find_slot(StatsArea* stats, Oid database, std::int64_t event_id) {
    const std::size_t start = first_probe(database, event_id);
    for (int probe = 0; probe < table_slots; ++probe) {
        Counters& slot = stats->slots[(start + probe) % table_slots];
        if (holds(slot, database, event_id)) {
            return &slot;
        }
        if (pg_atomic_read_u32(&slot.state) == slot_free) {
            return nullptr;
        }
    }
    return nullptr;
}

// The slot of (database, event), claimed under the creation lock if there is none yet
// (the first deleted or free slot on its probe sequence); nullptr when the table is full.
// The caller holds the creation lock.
Counters* claim_slot_locked(StatsArea* stats, Oid database, std::int64_t event_id) {
    const std::size_t start = first_probe(database, event_id);
    Counters* reusable = nullptr;
    for (int probe = 0; probe < table_slots; ++probe) {
        Counters& slot = stats->slots[(start + probe) % table_slots];
        if (holds(slot, database, event_id)) {
            return &slot;
        }
        const std::uint32_t state = pg_atomic_read_u32(&slot.state);
        if (state == slot_deleted && reusable == nullptr) {
            reusable = &slot;
        }
        if (state == slot_free) {
            if (reusable == nullptr) {
                reusable = &slot;
            }
            break;
        }
    }
    if (reusable == nullptr) {
        return nullptr;
    }
    reusable->database = database;
    reusable->event_id = event_id;
    for (auto& value : reusable->values) {
        pg_atomic_write_u64(&value, 0);
    }
    pg_write_barrier();
    pg_atomic_write_u32(&reusable->state, slot_in_use);
    return reusable;
}

// claim_slot_locked under the creation lock. Inside pg_call.
Counters* claim_slot(StatsArea* stats, Oid database, std::int64_t event_id) {
    lock_creation();
    Counters* slot = claim_slot_locked(stats, database, event_id);
    unlock_creation();
    return slot;
}

void add_to(Counters* slot, int counter, std::uint64_t amount) {
    if (slot != nullptr) {
        pg_atomic_fetch_add_u64(&slot->values[counter], static_cast<int64>(amount));
    }
}

// Adds to the database's total and, for a positive event id, to the event's counters. An
// event gets counters of its own only when `event_exists` (an answer that found the
// event): calls naming events that do not exist never use up the table.
void add(std::int64_t event_id, bool event_exists, int counter, std::uint64_t amount) {
    StatsArea* stats = stats_area();
    Counters* total = find_slot(stats, MyDatabaseId, 0);
    if (total == nullptr) {
        pg_call([&] { total = claim_slot(stats, MyDatabaseId, 0); });
    }
    add_to(total, counter, amount);
    if (event_id <= 0) {
        return;
    }
    Counters* slot = find_slot(stats, MyDatabaseId, event_id);
    if (slot == nullptr && event_exists) {
        pg_call([&] { slot = claim_slot(stats, MyDatabaseId, event_id); });
    }
    add_to(slot, counter, amount);
}

int outcome_index(Outcome outcome) {
    for (int i = 0; i < outcome_kinds; ++i) {
        if (all_outcomes[i] == outcome) {
            return i;
        }
    }
    return 0;
}

void copy_row(const Counters& counters, StatsRow* row) {
    auto read = [&](int index) {
        return pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&counters.values[index]));
    };
    row->event_id = counters.event_id;
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
    // not_found may mean that the event does not exist.
    const bool event_exists = outcome != Outcome::not_found;
    add(event_id, event_exists, attempts_counter, 1);
    add(event_id, event_exists, first_outcome_counter + outcome_index(outcome), 1);
}

void count_error(std::int64_t event_id) {
    add(event_id, false, attempts_counter, 1);
    add(event_id, false, errors_counter, 1);
}

void count_lock_wait(std::int64_t event_id, std::int64_t micros) {
    add(event_id, true, lock_waits_counter, 1);
    add(event_id, true, lock_wait_micros_counter,
        static_cast<std::uint64_t>(micros > 0 ? micros : 0));
}

void count_skip(std::int64_t event_id) {
    add(event_id, true, skips_counter, 1);
}

bool stats_are_shared() {
    return area_is_shared;
}

int stats_capacity() {
    return table_slots;
}

int read_stats(StatsRow* rows, int capacity) {
    StatsArea* stats = stats_area();
    int count = 0;
    // The database's total first (zeros if nothing was counted yet), then its events.
    if (const Counters* total = find_slot(stats, MyDatabaseId, 0)) {
        copy_row(*total, &rows[count++]);
    } else {
        rows[count++] = StatsRow{};
    }
    for (const Counters& slot : stats->slots) {
        if (count < capacity && slot.event_id != 0 && holds(slot, MyDatabaseId, slot.event_id)) {
            copy_row(slot, &rows[count++]);
        }
    }
    return count;
}

void reset_stats() {
    StatsArea* stats = stats_area();
    pg_call([&] {
        lock_creation();
        for (auto& slot : stats->slots) {
            if (holds(slot, MyDatabaseId, slot.event_id)) {
                for (auto& value : slot.values) {
                    pg_atomic_write_u64(&value, 0);
                }
                if (slot.event_id != 0) {
                    pg_atomic_write_u32(&slot.state, slot_deleted);
                }
            }
        }
        unlock_creation();
    });
}

} // namespace ticketing::backend
