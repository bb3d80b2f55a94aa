// Race-free per-customer limits. A claim that would add tickets to a customer in an
// event with a limit first locks the (event, customer) row in ticketing.customer_slots,
// then counts what the customer owns. Concurrent requests of one customer queue on that
// row, so each counts what the previous one committed; under REPEATABLE READ the second
// gets a serialization failure instead of a stale count. The slot is always the last
// lock a request takes, after its tickets, so it cannot close a deadlock cycle.
#pragma once

#include "pg.hpp"

#include "../core/wait_policy.hpp"

namespace ticketing::backend {

// How a request waits for its customer's slot: as the call's wait policy says for
// tickets (wait, or at most a bound), or not at all (skip, as claim_batch does).
struct SlotWait {
    enum Kind { wait, skip, bounded } kind;
    std::int32_t bound_ms; // bounded only
};

// The slot wait of a call whose tickets wait by `wait` (nowait waits for the slot: the
// slot is held only for the few statements of another request of the same customer).
SlotWait slot_wait_for(LockWait wait);

enum class SlotAdmission { admitted, limit_reached, busy };

// Locks the customer's slot and counts their sold tickets and live holds in the event;
// std::nullopt when another transaction holds the slot and the policy is skip, or a
// bounded wait for it ran out.
std::optional<std::int64_t> lock_and_count_customer(std::int64_t event_id, Datum customer,
                                                    SlotWait wait);

// Whether the customer may take `added` more tickets with at most `limit` in all.
SlotAdmission admit_customer(std::int64_t event_id, Datum customer, std::int64_t limit, int added,
                             SlotWait wait);

} // namespace ticketing::backend
