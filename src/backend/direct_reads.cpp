#include <initializer_list>

#include "direct_reads.hpp"

#include "catalog_names.hpp"
#include "pg_guard.hpp"
#include "spi_plans.hpp"

#include "../core/domain_error.hpp"

extern "C" {
#include "access/genam.h"
#include "access/multixact.h"
#include "access/transam.h"
#include "storage/procarray.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_index.h"
#include "nodes/primnodes.h"
#include "utils/lsyscache.h"
#include "executor/tuptable.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
}

namespace ticketing::backend {

namespace {

// Relation ids and column numbers, looked up by name once and forgotten whenever the
// relcache says a table of ours changed (DROP EXTENSION included).
struct TableInfo {
    Oid relid;
    Oid primary_key;
};

struct TicketColumns {
    AttrNumber seat, status, owner, hold_expires_at, updated_at;
};

struct Cache {
    bool valid;
    TableInfo tickets;
    TableInfo events;
    TicketColumns columns;
    AttrNumber ticket_id;
    AttrNumber per_customer_limit;
    Oid unsold_index; // tickets_claimable_idx; InvalidOid where the schema lacks it
};

Cache cache{};

void reset_cache(Datum, Oid relid) {
    if (relid == InvalidOid || relid == cache.tickets.relid || relid == cache.events.relid) {
        cache.valid = false;
    }
}

// Table `name` and its primary key, which the direct reads probe by position: it must
// be a B-tree on exactly `key_columns`, in that order. Runs inside pg_call.
TableInfo table(Oid schema, const char* name, std::initializer_list<const char*> key_columns,
                const char* key_text) {
    const Oid relid = require_table(schema, name);
    Relation relation = table_open(relid, AccessShareLock);
    const Oid primary_key = RelationGetPrimaryKeyIndex(relation);
    table_close(relation, NoLock);
    bool as_made = primary_key != InvalidOid;
    if (as_made) {
        Relation index = index_open(primary_key, AccessShareLock);
        const Form_pg_index form = index->rd_index;
        as_made = index->rd_rel->relam == BTREE_AM_OID &&
                  form->indnkeyatts == static_cast<int>(key_columns.size());
        int position = 0;
        for (const char* column : key_columns) {
            as_made = as_made && form->indkey.values[position++] == require_column(relid, column);
        }
        index_close(index, AccessShareLock);
    }
    if (!as_made) {
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("ticketing: the primary key of ticketing.%s must be %s", name, key_text),
                 errhint("Restore the extension's own primary key.")));
    }
    return TableInfo{relid, primary_key};
}

// Whether `predicate` (an index's, in implicit-AND form) is exactly `status <> 'sold'`.
bool is_unsold_predicate(List* predicate, AttrNumber status) {
    if (list_length(predicate) != 1 || !IsA(linitial(predicate), OpExpr)) {
        return false;
    }
    const OpExpr* comparison = static_cast<const OpExpr*>(linitial(predicate));
    if (get_opcode(comparison->opno) != F_TEXTNE || list_length(comparison->args) != 2 ||
        !IsA(linitial(comparison->args), Var) || !IsA(lsecond(comparison->args), Const)) {
        return false;
    }
    const Var* column = static_cast<const Var*>(linitial(comparison->args));
    const Const* value = static_cast<const Const*>(lsecond(comparison->args));
    return column->varattno == status && value->consttype == TEXTOID && !value->constisnull &&
           text_view(value->constvalue) == status_name(TicketStatus::sold);
}

// tickets_claimable_idx, if it is still the index the extension created: a B-tree on
// (event_id, ticket_id) WHERE status <> 'sold'. claim_any's lock-free walk, and its
// "nothing unsold" answer, rest on exactly that; anything else (dropped, or redefined by
// hand) leaves claim_any to its statements, which do not depend on the index.
// Runs inside pg_call.
Oid trusted_unsold_index(Oid schema, const Cache& fresh) {
    const Oid index_id = get_relname_relid("tickets_claimable_idx", schema);
    if (index_id == InvalidOid) {
        return InvalidOid;
    }
    Relation index = index_open(index_id, AccessShareLock);
    const Form_pg_index form = index->rd_index;
    const AttrNumber event_id = require_column(fresh.tickets.relid, "event_id");
    const bool trusted =
        index->rd_rel->relam == BTREE_AM_OID && form->indrelid == fresh.tickets.relid &&
        form->indnkeyatts == 2 && form->indkey.values[0] == event_id &&
        form->indkey.values[1] == fresh.ticket_id && RelationGetIndexExpressions(index) == NIL &&
        is_unsold_predicate(RelationGetIndexPredicate(index), fresh.columns.status);
    index_close(index, AccessShareLock);
    return trusted ? index_id : InvalidOid;
}

// Runs inside pg_call.
void load_cache() {
    if (cache.valid) {
        return;
    }
    const Oid schema = get_namespace_oid("ticketing", false);
    Cache fresh{};
    fresh.tickets = table(schema, "tickets", {"event_id", "ticket_id"}, "(event_id, ticket_id)");
    fresh.events = table(schema, "events", {"event_id"}, "(event_id)");
    const Oid tickets = fresh.tickets.relid;
    fresh.columns =
        TicketColumns{require_column(tickets, "seat"), require_column(tickets, "status"),
                      require_column(tickets, "owner"), require_column(tickets, "hold_expires_at"),
                      require_column(tickets, "updated_at")};
    fresh.ticket_id = require_column(tickets, "ticket_id");
    fresh.per_customer_limit = require_column(fresh.events.relid, "per_customer_limit");
    fresh.unsold_index = trusted_unsold_index(schema, fresh);
    fresh.valid = true;
    cache = fresh;
}

// Whether another transaction holds a lock on the row version the slot holds, or is
// updating it: its xmax belongs to a live transaction (or a live multixact).
bool locked_by_other(TupleTableSlot* slot) {
    bool should_free = false;
    HeapTuple tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);
    const HeapTupleHeader header = tuple->t_data;
    bool locked = false;
    if (!(header->t_infomask & HEAP_XMAX_INVALID)) {
        const TransactionId xmax = HeapTupleHeaderGetRawXmax(header);
        if (header->t_infomask & HEAP_XMAX_IS_MULTI) {
            locked = MultiXactIdIsRunning(xmax, false);
        } else {
            locked = !TransactionIdIsCurrentTransactionId(xmax) && TransactionIdIsInProgress(xmax);
        }
    }
    if (should_free) {
        heap_freetuple(tuple);
    }
    return locked;
}

// Walks index `index_id` of table `relid` from `keys` under a statement snapshot,
// handing each visible row's slot to `use` until it returns false. Runs inside pg_call.
template <typename Use>
void scan(Oid relid, Oid index_id, ScanKeyData* keys, int nkeys, ScanDirection direction,
          Use&& use) {
    // Like a new statement: see what this transaction did so far, and (under READ
    // COMMITTED) what others committed.
    CommandCounterIncrement();
    if (IsolationUsesXactSnapshot()) {
        PushCopiedSnapshot(GetTransactionSnapshot());
        UpdateActiveSnapshotCommandId();
    } else {
        PushActiveSnapshot(GetTransactionSnapshot());
    }
    Snapshot snapshot = GetActiveSnapshot();
    Relation heap = table_open(relid, AccessShareLock);
    Relation index = index_open(index_id, AccessShareLock);
    TupleTableSlot* slot = table_slot_create(heap, nullptr);
    IndexScanDesc walk = index_beginscan(heap, index, snapshot, nkeys, 0);
    index_rescan(walk, keys, nkeys, nullptr, 0);
    while (index_getnext_slot(walk, direction, slot)) {
        slot_getallattrs(slot);
        if (!use(slot)) {
            break;
        }
    }
    index_endscan(walk);
    ExecDropSingleTupleTableSlot(slot);
    index_close(index, NoLock);
    table_close(heap, NoLock);
    PopActiveSnapshot();
}

// Finds the row with primary key `keys` in `info`'s table under a statement snapshot
// and hands its slot to `use`. Runs inside pg_call.
template <typename Use>
bool probe(const TableInfo& info, ScanKeyData* keys, int nkeys, Use&& use,
           ScanDirection direction = ForwardScanDirection) {
    bool found = false;
    scan(info.relid, info.primary_key, keys, nkeys, direction, [&](TupleTableSlot* slot) {
        found = true;
        use(slot);
        return false;
    });
    return found;
}

} // namespace

void register_relation_cache_reset() {
    CacheRegisterRelcacheCallback(reset_cache, 0);
}

namespace {

// The ticket in `slot`, relative to `customer`; `seat` is copied into the call's memory
// context. Runs inside pg_call.
TicketRow row_from(TupleTableSlot* slot, std::string_view customer, bool* bad_status) {
    const TicketColumns c = cache.columns; // a copy: five column numbers
    TicketRow row{};
    const auto status = parse_status(text_view(slot->tts_values[c.status - 1]));
    *bad_status = *bad_status || !status;
    row.ticket_id = DatumGetInt64(slot->tts_values[cache.ticket_id - 1]);
    row.state.status = status.value_or(TicketStatus::available);
    row.state.owned_by_customer =
        !slot->tts_isnull[c.owner - 1] && text_view(slot->tts_values[c.owner - 1]) == customer;
    row.has_hold_expiry = !slot->tts_isnull[c.hold_expires_at - 1];
    row.hold_expires_at =
        row.has_hold_expiry ? DatumGetTimestampTz(slot->tts_values[c.hold_expires_at - 1]) : 0;
    row.state.hold_expired = row.state.status == TicketStatus::held && row.has_hold_expiry &&
                             row.hold_expires_at <= GetCurrentTransactionStartTimestamp();
    row.updated_at = DatumGetTimestampTz(slot->tts_values[c.updated_at - 1]);
    row.looks_locked = row.state.status != TicketStatus::sold && locked_by_other(slot);
    row.row_version = slot->tts_tid;
    MemoryContext old = MemoryContextSwitchTo(call_memory_context());
    row.seat = PointerGetDatum(DatumGetTextPCopy(slot->tts_values[c.seat - 1]));
    MemoryContextSwitchTo(old);
    return row;
}

void require_known_statuses(bool bad_status) {
    if (bad_status) {
        throw DomainError(ErrorKind::internal, "ticketing.tickets holds an unknown status");
    }
}

} // namespace

std::optional<TicketRow> read_ticket(std::int64_t event_id, std::int64_t ticket_id,
                                     std::string_view customer) {
    TicketRow row{};
    bool found = false;
    bool bad_status = false;
    pg_call([&] {
        load_cache();
        ScanKeyData keys[2];
        ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
        ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(ticket_id));
        found = probe(cache.tickets, keys, 2,
                      [&](TupleTableSlot* slot) { row = row_from(slot, customer, &bad_status); });
    });
    require_known_statuses(bad_status);
    if (!found) {
        return std::nullopt;
    }
    return row;
}

AvailableTicket read_available(std::int64_t event_id, std::int64_t start, int max_looked) {
    AvailableTicket found{std::nullopt, false};
    bool bad_status = false;
    pg_call([&] {
        load_cache();
        if (cache.unsold_index == InvalidOid) {
            return;
        }
        int looked = 0;
        // From `start` up, then below it: the index is (event_id, ticket_id).
        for (const StrategyNumber range : {BTGreaterEqualStrategyNumber, BTLessStrategyNumber}) {
            ScanKeyData keys[2];
            ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
            ScanKeyInit(&keys[1], 2, range, range == BTLessStrategyNumber ? F_INT8LT : F_INT8GE,
                        Int64GetDatum(start));
            scan(cache.tickets.relid, cache.unsold_index, keys, 2, ForwardScanDirection,
                 [&](TupleTableSlot* slot) {
                     ++looked;
                     const TicketRow row = row_from(slot, std::string_view(), &bad_status);
                     if (row.state.status == TicketStatus::available && !row.looks_locked) {
                         found.ticket = row;
                     }
                     return !found.ticket && looked < max_looked;
                 });
            if (found.ticket || looked >= max_looked) {
                return;
            }
        }
        // Both walks ran to their end without meeting a visible row.
        found.nothing_unsold = looked == 0;
    });
    require_known_statuses(bad_status);
    return found;
}

std::int64_t read_max_ticket_id(std::int64_t event_id) {
    std::int64_t highest = 0;
    pg_call([&] {
        load_cache();
        ScanKeyData key;
        ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
        const AttrNumber ticket_id = cache.ticket_id;
        probe(
            cache.tickets, &key, 1,
            [&](TupleTableSlot* slot) { highest = DatumGetInt64(slot->tts_values[ticket_id - 1]); },
            BackwardScanDirection);
    });
    return highest;
}

EventInfo read_event(std::int64_t event_id) {
    EventInfo info{false, false, 0};
    pg_call([&] {
        load_cache();
        ScanKeyData key;
        ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
        const AttrNumber limit = cache.per_customer_limit;
        info.exists = probe(cache.events, &key, 1, [&](TupleTableSlot* slot) {
            info.has_limit = !slot->tts_isnull[limit - 1];
            info.limit = info.has_limit ? DatumGetInt32(slot->tts_values[limit - 1]) : 0;
        });
    });
    return info;
}

} // namespace ticketing::backend
