// SQL entry points for ticketing.stats: read and reset the in-memory counters.
#include "../backend/pg_guard.hpp"
#include "../backend/stats.hpp"

using namespace ticketing;
using namespace ticketing::backend;

namespace {

constexpr int outcome_kinds = sizeof(all_outcomes) / sizeof(all_outcomes[0]);

// Which counter each column of the declared result shows, found by the column's name:
// read_stats() of an older schema (fewer outcomes) is served as declared.
enum class Column { event_id, scope, attempts, outcome, errors, lock_waits, lock_wait_ms, skips };
struct ColumnSource {
    Column column;
    int outcome; // Column::outcome: the index in all_outcomes
};

ColumnSource source_of(const char* name) {
    const std::string_view column(name);
    for (int i = 0; i < outcome_kinds; ++i) {
        if (outcome_name(all_outcomes[i]) == column) {
            return {Column::outcome, i};
        }
    }
    if (column == "scope") {
        return {Column::scope, 0};
    }
    if (column == "attempts") {
        return {Column::attempts, 0};
    }
    if (column == "errors") {
        return {Column::errors, 0};
    }
    if (column == "lock_waits") {
        return {Column::lock_waits, 0};
    }
    if (column == "lock_wait_ms") {
        return {Column::lock_wait_ms, 0};
    }
    if (column == "skips") {
        return {Column::skips, 0};
    }
    return {Column::event_id, 0};
}

Datum value_of(const ColumnSource& source, const StatsRow& row, const char* scope, bool* is_null) {
    *is_null = false;
    switch (source.column) {
    case Column::event_id:
        *is_null = row.event_id == 0; // the total over all events
        return Int64GetDatum(row.event_id);
    case Column::scope:
        return CStringGetTextDatum(scope);
    case Column::attempts:
        return Int64GetDatum(static_cast<int64>(row.attempts));
    case Column::outcome:
        return Int64GetDatum(static_cast<int64>(row.outcomes[source.outcome]));
    case Column::errors:
        return Int64GetDatum(static_cast<int64>(row.errors));
    case Column::lock_waits:
        return Int64GetDatum(static_cast<int64>(row.lock_waits));
    case Column::lock_wait_ms:
        return Float8GetDatum(static_cast<double>(row.lock_wait_micros) / 1000.0);
    case Column::skips:
        return Int64GetDatum(static_cast<int64>(row.skips));
    }
    return 0;
}

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
            const TupleDesc desc = result_set->setDesc;
            const int columns = desc->natts;
            ColumnSource* sources =
                static_cast<ColumnSource*>(palloc(sizeof(ColumnSource) * columns));
            Datum* values = static_cast<Datum*>(palloc(sizeof(Datum) * columns));
            bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * columns));
            for (int c = 0; c < columns; ++c) {
                sources[c] = source_of(NameStr(TupleDescAttr(desc, c)->attname));
            }
            for (int r = 0; r < count; ++r) {
                for (int c = 0; c < columns; ++c) {
                    values[c] = value_of(sources[c], rows[r], scope, &nulls[c]);
                }
                tuplestore_putvalues(result_set->setResult, desc, values, nulls);
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
