#include "customer_limits.hpp"

#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "subtransaction.hpp"
#include "ticket_store.hpp"

extern "C" {
#include "common/hashfn.h"
#include "storage/lock.h"
}

namespace ticketing::backend {

namespace {

// The slot lock's tag: the database, then 64 bits of a hash of the customer seeded with
// the event. Two customers whose hashes collide share a lock (one waits for or skips
// the other): never a wrong count, and with 64 bits it does not happen in practice.
LOCKTAG slot_lock_tag(std::int64_t event_id, std::string_view customer) {
    const std::uint64_t hash = hash_bytes_extended(
        reinterpret_cast<const unsigned char*>(customer.data()), static_cast<int>(customer.size()),
        static_cast<std::uint64_t>(event_id));
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<std::uint32_t>(hash >> 32),
                         static_cast<std::uint32_t>(hash), slot_lock_tag_field);
    return tag;
}

// Takes the slot lock for the rest of the (sub)transaction: waiting (honouring
// lock_timeout and the deadlock detector) or not at all. Inside pg_call.
bool acquire_slot_lock(const LOCKTAG& tag, bool wait) {
    return LockAcquire(&tag, ExclusiveLock, false, !wait) != LOCKACQUIRE_NOT_AVAIL;
}

[[noreturn]] void slot_not_available(std::int64_t event_id) {
    throw DomainError(ErrorKind::lock_not_available,
                      "could not obtain the lock on this customer's slot in event " +
                          std::to_string(event_id),
                      "Another transaction of the same customer is claiming in this event. "
                      "Retry, or use wait => 'skip' to be answered busy instead.");
}

// Takes the slot lock as `wait` says; false when it was not taken (skip, or a bound
// that ran out).
bool take_slot_lock(std::int64_t event_id, Datum customer, SlotWait wait) {
    const LOCKTAG tag = slot_lock_tag(event_id, text_view(customer));
    bool taken = false;
    switch (wait.kind) {
    case SlotWait::wait:
        pg_call([&] { taken = acquire_slot_lock(tag, true); });
        return taken;
    case SlotWait::bounded:
        return within_wait_bound(wait.bound_ms,
                                 [&] { pg_call([&] { taken = acquire_slot_lock(tag, true); }); }) &&
               taken;
    case SlotWait::skip:
    case SlotWait::nowait:
        pg_call([&] { taken = acquire_slot_lock(tag, false); });
        if (!taken && wait.kind == SlotWait::nowait) {
            slot_not_available(event_id);
        }
        return taken;
    }
    return false;
}

} // namespace

SlotWait slot_wait_for(LockWait wait) {
    switch (wait.policy) {
    case WaitPolicy::bounded:
        return SlotWait{SlotWait::bounded, wait.bound_ms};
    case WaitPolicy::skip:
        return SlotWait{SlotWait::skip, 0};
    case WaitPolicy::nowait:
        return SlotWait{SlotWait::nowait, 0};
    case WaitPolicy::wait:
        break;
    }
    return SlotWait{SlotWait::wait, 0};
}

std::optional<CustomerSlot> lock_and_count_customer(std::int64_t event_id, Datum customer,
                                                    SlotWait wait) {
    pg_call([] { lock_table(OwnTable::customer_slots); });
    if (!take_slot_lock(event_id, customer, wait)) {
        return std::nullopt;
    }
    // The clock once the slot is ours: every earlier holder of the slot has committed or
    // rolled back by now, and every later one reads a later clock. Keepers judge by it.
    CustomerSlot slot{0, 0};
    pg_call([&] { slot.clock = GetCurrentTimestamp(); });
    // The write: whoever holds the slot lock is the only writer of the row, so this never
    // waits; under REPEATABLE READ it raises 40001 if another transaction's claim changed
    // the slot after this transaction's snapshot.
    Datum args[] = {Int64GetDatum(event_id), customer};
    run_plan(PlanId::write_customer_slot, args, nullptr);
    run_plan(PlanId::count_customer_tickets, args, nullptr);
    pg_call([&] {
        bool is_null = false;
        slot.owned =
            DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    return slot;
}

void judge_holds_at(TicketRow* rows, int count, TimestampTz clock) {
    for (int i = 0; i < count; ++i) {
        TicketRow& row = rows[i];
        row.state.hold_expired =
            row.state.hold_expired || (row.state.status == TicketStatus::held &&
                                       row.has_hold_expiry && row.hold_expires_at <= clock);
    }
}

SlotAdmission admit_customer(std::int64_t event_id, Datum customer, std::int64_t limit, int added,
                             SlotWait wait) {
    const std::optional<CustomerSlot> slot = lock_and_count_customer(event_id, customer, wait);
    if (!slot) {
        return SlotAdmission::busy;
    }
    return slot->owned + added <= limit ? SlotAdmission::admitted : SlotAdmission::limit_reached;
}

} // namespace ticketing::backend
