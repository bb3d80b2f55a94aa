// SQL entry points for ticketing.stats: read and reset the in-memory counters.
#include "../backend/pg_guard.hpp"
#include "../backend/stats.hpp"

using namespace ticketing;
using namespace ticketing::backend;

namespace {

constexpr int outcome_kinds = sizeof(all_outcomes) / sizeof(all_outcomes[0]);
// event_id, scope, attempts, one column per outcome, errors, lock_waits, lock_wait_ms, skips
constexpr int stats_columns = 3 + outcome_kinds + 4;

} // namespace

extern "C" {

PG_FUNCTION_INFO_V1(ticketing_read_stats);
Datum ticketing_read_stats(PG_FUNCTION_ARGS) {
    run_guarded([&] {
        StatsRow* rows = nullptr;
        pg_call(
            [&] { rows = static_cast<StatsRow*>(palloc(sizeof(StatsRow) * stats_capacity())); });
        const int count = read_stats(rows, stats_capacity());
        // Without shared_preload_libraries each backend counts only its own calls: through
        // a pooler, successive reads come from different backends. The scope says which.
        const char* scope = stats_are_shared() ? "cluster" : "backend";
        pg_call([&] {
            InitMaterializedSRF(fcinfo, 0);
            ReturnSetInfo* result_set = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            for (int r = 0; r < count; ++r) {
                const StatsRow& row = rows[r];
                Datum values[stats_columns];
                bool nulls[stats_columns] = {};
                int c = 0;
                nulls[c] = row.event_id == 0; // the total over all events
                values[c++] = Int64GetDatum(row.event_id);
                values[c++] = CStringGetTextDatum(scope);
                values[c++] = Int64GetDatum(static_cast<int64>(row.attempts));
                for (int i = 0; i < outcome_kinds; ++i) {
                    values[c++] = Int64GetDatum(static_cast<int64>(row.outcomes[i]));
                }
                values[c++] = Int64GetDatum(static_cast<int64>(row.errors));
                values[c++] = Int64GetDatum(static_cast<int64>(row.lock_waits));
                values[c++] = Float8GetDatum(static_cast<double>(row.lock_wait_micros) / 1000.0);
                values[c++] = Int64GetDatum(static_cast<int64>(row.skips));
                tuplestore_putvalues(result_set->setResult, result_set->setDesc, values, nulls);
            }
        });
    });
    return static_cast<Datum>(0);
}

PG_FUNCTION_INFO_V1(ticketing_reset_stats);
Datum ticketing_reset_stats(PG_FUNCTION_ARGS) {
    (void)fcinfo;
    run_guarded([] { reset_stats(); });
    PG_RETURN_VOID();
}

} // extern "C"
