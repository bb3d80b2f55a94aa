// The feed's reads: changes_since (the changes of an event after an audit id, only up to
// the stable bound, in audit id order) and feed_snapshot (every ticket of the event as of
// that bound). Both read with a snapshot taken after the bound was computed (the latest
// one, at every isolation level), through kept plans, and never return an owner.
#pragma once

#include "pg.hpp"

#include "../core/feed_rules.hpp"

namespace ticketing::backend {

// Rows (audit_id, ticket_id, seat, category, status, at, hold_expires_at) into the materialized
// result set `result`.
void read_changes(const ValidChangesRequest& request, ReturnSetInfo* result);

// Rows (through_audit_id, ticket_id, seat, category, status, hold_expires_at) into `result`.
void read_snapshot(std::int64_t event_id, ReturnSetInfo* result);

} // namespace ticketing::backend
