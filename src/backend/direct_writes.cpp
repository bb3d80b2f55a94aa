#include "direct_writes.hpp"

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
    Expr* audit_defaults[max_audit_columns]; // nullptr: no default (NULL)
};

WriteCache cache{};

void reset_cache(Datum, Oid relid) {
    if (relid == InvalidOid || relid == cache.tickets || relid == cache.audit_log) {
        cache.valid = false;
    }
}

AttrNumber column(Oid relid, const char* name) {
    const AttrNumber number = get_attnum(relid, name);
    if (number == InvalidAttrNumber) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("ticketing: column \"%s\" is missing", name)));
    }
    return number;
}

Oid table_id(Oid schema, const char* name) {
    const Oid relid = get_relname_relid(name, schema);
    if (relid == InvalidOid) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("ticketing: table ticketing.%s is missing", name),
                        errhint("Is the extension installed in this database?")));
    }
    return relid;
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
    fresh.tickets = table_id(schema, "tickets");
    fresh.audit_log = table_id(schema, "audit_log");
    fresh.event_id = column(fresh.tickets, "event_id");
    fresh.ticket_id = column(fresh.tickets, "ticket_id");
    fresh.status = column(fresh.tickets, "status");
    fresh.owner = column(fresh.tickets, "owner");
    fresh.hold_expires_at = column(fresh.tickets, "hold_expires_at");
    fresh.updated_at = column(fresh.tickets, "updated_at");
    fresh.a_event_id = column(fresh.audit_log, "event_id");
    fresh.a_ticket_id = column(fresh.audit_log, "ticket_id");
    fresh.a_from_status = column(fresh.audit_log, "from_status");
    fresh.a_to_status = column(fresh.audit_log, "to_status");
    fresh.a_customer = column(fresh.audit_log, "customer");
    fresh.a_at = column(fresh.audit_log, "at");

    Relation audit = table_open(fresh.audit_log, AccessShareLock);
    const TupleDesc desc = RelationGetDescr(audit);
    fresh.audit_natts = desc->natts;
    if (fresh.audit_natts > max_audit_columns) {
        table_close(audit, NoLock);
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("ticketing.audit_log has more than %d columns", max_audit_columns)));
    }
    const MemoryContext old = MemoryContextSwitchTo(cache.memory);
    for (int i = 0; i < desc->natts; ++i) {
        const AttrNumber attnum = static_cast<AttrNumber>(i + 1);
        fresh.audit_defaults[i] = nullptr;
        if (TupleDescAttr(desc, i)->attisdropped) {
            continue;
        }
        if (Node* expr = build_column_default(audit, attnum)) {
            fresh.audit_defaults[i] = expression_planner(reinterpret_cast<Expr*>(expr));
        }
    }
    MemoryContextSwitchTo(old);
    table_close(audit, NoLock);
    fresh.valid = true;
    cache = fresh;
}

// Whether writing to `relation` without the executor would skip something the
// executor does: a trigger (other than the foreign-key check on tickets.event_id, which
// a sale never changes and which PostgreSQL itself skips when the key is unchanged), a
// rule, row-level security, a generated column, or a relation that is not a plain table.
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
            const bool foreign_key_check =
                trigger.tgisinternal &&
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

// Runs inside pg_call, with the relations opened and an executor state for them.
DirectSale sell(EState* estate, ResultRelInfo* tickets, ResultRelInfo* audit, std::int64_t event_id,
                const TicketRow& seen, Datum customer, TimestampTz* at) {
    Relation relation = tickets->ri_RelationDesc;
    TupleTableSlot* old_row = table_slot_create(relation, &estate->es_tupleTable);
    TupleTableSlot* new_row = table_slot_create(relation, &estate->es_tupleTable);

    // The version the read returned. Our statement's snapshot keeps it from being pruned;
    // check that it is still the same ticket and still available all the same.
    ItemPointerData tid = seen.row_version;
    if (!table_tuple_fetch_row_version(relation, &tid, SnapshotAny, old_row)) {
        return DirectSale::changed;
    }
    slot_getallattrs(old_row);
    if (old_row->tts_isnull[cache.event_id - 1] || old_row->tts_isnull[cache.ticket_id - 1] ||
        DatumGetInt64(old_row->tts_values[cache.event_id - 1]) != event_id ||
        DatumGetInt64(old_row->tts_values[cache.ticket_id - 1]) != seen.ticket_id ||
        text_view(old_row->tts_values[cache.status - 1]) != "available") {
        return DirectSale::changed;
    }

    const TimestampTz now = GetCurrentTransactionStartTimestamp();
    const int natts = RelationGetDescr(relation)->natts;
    ExecClearTuple(new_row);
    std::memcpy(new_row->tts_values, old_row->tts_values, sizeof(Datum) * natts);
    std::memcpy(new_row->tts_isnull, old_row->tts_isnull, sizeof(bool) * natts);
    const Datum sold = CStringGetTextDatum("sold");
    new_row->tts_values[cache.status - 1] = sold;
    new_row->tts_values[cache.owner - 1] = customer;
    new_row->tts_isnull[cache.owner - 1] = false;
    new_row->tts_values[cache.hold_expires_at - 1] = 0;
    new_row->tts_isnull[cache.hold_expires_at - 1] = true;
    new_row->tts_values[cache.updated_at - 1] = TimestampTzGetDatum(now);
    new_row->tts_isnull[cache.updated_at - 1] = false;
    ExecStoreVirtualTuple(new_row);

    if (relation->rd_att->constr != nullptr) {
        ExecConstraints(tickets, new_row, estate);
    }
    // wait = false: a row someone holds locked (or is changing) comes back as
    // TM_BeingModified with nothing written; so do TM_Updated and TM_Deleted.
    TM_FailureData failure;
    LockTupleMode lock_mode;
    bool update_indexes = false;
    const TM_Result result =
        table_tuple_update(relation, &tid, new_row, estate->es_output_cid,
                           ActiveSnapshotSet() ? GetActiveSnapshot() : InvalidSnapshot,
                           InvalidSnapshot, false, &failure, &lock_mode, &update_indexes);
    if (result != TM_Ok) {
        return DirectSale::changed;
    }
    if (update_indexes && tickets->ri_NumIndices > 0) {
        ExecInsertIndexTuples(tickets, new_row, estate, true, false, nullptr, NIL);
    }

    // The audit row: the columns a sale names, the table's defaults for the rest.
    Relation audit_relation = audit->ri_RelationDesc;
    TupleTableSlot* entry = table_slot_create(audit_relation, &estate->es_tupleTable);
    ExprContext* expressions = GetPerTupleExprContext(estate);
    ExecClearTuple(entry);
    for (int i = 0; i < cache.audit_natts; ++i) {
        entry->tts_values[i] = 0;
        entry->tts_isnull[i] = true;
        if (cache.audit_defaults[i] != nullptr) {
            ExprState* state = ExecInitExpr(cache.audit_defaults[i], nullptr);
            entry->tts_values[i] =
                ExecEvalExprSwitchContext(state, expressions, &entry->tts_isnull[i]);
        }
    }
    const auto put = [&](AttrNumber attnum, Datum value) {
        entry->tts_values[attnum - 1] = value;
        entry->tts_isnull[attnum - 1] = false;
    };
    put(cache.a_event_id, Int64GetDatum(event_id));
    put(cache.a_ticket_id, Int64GetDatum(seen.ticket_id));
    put(cache.a_from_status, CStringGetTextDatum("available"));
    put(cache.a_to_status, sold);
    put(cache.a_customer, customer);
    put(cache.a_at, TimestampTzGetDatum(now));
    ExecStoreVirtualTuple(entry);
    if (audit_relation->rd_att->constr != nullptr) {
        ExecConstraints(audit, entry, estate);
    }
    table_tuple_insert(audit_relation, entry, estate->es_output_cid, 0, nullptr);
    if (audit->ri_NumIndices > 0) {
        ExecInsertIndexTuples(audit, entry, estate, false, false, nullptr, NIL);
    }
    *at = now;
    return DirectSale::sold;
}

} // namespace

void register_direct_write_cache_reset() {
    CacheRegisterRelcacheCallback(reset_cache, 0);
}

DirectSale sell_directly(std::int64_t event_id, const TicketRow& seen, Datum customer,
                         TimestampTz* at) {
    DirectSale outcome = DirectSale::unsupported;
    pg_call([&] {
        load_cache();
        Relation tickets = table_open(cache.tickets, RowExclusiveLock);
        Relation audit = table_open(cache.audit_log, RowExclusiveLock);
        // Taking the locks may have delivered news of a change to either table.
        load_cache();
        if (needs_executor(tickets, true) || needs_executor(audit, false) ||
            RelationGetDescr(audit)->natts != cache.audit_natts) {
            table_close(audit, NoLock);
            table_close(tickets, NoLock);
            return;
        }
        // What the executor would set up for UPDATE tickets ... ; INSERT INTO audit_log:
        // a range table (error messages and the "index key unchanged" hint read it),
        // result relations with their indexes open, and one command id for both writes.
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
        ResultRelInfo* tickets_info = makeNode(ResultRelInfo);
        InitResultRelInfo(tickets_info, tickets, 1, nullptr, 0);
        ResultRelInfo* audit_info = makeNode(ResultRelInfo);
        InitResultRelInfo(audit_info, audit, 2, nullptr, 0);
        ExecOpenIndices(tickets_info, false);
        ExecOpenIndices(audit_info, false);

        outcome = sell(estate, tickets_info, audit_info, event_id, seen, customer, at);

        ExecCloseIndices(audit_info);
        ExecCloseIndices(tickets_info);
        ExecResetTupleTable(estate->es_tupleTable, false);
        FreeExecutorState(estate);
        table_close(audit, NoLock);
        table_close(tickets, NoLock);
    });
    return outcome;
}

} // namespace ticketing::backend
