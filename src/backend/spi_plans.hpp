// Prepared statements, planned once per backend and kept (SPI_prepare + SPI_keepplan).
// Every identifier is schema-qualified; arguments are always bound parameters.
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

enum class PlanId {
    // One ticket (first looks are direct reads, direct_reads.cpp). Columns of the lock
    // statements: see TicketColumn in ticket_store.cpp.
    claim_available,          // sell an available ticket with its audit row (conditional UPDATE)
    claim_available_unlocked, // the same, skipping a ticket someone has locked
    lock_ticket_wait,         // SELECT ... FOR UPDATE
    lock_ticket_nowait,       // SELECT ... FOR UPDATE NOWAIT
    lock_ticket_skip,         // SELECT ... FOR UPDATE SKIP LOCKED
    transition_ticket,        // UPDATE one ticket and INSERT its audit row, one statement
    // Several tickets.
    peek_tickets,         // several tickets and their event's limit, unlocked, in id order
    transition_tickets,   // transition_ticket for an array of ids
    claimable_from,       // claimable tickets with id >= $2, locked, SKIP LOCKED
    claimable_before,     // claimable tickets with id < $2, locked, SKIP LOCKED
    claimable_candidates, // claimable (id, seat) in id order, unlocked (adjacency search)
    take_one_from,        // lock, sell or hold, and audit the first claimable ticket >= $2
    take_one_before,      // the same for ids < $2
    count_claimable,      // how many claimable tickets remain
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

// Runs a kept plan; returns the number of rows processed. Rows are in SPI_tuptable until
// the next call. Connects SPI on first use within a call frame. Raises through pg_call.
std::uint64_t run_plan(PlanId id, Datum* values, const char* nulls);

// A call frame: SPI is connected lazily (a claim answered by a direct read never
// connects) and finished when the frame ends. Frames nest; an abandoned frame (an error
// on its way out) leaves SPI to the transaction or subtransaction abort.
struct CallFrame {
    bool spi_connected;
    MemoryContext call_context;
};
CallFrame begin_call_frame();
void end_call_frame(const CallFrame& outer);
void abandon_call_frame(const CallFrame& outer);
void ensure_spi_connected();

// The memory context of the current call: what must outlive SPI goes here.
MemoryContext call_memory_context();

} // namespace ticketing::backend
