// Which audit rows the feed may hand out: the writers' floors and the stable bound.
//
// Audit ids come from ticketing.audit_id_seq, but transactions commit in their own order:
// a reader that walks "audit_id > the last one I saw" can pass over a row whose
// transaction drew a smaller id and commits later. So audit ids are drawn through
// ticketing.next_audit_id(), the column's default: before a transaction draws its first
// id, it publishes a floor, the sequence's value at that moment, as a lock of the
// extension's own (an advisory lock tag, fourth field 0x5446, held in AccessShareLock by
// the top-level transaction until it ends, prepared transactions included). A reader
// reads the sequence, then the floors still held (the lock table), and takes a snapshot
// after that: every id below the smallest of them that will ever be committed is visible
// in that snapshot (core/feed_rules.hpp, first_unsettled_id). A transaction that inserts
// no audit row publishes nothing (a "no" stays free of locks and transaction ids).
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

// The fourth field of the floor locks' advisory tag ('TF'); pg_locks shows them as
// advisory locks with objsubid 21574.
constexpr std::uint16_t feed_floor_lock_class = 0x5446;

// The next value of `sequence` (ticketing.audit_id_seq), after publishing this
// transaction's floor if it has not yet. Inside pg_call.
std::int64_t next_audit_id(Oid sequence);

// The first audit id not yet settled in this database: take the snapshot that reads the
// rows after this returns. `audit_sequence` is ticketing.audit_id_seq. Inside pg_call.
std::int64_t first_unsettled_audit_id(Oid audit_sequence);

// ticketing.audit_id_seq in the schema `schema`, refusing a sequence that caches values
// (ids would not be drawn in time order across sessions): TK002. Inside pg_call.
Oid audit_sequence_of(Oid schema);

} // namespace ticketing::backend
