// What every ticketing call does around its body.
#pragma once

#include "call_types.hpp"
#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "stats.hpp"

namespace ticketing::backend {

// Refuses read-only transactions and hot standbys with PostgreSQL's own 25006 (even
// when the answer would not have needed a write), locks the extension's core tables and
// checks their shape (TK002), runs the body in a call frame (SPI is
// connected when a statement first needs it and finished when the body returns). On an
// exception the call is counted as an error and SPI is left to the transaction abort,
// the only safe cleanup after an error.
template <typename Body>
auto in_backend_call(const char* command, std::int64_t event_id, Body&& body) -> decltype(body()) {
    const CallFrame outer = begin_call_frame();
    std::exception_ptr failure; // handled after the catch block, where allocating is safe
    try {
        pg_call([&] {
            PreventCommandIfReadOnly(command);
            lock_core_tables();
        });
        auto result = body();
        end_call_frame(outer);
        return result;
    } catch (...) {
        failure = std::current_exception();
    }
    abandon_call_frame(outer);
    count_error(event_id);
    std::rethrow_exception(failure);
}

// A result with no tickets yet.
inline CallResult empty_result(Outcome outcome, std::int64_t event_id) {
    CallResult result{};
    result.outcome = outcome;
    result.event_id = event_id;
    return result;
}

} // namespace ticketing::backend
