// Race-free per-customer limits. A claim that would add tickets to a customer in an
// event with a limit first locks the (event, customer) row in ticketing.customer_slots,
// then counts what the customer owns. Concurrent requests of one customer queue on that
// row, so each counts what the previous one committed; under REPEATABLE READ the second
// gets a serialization failure instead of a stale count. The slot is always the last
// lock a request takes, after its tickets, so it cannot close a deadlock cycle.
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

enum class SlotWait { wait, skip };

enum class Admission { admitted, limit_reached, busy };

// Whether the customer may take `added` more tickets with at most `limit` in all.
Admission admit_customer(std::int64_t event_id, Datum customer, std::int64_t limit, int added,
                         SlotWait wait);

} // namespace ticketing::backend
