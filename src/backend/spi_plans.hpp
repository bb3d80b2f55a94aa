// Prepared statements, planned once per backend and kept (SPI_prepare + SPI_keepplan).
// Every identifier is schema-qualified; arguments are always bound parameters.
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

enum class PlanId {
    peek_ticket,        // read a ticket without locking it
    lock_ticket_wait,   // SELECT ... FOR UPDATE
    lock_ticket_nowait, // SELECT ... FOR UPDATE NOWAIT
    lock_ticket_skip,   // SELECT ... FOR UPDATE SKIP LOCKED
    transition_ticket,  // UPDATE the ticket and INSERT its audit row, one statement
    count_
};

// Runs a kept plan inside an SPI connection; returns the number of rows processed.
// Rows are in SPI_tuptable until the next call. Raises through pg_call (PgError).
std::uint64_t run_plan(PlanId id, Datum* values, const char* nulls);

// SPI_connect / SPI_finish through pg_call.
void spi_connect();
void spi_finish();

} // namespace ticketing::backend
