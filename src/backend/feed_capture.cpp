#include "feed_capture.hpp"

#include "feed_shared.hpp"
#include "pg_guard.hpp"

extern "C" {
#include "commands/trigger.h"
}

namespace ticketing::backend {

namespace {

// This backend's changes in the current transaction. Made once, kept for the life of the
// backend (cleared, never destroyed), so the callbacks below never allocate.
TransactionChanges* changes = nullptr;

void on_transaction(XactEvent event, void*) {
    if (changes == nullptr || changes->empty()) {
        return;
    }
    switch (event) {
    case XACT_EVENT_COMMIT:
        announce_committed(*changes);
        changes->clear();
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    // A prepared transaction commits later, in whichever session runs COMMIT PREPARED:
    // its changes are not announced by themselves (the next notification of the event,
    // or a poll, brings them).
    case XACT_EVENT_PREPARE:
        changes->clear();
        break;
    default:
        break;
    }
}

void on_subtransaction(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    if (changes == nullptr || changes->empty()) {
        return;
    }
    // The callbacks run while the ending subtransaction is still the current one.
    if (event == SUBXACT_EVENT_COMMIT_SUB) {
        changes->commit_subtransaction(GetCurrentTransactionNestLevel());
    } else if (event == SUBXACT_EVENT_ABORT_SUB) {
        changes->abort_subtransaction(GetCurrentTransactionNestLevel());
    }
}

TransactionChanges& transaction_changes() {
    if (changes == nullptr) {
        changes = new TransactionChanges();
        RegisterXactCallback(on_transaction, nullptr);
        RegisterSubXactCallback(on_subtransaction, nullptr);
    }
    return *changes;
}

// The trigger data, after checking the function fires as it was declared to.
TriggerData* trigger_data(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("ticketing: the feed's trigger functions only run as triggers")));
    }
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_BY_INSERT(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) ||
        !TRIGGER_FIRED_AFTER(trigger->tg_event)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("ticketing: trigger %s must fire AFTER INSERT FOR EACH ROW",
                               trigger->tg_trigger->tgname)));
    }
    return trigger;
}

// A bigint column of the row by name, if the table has one.
std::optional<std::int64_t> bigint_column(HeapTuple tuple, TupleDesc desc, const char* name) {
    const int column = SPI_fnumber(desc, name);
    if (column <= 0 || TupleDescAttr(desc, column - 1)->atttypid != INT8OID) {
        return std::nullopt;
    }
    bool is_null = true;
    const Datum value = heap_getattr(tuple, column, desc, &is_null);
    if (is_null) {
        return std::nullopt;
    }
    return DatumGetInt64(value);
}

} // namespace

void feed_capture_trigger(FunctionCallInfo fcinfo) {
    TriggerData* trigger = trigger_data(fcinfo);
    if (!feed_announces()) {
        return;
    }
    const TupleDesc desc = RelationGetDescr(trigger->tg_relation);
    const auto event_id = bigint_column(trigger->tg_trigtuple, desc, "event_id");
    const auto audit_id = bigint_column(trigger->tg_trigtuple, desc, "audit_id");
    if (!event_id || !audit_id) {
        return;
    }
    transaction_changes().record(*event_id, *audit_id, GetCurrentTransactionNestLevel());
}

} // namespace ticketing::backend
