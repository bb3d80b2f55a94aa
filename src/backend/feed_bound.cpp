#include "feed_bound.hpp"

#include "pg_guard.hpp"

#include "../core/feed_rules.hpp"

extern "C" {
#include "catalog/pg_sequence.h"
#include "commands/sequence.h"
#include "storage/lock.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
}

namespace ticketing::backend {

namespace {

// Whether the current top-level transaction published its floor; cleared when it ends.
bool floor_published = false;
bool callback_registered = false;

void on_transaction_end(XactEvent event, void*) {
    switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    case XACT_EVENT_PREPARE:
        floor_published = false;
        break;
    default:
        break;
    }
}

// The sequence's last value (0 before its first nextval). The same read nextval's buffer
// lock orders against: every id drawn after this returns is larger.
std::int64_t sequence_last_value(Oid sequence) {
    LOCAL_FCINFO(call, 1);
    InitFunctionCallInfoData(*call, nullptr, 1, InvalidOid, nullptr, nullptr);
    call->args[0].value = ObjectIdGetDatum(sequence);
    call->args[0].isnull = false;
    const Datum last = pg_sequence_last_value(call);
    return call->isnull ? 0 : DatumGetInt64(last);
}

LOCKTAG floor_tag(std::int64_t floor) {
    const auto value = static_cast<std::uint64_t>(floor);
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<std::uint32_t>(value >> 32),
                         static_cast<std::uint32_t>(value), feed_floor_lock_class);
    return tag;
}

} // namespace

std::int64_t next_audit_id(Oid sequence) {
    // Only the audit sequence: a floor read from another sequence would hold back (or let
    // through) the wrong rows.
    static Oid checked_sequence = InvalidOid;
    if (sequence != checked_sequence) {
        const char* const name = get_rel_name(sequence);
        const Oid schema = get_rel_namespace(sequence);
        const char* const schema_name = OidIsValid(schema) ? get_namespace_name(schema) : nullptr;
        if (name == nullptr || schema_name == nullptr || strcmp(name, "audit_id_seq") != 0 ||
            strcmp(schema_name, "ticketing") != 0 ||
            get_rel_relkind(sequence) != RELKIND_SEQUENCE) {
            throw DomainError(ErrorKind::invalid_parameter,
                              "ticketing.next_audit_id draws from ticketing.audit_id_seq only",
                              "It is the default of ticketing.audit_log.audit_id.");
        }
        checked_sequence = sequence;
    }
    if (!floor_published) {
        if (!callback_registered) {
            RegisterXactCallback(on_transaction_end, nullptr);
            callback_registered = true;
        }
        const LOCKTAG tag = floor_tag(sequence_last_value(sequence));
        // Held by the top-level transaction, whatever subtransaction inserts: a savepoint
        // rolled back must not take the floor with it while the transaction goes on.
        // Nobody takes a conflicting mode on these tags, so this never waits.
        ResourceOwner const caller_owner = CurrentResourceOwner;
        CurrentResourceOwner = TopTransactionResourceOwner;
        PG_TRY();
        { LockAcquire(&tag, AccessShareLock, false, false); }
        PG_FINALLY();
        { CurrentResourceOwner = caller_owner; }
        PG_END_TRY();
        floor_published = true;
    }
    // Drawn after the floor is in the lock table: every id this transaction draws is larger
    // than the floor a reader may see.
    return nextval_internal(sequence, true);
}

std::int64_t first_unsettled_audit_id(Oid audit_sequence) {
    // The order matters: the sequence first, then the floors (see feed_bound.hpp).
    const std::int64_t last = sequence_last_value(audit_sequence);
    pg_memory_barrier();
    LockData* const locks = GetLockStatusData();
    bool any = false;
    std::int64_t lowest = 0;
    for (int i = 0; i < locks->nelements; ++i) {
        const LockInstanceData& lock = locks->locks[i];
        if (lock.locktag.locktag_type != LOCKTAG_ADVISORY ||
            lock.locktag.locktag_field4 != feed_floor_lock_class ||
            lock.locktag.locktag_field1 != MyDatabaseId || lock.holdMask == 0) {
            continue;
        }
        const auto floor = static_cast<std::int64_t>(
            (static_cast<std::uint64_t>(lock.locktag.locktag_field2) << 32) |
            lock.locktag.locktag_field3);
        if (!any || floor < lowest) {
            lowest = floor;
            any = true;
        }
    }
    pfree(locks->locks);
    pfree(locks);
    return first_unsettled_id(last, any ? std::optional<std::int64_t>(lowest) : std::nullopt);
}

Oid audit_sequence_of(Oid schema) {
    const Oid sequence = get_relname_relid("audit_id_seq", schema);
    if (!OidIsValid(sequence) || get_rel_relkind(sequence) != RELKIND_SEQUENCE) {
        throw DomainError(ErrorKind::table_altered, "ticketing.audit_id_seq is missing",
                          "The feed reads audit ids from it; reinstall the extension.");
    }
    HeapTuple tuple = SearchSysCache1(SEQRELID, ObjectIdGetDatum(sequence));
    if (!HeapTupleIsValid(tuple)) {
        elog(ERROR, "ticketing: cache lookup failed for sequence %u", sequence);
    }
    const std::int64_t cache = reinterpret_cast<Form_pg_sequence>(GETSTRUCT(tuple))->seqcache;
    ReleaseSysCache(tuple);
    if (cache != 1) {
        throw DomainError(ErrorKind::table_altered,
                          "ticketing.audit_id_seq caches " + std::to_string(cache) +
                              " values per session; the feed needs CACHE 1",
                          "ALTER SEQUENCE ticketing.audit_id_seq CACHE 1 (with a cache, "
                          "sessions do not draw audit ids in time order).");
    }
    return sequence;
}

} // namespace ticketing::backend
