// The statements of statements.cpp, planned once per backend and kept (SPI_prepare +
// SPI_keepplan), and the call frame that connects SPI when a call first needs it.
#pragma once

#include "statements.hpp"

namespace ticketing::backend {

// Runs a kept plan; returns the number of rows processed. Rows are in SPI_tuptable until
// the next call. Connects SPI on first use within a call frame. Raises through pg_call.
std::uint64_t run_plan(PlanId id, Datum* values, const char* nulls);

// Plans `sql` (after the marker of `shape`, which has the planner hook plan it with
// default settings) as a generic plan and keeps it for the life of the backend. Raises
// through pg_call.
SPIPlanPtr keep_generic_plan(PlanShape shape, const char* sql, int nargs, const Oid* argtypes);

// A call frame: SPI is connected lazily (a claim answered by a direct read never
// connects) and finished when the frame ends. Frames nest; an abandoned frame (an error
// on its way out) leaves SPI to the transaction or subtransaction abort.
struct CallFrame {
    bool spi_connected;
    MemoryContext call_context;
    // Whether this call's claims may take over lapsed holds: not in an event whose
    // waiting list is open, where a lapsed hold goes to the list first (waitlist.hpp).
    bool lapsed_holds_claimable;
    // When this call's first bounded wait began (0: none yet): a duration (wait =>
    // '250ms') bounds all of a call's waits together, not each lock.
    TimestampTz waits_began;
};
CallFrame begin_call_frame();
void end_call_frame(const CallFrame& outer);
void abandon_call_frame(const CallFrame& outer);
void ensure_spi_connected();

// The current call's lapsed-hold rule (CallFrame::lapsed_holds_claimable; true until a
// call in an event with an open waiting list says otherwise).
bool lapsed_holds_claimable();
void set_lapsed_holds_claimable(bool claimable);

// What is left of a call's wait bound of `bound_ms` (at least 1 ms, so a lock that is
// free is still taken): the first bounded wait of the call starts the clock.
std::int32_t remaining_wait_ms(std::int32_t bound_ms);

// Runs a kept plan with the newest snapshot instead of the transaction's (under
// REPEATABLE READ a read must see what committed after the transaction's snapshot).
// Read-only statements only.
std::uint64_t run_plan_latest(PlanId id, Datum* values, const char* nulls);

// The memory context of the current call: what must outlive SPI goes here.
MemoryContext call_memory_context();

// `text` as a text datum in the call's memory context (part of an answer, which is built
// after the call's SPI connection has finished).
Datum text_for_call(std::string_view text);

} // namespace ticketing::backend
