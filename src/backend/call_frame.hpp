// What every ticketing call does around its body.
#pragma once

#include "call_types.hpp"
#include "pg_guard.hpp"
#include "spi_plans.hpp"
#include "stats.hpp"

namespace ticketing::backend {

// Refuses read-only transactions and hot standbys with PostgreSQL's own 25006 (even
// when the answer would not have needed a write), runs the body in a call frame (SPI is
// connected when a statement first needs it and finished when the body returns). On an
// exception the call is counted as an error and SPI is left to the transaction abort,
// the only safe cleanup after an error.
template <typename Body>
CallResult in_backend_call(const char* command, std::int64_t event_id, Body&& body) {
    const CallFrame outer = begin_call_frame();
    try {
        pg_call([&] { PreventCommandIfReadOnly(command); });
        const CallResult result = body();
        end_call_frame(outer);
        return result;
    } catch (...) {
        abandon_call_frame(outer);
        count_error(event_id);
        throw;
    }
}

// A result with no tickets yet.
inline CallResult empty_result(Outcome outcome, std::int64_t event_id) {
    CallResult result{};
    result.outcome = outcome;
    result.event_id = event_id;
    return result;
}

} // namespace ticketing::backend
