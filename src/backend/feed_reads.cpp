#include "feed_reads.hpp"

#include "feed_bound.hpp"
#include "pg_guard.hpp"
#include "plan_settings.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"

extern "C" {
#include "access/table.h"
#include "access/xlog.h"
#include "rewrite/rewriteHandler.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace ticketing::backend {

namespace {

// The statements, as every statement of the extension: each name and operator qualified,
// every value a parameter, planned once per backend with default planner settings.
enum FeedPlan { event_exists, changes_after, snapshot_as_of, feed_plan_count };

struct FeedStatement {
    const char* sql;
    int nargs;
    Oid argtypes[4];
    PlanShape shape;
};

const FeedStatement statements[feed_plan_count] = {
    // event_exists($1 event)
    {"SELECT 1 FROM ticketing.events e WHERE e.event_id OPERATOR(pg_catalog.=) $1",
     1,
     {INT8OID},
     PlanShape::any},
    // changes_after($1 event, $2 after, $3 first unsettled id, $4 rows): a bounded walk of
    // audit_log_feed_idx in id order. The hold's end is the ticket's, while the ticket is
    // still held: a later change of the ticket follows in the feed anyway.
    {"SELECT a.audit_id, a.ticket_id, t.seat, t.category, a.to_status, a.at, "
     "CASE WHEN a.to_status OPERATOR(pg_catalog.=) 'held' "
     "AND t.status OPERATOR(pg_catalog.=) 'held' THEN t.hold_expires_at END "
     "FROM ticketing.audit_log a "
     "LEFT JOIN ticketing.tickets t ON t.event_id OPERATOR(pg_catalog.=) a.event_id "
     "AND t.ticket_id OPERATOR(pg_catalog.=) a.ticket_id "
     "WHERE a.event_id OPERATOR(pg_catalog.=) $1 AND a.audit_id OPERATOR(pg_catalog.>) $2 "
     "AND a.audit_id OPERATOR(pg_catalog.<) $3 "
     "ORDER BY a.audit_id LIMIT $4",
     4,
     {INT8OID, INT8OID, INT8OID, INT8OID},
     PlanShape::ordered_walk},
    // snapshot_as_of($1 event, $2 first unsettled id): every ticket as it stood before the
    // first unsettled change. Changes at or past the bound that the snapshot already sees
    // are undone: the earliest one's from_status is the state before it.
    {"SELECT t.ticket_id, t.seat, t.category, COALESCE(l.from_status, t.status), "
     "CASE WHEN l.ticket_id IS NULL AND t.status OPERATOR(pg_catalog.=) 'held' "
     "THEN t.hold_expires_at END "
     "FROM ticketing.tickets t "
     "LEFT JOIN (SELECT DISTINCT ON (a.ticket_id) a.ticket_id, a.from_status "
     "FROM ticketing.audit_log a "
     "WHERE a.event_id OPERATOR(pg_catalog.=) $1 AND a.audit_id OPERATOR(pg_catalog.>=) $2 "
     "ORDER BY a.ticket_id, a.audit_id) l ON l.ticket_id OPERATOR(pg_catalog.=) t.ticket_id "
     "WHERE t.event_id OPERATOR(pg_catalog.=) $1 "
     "ORDER BY t.ticket_id",
     2,
     {INT8OID, INT8OID},
     PlanShape::any},
};

SPIPlanPtr kept_plans[feed_plan_count];

SPIPlanPtr prepared(FeedPlan id) {
    if (kept_plans[id] == nullptr) {
        const FeedStatement& spec = statements[id];
        kept_plans[id] = keep_generic_plan(spec.shape, spec.sql, spec.nargs, spec.argtypes);
    }
    return kept_plans[id];
}

// Runs a kept plan read-only under `snapshot`; the rows are in SPI_tuptable. Inside
// pg_call, with SPI connected.
std::uint64_t run_read(FeedPlan id, Datum* values, Snapshot snapshot) {
    SPIPlanPtr plan = prepared(id);
    const int rc =
        SPI_execute_snapshot(plan, values, nullptr, snapshot, InvalidSnapshot, true, false, 0);
    if (rc != SPI_OK_SELECT) {
        elog(ERROR, "ticketing: feed read failed: %s", SPI_result_code_string(rc));
    }
    return SPI_processed;
}

// Audit ids must be drawn through ticketing.next_audit_id (the column's default), which
// publishes the writers' floors; with another default the bound would be wrong.
void require_feed_default(Oid audit_log, Oid schema) {
    Relation relation = table_open(audit_log, NoLock);
    bool drawn_by_feed = false;
    const int column = SPI_fnumber(RelationGetDescr(relation), "audit_id");
    if (column > 0) {
        Node* const expression = build_column_default(relation, column);
        if (expression != nullptr && IsA(expression, FuncExpr)) {
            const Oid function = reinterpret_cast<FuncExpr*>(expression)->funcid;
            const char* const name = get_func_name(function);
            drawn_by_feed = name != nullptr && strcmp(name, "next_audit_id") == 0 &&
                            get_func_namespace(function) == schema;
        }
    }
    table_close(relation, NoLock);
    if (!drawn_by_feed) {
        throw DomainError(ErrorKind::table_altered,
                          "ticketing.audit_log.audit_id is not drawn by ticketing.next_audit_id",
                          "The feed needs it to hand out audit rows in order: ALTER TABLE "
                          "ticketing.audit_log ALTER COLUMN audit_id SET DEFAULT "
                          "ticketing.next_audit_id('ticketing.audit_id_seq').");
    }
}

// What both reads do first; returns the first unsettled audit id. Inside pg_call.
std::int64_t settle(std::int64_t event_id) {
    if (RecoveryInProgress()) {
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("ticketing: the feed is read on the primary"),
                        errhint("A standby cannot tell which audit rows are still to be committed "
                                "there; read ticketing.changes_since on the primary.")));
    }
    const Layout& layout = lock_core_tables();
    const Oid schema = get_rel_namespace(layout.tickets.relid);
    require_feed_default(get_relname_relid("audit_log", schema), schema);
    const Oid sequence = audit_sequence_of(schema);
    ensure_spi_connected();
    Datum event = Int64GetDatum(event_id);
    if (run_read(event_exists, &event, GetActiveSnapshot()) == 0) {
        throw DomainError(ErrorKind::no_such_event,
                          "event " + std::to_string(event_id) + " does not exist",
                          "Create it with ticketing.create_event().");
    }
    return first_unsettled_audit_id(sequence);
}

void put_rows(ReturnSetInfo* result, const Datum* leading, int leading_count) {
    const int columns = result->setDesc->natts;
    if (leading_count + SPI_tuptable->tupdesc->natts != columns) {
        elog(ERROR, "ticketing: the feed read %d columns for a result of %d",
             SPI_tuptable->tupdesc->natts, columns - leading_count);
    }
    Datum* values = static_cast<Datum*>(palloc(sizeof(Datum) * columns));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * columns));
    for (int c = 0; c < leading_count; ++c) {
        values[c] = leading[c];
        nulls[c] = false;
    }
    for (std::uint64_t row = 0; row < SPI_processed; ++row) {
        heap_deform_tuple(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, values + leading_count,
                          nulls + leading_count);
        tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
    }
    pfree(values);
    pfree(nulls);
}

// Runs `read` (a lambda for pg_call) in a call frame, leaving SPI to the transaction's
// abort if it fails.
template <typename Read>
void in_feed_frame(Read&& read) {
    const CallFrame outer = begin_call_frame();
    std::exception_ptr failure;
    try {
        pg_call(read);
        end_call_frame(outer);
        return;
    } catch (...) {
        failure = std::current_exception();
    }
    abandon_call_frame(outer);
    std::rethrow_exception(failure);
}

// Makes what a snapshot taken before this call shows durable before it is handed out. A
// transaction that committed with synchronous_commit = off is visible before its commit
// record is on disk: handed out and then lost in a crash, it would leave the reader with
// a sale that never happened, and the audit id the crash gave back would go to a later
// sale, which a reader past that id never gets. Flushing the WAL to where it ends now
// covers every commit the snapshot shows (a commit is visible only once its record is
// inserted); when it is flushed already this costs a comparison. A standby shows only
// what it has received, and cannot flush. Inside pg_call.
void make_visible_durable() {
    if (!RecoveryInProgress()) {
        XLogFlush(GetXLogInsertRecPtr());
    }
}

} // namespace

void read_changes(const ValidChangesRequest& request, ReturnSetInfo* result) {
    in_feed_frame([&] {
        const std::int64_t bound = read_bound(settle(request.event_id), request.settled_through);
        // Taken after the bound: every change below it that will ever commit is in here.
        Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
        make_visible_durable();
        Datum values[4] = {Int64GetDatum(request.event_id), Int64GetDatum(request.after_audit_id),
                           Int64GetDatum(bound), Int64GetDatum(request.max_rows)};
        run_read(changes_after, values, snapshot);
        put_rows(result, nullptr, 0);
        UnregisterSnapshot(snapshot);
    });
}

void read_snapshot(std::int64_t event_id, ReturnSetInfo* result) {
    in_feed_frame([&] {
        const std::int64_t bound = settle(event_id);
        Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
        make_visible_durable();
        Datum values[2] = {Int64GetDatum(event_id), Int64GetDatum(bound)};
        run_read(snapshot_as_of, values, snapshot);
        const Datum through = Int64GetDatum(bound - 1);
        put_rows(result, &through, 1);
        UnregisterSnapshot(snapshot);
    });
}

} // namespace ticketing::backend
