#include "direct_writes.hpp"

#include "catalog_names.hpp"
#include "pg_guard.hpp"
#include "spi_plans.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace ticketing::backend {

namespace {

constexpr int max_audit_columns = 32;
constexpr int max_ticket_checks = 16;

// Relation ids, column numbers and the audit log's column defaults (planned, in their
// own memory context), loaded once and dropped whenever the relcache says one of the two
// tables changed: ALTER TABLE, CREATE TRIGGER and DROP EXTENSION all land here.
struct WriteCache {
    bool valid;
    MemoryContext memory;
    Oid tickets;
    Oid audit_log;
    AttrNumber event_id, ticket_id, status, owner, hold_expires_at, updated_at;
    // Audit columns this code fills; the others get their defaults (audit_id, txid).
    AttrNumber a_event_id, a_ticket_id, a_from_status, a_to_status, a_customer, a_at;
    int audit_natts;
    Expr* audit_defaults[max_audit_columns]; // nullptr: no default, or a column filled here
    // The CHECK constraints of tickets, planned once: the executor would parse and plan
    // them again for every statement. Their source (ccbin) tells whether they still match.
    int ticket_checks;
    char* ticket_check_sources[max_ticket_checks];
    Expr* ticket_check_exprs[max_ticket_checks];
};

WriteCache cache{};

void reset_cache(Datum, Oid relid) {
    if (relid == InvalidOid || relid == cache.tickets || relid == cache.audit_log) {
        cache.valid = false;
    }
}

// Runs inside pg_call.
void load_cache() {
    if (cache.valid) {
        return;
    }
    if (cache.memory == nullptr) {
        cache.memory = AllocSetContextCreate(CacheMemoryContext, "ticketing direct writes",
                                             ALLOCSET_SMALL_SIZES);
    }
    MemoryContextReset(cache.memory);
    const Oid schema = get_namespace_oid("ticketing", false);
    WriteCache fresh{};
    fresh.memory = cache.memory;
    fresh.tickets = require_table(schema, "tickets");
    fresh.audit_log = require_table(schema, "audit_log");
    fresh.event_id = require_column(fresh.tickets, "event_id");
    fresh.ticket_id = require_column(fresh.tickets, "ticket_id");
    fresh.status = require_column(fresh.tickets, "status");
    fresh.owner = require_column(fresh.tickets, "owner");
    fresh.hold_expires_at = require_column(fresh.tickets, "hold_expires_at");
    fresh.updated_at = require_column(fresh.tickets, "updated_at");
    fresh.a_event_id = require_column(fresh.audit_log, "event_id");
    fresh.a_ticket_id = require_column(fresh.audit_log, "ticket_id");
    fresh.a_from_status = require_column(fresh.audit_log, "from_status");
    fresh.a_to_status = require_column(fresh.audit_log, "to_status");
    fresh.a_customer = require_column(fresh.audit_log, "customer");
    fresh.a_at = require_column(fresh.audit_log, "at");

    Relation audit = table_open(fresh.audit_log, AccessShareLock);
    const TupleDesc desc = RelationGetDescr(audit);
    // More columns than kept here: -1 never matches, so sales take the statement path.
    fresh.audit_natts = desc->natts <= max_audit_columns ? desc->natts : -1;
    const MemoryContext old = MemoryContextSwitchTo(cache.memory);
    for (int i = 0; i < fresh.audit_natts; ++i) {
        const AttrNumber attnum = static_cast<AttrNumber>(i + 1);
        fresh.audit_defaults[i] = nullptr;
        const bool filled_here = attnum == fresh.a_event_id || attnum == fresh.a_ticket_id ||
                                 attnum == fresh.a_from_status || attnum == fresh.a_to_status ||
                                 attnum == fresh.a_customer || attnum == fresh.a_at;
        if (filled_here || TupleDescAttr(desc, i)->attisdropped) {
            continue;
        }
        if (Node* expr = build_column_default(audit, attnum)) {
            fresh.audit_defaults[i] = expression_planner(reinterpret_cast<Expr*>(expr));
        }
    }
    Relation tickets = table_open(fresh.tickets, AccessShareLock);
    const TupleConstr* constraints = RelationGetDescr(tickets)->constr;
    fresh.ticket_checks = constraints != nullptr ? constraints->num_check : 0;
    if (fresh.ticket_checks > max_ticket_checks) {
        fresh.ticket_checks = -1; // too many to keep: the executor prepares them
    }
    for (int i = 0; i < fresh.ticket_checks; ++i) {
        fresh.ticket_check_sources[i] = pstrdup(constraints->check[i].ccbin);
        fresh.ticket_check_exprs[i] =
            expression_planner(static_cast<Expr*>(stringToNode(constraints->check[i].ccbin)));
    }
    table_close(tickets, NoLock);
    MemoryContextSwitchTo(old);
    table_close(audit, NoLock);
    fresh.valid = true;
    cache = fresh;
}

// Whether writing to `relation` without the executor would skip something the
// executor does: a trigger (other than the non-deferrable foreign-key check on
// tickets.event_id, which a sale never changes and which PostgreSQL itself skips when
// the key is unchanged), a rule, row-level security, a generated column, or a relation
// that is not a plain table.
bool needs_executor(Relation relation, bool allow_foreign_key_checks) {
    if (relation->rd_rel->relkind != RELKIND_RELATION || relation->rd_rules != nullptr ||
        relation->rd_rel->relrowsecurity) {
        return true;
    }
    const TupleConstr* constraints = RelationGetDescr(relation)->constr;
    if (constraints != nullptr && constraints->has_generated_stored) {
        return true;
    }
    if (const TriggerDesc* triggers = relation->trigdesc) {
        for (int i = 0; i < triggers->numtriggers; ++i) {
            const Trigger& trigger = triggers->triggers[i];
            // Not deferrable: the row's own insert was checked when its statement ended.
            const bool foreign_key_check =
                trigger.tgisinternal && !trigger.tgdeferrable &&
                (trigger.tgfoid == F_RI_FKEY_CHECK_INS || trigger.tgfoid == F_RI_FKEY_CHECK_UPD);
            if (!(allow_foreign_key_checks && foreign_key_check)) {
                return true;
            }
        }
    }
    return false;
}

RangeTblEntry* range_entry(Relation relation) {
    RangeTblEntry* entry = makeNode(RangeTblEntry);
    entry->rtekind = RTE_RELATION;
    entry->relid = RelationGetRelid(relation);
    entry->relkind = relation->rd_rel->relkind;
    entry->rellockmode = RowExclusiveLock;
    return entry;
}

Bitmapset* with_column(Bitmapset* columns, AttrNumber attnum) {
    return bms_add_member(columns, attnum - FirstLowInvalidHeapAttributeNumber);
}

// What the executor would set up for UPDATE tickets ...; INSERT INTO audit_log ...: a
// range table (error messages and the "index key unchanged" hint read it), result
// relations with their indexes open, slots, and one command id for all the writes.
struct Writer {
    EState* estate;
    ResultRelInfo* tickets;
    ResultRelInfo* audit;
    TupleTableSlot* old_row;
    TupleTableSlot* new_row;
    TupleTableSlot* entry;
    ExprState* audit_defaults[max_audit_columns]; // one per column of cache.audit_defaults
    Datum sold;
    TimestampTz now;
};

// Hands the executor the kept CHECK expressions of tickets (ExecConstraints only
// prepares them itself when none are given), if they are still the table's.
void use_kept_checks(ResultRelInfo* info, EState* estate) {
    const TupleConstr* constraints = RelationGetDescr(info->ri_RelationDesc)->constr;
    if (constraints == nullptr || constraints->num_check != cache.ticket_checks) {
        return;
    }
    for (int i = 0; i < cache.ticket_checks; ++i) {
        if (std::strcmp(constraints->check[i].ccbin, cache.ticket_check_sources[i]) != 0) {
            return;
        }
    }
    const MemoryContext caller = MemoryContextSwitchTo(estate->es_query_cxt);
    ExprState** states =
        static_cast<ExprState**>(palloc(sizeof(ExprState*) * constraints->num_check));
    for (int i = 0; i < cache.ticket_checks; ++i) {
        states[i] = ExecInitExpr(cache.ticket_check_exprs[i], nullptr);
    }
    MemoryContextSwitchTo(caller);
    info->ri_ConstraintExprs = states;
}

// Runs inside pg_call. False (and nothing open) when the tables need the executor.
bool open_writer(Writer* writer) {
    load_cache();
    Relation tickets = table_open(cache.tickets, RowExclusiveLock);
    Relation audit = table_open(cache.audit_log, RowExclusiveLock);
    // Taking the locks may have delivered news of a change to either table.
    load_cache();
    if (needs_executor(tickets, true) || needs_executor(audit, false) ||
        RelationGetDescr(audit)->natts != cache.audit_natts) {
        table_close(audit, NoLock);
        table_close(tickets, NoLock);
        return false;
    }
    EState* estate = CreateExecutorState();
    RangeTblEntry* tickets_entry = range_entry(tickets);
    Bitmapset* changed = nullptr;
    changed = with_column(changed, cache.status);
    changed = with_column(changed, cache.owner);
    changed = with_column(changed, cache.hold_expires_at);
    changed = with_column(changed, cache.updated_at);
    tickets_entry->updatedCols = changed;
    ExecInitRangeTable(estate, list_make2(tickets_entry, range_entry(audit)));
    estate->es_output_cid = GetCurrentCommandId(true);
    writer->estate = estate;
    writer->tickets = makeNode(ResultRelInfo);
    InitResultRelInfo(writer->tickets, tickets, 1, nullptr, 0);
    writer->audit = makeNode(ResultRelInfo);
    InitResultRelInfo(writer->audit, audit, 2, nullptr, 0);
    use_kept_checks(writer->tickets, estate);
    ExecOpenIndices(writer->tickets, false);
    ExecOpenIndices(writer->audit, false);
    writer->old_row = table_slot_create(tickets, &estate->es_tupleTable);
    writer->new_row = table_slot_create(tickets, &estate->es_tupleTable);
    writer->entry = table_slot_create(audit, &estate->es_tupleTable);
    const MemoryContext caller = MemoryContextSwitchTo(estate->es_query_cxt);
    for (int i = 0; i < cache.audit_natts; ++i) {
        writer->audit_defaults[i] = cache.audit_defaults[i] != nullptr
                                        ? ExecInitExpr(cache.audit_defaults[i], nullptr)
                                        : nullptr;
    }
    MemoryContextSwitchTo(caller);
    const std::string_view sold = status_name(TicketStatus::sold);
    writer->sold =
        PointerGetDatum(cstring_to_text_with_len(sold.data(), static_cast<int>(sold.size())));
    writer->now = GetCurrentTransactionStartTimestamp();
    return true;
}

// Runs inside pg_call.
void close_writer(Writer* writer) {
    Relation tickets = writer->tickets->ri_RelationDesc;
    Relation audit = writer->audit->ri_RelationDesc;
    ExecCloseIndices(writer->audit);
    ExecCloseIndices(writer->tickets);
    ExecResetTupleTable(writer->estate->es_tupleTable, false);
    FreeExecutorState(writer->estate);
    table_close(audit, NoLock);
    table_close(tickets, NoLock);
}

// `count` audit-row slots that live until close_writer. Runs inside pg_call.
TupleTableSlot** audit_slots(Writer& writer, int count) {
    EState* estate = writer.estate;
    TupleTableSlot** slots = static_cast<TupleTableSlot**>(
        MemoryContextAlloc(estate->es_query_cxt, sizeof(TupleTableSlot*) * count));
    for (int i = 0; i < count; ++i) {
        slots[i] = table_slot_create(writer.audit->ri_RelationDesc, &estate->es_tupleTable);
    }
    return slots;
}

// Loads the row version at `tid` into old_row if it is ticket (event_id, ticket_id).
// Runs inside pg_call.
bool fetch_version(Writer& writer, ItemPointerData tid, std::int64_t event_id,
                   std::int64_t ticket_id) {
    TupleTableSlot* row = writer.old_row;
    if (!table_tuple_fetch_row_version(writer.tickets->ri_RelationDesc, &tid, SnapshotAny, row)) {
        return false;
    }
    slot_getallattrs(row);
    return !row->tts_isnull[cache.event_id - 1] && !row->tts_isnull[cache.ticket_id - 1] &&
           DatumGetInt64(row->tts_values[cache.event_id - 1]) == event_id &&
           DatumGetInt64(row->tts_values[cache.ticket_id - 1]) == ticket_id;
}

// Sells the version in old_row (at `tid`) to `buyer`: the new version, its CHECK
// constraints and its index entries. With wait = false a row someone holds locked (or is
// changing) comes back as TM_BeingModified with nothing written, and so do TM_Updated
// and TM_Deleted. Runs inside pg_call.
TM_Result update_ticket(Writer& writer, ItemPointerData tid, Datum buyer, bool wait) {
    EState* estate = writer.estate;
    Relation relation = writer.tickets->ri_RelationDesc;
    TupleTableSlot* old_row = writer.old_row;
    TupleTableSlot* new_row = writer.new_row;
    const int natts = RelationGetDescr(relation)->natts;
    ExecClearTuple(new_row);
    std::memcpy(new_row->tts_values, old_row->tts_values, sizeof(Datum) * natts);
    std::memcpy(new_row->tts_isnull, old_row->tts_isnull, sizeof(bool) * natts);
    new_row->tts_values[cache.status - 1] = writer.sold;
    new_row->tts_values[cache.owner - 1] = buyer;
    new_row->tts_isnull[cache.owner - 1] = false;
    new_row->tts_values[cache.hold_expires_at - 1] = 0;
    new_row->tts_isnull[cache.hold_expires_at - 1] = true;
    new_row->tts_values[cache.updated_at - 1] = TimestampTzGetDatum(writer.now);
    new_row->tts_isnull[cache.updated_at - 1] = false;
    ExecStoreVirtualTuple(new_row);
    if (relation->rd_att->constr != nullptr) {
        ExecConstraints(writer.tickets, new_row, estate);
    }
    TM_FailureData failure;
    LockTupleMode lock_mode;
    bool update_indexes = false;
    const TM_Result result =
        table_tuple_update(relation, &tid, new_row, estate->es_output_cid,
                           ActiveSnapshotSet() ? GetActiveSnapshot() : InvalidSnapshot,
                           InvalidSnapshot, wait, &failure, &lock_mode, &update_indexes);
    if (result == TM_Ok && update_indexes && writer.tickets->ri_NumIndices > 0) {
        ExecInsertIndexTuples(writer.tickets, new_row, estate, true, false, nullptr, NIL);
    }
    return result;
}

// Fills `entry` with the audit row of the sale just made from old_row: the columns a
// sale names, the table's defaults for the rest, checked against the table's NOT NULL
// and CHECK constraints. The row is materialized, so it outlives the per-tuple memory
// its defaults were computed in. Runs inside pg_call.
void fill_audit_row(Writer& writer, TupleTableSlot* entry, Datum from_status, Datum buyer) {
    EState* estate = writer.estate;
    const TupleTableSlot* old_row = writer.old_row;
    ExprContext* expressions = GetPerTupleExprContext(estate);
    ExecClearTuple(entry);
    for (int i = 0; i < cache.audit_natts; ++i) {
        entry->tts_values[i] = 0;
        entry->tts_isnull[i] = true;
        if (writer.audit_defaults[i] != nullptr) {
            entry->tts_values[i] = ExecEvalExprSwitchContext(writer.audit_defaults[i], expressions,
                                                             &entry->tts_isnull[i]);
        }
    }
    const auto put = [&](AttrNumber attnum, Datum value) {
        entry->tts_values[attnum - 1] = value;
        entry->tts_isnull[attnum - 1] = false;
    };
    put(cache.a_event_id, old_row->tts_values[cache.event_id - 1]);
    put(cache.a_ticket_id, old_row->tts_values[cache.ticket_id - 1]);
    put(cache.a_from_status, from_status);
    put(cache.a_to_status, writer.sold);
    put(cache.a_customer, buyer);
    put(cache.a_at, TimestampTzGetDatum(writer.now));
    ExecStoreVirtualTuple(entry);
    if (writer.audit->ri_RelationDesc->rd_att->constr != nullptr) {
        ExecConstraints(writer.audit, entry, estate);
    }
    ExecMaterializeSlot(entry);
}

// Inserts filled audit rows, `count` of them, in one multi-insert (a few heap pages and
// WAL records for a whole batch, as COPY does), then their index entries. Runs inside
// pg_call.
void insert_audit_rows(Writer& writer, TupleTableSlot** entries, int count) {
    if (count == 0) {
        return;
    }
    Relation audit = writer.audit->ri_RelationDesc;
    EState* estate = writer.estate;
    if (count == 1) {
        table_tuple_insert(audit, entries[0], estate->es_output_cid, 0, nullptr);
    } else {
        table_multi_insert(audit, entries, count, estate->es_output_cid, 0, nullptr);
    }
    if (writer.audit->ri_NumIndices > 0) {
        for (int i = 0; i < count; ++i) {
            ExecInsertIndexTuples(writer.audit, entries[i], estate, false, false, nullptr, NIL);
            ResetPerTupleExprContext(estate);
        }
    }
}

} // namespace

void register_direct_write_cache_reset() {
    CacheRegisterRelcacheCallback(reset_cache, 0);
}

DirectSale sell_directly(std::int64_t event_id, const TicketRow& seen, Datum customer,
                         TimestampTz* at) {
    const TicketSale sale{seen.ticket_id, seen.row_version,
                          make_text(status_name(TicketStatus::available)), customer};
    bool sold = false;
    if (!sell_directly(event_id, &sale, 1, RowLocks::none, &sold, at)) {
        return DirectSale::unsupported;
    }
    return sold ? DirectSale::sold : DirectSale::changed;
}

bool sell_directly(std::int64_t event_id, const TicketSale* sales, int count, RowLocks locks,
                   bool* sold, TimestampTz* at) {
    bool done = false;
    bool vanished = false;
    const bool held = locks == RowLocks::held;
    pg_call([&] {
        Writer writer;
        if (!open_writer(&writer)) {
            return;
        }
        done = true;
        TupleTableSlot** entries = count == 1 ? &writer.entry : audit_slots(writer, count);
        int audited = 0;
        for (int i = 0; i < count && !vanished; ++i) {
            const TicketSale& sale = sales[i];
            // A held lock means nobody else can have changed the row; wait = true only
            // lets heap_update see that the lock is ours. Without one, the version read
            // must still be this ticket and available (the calling statement's snapshot
            // keeps it from being pruned), and a row someone holds is left alone.
            const bool went_through =
                fetch_version(writer, sale.row_version, event_id, sale.ticket_id) &&
                (held || text_view(writer.old_row->tts_values[cache.status - 1]) ==
                             status_name(TicketStatus::available)) &&
                update_ticket(writer, sale.row_version, sale.buyer, held) == TM_Ok;
            if (went_through) {
                fill_audit_row(writer, entries[audited++], sale.from_status, sale.buyer);
            }
            if (held) {
                vanished = !went_through;
            } else {
                sold[i] = went_through;
            }
            ResetPerTupleExprContext(writer.estate);
        }
        if (!vanished) {
            insert_audit_rows(writer, entries, audited);
        }
        *at = writer.now;
        close_writer(&writer);
    });
    if (vanished) {
        throw DomainError(ErrorKind::internal, "a locked ticket vanished during its update");
    }
    return done;
}

} // namespace ticketing::backend
