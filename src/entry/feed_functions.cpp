// SQL entry points of the live availability feed: changes_since, feed_snapshot,
// feed_notifications_on, next_audit_id (audit_log.audit_id's default) and the trigger
// function on ticketing.audit_log. Each
// decodes, runs its C++ body through the one guard, and encodes; nothing else happens
// here.
#include "../backend/feed_bound.hpp"
#include "../backend/feed_capture.hpp"
#include "../backend/feed_reads.hpp"
#include "../backend/feed_shared.hpp"
#include "../backend/pg_guard.hpp"
#include "../backend/sql_codec.hpp"

using namespace ticketing;
using namespace ticketing::backend;

extern "C" {

// changes_since(event_id, after_audit_id, max_rows, settled_through)
PG_FUNCTION_INFO_V1(ticketing_changes_since);
Datum ticketing_changes_since(PG_FUNCTION_ARGS) {
    run_guarded([&] {
        ChangesRequest request{};
        pg_call([&] {
            request.event_id = int64_arg(fcinfo, 0);
            request.after_audit_id = int64_arg(fcinfo, 1);
            request.max_rows = int32_arg(fcinfo, 2);
            request.settled_through = int64_arg(fcinfo, 3);
        });
        const ValidChangesRequest valid = validate_changes_request(request);
        pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
        read_changes(valid, reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo));
    });
    return static_cast<Datum>(0);
}

// feed_snapshot(event_id)
PG_FUNCTION_INFO_V1(ticketing_feed_snapshot);
Datum ticketing_feed_snapshot(PG_FUNCTION_ARGS) {
    run_guarded([&] {
        ChangesRequest request{};
        pg_call([&] { request.event_id = int64_arg(fcinfo, 0); });
        request.after_audit_id = 0;
        request.max_rows = 1;
        request.settled_through = 0;
        const ValidChangesRequest valid = validate_changes_request(request);
        pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
        read_snapshot(valid.event_id, reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo));
    });
    return static_cast<Datum>(0);
}

// feed_notifications_on()
PG_FUNCTION_INFO_V1(ticketing_feed_notifications_on);
Datum ticketing_feed_notifications_on(PG_FUNCTION_ARGS) {
    (void)fcinfo;
    bool on = false;
    run_guarded([&] { on = feed_announces(); });
    PG_RETURN_BOOL(on);
}

// next_audit_id(sequence regclass): audit_log.audit_id's default.
PG_FUNCTION_INFO_V1(ticketing_next_audit_id);
Datum ticketing_next_audit_id(PG_FUNCTION_ARGS) {
    std::int64_t id = 0;
    run_guarded([&] { pg_call([&] { id = next_audit_id(PG_GETARG_OID(0)); }); });
    PG_RETURN_INT64(id);
}

// The AFTER INSERT FOR EACH ROW trigger on audit_log: the transaction's changed events.
PG_FUNCTION_INFO_V1(ticketing_feed_capture);
Datum ticketing_feed_capture(PG_FUNCTION_ARGS) {
    run_guarded([&] { pg_call([&] { feed_capture_trigger(fcinfo); }); });
    return PointerGetDatum(nullptr);
}

} // extern "C"
