#include "direct_reads.hpp"

#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"

extern "C" {
#include "access/genam.h"
#include "access/multixact.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "executor/tuptable.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
}

namespace ticketing::backend {

namespace {

// What a lock-free look copies of a row version's header: enough to tell whether
// another transaction holds a lock on it (or is changing it).
struct XmaxCopy {
    std::uint16_t infomask;
    TransactionId xmax;
};

// Whether another live transaction holds the row version in a mode that conflicts with
// the FOR NO KEY UPDATE the claims take (FOR SHARE, FOR NO KEY UPDATE, FOR UPDATE, an
// update or a delete). A FOR KEY SHARE lock, which a foreign key check on a table that
// references tickets takes, does not conflict: the hand-written UPDATE sells through it,
// and so do the claims. Read from a copy taken under the buffer's content lock.
bool locked_by_other(const XmaxCopy& header) {
    if (header.infomask & HEAP_XMAX_INVALID) {
        return false;
    }
    if (header.infomask & HEAP_XMAX_IS_MULTI) {
        MultiXactMember* members = nullptr;
        const int count = GetMultiXactIdMembers(header.xmax, &members, false,
                                                HEAP_XMAX_IS_LOCKED_ONLY(header.infomask));
        bool locked = false;
        for (int i = 0; i < count && !locked; ++i) {
            locked = members[i].status != MultiXactStatusForKeyShare &&
                     !TransactionIdIsCurrentTransactionId(members[i].xid) &&
                     TransactionIdIsInProgress(members[i].xid);
        }
        if (members != nullptr) {
            pfree(members);
        }
        return locked;
    }
    if (HEAP_XMAX_IS_LOCKED_ONLY(header.infomask) && HEAP_XMAX_IS_KEYSHR_LOCKED(header.infomask)) {
        return false;
    }
    return !TransactionIdIsCurrentTransactionId(header.xmax) &&
           TransactionIdIsInProgress(header.xmax);
}

// Runs `read` under one snapshot, taken like a new statement's: it sees what this
// transaction did so far and (under READ COMMITTED) what others committed. Inside
// pg_call.
template <typename Read>
void with_statement_snapshot(Read&& read) {
    CommandCounterIncrement();
    if (IsolationUsesXactSnapshot()) {
        PushCopiedSnapshot(GetTransactionSnapshot());
        UpdateActiveSnapshotCommandId();
    } else {
        PushActiveSnapshot(GetTransactionSnapshot());
    }
    read(GetActiveSnapshot());
    PopActiveSnapshot();
}

// Walks index `index_id` of table `relid` from `keys` under `snapshot`, handing each
// visible row's slot to `use` until it returns false. Inside pg_call.
template <typename Use>
void scan(Snapshot snapshot, Oid relid, Oid index_id, ScanKeyData* keys, int nkeys,
          ScanDirection direction, Use&& use) {
    Relation heap = table_open(relid, NoLock); // locked by lock_core_tables()
    Relation index = index_open(index_id, AccessShareLock);
    TupleTableSlot* slot = table_slot_create(heap, nullptr);
    IndexScanDesc walk = begin_index_scan(heap, index, snapshot, nkeys, 0);
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
}

// Finds the first row from `keys` in `direction` under a statement snapshot and hands
// its slot to `use`. Inside pg_call.
template <typename Use>
bool probe(Oid relid, Oid index_id, ScanKeyData* keys, int nkeys, Use&& use,
           ScanDirection direction = ForwardScanDirection) {
    bool found = false;
    with_statement_snapshot([&](Snapshot snapshot) {
        scan(snapshot, relid, index_id, keys, nkeys, direction, [&](TupleTableSlot* slot) {
            found = true;
            use(slot);
            return false;
        });
    });
    return found;
}

// A datum of `slot`'s row copied as stored (a TOAST pointer stays a pointer): safe to
// take under the buffer's content lock, and to read after it.
Datum copy_stored(const TupleTableSlot* slot, AttrNumber column) {
    return datumCopy(slot->tts_values[column - 1], false, -1);
}

// The ticket in `slot`, relative to `customer`; `seat` is copied into the call's memory
// context. The row's header and its text columns are copied under the buffer's share
// content lock (writers change the header under the exclusive lock); decoding and
// detoasting happen after it is released. Inside pg_call.
TicketRow row_from(const TicketsLayout& c, TupleTableSlot* slot, std::string_view customer) {
    XmaxCopy header{HEAP_XMAX_INVALID, InvalidTransactionId};
    Datum status = 0;
    Datum owner = 0;
    Datum seat = 0;
    const bool has_owner = !slot->tts_isnull[c.owner - 1];
    const Buffer buffer = TTS_IS_BUFFERTUPLE(slot)
                              ? reinterpret_cast<BufferHeapTupleTableSlot*>(slot)->buffer
                              : InvalidBuffer;
    const MemoryContext old = MemoryContextSwitchTo(call_memory_context());
    if (BufferIsValid(buffer)) {
        LockBuffer(buffer, BUFFER_LOCK_SHARE);
        const HeapTupleHeader tuple = reinterpret_cast<HeapTupleTableSlot*>(slot)->tuple->t_data;
        header = XmaxCopy{tuple->t_infomask, HeapTupleHeaderGetRawXmax(tuple)};
    }
    status = copy_stored(slot, c.status);
    owner = has_owner ? copy_stored(slot, c.owner) : Datum(0);
    seat = copy_stored(slot, c.seat);
    if (BufferIsValid(buffer)) {
        LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
    }
    MemoryContextSwitchTo(old);

    TicketRow row{};
    row.ticket_id = DatumGetInt64(slot->tts_values[c.ticket_id - 1]);
    const auto parsed = parse_status(text_view(status));
    if (!parsed) {
        unknown_status(DatumGetInt64(slot->tts_values[c.event_id - 1]), row.ticket_id);
    }
    row.state.status = *parsed;
    row.state.owned_by_customer = has_owner && text_view(owner) == customer;
    row.has_hold_expiry = !slot->tts_isnull[c.hold_expires_at - 1];
    row.hold_expires_at =
        row.has_hold_expiry ? DatumGetTimestampTz(slot->tts_values[c.hold_expires_at - 1]) : 0;
    row.state.lapse_waits_for_list = !lapsed_holds_claimable();
    row.state.hold_expired = row.state.status == TicketStatus::held && row.has_hold_expiry &&
                             row.hold_expires_at <= GetCurrentTransactionStartTimestamp();
    row.updated_at = DatumGetTimestampTz(slot->tts_values[c.updated_at - 1]);
    row.looks_locked = row.state.status != TicketStatus::sold && locked_by_other(header);
    const MemoryContext caller = MemoryContextSwitchTo(call_memory_context());
    row.seat = PointerGetDatum(DatumGetTextPCopy(seat)); // detoasted: results store it as is
    MemoryContextSwitchTo(caller);
    return row;
}

} // namespace

namespace {

// Under REPEATABLE READ or SERIALIZABLE, the event is read with the transaction's
// snapshot. A quota created after that snapshot (create_quota waits for the calls in
// flight, but not for a transaction that has not called yet) would be invisible to it,
// and a sale would take none of its units; so would a waiting list opened or closed
// since. So the quota count and the list's state are read again with the newest
// snapshot: if either differs, the transaction fails as PostgreSQL fails an UPDATE of a
// row changed since its snapshot (40001), and the caller retries.
void check_quotas_unchanged(std::int64_t event_id, std::int32_t seen, bool seen_waitlist) {
    if (!IsolationUsesXactSnapshot()) {
        return;
    }
    std::int32_t latest = seen;
    bool latest_waitlist = seen_waitlist;
    pg_call([&] {
        const Layout& layout = core_layout();
        ScanKeyData key;
        ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
        const AttrNumber quotas = layout.events.quota_count;
        Snapshot newest = RegisterSnapshot(GetLatestSnapshot());
        scan(newest, layout.events.relid, layout.events.primary_key, &key, 1, ForwardScanDirection,
             [&](TupleTableSlot* slot) {
                 latest = DatumGetInt32(slot->tts_values[quotas - 1]);
                 const AttrNumber waitlist = layout.events.waitlist_open;
                 if (waitlist != InvalidAttrNumber) {
                     latest_waitlist = DatumGetBool(slot->tts_values[waitlist - 1]);
                 }
                 return false;
             });
        UnregisterSnapshot(newest);
        if (latest != seen) {
            ereport(ERROR,
                    (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                     errmsg("could not serialize access due to a change of event %lld's quotas",
                            static_cast<long long>(event_id)),
                     errdetail("A quota was created or dropped after this transaction began."),
                     errhint("The transaction might succeed if retried.")));
        }
        if (latest_waitlist != seen_waitlist) {
            ereport(ERROR,
                    (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                     errmsg("could not serialize access due to a change of event %lld's waiting "
                            "list",
                            static_cast<long long>(event_id)),
                     errdetail("The waiting list was opened or closed after this transaction "
                               "began."),
                     errhint("The transaction might succeed if retried.")));
        }
    });
}

} // namespace

namespace {

// Ticket (event_id, ticket_id) as `snapshot` sees it, relative to `customer`, by one probe
// of the primary key; false when there is none. Inside pg_call.
bool ticket_under(Snapshot snapshot, const Layout& layout, std::int64_t event_id,
                  std::int64_t ticket_id, std::string_view customer, TicketRow* row) {
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
    ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(ticket_id));
    bool found = false;
    scan(snapshot, layout.tickets.relid, layout.tickets.primary_key, keys, 2, ForwardScanDirection,
         [&](TupleTableSlot* slot) {
             *row = row_from(layout.tickets, slot, customer);
             found = true;
             return false;
         });
    return found;
}

} // namespace

std::optional<TicketRow> read_ticket(std::int64_t event_id, std::int64_t ticket_id,
                                     std::string_view customer) {
    TicketRow row{};
    bool direct = false;
    bool found = false;
    pg_call([&] {
        const Layout& layout = core_layout();
        direct = layout.direct_reads;
        if (!direct) {
            return;
        }
        with_statement_snapshot([&](Snapshot snapshot) {
            found = ticket_under(snapshot, layout, event_id, ticket_id, customer, &row);
        });
    });
    if (!direct) {
        found = peek_ticket(event_id, ticket_id, make_text(customer), &row);
    }
    if (!found) {
        return std::nullopt;
    }
    return row;
}

AvailableTicket read_available(std::int64_t event_id, std::int64_t start, int max_looked) {
    AvailableTicket found{std::nullopt, false};
    pg_call([&] {
        const Layout& layout = core_layout();
        if (!layout.direct_reads || layout.tickets.unsold_index == InvalidOid) {
            return;
        }
        int looked = 0;
        bool walked_to_the_end = true;
        // From `start` up, then below it (the index is (event_id, ticket_id)), both under
        // one snapshot: an answer of "nothing unsold" must describe one moment.
        with_statement_snapshot([&](Snapshot snapshot) {
            for (const StrategyNumber range :
                 {BTGreaterEqualStrategyNumber, BTLessStrategyNumber}) {
                ScanKeyData keys[2];
                ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
                ScanKeyInit(&keys[1], 2, range, range == BTLessStrategyNumber ? F_INT8LT : F_INT8GE,
                            Int64GetDatum(start));
                scan(snapshot, layout.tickets.relid, layout.tickets.unsold_index, keys, 2,
                     ForwardScanDirection, [&](TupleTableSlot* slot) {
                         CHECK_FOR_INTERRUPTS();
                         ++looked;
                         const TicketRow row = row_from(layout.tickets, slot, std::string_view());
                         if (row.state.status == TicketStatus::available && !row.looks_locked) {
                             found.ticket = row;
                         }
                         const bool go_on = !found.ticket && looked < max_looked;
                         walked_to_the_end = walked_to_the_end && go_on;
                         return go_on;
                     });
                if (!walked_to_the_end) {
                    return;
                }
            }
        });
        // Both walks ran to their end under that snapshot without meeting a visible row.
        found.nothing_unsold = walked_to_the_end && looked == 0;
    });
    return found;
}

std::int64_t read_max_ticket_id(std::int64_t event_id) {
    std::int64_t highest = 0;
    bool direct = false;
    pg_call([&] {
        const Layout& layout = core_layout();
        direct = layout.direct_reads;
        if (!direct) {
            return;
        }
        ScanKeyData key;
        ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
        const AttrNumber ticket_id = layout.tickets.ticket_id;
        probe(
            layout.tickets.relid, layout.tickets.primary_key, &key, 1,
            [&](TupleTableSlot* slot) { highest = DatumGetInt64(slot->tts_values[ticket_id - 1]); },
            BackwardScanDirection);
    });
    return direct ? highest : max_ticket_id(event_id);
}

namespace {

// A text datum of `slot`, detoasted and copied into the call's memory context (0 when
// NULL). The slot's pin keeps a visible tuple's values in place. Inside pg_call.
Datum copy_text(const TupleTableSlot* slot, AttrNumber column) {
    if (slot->tts_isnull[column - 1]) {
        return 0;
    }
    const MemoryContext caller = MemoryContextSwitchTo(call_memory_context());
    const Datum copy = PointerGetDatum(DatumGetTextPCopy(slot->tts_values[column - 1]));
    MemoryContextSwitchTo(caller);
    return copy;
}

TicketStatus status_of(std::int64_t event_id, std::int64_t ticket_id, Datum status) {
    const auto parsed = parse_status(text_view(status));
    if (!parsed) {
        unknown_status(event_id, ticket_id);
    }
    return *parsed;
}

} // namespace

std::optional<CodedTicket> read_coded_ticket(std::int64_t event_id, std::int64_t ticket_id) {
    CodedTicket row{};
    bool direct = false;
    bool found = false;
    pg_call([&] {
        const Layout& layout = core_layout();
        direct = layout.direct_reads;
        if (!direct) {
            return;
        }
        const TicketsLayout& c = layout.tickets;
        ScanKeyData keys[2];
        ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
        ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(ticket_id));
        found = probe(c.relid, c.primary_key, keys, 2, [&](TupleTableSlot* slot) {
            row.ticket_id = ticket_id;
            const Datum status = copy_text(slot, c.status);
            row.status = status_of(event_id, ticket_id, status);
            row.owner = copy_text(slot, c.owner);
            row.updated_at = DatumGetTimestampTz(slot->tts_values[c.updated_at - 1]);
            row.admitted = !slot->tts_isnull[c.admitted_at - 1];
            row.admitted_at =
                row.admitted ? DatumGetTimestampTz(slot->tts_values[c.admitted_at - 1]) : 0;
            row.admitted_gate = copy_text(slot, c.admitted_gate);
            row.seat = copy_text(slot, c.seat);
        });
    });
    if (!direct) {
        Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id)};
        found = run_plan(PlanId::coded_peek, args, nullptr) == 1;
        if (found) {
            row = decode_coded_row(event_id, 0);
        }
    }
    if (!found) {
        return std::nullopt;
    }
    return row;
}

CodedTicket decode_coded_row(std::int64_t event_id, std::uint64_t n) {
    CodedTicket row{};
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[n];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        const auto text = [&](int column) {
            const Datum value = SPI_getbinval(tuple, desc, column, &is_null);
            return is_null ? Datum(0) : SPI_datumTransfer(value, false, -1);
        };
        row.ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 7, &is_null));
        row.status = status_of(event_id, row.ticket_id, text(1));
        row.owner = text(2);
        row.updated_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &is_null));
        const Datum admitted_at = SPI_getbinval(tuple, desc, 4, &is_null);
        row.admitted = !is_null;
        row.admitted_at = is_null ? 0 : DatumGetTimestampTz(admitted_at);
        row.admitted_gate = text(5);
        row.seat = text(6);
    });
    return row;
}

namespace {

// The raw xmin of the event row version in `slot` (freezing keeps it), when another,
// committed transaction wrote it: a version this transaction wrote may be followed by
// another of its own, and one it wrote in a subtransaction may roll back. Inside pg_call.
void read_row_version(TupleTableSlot* slot, EventInfo* info) {
    if (!TTS_IS_BUFFERTUPLE(slot)) {
        return;
    }
    const Buffer buffer = reinterpret_cast<BufferHeapTupleTableSlot*>(slot)->buffer;
    if (!BufferIsValid(buffer)) {
        return;
    }
    LockBuffer(buffer, BUFFER_LOCK_SHARE);
    const TransactionId xmin =
        HeapTupleHeaderGetRawXmin(reinterpret_cast<HeapTupleTableSlot*>(slot)->tuple->t_data);
    LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
    if (TransactionIdIsNormal(xmin) && !TransactionIdIsCurrentTransactionId(xmin)) {
        info->has_row_version = true;
        info->row_version = xmin;
    }
}

} // namespace

EventInfo read_event(std::int64_t event_id) {
    EventInfo info{false, false, 0};
    bool direct = false;
    pg_call([&] {
        const Layout& layout = core_layout();
        direct = layout.direct_reads;
        if (!direct) {
            return;
        }
        ScanKeyData key;
        ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(event_id));
        const AttrNumber limit = layout.events.per_customer_limit;
        const AttrNumber quotas = layout.events.quota_count;
        const AttrNumber waitlist = layout.events.waitlist_open;
        info.exists = probe(
            layout.events.relid, layout.events.primary_key, &key, 1, [&](TupleTableSlot* slot) {
                info.has_limit = !slot->tts_isnull[limit - 1];
                info.limit = info.has_limit ? DatumGetInt32(slot->tts_values[limit - 1]) : 0;
                if (quotas != InvalidAttrNumber) {
                    info.quota_count = DatumGetInt32(slot->tts_values[quotas - 1]);
                }
                if (waitlist != InvalidAttrNumber) {
                    info.waitlist_open = DatumGetBool(slot->tts_values[waitlist - 1]);
                }
                read_row_version(slot, &info);
            });
    });
    if (!direct) {
        info = event_by_statement(event_id);
    }
    if (info.exists && core_layout().events.quota_count != InvalidAttrNumber) {
        check_quotas_unchanged(event_id, info.quota_count, info.waitlist_open);
    }
    return info;
}

namespace {

// The primary key of idempotency_keys, opened for probes of (event, customer, key) (for
// (customer, key) on a 1.1 schema: !per_event); nothing when the current user may not
// read the table directly. Inside pg_call, after lock_table(OwnTable::idempotency_keys).
struct KeyIndex {
    Relation heap;
    Relation index;
    ScanKeyData keys[3];
    int nkeys;
};

bool open_key_index(bool per_event, std::int64_t event_id, Datum customer, Datum key,
                    KeyIndex* out) {
    const Oid relid = locked_table_relid(OwnTable::idempotency_keys);
    if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
        check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED) {
        return false;
    }
    Relation heap = table_open(relid, NoLock); // locked by lock_table()
    const Oid primary_key = primary_key_index(heap);
    if (!OidIsValid(primary_key)) {
        table_close(heap, NoLock);
        return false;
    }
    out->heap = heap;
    out->index = index_open(primary_key, AccessShareLock);
    // The key's columns, in the primary key's order (checked by lock_table()).
    out->nkeys = 0;
    const auto add = [&](RegProcedure equal, Datum value) {
        const int n = out->nkeys++;
        ScanKeyEntryInitialize(&out->keys[n], 0, static_cast<AttrNumber>(n + 1),
                               BTEqualStrategyNumber, InvalidOid, out->index->rd_indcollation[n],
                               equal, value);
    };
    if (per_event) {
        add(F_INT8EQ, Int64GetDatum(event_id));
    }
    add(F_TEXTEQ, customer);
    add(F_TEXTEQ, key);
    return true;
}

bool key_visible(KeyIndex& keys, Snapshot snapshot) {
    TupleTableSlot* slot = table_slot_create(keys.heap, nullptr);
    IndexScanDesc walk = begin_index_scan(keys.heap, keys.index, snapshot, keys.nkeys, 0);
    index_rescan(walk, keys.keys, keys.nkeys, nullptr, 0);
    const bool found = index_getnext_slot(walk, ForwardScanDirection, slot);
    index_endscan(walk);
    ExecDropSingleTupleTableSlot(slot);
    return found;
}

void close_key_index(KeyIndex& keys) {
    index_close(keys.index, NoLock);
    table_close(keys.heap, NoLock);
}

} // namespace

std::optional<bool> read_key_exists(bool per_event, std::int64_t event_id, Datum customer,
                                    Datum key) {
    std::optional<bool> exists;
    pg_call([&] {
        KeyIndex keys{};
        if (!open_key_index(per_event, event_id, customer, key, &keys)) {
            return;
        }
        with_statement_snapshot([&](Snapshot snapshot) { exists = key_visible(keys, snapshot); });
        close_key_index(keys);
    });
    return exists;
}

std::optional<KeyedLook> read_ticket_and_key(bool per_event, std::int64_t event_id,
                                             std::int64_t ticket_id, Datum customer, Datum key) {
    std::optional<KeyedLook> look;
    pg_call([&] {
        const Layout& layout = core_layout();
        KeyIndex keys{};
        if (!layout.direct_reads || !open_key_index(per_event, event_id, customer, key, &keys)) {
            return;
        }
        KeyedLook seen{};
        with_statement_snapshot([&](Snapshot snapshot) {
            seen.key_stored = key_visible(keys, snapshot);
            TicketRow row{};
            if (ticket_under(snapshot, layout, event_id, ticket_id, text_view(customer), &row)) {
                seen.ticket = row;
            }
        });
        close_key_index(keys);
        look = seen;
    });
    return look;
}

} // namespace ticketing::backend
