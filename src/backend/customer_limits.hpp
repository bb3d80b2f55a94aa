// Race-free per-customer limits. A claim that would add tickets to a customer in an
// event with a limit first takes the customer's slot, then counts what the customer
// owns. Taking the slot is two steps:
//
// 1. A heavyweight lock on (database, event, customer), the "slot lock" (an advisory
//    lock tag of the extension's own, so it never meets an application's advisory
//    locks). It is what a call waits for, tries, or gives up on, as its wait policy
//    says: a try-lock answers busy (skip, claim_batch) or 55P03 (nowait) at once, and
//    never waits inside an index for another transaction's uncommitted slot row.
// 2. A write of the slot row in ticketing.customer_slots (an upsert), under that lock.
//    Every path that adds tickets to a customer writes it, so under REPEATABLE READ or
//    SERIALIZABLE a transaction whose snapshot predates another's committed claim gets
//    a serialization failure (40001) instead of counting with a stale snapshot.
//
// A call that keeps a hold it finds (confirm_hold, a claim or hold of the customer's own
// hold, claim_tickets, claim_batch, a cart's checkout or extension) takes the slot too,
// although it adds nothing, and judges that hold by the clock read once the slot is
// taken, never by its transaction's start (now()). The count itself judges holds by
// now(), which is never later than that clock, so a count finds at least the holds a
// keeper after it finds live. Slot holders follow one another and so do their clocks: a
// hold a count found lapsed (expired by its now()) has expired at every later holder's
// clock, so no later call keeps it; a hold a keeper sold or renewed is counted by every
// later holder (READ COMMITTED counts after the commit; an older snapshot gets 40001).
// Without this, a confirm whose transaction began before its hold lapsed sold it after a
// claim had counted it as lapsed and sold one more (limit_hold_lapse.spec).
//
// The slot is the last lock a single call takes, after its tickets; claim_batch, which
// never waits, takes the slots of its customers (try-locks, in customer order) first.
#pragma once

#include "pg.hpp"

#include "ticket_store.hpp"

#include "../core/wait_policy.hpp"

namespace ticketing::backend {

// How a request waits for its customer's slot: as the call's wait policy says for
// tickets.
struct SlotWait {
    enum Kind { wait, skip, nowait, bounded } kind;
    std::int32_t bound_ms; // bounded only
};

// The slot wait of a call whose tickets wait by `wait`.
SlotWait slot_wait_for(LockWait wait);

enum class SlotAdmission { admitted, limit_reached, busy };

// A customer's slot, taken: the clock read once it was, and the customer's sold tickets
// and holds live at the transaction's now().
struct CustomerSlot {
    std::int64_t owned;
    TimestampTz clock;
};

// Takes the customer's slot (lock, then write) and counts their sold tickets and live
// holds in the event; std::nullopt when another transaction holds the slot and the
// policy is skip, or a bounded wait for it ran out. nowait raises 55P03.
std::optional<CustomerSlot> lock_and_count_customer(std::int64_t event_id, Datum customer,
                                                    SlotWait wait);

// Marks the holds of `rows` that have lapsed at `clock` (a slot's clock) as lapsed.
void judge_holds_at(TicketRow* rows, int count, TimestampTz clock);

// Whether the customer may take `added` more tickets with at most `limit` in all.
SlotAdmission admit_customer(std::int64_t event_id, Datum customer, std::int64_t limit, int added,
                             SlotWait wait);

// The lock tag's fourth field: advisory locks of the SQL functions use 1 and 2.
inline constexpr std::uint16_t slot_lock_tag_field = 0x544B; // "TK"

} // namespace ticketing::backend
