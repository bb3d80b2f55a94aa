// What the calls need of the extension's own tables, and the one place that checks it.
//
// The C++ code reads tickets and events by column position (the lock-free first looks)
// and decodes every statement's result by type. A table altered by hand into a shape it
// cannot work with (a column dropped or retyped, a primary key redefined, a table
// replaced) must give one clear error on every path, never a crash or a wrong write:
// TK002 with a hint that says what to restore. The layout is looked up once and kept
// until the relcache says one of the tables changed; every call locks the tables it
// uses (AccessShareLock, until the transaction ends), so the shape it checked cannot
// change under it.
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

// The tables a call may touch.
enum class OwnTable {
    events,
    tickets,
    audit_log,
    idempotency_keys,
    customer_slots,
    quotas,
    carts,
    code_secret, // 1.3, check-in
    admissions   // 1.3, check-in
};

struct TicketsLayout {
    Oid relid;
    Oid primary_key;  // a B-tree on (event_id, ticket_id)
    Oid unsold_index; // tickets_claimable_idx as the extension made it, else InvalidOid
    AttrNumber event_id, ticket_id, seat, status, owner, hold_expires_at, updated_at;
    AttrNumber category; // InvalidAttrNumber in a schema before 1.3
    // Check-in (1.3): InvalidAttrNumber in a schema without it, which has no codes either.
    AttrNumber admitted_at, admitted_gate;
    bool has_check_in() const { return admitted_at != InvalidAttrNumber; }
};

struct EventsLayout {
    Oid relid;
    Oid primary_key; // a B-tree on (event_id)
    AttrNumber event_id, per_customer_limit;
    AttrNumber quota_count;   // InvalidAttrNumber in a schema before 1.3 (no quotas, no carts)
    AttrNumber waitlist_open; // InvalidAttrNumber before 1.3's waiting list
};

struct Layout {
    TicketsLayout tickets;
    EventsLayout events;
    // The lock-free looks may read tickets and events: the current user may SELECT from
    // both and no row security policy applies to it. Otherwise every read is a statement,
    // which applies the privilege check and the policies exactly as hand-written SQL would.
    bool direct_reads;
};

// Locks events, tickets and audit_log for the transaction, checks their shape (TK002)
// and returns their layout. Call at the start of every call, inside pg_call. tickets is
// locked ROW EXCLUSIVE (every call may change it; taken before the call reads anything,
// so create_quota's SHARE lock waits for calls in flight and new calls wait for it),
// the others ACCESS SHARE.
const Layout& lock_core_tables();

// The same for one more table a call is about to use (idempotency keys, customer slots).
// Inside pg_call.
void lock_table(OwnTable table);

// The relation id lock_table() found for `table` in this call. Inside pg_call.
Oid locked_table_relid(OwnTable table);

// After lock_table(OwnTable::idempotency_keys): whether keys are scoped per (event,
// customer), as from 1.2, or per customer, as a 1.1 schema not yet updated has them.
bool keys_scoped_per_event();

// The layout lock_core_tables() returned in this call. Inside pg_call.
const Layout& core_layout();

// TK002 for a ticket row whose status is none of the extension's (its CHECK constraint
// was dropped). Inside pg_call.
[[noreturn]] void unknown_status(std::int64_t event_id, std::int64_t ticket_id);

// Called once per backend (from _PG_init): forget the layout when a table changes.
void register_schema_shape_reset();

} // namespace ticketing::backend
