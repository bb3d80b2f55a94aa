#include "spi_plans.hpp"

#include "pg_guard.hpp"

namespace ticketing::backend {

namespace {

constexpr int max_plan_args = 8;

struct PlanSpec {
    const char* sql;
    int nargs;
    Oid argtypes[max_plan_args];
};

// A ticket's state relative to customer $3, then its event's limit (peek only).
#define TICKET_STATE                                                                               \
    "SELECT t.status, coalesce(t.owner OPERATOR(pg_catalog.=) $3, false), "                        \
    "coalesce(t.status OPERATOR(pg_catalog.=) 'held' AND t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now(), false), "                                           \
    "t.seat, t.updated_at, t.hold_expires_at, t.ticket_id, "
#define PEEK_FROM                                                                                  \
    "e.per_customer_limit FROM ticketing.tickets t "                                               \
    "JOIN ticketing.events e ON e.event_id OPERATOR(pg_catalog.=) t.event_id "
#define LOCK_ONE                                                                                   \
    TICKET_STATE "NULL::integer FROM ticketing.tickets t "                                         \
                 "WHERE t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id "                     \
                 "OPERATOR(pg_catalog.=) $2 FOR UPDATE OF t"
// Available, or held with the hold lapsed: every claim path treats both alike.
#define CLAIMABLE                                                                                  \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.status OPERATOR(pg_catalog.<>) 'sold' "            \
    "AND (t.status OPERATOR(pg_catalog.=) 'available' OR t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now()) "                                                   \
    "AND ($3::pg_catalog.text IS NULL OR pg_catalog.left(t.seat, pg_catalog.length($3)) "          \
    "OPERATOR(pg_catalog.=) $3) "
// Tickets $2 of event $1, for a batch: (ticket_id, status, owner, hold lapsed, seat, ctid).
#define BATCH_STATE                                                                                \
    "SELECT t.ticket_id, t.status, t.owner, "                                                      \
    "coalesce(t.status OPERATOR(pg_catalog.=) 'held' AND t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now(), false), t.seat, t.ctid "                            \
    "FROM ticketing.tickets t WHERE t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id "         \
    "OPERATOR(pg_catalog.=) ANY ($2) "
#define LIVE_OWNED                                                                                 \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.owner OPERATOR(pg_catalog.=) $2 "                  \
    "AND (t.status OPERATOR(pg_catalog.=) 'sold' OR (t.status OPERATOR(pg_catalog.=) 'held' AND "  \
    "t.hold_expires_at OPERATOR(pg_catalog.>) pg_catalog.now()))"

// Every identifier is schema-qualified, operators included (OPERATOR(pg_catalog.=)), so a
// statement means the same whatever the caller's search_path: the claim functions are
// SECURITY DEFINER without a SET clause, which would cost a configuration change per call.
// OPERATOR(...) binds with one precedence for all operators, hence the parentheses.
const PlanSpec& spec_for(PlanId id) {
    // Sells an available ticket, with its audit row, in one statement. The conditional
    // UPDATE re-checks `status = 'available'` on the newest version after any wait, so a
    // ticket someone else sold meanwhile is left alone (no row returned).
// Only in an event without a per-customer limit (a limit needs the slower, counted path).
#define NO_LIMIT                                                                                   \
    " AND NOT EXISTS (SELECT 1 FROM ticketing.events e"                                            \
    " WHERE e.event_id OPERATOR(pg_catalog.=) $1 AND e.per_customer_limit IS NOT NULL)"
#define SELL_AND_AUDIT                                                                             \
    " RETURNING t.event_id, t.ticket_id, t.updated_at) "                                           \
    "INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)"  \
    " SELECT event_id, ticket_id, 'available', 'sold', $3, updated_at FROM sold"                   \
    " RETURNING at"
    static const PlanSpec claim_available{
        "WITH sold AS ("
        " UPDATE ticketing.tickets t"
        " SET status = 'sold', owner = $3, hold_expires_at = NULL, updated_at = pg_catalog.now()"
        " WHERE t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id OPERATOR(pg_catalog.=) $2 AND "
        "t.status OPERATOR(pg_catalog.=) 'available'" NO_LIMIT SELL_AND_AUDIT,
        3,
        {INT8OID, INT8OID, TEXTOID}};
    // The same without waiting: a ticket someone holds locked is skipped.
    static const PlanSpec claim_available_unlocked{
        "WITH target AS ("
        " SELECT t.event_id, t.ticket_id FROM ticketing.tickets t"
        " WHERE t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id OPERATOR(pg_catalog.=) $2 AND "
        "t.status OPERATOR(pg_catalog.=) 'available'" NO_LIMIT " FOR UPDATE OF t SKIP LOCKED),"
        " sold AS ("
        " UPDATE ticketing.tickets t"
        " SET status = 'sold', owner = $3, hold_expires_at = NULL, updated_at = pg_catalog.now()"
        " FROM target x WHERE t.event_id OPERATOR(pg_catalog.=) x.event_id AND t.ticket_id "
        "OPERATOR(pg_catalog.=) x.ticket_id" SELL_AND_AUDIT,
        3,
        {INT8OID, INT8OID, TEXTOID}};
#undef SELL_AND_AUDIT
#undef NO_LIMIT
    static const PlanSpec lock_wait{LOCK_ONE, 3, {INT8OID, INT8OID, TEXTOID}};
    static const PlanSpec lock_nowait{LOCK_ONE " NOWAIT", 3, {INT8OID, INT8OID, TEXTOID}};
    static const PlanSpec lock_skip{LOCK_ONE " SKIP LOCKED", 3, {INT8OID, INT8OID, TEXTOID}};
    // $3 new status, $4 new owner, $5 new hold expiry, $6 old status, $7 who caused it.
    static const PlanSpec transition_ticket{
        "WITH changed AS ("
        " UPDATE ticketing.tickets"
        " SET status = $3, owner = $4, hold_expires_at = $5, updated_at = pg_catalog.now()"
        " WHERE event_id OPERATOR(pg_catalog.=) $1 AND ticket_id OPERATOR(pg_catalog.=) $2"
        " RETURNING event_id, ticket_id, updated_at) "
        "INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, "
        "at)"
        " SELECT event_id, ticket_id, $6, $3, $7, updated_at FROM changed"
        " RETURNING at",
        7,
        {INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID}};
    static const PlanSpec peek_tickets{TICKET_STATE PEEK_FROM
                                       "WHERE t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id "
                                       "OPERATOR(pg_catalog.=) ANY ($2) ORDER BY t.ticket_id",
                                       3,
                                       {INT8OID, INT8ARRAYOID, TEXTOID}};
    // $2 ids and $6 their old statuses, in parallel.
    static const PlanSpec transition_tickets{
        // ROWS FROM: the multi-argument unnest() shorthand only exists unqualified.
        "WITH input AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($2::bigint[]),"
        " pg_catalog.unnest($6::pg_catalog.text[])) AS i (ticket_id, from_status)),"
        " changed AS ("
        " UPDATE ticketing.tickets t"
        " SET status = $3, owner = $4, hold_expires_at = $5, updated_at = pg_catalog.now()"
        " FROM input i WHERE t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id "
        "OPERATOR(pg_catalog.=) i.ticket_id"
        " RETURNING t.event_id, t.ticket_id, i.from_status, t.updated_at) "
        "INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, "
        "at)"
        " SELECT event_id, ticket_id, from_status, $3, $7, updated_at FROM changed"
        " RETURNING at",
        7,
        {INT8OID, INT8ARRAYOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTARRAYOID, TEXTOID}};
    // $2 the scan's start, $3 seat prefix or NULL, $4 how many.
    static const PlanSpec claimable_from{
        "SELECT t.ticket_id, t.status, t.seat, t.ctid FROM ticketing.tickets t WHERE " CLAIMABLE
        "AND t.ticket_id OPERATOR(pg_catalog.>=) $2 ORDER BY t.ticket_id LIMIT $4 FOR UPDATE SKIP "
        "LOCKED",
        4,
        {INT8OID, INT8OID, TEXTOID, INT4OID}};
    static const PlanSpec claimable_before{
        "SELECT t.ticket_id, t.status, t.seat, t.ctid FROM ticketing.tickets t WHERE " CLAIMABLE
        "AND t.ticket_id OPERATOR(pg_catalog.<) $2 ORDER BY t.ticket_id LIMIT $4 FOR UPDATE SKIP "
        "LOCKED",
        4,
        {INT8OID, INT8OID, TEXTOID, INT4OID}};
    // One any-seat ticket in one statement: the first claimable ticket from (or before)
    // $2, locked with SKIP LOCKED, changed to status $4 for owner $5 (hold expiry $6),
    // audited. Returns (ticket_id, seat, recorded time), or no row.
#define TAKE_ONE(range)                                                                            \
    "WITH target AS (SELECT t.event_id, t.ticket_id, t.status FROM ticketing.tickets t "           \
    "WHERE " CLAIMABLE "AND t.ticket_id " range                                                    \
    " $2 ORDER BY t.ticket_id LIMIT 1 FOR UPDATE SKIP LOCKED),"                                    \
    " changed AS (UPDATE ticketing.tickets t"                                                      \
    " SET status = $4, owner = $5, hold_expires_at = $6, updated_at = pg_catalog.now()"            \
    " FROM target x WHERE t.event_id OPERATOR(pg_catalog.=) x.event_id"                            \
    " AND t.ticket_id OPERATOR(pg_catalog.=) x.ticket_id"                                          \
    " RETURNING t.event_id, t.ticket_id, t.seat, x.status AS from_status, t.updated_at),"          \
    " audited AS (INSERT INTO ticketing.audit_log"                                                 \
    " (event_id, ticket_id, from_status, to_status, customer, at)"                                 \
    " SELECT event_id, ticket_id, from_status, $4, $5, updated_at FROM changed RETURNING at)"      \
    " SELECT c.ticket_id, c.seat, (SELECT pg_catalog.max(a.at) FROM audited a) FROM changed c"
    static const PlanSpec take_one_from{
        TAKE_ONE("OPERATOR(pg_catalog.>=)"),
        6,
        {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID}};
    static const PlanSpec take_one_before{
        TAKE_ONE("OPERATOR(pg_catalog.<)"),
        6,
        {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID}};
#undef TAKE_ONE
    static const PlanSpec claimable_candidates{
        "SELECT t.ticket_id, t.seat FROM ticketing.tickets t WHERE " CLAIMABLE
        "AND t.ticket_id OPERATOR(pg_catalog.>=) $2 ORDER BY t.ticket_id LIMIT $4",
        4,
        {INT8OID, INT8OID, TEXTOID, INT4OID}};
    static const PlanSpec count_claimable{
        "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " CLAIMABLE, // $2 unused
        3,
        {INT8OID, INT8OID, TEXTOID}};
    // Owners are compared in C++: one batch speaks for many customers.
    static const PlanSpec batch_peek{
        BATCH_STATE "ORDER BY t.ticket_id", 2, {INT8OID, INT8ARRAYOID}};
    // Locks only what may still be sold; the rest is answered from batch_peek.
    static const PlanSpec batch_lock{BATCH_STATE "AND t.status OPERATOR(pg_catalog.<>) 'sold' "
                                                 "ORDER BY t.ticket_id FOR UPDATE SKIP LOCKED",
                                     2,
                                     {INT8OID, INT8ARRAYOID}};
    // $2 ids, $3 their old statuses, $4 their buyers, $5 the row versions this transaction
    // locked, in parallel. The lock keeps each row at that version, so the update finds it
    // by ctid (a TID scan) instead of a second primary-key descent; event and ticket id
    // are checked again all the same.
    static const PlanSpec batch_transition{
        "WITH input AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($2::bigint[]),"
        " pg_catalog.unnest($3::pg_catalog.text[]), pg_catalog.unnest($4::pg_catalog.text[]),"
        " pg_catalog.unnest($5::pg_catalog.tid[]))"
        " AS i (ticket_id, from_status, buyer, row_version)),"
        " changed AS ("
        " UPDATE ticketing.tickets t"
        " SET status = 'sold', owner = i.buyer, hold_expires_at = NULL, updated_at = "
        "pg_catalog.now()"
        " FROM input i WHERE t.ctid OPERATOR(pg_catalog.=) i.row_version"
        " AND t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id "
        "OPERATOR(pg_catalog.=) i.ticket_id"
        " RETURNING t.event_id, t.ticket_id, i.from_status, i.buyer, t.updated_at) "
        "INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, "
        "at)"
        " SELECT event_id, ticket_id, from_status, 'sold', buyer, updated_at FROM changed"
        " RETURNING at",
        5,
        {INT8OID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIDARRAYOID}};
    static const PlanSpec lock_customer_slot{
        "INSERT INTO ticketing.customer_slots AS s (event_id, customer, touched_at)"
        " VALUES ($1, $2, pg_catalog.now())"
        " ON CONFLICT (event_id, customer) DO UPDATE SET touched_at = excluded.touched_at",
        2,
        {INT8OID, TEXTOID}};
    static const PlanSpec lock_customer_slot_skip{
        "SELECT 1 FROM ticketing.customer_slots s WHERE s.event_id OPERATOR(pg_catalog.=) $1 AND "
        "s.customer OPERATOR(pg_catalog.=) $2"
        " FOR UPDATE SKIP LOCKED",
        2,
        {INT8OID, TEXTOID}};
    static const PlanSpec ensure_customer_slot{
        "INSERT INTO ticketing.customer_slots (event_id, customer, touched_at)"
        " VALUES ($1, $2, pg_catalog.now()) ON CONFLICT (event_id, customer) DO NOTHING",
        2,
        {INT8OID, TEXTOID}};
    static const PlanSpec count_customer_tickets{
        "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " LIVE_OWNED,
        2,
        {INT8OID, TEXTOID}};
    static const PlanSpec insert_key{
        "INSERT INTO ticketing.idempotency_keys (customer, idempotency_key, event_id, fingerprint)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (customer, idempotency_key) DO NOTHING RETURNING 1",
        4,
        {TEXTOID, TEXTOID, INT8OID, TEXTOID}};
    static const PlanSpec select_key{
        "SELECT k.fingerprint, k.outcome, k.ticket_ids, k.seats, k.at, k.hold_expires_at,"
        " k.remaining, k.created_at OPERATOR(pg_catalog.<)"
        " (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $3)) AS expired"
        " FROM ticketing.idempotency_keys k WHERE k.customer OPERATOR(pg_catalog.=) $1 AND "
        "k.idempotency_key OPERATOR(pg_catalog.=) $2"
        " FOR UPDATE",
        3,
        {TEXTOID, TEXTOID, FLOAT8OID}};
    static const PlanSpec renew_key{
        "UPDATE ticketing.idempotency_keys SET event_id = $3, fingerprint = $4,"
        " created_at = pg_catalog.now(), outcome = NULL, ticket_ids = NULL, seats = NULL, at = "
        "NULL,"
        " hold_expires_at = NULL, remaining = NULL"
        " WHERE customer OPERATOR(pg_catalog.=) $1 AND idempotency_key OPERATOR(pg_catalog.=) $2",
        4,
        {TEXTOID, TEXTOID, INT8OID, TEXTOID}};
    static const PlanSpec store_key{
        "UPDATE ticketing.idempotency_keys SET outcome = $3, ticket_ids = $4, seats = $5,"
        " at = $6, hold_expires_at = $7, remaining = $8"
        " WHERE customer OPERATOR(pg_catalog.=) $1 AND idempotency_key OPERATOR(pg_catalog.=) $2",
        8,
        {TEXTOID, TEXTOID, TEXTOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
         INT8OID}};
    static const PlanSpec forget_key{
        "DELETE FROM ticketing.idempotency_keys WHERE customer OPERATOR(pg_catalog.=) $1 AND "
        "idempotency_key OPERATOR(pg_catalog.=) $2",
        2,
        {TEXTOID, TEXTOID}};

    switch (id) {
    case PlanId::claim_available:
        return claim_available;
    case PlanId::claim_available_unlocked:
        return claim_available_unlocked;
    case PlanId::lock_ticket_wait:
        return lock_wait;
    case PlanId::lock_ticket_nowait:
        return lock_nowait;
    case PlanId::lock_ticket_skip:
        return lock_skip;
    case PlanId::transition_ticket:
        return transition_ticket;
    case PlanId::peek_tickets:
        return peek_tickets;
    case PlanId::transition_tickets:
        return transition_tickets;
    case PlanId::claimable_from:
        return claimable_from;
    case PlanId::claimable_before:
        return claimable_before;
    case PlanId::take_one_from:
        return take_one_from;
    case PlanId::take_one_before:
        return take_one_before;
    case PlanId::claimable_candidates:
        return claimable_candidates;
    case PlanId::count_claimable:
        return count_claimable;
    case PlanId::batch_peek:
        return batch_peek;
    case PlanId::batch_lock:
        return batch_lock;
    case PlanId::batch_transition:
        return batch_transition;
    case PlanId::lock_customer_slot:
        return lock_customer_slot;
    case PlanId::lock_customer_slot_skip:
        return lock_customer_slot_skip;
    case PlanId::ensure_customer_slot:
        return ensure_customer_slot;
    case PlanId::count_customer_tickets:
        return count_customer_tickets;
    case PlanId::insert_key:
        return insert_key;
    case PlanId::select_key:
        return select_key;
    case PlanId::renew_key:
        return renew_key;
    case PlanId::store_key:
        return store_key;
    case PlanId::forget_key:
        return forget_key;
    case PlanId::count_:
        break;
    }
    throw DomainError(ErrorKind::internal, "unknown prepared statement");
}

#undef TICKET_STATE
#undef PEEK_FROM
#undef LOCK_ONE
#undef CLAIMABLE
#undef LIVE_OWNED
#undef BATCH_STATE

// Kept plans live in CacheMemoryContext for the life of the backend. The plan cache
// re-plans them after DDL (DROP/CREATE EXTENSION included).
SPIPlanPtr kept_plans[static_cast<int>(PlanId::count_)];

SPIPlanPtr prepared(PlanId id) {
    const int index = static_cast<int>(id);
    if (kept_plans[index] == nullptr) {
        const PlanSpec& spec = spec_for(id);
        SPIPlanPtr plan = nullptr;
        pg_call([&] {
            // Always the generic plan: these are key lookups whose best plan does not depend
            // on the values, and a custom plan would be planned again on every call (the
            // plan cache keeps choosing custom plans when the generic estimate looks worse).
            plan = SPI_prepare_cursor(spec.sql, spec.nargs, const_cast<Oid*>(spec.argtypes),
                                      CURSOR_OPT_GENERIC_PLAN);
            if (plan == nullptr) {
                elog(ERROR, "ticketing: SPI_prepare failed: %s",
                     SPI_result_code_string(SPI_result));
            }
            if (SPI_keepplan(plan) != 0) {
                elog(ERROR, "ticketing: SPI_keepplan failed");
            }
        });
        kept_plans[index] = plan;
    }
    return kept_plans[index];
}

} // namespace

namespace {
CallFrame frame{false, nullptr};
} // namespace

CallFrame begin_call_frame() {
    const CallFrame outer = frame;
    frame = CallFrame{false, CurrentMemoryContext};
    return outer;
}

void end_call_frame(const CallFrame& outer) {
    if (frame.spi_connected) {
        pg_call([] { SPI_finish(); });
    }
    frame = outer;
}

void abandon_call_frame(const CallFrame& outer) {
    frame = outer;
}

void ensure_spi_connected() {
    if (!frame.spi_connected) {
        pg_call([] {
            if (SPI_connect() != SPI_OK_CONNECT) {
                elog(ERROR, "ticketing: SPI_connect failed");
            }
        });
        frame.spi_connected = true;
    }
}

MemoryContext call_memory_context() {
    return frame.call_context != nullptr ? frame.call_context : CurrentMemoryContext;
}

std::uint64_t run_plan(PlanId id, Datum* values, const char* nulls) {
    ensure_spi_connected();
    SPIPlanPtr plan = prepared(id);
    std::uint64_t processed = 0;
    pg_call([&] {
        const int rc = SPI_execute_plan(plan, values, nulls, false, 0);
        if (rc < 0) {
            elog(ERROR, "ticketing: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
        }
        processed = SPI_processed;
    });
    return processed;
}

} // namespace ticketing::backend
