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
