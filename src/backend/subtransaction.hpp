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

// Runs `body` in an internal subtransaction: released into the caller's transaction
// when the outcome changed tickets, rolled back (releasing its row locks) when it did
// not, and rolled back before any error propagates.
template <typename Body>
CallResult keep_locks_only_on_change(Body&& body) {
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
    CallResult result{};
    try {
        result = body();
    } catch (...) {
        finish(false);
        throw;
    }
    finish(changes_tickets(result.outcome));
    return result;
}

} // namespace ticketing::backend
