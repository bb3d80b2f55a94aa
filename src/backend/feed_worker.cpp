// The feed's background workers (feed_shared.hpp): the launcher, started with the server
// when the library is preloaded, and one notifier per database with changes to announce.
#include "feed_shared.hpp"

#include "pg_guard.hpp"

extern "C" {
#include "commands/async.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/wait_event.h"
}

namespace ticketing::backend {

namespace {

// A notifier with nothing to announce for this long stops (and does not keep a database
// from being dropped); the next commit there starts another.
constexpr long notifier_idle_exit_ms = 2000;
constexpr long launcher_nap_ms = 1000;

void on_notifier_exit(int, Datum database) {
    detach_notifier(DatumGetObjectId(database));
}

bool register_notifier(Oid database, BackgroundWorkerHandle** handle) {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "%s", feed_library_name());
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "ticketing_feed_notifier_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "ticketing feed notifier for database %u", database);
    snprintf(worker.bgw_type, BGW_MAXLEN, "ticketing feed notifier");
    worker.bgw_main_arg = ObjectIdGetDatum(database);
    worker.bgw_notify_pid = MyProcPid;
    return RegisterDynamicBackgroundWorker(&worker, handle);
}

long milliseconds_between(TimestampTz from, TimestampTz to) {
    return static_cast<long>((to - from) / 1000);
}

// Logs why a round failed and rolls its transaction back.
void report_failed_round(const char* why) {
    pg_call([&] {
        ereport(LOG, (errmsg("ticketing feed notifier: %s", why),
                      errdetail("The changes stay pending and are announced in the next round.")));
        AbortCurrentTransaction();
    });
}

// One round: one notification per pending event, in one transaction. Returns false when
// the round failed (its error is logged; the events stay pending).
bool announce_round(Oid database, Announcement* pending, int count, bool resync) {
    try {
        pg_call([] {
            SetCurrentStatementStartTimestamp();
            StartTransactionCommand();
            pgstat_report_activity(STATE_RUNNING, "announcing feed changes");
        });
        for (int i = 0; i < count; ++i) {
            const std::string channel = feed_channel(pending[i].event_id);
            const std::string payload = feed_payload(pending[i].event_id, pending[i].audit_id);
            pg_call([&] { Async_Notify(channel.c_str(), payload.c_str()); });
        }
        if (resync) {
            pg_call([] { Async_Notify(feed_resync_channel, "{\"resync\":true}"); });
        }
        pg_call([] {
            CommitTransactionCommand();
            pgstat_report_activity(STATE_IDLE, nullptr);
        });
    } catch (const PgError& error) {
        ErrorData* const data = error.data();
        report_failed_round(data->message);
        pg_call([&] { FreeErrorData(data); });
        return false;
    } catch (const std::exception& error) {
        report_failed_round(error.what());
        return false;
    }
    mark_announced(database, pending, count, resync);
    return true;
}

Announcement round_buffer[max_announcements_per_round];

} // namespace

} // namespace ticketing::backend

using namespace ticketing::backend;

extern "C" {

PGDLLEXPORT void ticketing_feed_launcher_main(Datum);
PGDLLEXPORT void ticketing_feed_notifier_main(Datum);

void ticketing_feed_launcher_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    BackgroundWorkerUnblockSignals();
    attach_launcher(MyLatch);
    BackgroundWorkerHandle* handles[max_feed_databases] = {};
    Oid handle_database[max_feed_databases] = {};
    TimestampTz last_warning = 0; // of a notifier that could not be registered
    while (!ShutdownRequestPending) {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, launcher_nap_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        // Notifiers that stopped: one that never attached failed to start.
        for (int i = 0; i < max_feed_databases; ++i) {
            pid_t pid = 0;
            if (handles[i] != nullptr && GetBackgroundWorkerPid(handles[i], &pid) == BGWH_STOPPED) {
                notifier_start_failed(handle_database[i]); // no-op if it had attached
                pfree(handles[i]);
                handles[i] = nullptr;
            }
        }
        Oid to_start[max_feed_databases];
        const int count = claim_databases_to_start(to_start, max_feed_databases);
        for (int n = 0; n < count; ++n) {
            int free_handle = 0;
            while (free_handle < max_feed_databases && handles[free_handle] != nullptr) {
                ++free_handle;
            }
            BackgroundWorkerHandle* handle = nullptr;
            if (free_handle == max_feed_databases || !register_notifier(to_start[n], &handle)) {
                // No worker slot free (parallel queries may hold them): try again next
                // round, forgetting nothing; warn at most once a minute.
                const TimestampTz now = GetCurrentTimestamp();
                if (last_warning == 0 || milliseconds_between(last_warning, now) >= 60'000) {
                    last_warning = now;
                    ereport(WARNING,
                            (errmsg("ticketing feed: could not start the notifier of database %u",
                                    to_start[n]),
                             errdetail("Every background worker slot is in use; the notifier "
                                       "is started as soon as one is free."),
                             errhint("Raise max_worker_processes; until then listeners of "
                                     "that database rely on polling ticketing.changes_since.")));
                }
                notifier_not_registered(to_start[n]);
                continue;
            }
            handles[free_handle] = handle;
            handle_database[free_handle] = to_start[n];
        }
    }
    detach_launcher();
    proc_exit(0);
}

void ticketing_feed_notifier_main(Datum main_arg) {
    const Oid database = DatumGetObjectId(main_arg);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
    if (!attach_notifier(database)) {
        proc_exit(0); // another notifier serves this database
    }
    before_shmem_exit(on_notifier_exit, ObjectIdGetDatum(database));
    pgstat_report_appname("ticketing feed notifier");
    // The notifications announce rows whose commits were flushed already: losing the
    // notifier's own commit in a crash loses nothing a listener cannot poll for.
    SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);

    TimestampTz last_round = 0;
    TimestampTz idle_since = GetCurrentTimestamp();
    long timeout_ms = 0;
    for (;;) {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        const TimestampTz now = GetCurrentTimestamp();
        const long interval = std::max(feed_interval_ms(), 1);
        const long since_last = milliseconds_between(last_round, now);
        if (last_round != 0 && since_last < interval) {
            timeout_ms = interval - since_last; // at most one round per interval
            continue;
        }
        bool resync = false;
        const int count =
            take_pending(database, round_buffer, max_announcements_per_round, &resync);
        if (count == 0 && !resync) {
            const long idle = milliseconds_between(idle_since, now);
            if (idle >= notifier_idle_exit_ms && detach_notifier_if_idle(database)) {
                proc_exit(0);
            }
            timeout_ms = std::max(notifier_idle_exit_ms - idle, 1L);
            continue;
        }
        if (feed_interval_ms() == 0) {
            // Notifications were turned off: drop what is pending, announcing nothing.
            mark_announced(database, round_buffer, count, resync);
            continue;
        }
        bool announced = false;
        try {
            announced = announce_round(database, round_buffer, count, resync);
        } catch (...) {
            proc_exit(1); // the round could not even be rolled back; the launcher restarts us
        }
        if (!announced) {
            timeout_ms = 1000;
            last_round = now;
            continue;
        }
        last_round = now;
        idle_since = now;
        timeout_ms = interval; // changes committed during the round get the next one
    }
}

} // extern "C"
