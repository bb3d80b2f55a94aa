// The sale of one available ticket straight through the table-access API: the row
// version a direct read found is updated in place of a statement, its indexes and
// CHECK constraints are maintained by the executor's own helpers, and the audit row is
// inserted the same way. No SPI, no plan, no second index descent.
#pragma once

#include "ticket_store.hpp"

namespace ticketing::backend {

enum class DirectSale {
    sold,       // the ticket is sold to the customer and audited; `at` is set
    changed,    // the row was locked, updated or deleted since it was read: nothing written
    unsupported // the tables have triggers, rules, row security or generated columns the
                // direct path would bypass: nothing written, use a statement
};

// Sells `seen` (read by read_ticket, status available) to `customer`. Never waits for a
// lock: a row someone holds locked is `changed`, and the caller takes the statement path,
// which waits, counts the wait and decides again on the version the holder leaves.
DirectSale sell_directly(std::int64_t event_id, const TicketRow& seen, Datum customer,
                         TimestampTz* at);

// One ticket to sell to `buyer`, at the row version this transaction read or locked.
struct TicketSale {
    std::int64_t ticket_id;
    ItemPointerData row_version; // the version the read or the lock returned
    Datum from_status;           // text: its status before the sale, for the audit row
    Datum buyer;                 // text
};

// Whether the caller holds the row locks of the tickets it sells.
enum class RowLocks {
    held, // FOR UPDATE by this transaction: every sale must go through
    none  // read without a lock: a sale goes through only if its version is still the
          // newest, still available and not locked by anyone (never waits)
};

// Sells the tickets in `sales` with their audit rows (one multi-insert) through the
// same path. False, with nothing written, when the tables need the executor (see
// DirectSale::unsupported). With RowLocks::none, `sold[i]` tells which sales went
// through; the rest wrote nothing. With RowLocks::held, a sale that fails is an internal
// error.
bool sell_directly(std::int64_t event_id, const TicketSale* sales, int count, RowLocks locks,
                   bool* sold, TimestampTz* at);

// Called once per backend: forget what is cached about the tables when they change.
void register_direct_write_cache_reset();

} // namespace ticketing::backend
