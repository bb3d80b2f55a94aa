// What every ticketing call does around its body.
#pragma once

#include "call_types.hpp"
#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "stats.hpp"

#include <utility>

namespace ticketing::backend {

// How a call runs in its frame: whether it may write (refused in read-only transactions
// and on hot standbys) and whether ticketing.stats counts it.
enum class CallKind {
    // A customer's call that answers with an outcome: claims, holds, releases, the cart
    // calls that change a cart, check-ins, transfers, joining and leaving a waiting list.
    // Counted: each answer by its outcome (the caller calls count_outcome), a failure as
    // an error unless it was bad input.
    counted,
    // Maintenance that writes but answers with no outcome (expire_holds, offer_waitlist):
    // refused when read-only, never counted.
    maintenance,
    // A read (cart_contents, waitlist_position): it writes nothing, so it runs in a
    // read-only transaction and on a hot standby too, and is never counted.
    read,
};

// Runs `body` in a call frame: refuses read-only transactions and hot standbys with
// PostgreSQL's own 25006 for a call that may write (even when the answer would not have
// needed a write), locks the extension's core tables and checks their shape (TK002), runs
// the body (SPI is connected when a statement first needs it and finished when the body
// returns). On an exception SPI is left to the transaction abort, the only safe cleanup
// after an error, and a counted call counts an error, unless the body refused bad input
// (is_bad_input: ticketing.stats counts calls that failed after their arguments were
// validated, and some arguments can only be judged inside, such as a cart's room).
template <typename Body>
auto in_call_frame(CallKind kind, const char* command, std::int64_t event_id, Body&& body)
    -> decltype(body()) {
    const CallFrame outer = begin_call_frame();
    std::exception_ptr failure; // handled after the catch block, where allocating is safe
    bool bad_input = false;
    try {
        pg_call([&] {
            if (kind != CallKind::read) {
                PreventCommandIfReadOnly(command);
            }
            lock_core_tables();
        });
        auto result = body();
        end_call_frame(outer);
        return result;
    } catch (const DomainError& error) {
        bad_input = is_bad_input(error.kind());
        failure = std::current_exception();
    } catch (...) {
        failure = std::current_exception();
    }
    abandon_call_frame(outer);
    if (kind == CallKind::counted && !bad_input) {
        count_error(event_id);
    }
    std::rethrow_exception(failure);
}

// A counted call (CallKind::counted).
template <typename Body>
auto in_backend_call(const char* command, std::int64_t event_id, Body&& body) -> decltype(body()) {
    return in_call_frame(CallKind::counted, command, event_id, std::forward<Body>(body));
}

// A result with no tickets yet.
inline CallResult empty_result(Outcome outcome, std::int64_t event_id) {
    CallResult result{};
    result.outcome = outcome;
    result.event_id = event_id;
    return result;
}

} // namespace ticketing::backend
