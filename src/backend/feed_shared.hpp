// The feed's notifications: what committed transactions changed, in shared memory, for a
// notifier per database to announce with NOTIFY, outside the writers' commits.
//
// NOTIFY in the selling transaction would take the database's notify lock at commit and
// hold it through the commit's WAL flush: every notifying commit would wait for the one
// before it (docs/live-feed.md measures a third of the claims/s). So a committing
// transaction only records, in shared memory, the events it changed and the highest audit
// id it wrote in each (a few hundred nanoseconds under one LWLock), and wakes the
// database's notifier: a background worker that, at most once per ticketing.feed_interval,
// sends one notification per changed event (channel ticketing_feed_<event_id>, payload
// {"event_id":E,"audit_id":H}: H the highest audit id of E committed so far) in a
// transaction of its own with synchronous_commit off. A launcher worker starts a database's
// notifier when something there commits; an idle notifier stops after two seconds.
//
// This needs shared_preload_libraries = 'ticketing'. Without it nothing is announced and
// listeners poll ticketing.changes_since, which is exact either way.
#pragma once

#include "pg.hpp"

#include "../core/feed_rules.hpp"

namespace ticketing::backend {

// From _PG_init: the setting ticketing.feed_interval and, while the library is being
// preloaded, the shared memory and the launcher.
void install_feed();

// Whether committed changes are announced: the library was preloaded and
// ticketing.feed_interval is not 0.
bool feed_announces();
int feed_interval_ms();

// A committing transaction's changes (top level only), recorded for the notifier of
// MyDatabaseId. Called from the commit callback: never raises, never allocates.
void announce_committed(const TransactionChanges& changes);

// The notifier's side, for its own database.
struct Announcement {
    std::int64_t event_id;
    std::int64_t audit_id;
};
constexpr int max_announcements_per_round = 4096;
// Registers this process as the database's notifier; false if another one is.
bool attach_notifier(Oid database);
// The events changed since they were last announced (at most `capacity`), and whether
// the table of pending events overflowed (then every event may have changed).
int take_pending(Oid database, Announcement* out, int capacity, bool* resync);
// After the round's transaction committed: these were announced.
void mark_announced(Oid database, const Announcement* sent, int count, bool resync_sent);
// Leaves if nothing is pending (true), under the same lock writers record under, so no
// change is left behind without a notifier to announce it.
bool detach_notifier_if_idle(Oid database);
// On exit, however it happens: the launcher starts another if work is left.
void detach_notifier(Oid database);

// The launcher's side.
void attach_launcher(Latch* latch);
void detach_launcher();
// Databases that want a notifier and have none starting or running (marked starting).
int claim_databases_to_start(Oid* out, int capacity);
// A notifier that stopped before attaching (three in a row: the database is gone or
// refuses connections, and its pending changes are forgotten).
void notifier_start_failed(Oid database);
// A notifier that could not be registered (every background worker slot is in use): the
// launcher tries again at its next round, and nothing is forgotten.
void notifier_not_registered(Oid database);
constexpr int max_feed_databases = 64;

// The file this library was loaded from, for background workers to load the same one
// (a build loaded from elsewhere than $libdir, e.g. Debian's extension_destdir, would
// otherwise start workers of the installed build); "ticketing" if unknown or too long.
const char* feed_library_name();

} // namespace ticketing::backend
