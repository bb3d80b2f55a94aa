// Backing out of row locks. PostgreSQL has no way to unlock a row, but a row lock taken
// in a subtransaction that rolls back is gone. Calls that may lock tickets and then
// change nothing (an order that cannot be completed, a limit reached after the lock)
// run that part here, so a caller's open transaction does not keep tickets locked that
// it did not take.
#pragma once

#include "call_types.hpp"
#include "pg_guard.hpp"
#include "spi_plans.hpp"

extern "C" {
#include "utils/resowner.h"
}

namespace ticketing::backend {

// Runs `body` (returning bool) in an internal subtransaction: released into the caller's
// transaction when it returns true, rolled back (releasing its row locks) when it
// returns false, and rolled back before any error propagates.
template <typename Body>
bool keep_changes_if(Body&& body) {
    // SPI must be connected outside the subtransaction: a connection made inside it
    // would be closed by its end.
    ensure_spi_connected();
    const MemoryContext outer_context = CurrentMemoryContext;
    const ResourceOwner outer_owner = CurrentResourceOwner;
    const auto finish = [&](bool keep) {
        pg_call([&] {
            if (keep) {
                ReleaseCurrentSubTransaction();
            } else {
                RollbackAndReleaseCurrentSubTransaction();
            }
            MemoryContextSwitchTo(outer_context);
            CurrentResourceOwner = outer_owner;
        });
    };
    pg_call([&] {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(outer_context);
    });
    bool keep = false;
    std::exception_ptr failure; // rolled back after the catch block, then rethrown
    try {
        keep = body();
    } catch (...) {
        failure = std::current_exception();
    }
    finish(keep && !failure);
    if (failure) {
        std::rethrow_exception(failure);
    }
    return keep;
}

// Runs `body` in a subtransaction with lock_timeout set to what is left of `bound_ms`
// (remaining_wait_ms: the bound is the whole call's, shared by all its waits) for that
// subtransaction only (GUC_ACTION_SAVE: its end restores the caller's setting). True
// when the body completed, its locks and changes kept; false, with everything it did
// rolled back, when it ran out of time waiting for a lock (55P03). Any other error
// propagates, after the rollback.
template <typename Body>
bool within_wait_bound(std::int32_t bound_ms, Body&& body) {
    bound_ms = remaining_wait_ms(bound_ms); // what the call's earlier waits left of it
    bool timed_out = false;
    try {
        keep_changes_if([&] {
            pg_call([&] {
                char value[16];
                snprintf(value, sizeof value, "%d", static_cast<int>(bound_ms));
                (void)set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION,
                                        GUC_ACTION_SAVE, true, 0, false);
            });
            body();
            return true;
        });
    } catch (const PgError& error) {
        // The subtransaction is rolled back already; only the code is read here.
        timed_out = error.data()->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
        if (!timed_out) {
            throw;
        }
    }
    return !timed_out;
}

// keep_changes_if for a call's body: kept when its outcome changed tickets.
template <typename Body>
CallResult keep_locks_only_on_change(Body&& body) {
    CallResult result{};
    keep_changes_if([&] {
        result = body();
        return changes_tickets(result.outcome);
    });
    return result;
}

} // namespace ticketing::backend
