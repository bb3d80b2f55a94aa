// Prepared statements, planned once per backend and kept (SPI_prepare + SPI_keepplan).
// Every identifier is schema-qualified; arguments are always bound parameters.
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

enum class PlanId {
    // One ticket. Columns of peek and lock: see TicketColumn in ticket_store.cpp.
    peek_ticket,        // read a ticket (and its event's limit) without locking it
    claim_fast,         // sell an available, unlocked ticket of an event without a limit,
                        // and answer like peek_ticket either way: one statement
    lock_ticket_wait,   // SELECT ... FOR UPDATE
    lock_ticket_nowait, // SELECT ... FOR UPDATE NOWAIT
    lock_ticket_skip,   // SELECT ... FOR UPDATE SKIP LOCKED
    transition_ticket,  // UPDATE one ticket and INSERT its audit row, one statement
    // Several tickets.
    peek_tickets,         // peek_ticket for an array of ids, in id order
    transition_tickets,   // transition_ticket for an array of ids
    claimable_from,       // claimable tickets with id >= $2, locked, SKIP LOCKED
    claimable_before,     // claimable tickets with id < $2, locked, SKIP LOCKED
    claimable_candidates, // claimable (id, seat) in id order, unlocked (adjacency search)
    count_claimable,      // how many claimable tickets remain
    max_ticket_id,        // the event's highest ticket id
    event_limit,          // the event's per-customer limit; no row: no such event
    // claim_batch.
    batch_peek,       // given tickets with their owners, unlocked
    batch_lock,       // the same, locked with SKIP LOCKED
    batch_transition, // sell tickets to several customers, with audit rows
    // Per-customer limits.
    lock_customer_slot,      // upsert-and-lock the (event, customer) row
    lock_customer_slot_skip, // lock it only if nobody else holds it
    ensure_customer_slot,    // insert the (event, customer) row if missing
    count_customer_tickets,  // sold + live holds of a customer in an event
    // Idempotency keys.
    insert_key, // claim a key; ON CONFLICT DO NOTHING
    select_key, // the stored request and result, locked
    renew_key,  // take over a key past its retention
    store_key,  // remember the result
    forget_key, // drop a key whose request did not run
    count_
};

// Runs a kept plan inside an SPI connection; returns the number of rows processed.
// Rows are in SPI_tuptable until the next call. Raises through pg_call (PgError).
std::uint64_t run_plan(PlanId id, Datum* values, const char* nulls);

// SPI_connect / SPI_finish through pg_call.
void spi_connect();
void spi_finish();

} // namespace ticketing::backend
