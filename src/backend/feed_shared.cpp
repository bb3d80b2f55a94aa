#include "feed_shared.hpp"

#include "pg_guard.hpp"

#include <dlfcn.h>

extern "C" {
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace ticketing::backend {

namespace {

constexpr const char* tranche_name = "ticketing feed";
// Events with changes not yet announced, over all databases. The notifier empties it
// every round; when full, the database is told to resync instead.
constexpr int pending_capacity = max_announcements_per_round;

struct PendingEvent {
    Oid database;
    std::int64_t event_id;
    std::int64_t committed_high; // highest audit id committed
    std::int64_t announced_high; // highest audit id announced
};

struct FeedDatabase {
    Oid database; // InvalidOid: a free slot
    pid_t notifier_pid;
    Latch* notifier_latch;
    bool wanted;   // changes wait for a notifier that is not running
    bool starting; // the launcher registered one that has not attached yet
    bool resync;   // changes were lost for want of room: announce "everything"
    bool woken;    // the notifier was woken for changes it has not taken yet
    int start_failures;
};

struct FeedArea {
    Latch* launcher_latch;
    int pending_count;
    PendingEvent pending[pending_capacity];
    FeedDatabase databases[max_feed_databases];
};

FeedArea* area = nullptr; // set only when the library was preloaded
LWLock* feed_lock = nullptr;
int interval_ms = 50;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void request_area() {
    if (previous_request_hook) {
        previous_request_hook();
    }
    RequestAddinShmemSpace(sizeof(FeedArea));
    RequestNamedLWLockTranche(tranche_name, 1);
}

void attach_area() {
    if (previous_startup_hook) {
        previous_startup_hook();
    }
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    auto* shared = static_cast<FeedArea*>(ShmemInitStruct(tranche_name, sizeof(FeedArea), &found));
    if (!found) {
        memset(shared, 0, sizeof(FeedArea));
    }
    feed_lock = &(GetNamedLWLockTranche(tranche_name))->lock;
    LWLockRelease(AddinShmemInitLock);
    area = shared;
}

char library_name[BGW_MAXLEN] = "ticketing";

void find_library_name() {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&find_library_name), &info) != 0 &&
        info.dli_fname != nullptr && strlen(info.dli_fname) < BGW_MAXLEN &&
        info.dli_fname[0] == '/') {
        strlcpy(library_name, info.dli_fname, BGW_MAXLEN);
    }
}

void register_launcher() {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 10;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "%s", library_name);
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "ticketing_feed_launcher_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "ticketing feed launcher");
    snprintf(worker.bgw_type, BGW_MAXLEN, "ticketing feed launcher");
    RegisterBackgroundWorker(&worker);
}

// The database's slot (under feed_lock), created if `create`; nullptr when none is free.
FeedDatabase* database_slot(Oid database, bool create) {
    FeedDatabase* free_slot = nullptr;
    for (FeedDatabase& slot : area->databases) {
        if (slot.database == database) {
            return &slot;
        }
        if (slot.database == InvalidOid && free_slot == nullptr) {
            free_slot = &slot;
        }
    }
    if (!create || free_slot == nullptr) {
        return nullptr;
    }
    memset(free_slot, 0, sizeof(*free_slot));
    free_slot->database = database;
    return free_slot;
}

bool has_pending(Oid database) {
    for (int i = 0; i < area->pending_count; ++i) {
        const PendingEvent& event = area->pending[i];
        if (event.database == database && event.committed_high > event.announced_high) {
            return true;
        }
    }
    return false;
}

void remove_pending(int i) {
    area->pending[i] = area->pending[area->pending_count - 1];
    --area->pending_count;
}

// A slot nobody needs any more goes back to the free list.
void release_if_unused(FeedDatabase* slot) {
    if (slot->notifier_pid == 0 && !slot->starting && !slot->wanted && !slot->resync &&
        !has_pending(slot->database)) {
        slot->database = InvalidOid;
    }
}

} // namespace

void install_feed() {
    DefineCustomIntVariable(
        "ticketing.feed_interval",
        "Shortest time between two notifications of the live feed for one database.",
        "Changes committed meanwhile are announced together, one notification per event. "
        "0 turns notifications off (listeners then poll ticketing.changes_since). Needs "
        "shared_preload_libraries = 'ticketing'.",
        &interval_ms, 50, 0, 10000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    find_library_name();
    if (!process_shared_preload_libraries_in_progress) {
        return;
    }
    previous_request_hook = shmem_request_hook;
    shmem_request_hook = request_area;
    previous_startup_hook = shmem_startup_hook;
    shmem_startup_hook = attach_area;
    register_launcher();
}

const char* feed_library_name() {
    return library_name;
}

bool feed_announces() {
    return area != nullptr && interval_ms > 0;
}

int feed_interval_ms() {
    return interval_ms;
}

void announce_committed(const TransactionChanges& changes) {
    if (!feed_announces() || changes.empty()) {
        return;
    }
    const Oid database = MyDatabaseId;
    Latch* wake = nullptr;
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    FeedDatabase* slot = database_slot(database, true);
    if (slot != nullptr) {
        changes.visit_top_level([&](std::int64_t event_id, std::int64_t audit_id) {
            for (int i = 0; i < area->pending_count; ++i) {
                PendingEvent& event = area->pending[i];
                if (event.database == database && event.event_id == event_id) {
                    event.committed_high = std::max(event.committed_high, audit_id);
                    return;
                }
            }
            if (area->pending_count < pending_capacity) {
                area->pending[area->pending_count++] =
                    PendingEvent{database, event_id, audit_id, 0};
            } else {
                slot->resync = true;
            }
        });
        // One wake-up per round: a notifier with changes waiting already has its timer set,
        // and thousands of commits a second must not each send it a signal.
        if (slot->notifier_latch != nullptr) {
            if (!slot->woken) {
                slot->woken = true;
                wake = slot->notifier_latch;
            }
        } else if (!slot->wanted) {
            slot->wanted = true;
            wake = area->launcher_latch;
        }
    }
    LWLockRelease(feed_lock);
    if (wake != nullptr) {
        SetLatch(wake);
    }
    if (slot == nullptr) {
        // More databases with changes to announce than slots: this one's listeners poll.
        // Logged (not sent to the committing client) at most once a minute per backend.
        static TimestampTz last_logged = 0;
        const TimestampTz now = GetCurrentTimestamp();
        if (last_logged == 0 || now - last_logged >= 60 * USECS_PER_SEC) {
            last_logged = now;
            ereport(
                LOG,
                (errmsg("ticketing feed: changes of database %u are not announced", database),
                 errdetail("%d databases have changes to announce already.", max_feed_databases),
                 errhint("Listeners of this database find the changes by polling "
                         "ticketing.changes_since.")));
        }
    }
}

bool attach_notifier(Oid database) {
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    FeedDatabase* slot = database_slot(database, true);
    const bool attached = slot != nullptr && slot->notifier_pid == 0;
    if (attached) {
        slot->notifier_pid = MyProcPid;
        slot->notifier_latch = MyLatch;
        slot->starting = false;
        slot->wanted = false;
        slot->start_failures = 0;
    }
    LWLockRelease(feed_lock);
    return attached;
}

int take_pending(Oid database, Announcement* out, int capacity, bool* resync) {
    int count = 0;
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    for (int i = 0; i < area->pending_count && count < capacity; ++i) {
        const PendingEvent& event = area->pending[i];
        if (event.database == database && event.committed_high > event.announced_high) {
            out[count++] = Announcement{event.event_id, event.committed_high};
        }
    }
    FeedDatabase* slot = database_slot(database, false);
    *resync = slot != nullptr && slot->resync;
    if (slot != nullptr) {
        slot->woken = false; // commits from now on wake the notifier again
    }
    LWLockRelease(feed_lock);
    return count;
}

void mark_announced(Oid database, const Announcement* sent, int count, bool resync_sent) {
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    for (int s = 0; s < count; ++s) {
        for (int i = 0; i < area->pending_count; ++i) {
            PendingEvent& event = area->pending[i];
            if (event.database == database && event.event_id == sent[s].event_id) {
                event.announced_high = std::max(event.announced_high, sent[s].audit_id);
                if (event.committed_high <= event.announced_high) {
                    remove_pending(i); // nothing new since: the entry is done
                }
                break;
            }
        }
    }
    if (resync_sent) {
        if (FeedDatabase* slot = database_slot(database, false)) {
            slot->resync = false;
        }
    }
    LWLockRelease(feed_lock);
}

bool detach_notifier_if_idle(Oid database) {
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    FeedDatabase* slot = database_slot(database, false);
    const bool idle = slot == nullptr || (!slot->resync && !has_pending(database));
    if (idle && slot != nullptr && slot->notifier_pid == MyProcPid) {
        slot->notifier_pid = 0;
        slot->notifier_latch = nullptr;
        release_if_unused(slot);
    }
    LWLockRelease(feed_lock);
    return idle;
}

void detach_notifier(Oid database) {
    Latch* wake = nullptr;
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    FeedDatabase* slot = database_slot(database, false);
    if (slot != nullptr && slot->notifier_pid == MyProcPid) {
        slot->notifier_pid = 0;
        slot->notifier_latch = nullptr;
        slot->wanted = slot->resync || has_pending(database);
        wake = slot->wanted ? area->launcher_latch : nullptr;
        release_if_unused(slot);
    }
    LWLockRelease(feed_lock);
    if (wake != nullptr) {
        SetLatch(wake);
    }
}

void attach_launcher(Latch* latch) {
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    area->launcher_latch = latch;
    // A launcher restarted after a crash: whatever was starting is gone with it.
    for (FeedDatabase& slot : area->databases) {
        if (slot.database != InvalidOid && slot.starting) {
            slot.starting = false;
            slot.wanted = true;
        }
    }
    LWLockRelease(feed_lock);
}

void detach_launcher() {
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    area->launcher_latch = nullptr;
    LWLockRelease(feed_lock);
}

int claim_databases_to_start(Oid* out, int capacity) {
    int count = 0;
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    for (FeedDatabase& slot : area->databases) {
        if (count < capacity && slot.database != InvalidOid && slot.wanted &&
            slot.notifier_pid == 0 && !slot.starting) {
            slot.starting = true;
            slot.wanted = false;
            out[count++] = slot.database;
        }
    }
    LWLockRelease(feed_lock);
    return count;
}

void notifier_start_failed(Oid database) {
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    FeedDatabase* slot = database_slot(database, false);
    if (slot != nullptr && slot->starting) {
        slot->starting = false;
        // Three starts in a row that never attached: the database is gone (or refuses
        // connections). Forget its changes rather than retry forever.
        if (++slot->start_failures >= 3) {
            for (int i = area->pending_count - 1; i >= 0; --i) {
                if (area->pending[i].database == database) {
                    remove_pending(i);
                }
            }
            slot->resync = false;
            slot->wanted = false;
            release_if_unused(slot);
        } else {
            slot->wanted = true;
        }
    }
    LWLockRelease(feed_lock);
}

void notifier_not_registered(Oid database) {
    LWLockAcquire(feed_lock, LW_EXCLUSIVE);
    FeedDatabase* slot = database_slot(database, false);
    if (slot != nullptr && slot->starting) {
        slot->starting = false;
        slot->wanted = true;
    }
    LWLockRelease(feed_lock);
}

} // namespace ticketing::backend
