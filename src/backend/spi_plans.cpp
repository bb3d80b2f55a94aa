#include <algorithm>

#include "spi_plans.hpp"
#include "pg_guard.hpp"
#include "plan_settings.hpp"

extern "C" {
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace ticketing::backend {

SPIPlanPtr keep_generic_plan(PlanShape shape, const char* sql_text, int nargs,
                             const Oid* argtypes) {
    // The marker tells the planner hook to plan it with default settings.
    const std::string sql = std::string(plan_marker(shape)) + sql_text;
    SPIPlanPtr plan = nullptr;
    pg_call([&] {
        // Always the generic plan: these are key lookups whose best plan does not depend
        // on the values, and a custom plan would be planned again on every call (the
        // plan cache keeps choosing custom plans when the generic estimate looks worse).
        plan = SPI_prepare_cursor(sql.c_str(), nargs, const_cast<Oid*>(argtypes),
                                  CURSOR_OPT_GENERIC_PLAN);
        if (plan == nullptr) {
            elog(ERROR, "ticketing: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        }
        if (SPI_keepplan(plan) != 0) {
            elog(ERROR, "ticketing: SPI_keepplan failed");
        }
    });
    return plan;
}

namespace {

// Kept plans live in CacheMemoryContext for the life of the backend. The plan cache
// re-plans them after DDL (DROP/CREATE EXTENSION included).
SPIPlanPtr kept_plans[static_cast<int>(PlanId::count_)];

SPIPlanPtr prepared(PlanId id) {
    const int index = static_cast<int>(id);
    if (kept_plans[index] == nullptr) {
        const PlanSpec& spec = statement_for(id);
        kept_plans[index] = keep_generic_plan(spec.shape, spec.sql, spec.nargs, spec.argtypes);
    }
    return kept_plans[index];
}

} // namespace

namespace {
CallFrame frame{false, nullptr, true, 0};
} // namespace

CallFrame begin_call_frame() {
    const CallFrame outer = frame;
    frame = CallFrame{false, CurrentMemoryContext, true, 0};
    return outer;
}

void end_call_frame(const CallFrame& outer) {
    if (frame.spi_connected) {
        pg_call([] { SPI_finish(); });
    }
    frame = outer;
}

void abandon_call_frame(const CallFrame& outer) {
    frame = outer;
}

void ensure_spi_connected() {
    if (!frame.spi_connected) {
        pg_call([] {
            if (SPI_connect() != SPI_OK_CONNECT) {
                elog(ERROR, "ticketing: SPI_connect failed");
            }
        });
        frame.spi_connected = true;
    }
}

bool lapsed_holds_claimable() {
    return frame.lapsed_holds_claimable;
}

void set_lapsed_holds_claimable(bool claimable) {
    frame.lapsed_holds_claimable = claimable;
}

std::int32_t remaining_wait_ms(std::int32_t bound_ms) {
    TimestampTz now = 0;
    pg_call([&] { now = GetCurrentTimestamp(); });
    if (frame.waits_began == 0) {
        frame.waits_began = now;
    }
    const std::int64_t elapsed_ms = (now - frame.waits_began) / 1000;
    return static_cast<std::int32_t>(std::max<std::int64_t>(1, bound_ms - elapsed_ms));
}

// Frees the rows of the statement before (SPI_tuptable), which the contract of run_plan
// keeps only until the next call. SPI lists every tuple table a connection has made
// until SPI_finish, and every subtransaction abort walks that list: in a call that runs
// thousands of statements and subtransactions (an offer walk past many entries) the
// aborts would cost the square of the statements.
namespace {
void free_rows_before() {
    SPI_freetuptable(SPI_tuptable);
}
} // namespace

std::uint64_t run_plan_latest(PlanId id, Datum* values, const char* nulls) {
    ensure_spi_connected();
    SPIPlanPtr plan = prepared(id);
    std::uint64_t processed = 0;
    pg_call([&] {
        free_rows_before();
        Snapshot latest = RegisterSnapshot(GetLatestSnapshot());
        const int rc =
            SPI_execute_snapshot(plan, values, nulls, latest, InvalidSnapshot, true, false, 0);
        UnregisterSnapshot(latest);
        if (rc < 0) {
            elog(ERROR, "ticketing: SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
        }
        processed = SPI_processed;
    });
    return processed;
}

MemoryContext call_memory_context() {
    return frame.call_context != nullptr ? frame.call_context : CurrentMemoryContext;
}

Datum text_for_call(std::string_view text) {
    Datum datum = 0;
    pg_call([&] {
        const MemoryContext caller = MemoryContextSwitchTo(call_memory_context());
        datum =
            PointerGetDatum(cstring_to_text_with_len(text.data(), static_cast<int>(text.size())));
        MemoryContextSwitchTo(caller);
    });
    return datum;
}

std::uint64_t run_plan(PlanId id, Datum* values, const char* nulls) {
    ensure_spi_connected();
    SPIPlanPtr plan = prepared(id);
    std::uint64_t processed = 0;
    pg_call([&] {
        free_rows_before();
        const int rc = SPI_execute_plan(plan, values, nulls, false, 0);
        if (rc < 0) {
            elog(ERROR, "ticketing: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
        }
        processed = SPI_processed;
    });
    return processed;
}

} // namespace ticketing::backend
