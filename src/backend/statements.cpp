// The text of every statement the calls run. Each is planned once per backend and kept
// (spi_plans.cpp), so every write goes through PostgreSQL's executor: constraints,
// triggers, row security, privileges, publications and typmods apply exactly as they do
// to hand-written SQL.
//
// Rules every statement follows:
// - Every identifier is schema-qualified, operators included (OPERATOR(pg_catalog.=)),
//   so a statement means the same whatever the caller's search_path: the claim functions
//   are SECURITY DEFINER without a SET clause (which would cost a configuration change
//   per call). OPERATOR(...) binds with one precedence for all operators, hence the
//   parentheses.
// - Arguments are always bound parameters.
// - Plans are generic and kept, so they must not depend on statistics the table may not
//   have yet (an event loaded a moment ago, before autovacuum analyzed it): every access
//   to tickets is an equality on the primary key's leading column plus either an
//   equality or an array of ticket ids, or an ordered range walk with a constant LIMIT.
//   Neither leaves the planner a sort or a join that could read the whole table.
// - A statement that writes re-checks what the first look saw (`status = 'available'`,
//   a lock taken in the same statement): the look only decides what to try.
// - Data-modifying CTEs run to completion whether or not the outer query reads them; the
//   outer query returns the rows the UPDATE changed, so an answer never depends on the
//   audit INSERT's RETURNING (a trigger may suppress the audit row, as it could for the
//   hand-written statement).
#include "statements.hpp"

#include "../core/domain_error.hpp"

namespace ticketing::backend {

namespace {

// A ticket's state relative to customer $3 (status, mine, hold lapsed, seat, updated_at,
// hold expiry, ticket id), then its event's limit (peeks only; NULL otherwise). Column
// order: TicketColumn in ticket_store.cpp.
#define TICKET_STATE                                                                               \
    "SELECT t.status, coalesce(t.owner OPERATOR(pg_catalog.=) $3, false), "                        \
    "coalesce(t.status OPERATOR(pg_catalog.=) 'held' AND t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now(), false), "                                           \
    "t.seat, t.updated_at, t.hold_expires_at, t.ticket_id, "
#define ONE_TICKET "t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id OPERATOR(pg_catalog.=) $2"
#define LOCK_ONE                                                                                   \
    TICKET_STATE "NULL::integer FROM ticketing.tickets t WHERE " ONE_TICKET                        \
                 " FOR NO KEY UPDATE OF t"
// Available, or held with the hold lapsed: every claim path treats both alike. $3 is a
// seat prefix or NULL.
#define CLAIMABLE                                                                                  \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.status OPERATOR(pg_catalog.<>) 'sold' "            \
    "AND (t.status OPERATOR(pg_catalog.=) 'available' OR t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now()) "                                                   \
    "AND ($3::pg_catalog.text IS NULL OR pg_catalog.left(t.seat, pg_catalog.length($3)) "          \
    "OPERATOR(pg_catalog.=) $3) "
// Tickets $2 (an array) of event $1.
#define GIVEN_TICKETS                                                                              \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id OPERATOR(pg_catalog.=) ANY ($2) "
// For a batch: (ticket_id, status, owner, hold lapsed, seat, row version).
#define BATCH_STATE                                                                                \
    "SELECT t.ticket_id, t.status, t.owner, "                                                      \
    "coalesce(t.status OPERATOR(pg_catalog.=) 'held' AND t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now(), false), t.seat, t.ctid "                            \
    "FROM ticketing.tickets t WHERE " GIVEN_TICKETS
#define LIVE_OWNED                                                                                 \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.owner OPERATOR(pg_catalog.=) $2 "                  \
    "AND (t.status OPERATOR(pg_catalog.=) 'sold' OR (t.status OPERATOR(pg_catalog.=) 'held' AND "  \
    "t.hold_expires_at OPERATOR(pg_catalog.>) pg_catalog.now()))"
// The position of a ticket in the parallel arrays a statement was given.
#define POSITION_OF_TICKET "pg_catalog.array_position($2::pg_catalog.int8[], t.ticket_id)"
#define AUDIT_INSERT                                                                               \
    "INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at) "

// A sale of one available ticket to $3 and its audit row; returns the time recorded and
// the seat. Only for an event without a per-customer limit: the caller has read the
// event (a limit needs the counted path, and a limit set while a claim runs applies
// from the next claim on).
// The conditional UPDATE re-checks `status = 'available'` on the newest version after
// any wait, so a ticket someone else sold meanwhile is left alone (no row returned).
#define SELL_AND_AUDIT                                                                             \
    " RETURNING t.event_id, t.ticket_id, t.updated_at, t.seat),"                                   \
    " audited AS (" AUDIT_INSERT "SELECT s.event_id, s.ticket_id, 'available', 'sold', $3,"        \
    " s.updated_at FROM sold s RETURNING 1)"                                                       \
    " SELECT s.updated_at, s.seat FROM sold s"

const PlanSpec claim_available{
    "WITH sold AS (UPDATE ticketing.tickets t"
    " SET status = 'sold', owner = $3, hold_expires_at = NULL, updated_at = pg_catalog.now()"
    " WHERE " ONE_TICKET " AND t.status OPERATOR(pg_catalog.=) 'available'" SELL_AND_AUDIT,
    3,
    {INT8OID, INT8OID, TEXTOID}};

// The same without waiting: a ticket someone holds locked is skipped (no row). A row
// locked but left unchanged by the UPDATE (a trigger skipped it) comes back with a NULL
// time.
const PlanSpec claim_available_unlocked{
    "WITH target AS (SELECT t.event_id, t.ticket_id FROM ticketing.tickets t"
    " WHERE " ONE_TICKET " AND t.status OPERATOR(pg_catalog.=) 'available'"
    " FOR NO KEY UPDATE OF t SKIP LOCKED),"
    " sold AS (UPDATE ticketing.tickets t"
    " SET status = 'sold', owner = $3, hold_expires_at = NULL, updated_at = pg_catalog.now()"
    " FROM target x WHERE " ONE_TICKET " AND t.ticket_id OPERATOR(pg_catalog.=) x.ticket_id"
    " RETURNING t.event_id, t.ticket_id, t.updated_at, t.seat),"
    " audited AS (" AUDIT_INSERT "SELECT s.event_id, s.ticket_id, 'available', 'sold', $3,"
    " s.updated_at FROM sold s RETURNING 1)"
    // A row locked here but left unchanged (a trigger skipped the update) comes back
    // with a NULL time.
    " SELECT s.updated_at, s.seat FROM target x LEFT JOIN sold s ON true",
    3,
    {INT8OID, INT8OID, TEXTOID}};

const PlanSpec peek_ticket{TICKET_STATE "NULL::integer FROM ticketing.tickets t WHERE " ONE_TICKET,
                           3,
                           {INT8OID, INT8OID, TEXTOID}};
const PlanSpec lock_wait{LOCK_ONE, 3, {INT8OID, INT8OID, TEXTOID}};
const PlanSpec lock_nowait{LOCK_ONE " NOWAIT", 3, {INT8OID, INT8OID, TEXTOID}};
const PlanSpec lock_skip{LOCK_ONE " SKIP LOCKED", 3, {INT8OID, INT8OID, TEXTOID}};

// $3 new status, $4 new owner, $5 new hold expiry, $6 old status, $7 who caused it.
// Returns the time recorded, or no row when a trigger or policy skipped the update.
const PlanSpec transition_ticket{
    "WITH changed AS (UPDATE ticketing.tickets t"
    " SET status = $3, owner = $4, hold_expires_at = $5, updated_at = pg_catalog.now()"
    " WHERE " ONE_TICKET " RETURNING t.event_id, t.ticket_id, t.updated_at),"
    " audited AS (" AUDIT_INSERT "SELECT c.event_id, c.ticket_id, $6, $3, $7, c.updated_at"
    " FROM changed c RETURNING 1)"
    " SELECT c.updated_at FROM changed c",
    7,
    {INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID}};

const PlanSpec peek_tickets{TICKET_STATE "e.per_customer_limit FROM ticketing.tickets t"
                                         " JOIN ticketing.events e ON e.event_id "
                                         "OPERATOR(pg_catalog.=) $1"
                                         " WHERE " GIVEN_TICKETS "ORDER BY t.ticket_id",
                            3,
                            {INT8OID, INT8ARRAYOID, TEXTOID}};

// Several tickets of one event, with their states relative to $3, locked with SKIP
// LOCKED (an adjacent block).
const PlanSpec lock_tickets_skip{TICKET_STATE
                                 "NULL::integer FROM ticketing.tickets t WHERE " GIVEN_TICKETS
                                 "ORDER BY t.ticket_id FOR NO KEY UPDATE OF t SKIP LOCKED",
                                 3,
                                 {INT8OID, INT8ARRAYOID, TEXTOID}};

// transition_ticket for the locked tickets $2; $6 holds their old statuses in the same
// order. Returns one row per ticket changed. The audit rows of one call are numbered in
// ticket order, whatever order the plan updates the rows in (it differs between plans
// and between PostgreSQL majors).
const PlanSpec transition_tickets{
    "WITH changed AS (UPDATE ticketing.tickets t"
    " SET status = $3, owner = $4, hold_expires_at = $5, updated_at = pg_catalog.now()"
    " WHERE " GIVEN_TICKETS
    " RETURNING t.event_id, t.ticket_id, ($6::pg_catalog.text[])[" POSITION_OF_TICKET "]"
    " AS from_status, t.updated_at),"
    " audited AS (" AUDIT_INSERT "SELECT c.event_id, c.ticket_id, c.from_status, $3, $7,"
    " c.updated_at FROM changed c ORDER BY c.ticket_id RETURNING 1)"
    " SELECT c.updated_at FROM changed c",
    7,
    {INT8OID, INT8ARRAYOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTARRAYOID, TEXTOID}};

// The first claimable ticket with $2 <= id < $4 (ids in order) that is not one of $5,
// locked with SKIP LOCKED: (ticket_id, status, seat, row version). Called once per
// ticket wanted, each from the id after the last one it locked: a constant LIMIT and the
// planner settings of an ordered walk (plan_settings.cpp) keep the plan an ordered index
// walk. $5 (never NULL) is what a batch's requests name: it must not lock them twice.
const PlanSpec claimable_between{
    "SELECT t.ticket_id, t.status, t.seat, t.ctid FROM ticketing.tickets t WHERE " CLAIMABLE
    "AND t.ticket_id OPERATOR(pg_catalog.>=) $2 AND t.ticket_id OPERATOR(pg_catalog.<) $4"
    " AND NOT (t.ticket_id OPERATOR(pg_catalog.=) ANY ($5))"
    " ORDER BY t.ticket_id LIMIT 1 FOR NO KEY UPDATE OF t SKIP LOCKED",
    5,
    {INT8OID, INT8OID, TEXTOID, INT8OID, INT8ARRAYOID},
    PlanShape::ordered_walk};

// One any-seat ticket in one statement: the first claimable ticket from (or before) $2,
// locked with SKIP LOCKED, changed to status $4 for owner $5 (hold expiry $6), audited.
// Returns (ticket_id, seat, recorded time), or no row when none could be locked; seat
// and time are NULL when a trigger skipped the update of the ticket it locked.
#define TAKE_ONE(range)                                                                            \
    "WITH target AS (SELECT t.event_id, t.ticket_id, t.status FROM ticketing.tickets t "           \
    "WHERE " CLAIMABLE "AND t.ticket_id " range " $2 ORDER BY t.ticket_id LIMIT 1"                 \
    " FOR NO KEY UPDATE OF t SKIP LOCKED),"                                                        \
    " changed AS (UPDATE ticketing.tickets t"                                                      \
    " SET status = $4, owner = $5, hold_expires_at = $6, updated_at = pg_catalog.now()"            \
    " FROM target x WHERE t.event_id OPERATOR(pg_catalog.=) $1"                                    \
    " AND t.ticket_id OPERATOR(pg_catalog.=) x.ticket_id"                                          \
    " RETURNING t.event_id, t.ticket_id, t.seat, x.status AS from_status, t.updated_at),"          \
    " audited AS (" AUDIT_INSERT "SELECT c.event_id, c.ticket_id, c.from_status, $4, $5,"          \
    " c.updated_at FROM changed c RETURNING 1)"                                                    \
    " SELECT x.ticket_id, c.seat, c.updated_at FROM target x LEFT JOIN changed c ON true"
const PlanSpec take_one_from{TAKE_ONE("OPERATOR(pg_catalog.>=)"),
                             6,
                             {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID},
                             PlanShape::ordered_walk};
const PlanSpec take_one_before{TAKE_ONE("OPERATOR(pg_catalog.<)"),
                               6,
                               {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID},
                               PlanShape::ordered_walk};
#undef TAKE_ONE

// Claimable (id, seat) from id $2 on, in id order, unlocked: one page of the adjacency
// search (claimable_page_size rows).
const PlanSpec claimable_candidates{
    "SELECT t.ticket_id, t.seat FROM ticketing.tickets t WHERE " CLAIMABLE
    "AND t.ticket_id OPERATOR(pg_catalog.>=) $2 ORDER BY t.ticket_id LIMIT 2000",
    3,
    {INT8OID, INT8OID, TEXTOID},
    PlanShape::ordered_walk};

const PlanSpec count_claimable{
    "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " CLAIMABLE,
    3, // $2 unused
    {INT8OID, INT8OID, TEXTOID}};

const PlanSpec event_limit{"SELECT e.per_customer_limit FROM ticketing.events e WHERE e.event_id "
                           "OPERATOR(pg_catalog.=) $1",
                           1,
                           {INT8OID}};

const PlanSpec max_ticket_id{
    "SELECT pg_catalog.max(t.ticket_id) FROM ticketing.tickets t WHERE t.event_id "
    "OPERATOR(pg_catalog.=) $1",
    1,
    {INT8OID}};

// Owners are compared in C++: one batch speaks for many customers.
const PlanSpec batch_peek{BATCH_STATE "ORDER BY t.ticket_id", 2, {INT8OID, INT8ARRAYOID}};
// Locks only what a request may take: claimable tickets, and tickets held by a customer
// whose request names them ($3 and $4: the (ticket, customer) pairs of the requests).
// The rest (sold, or held by someone who did not ask for it) is answered from
// batch_peek without a lock, so the batch keeps no lock on a ticket it will not sell.
const PlanSpec batch_lock{
    BATCH_STATE "AND (t.status OPERATOR(pg_catalog.=) 'available' OR (t.status "
                "OPERATOR(pg_catalog.=) 'held' AND (t.hold_expires_at OPERATOR(pg_catalog.<=) "
                "pg_catalog.now() OR EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest("
                "$3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.text[])) AS "
                "r(ticket_id, customer) WHERE r.ticket_id "
                "OPERATOR(pg_catalog.=) t.ticket_id AND r.customer OPERATOR(pg_catalog.=) "
                "t.owner)))) ORDER BY t.ticket_id FOR NO KEY UPDATE OF t SKIP LOCKED",
    4,
    {INT8OID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID}};

// The given tickets that are available, locked with SKIP LOCKED (a batch's first pass):
// (ticket_id, row version).
const PlanSpec batch_lock_available{
    "SELECT t.ticket_id, t.ctid FROM ticketing.tickets t WHERE " GIVEN_TICKETS
    "AND t.status OPERATOR(pg_catalog.=) 'available' ORDER BY t.ticket_id"
    " FOR NO KEY UPDATE OF t SKIP LOCKED",
    2,
    {INT8OID, INT8ARRAYOID}};

// Sells tickets $2 that this transaction holds locked, found by the row versions $5 its
// locks returned (a TID scan: no second index descent; a version is current because the
// lock keeps it so, and a later statement's snapshot sees it), each to its buyer $4,
// recording its old status $3 (parallel arrays), with the audit rows. Event and ticket
// id are checked again all the same. Returns (ticket_id, recorded time, seat) per
// ticket sold.
const PlanSpec batch_transition{
    "WITH sold AS (UPDATE ticketing.tickets t"
    " SET status = 'sold', owner = ($4::pg_catalog.text[])[" POSITION_OF_TICKET "],"
    " hold_expires_at = NULL, updated_at = pg_catalog.now()"
    " WHERE t.ctid OPERATOR(pg_catalog.=) ANY ($5::pg_catalog.tid[]) AND " GIVEN_TICKETS
    " RETURNING t.event_id, t.ticket_id, ($3::pg_catalog.text[])[" POSITION_OF_TICKET "]"
    " AS from_status, ($4::pg_catalog.text[])[" POSITION_OF_TICKET "] AS buyer, t.updated_at,"
    " t.seat),"
    " audited AS (" AUDIT_INSERT "SELECT s.event_id, s.ticket_id, s.from_status, 'sold', s.buyer,"
    " s.updated_at FROM sold s ORDER BY s.ticket_id RETURNING 1)"
    " SELECT s.ticket_id, s.updated_at, s.seat FROM sold s",
    5,
    {INT8OID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIDARRAYOID}};

// The customer's slot row, written under the slot lock (customer_limits.cpp): a claim
// that adds tickets changes it, so a REPEATABLE READ transaction with an older snapshot
// that tries to write it gets 40001 instead of counting stale rows.
const PlanSpec write_customer_slot{
    "INSERT INTO ticketing.customer_slots AS s (event_id, customer, touched_at)"
    " VALUES ($1, $2, pg_catalog.now())"
    " ON CONFLICT (event_id, customer) DO UPDATE SET touched_at = excluded.touched_at",
    2,
    {INT8OID, TEXTOID}};
const PlanSpec count_customer_tickets{
    "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " LIVE_OWNED, 2, {INT8OID, TEXTOID}};

// Idempotency keys are scoped per (event, customer): $1 event, $2 customer, $3 key. A
// 1.1 schema scopes them per customer (the library serves it until ALTER EXTENSION
// ticketing UPDATE): the same statements with `key` and `conflict` of that scope, where
// $1 only sets the row's event. A key row is written only for an answer that changed
// tickets, under the key's lock (idempotency.cpp): select_key reads it without a row
// lock, store_key inserts it, or replaces a row that counts as unused (past the
// retention, or without a result) and nothing else: no row back means another
// transaction stored the key first.
#define EXPIRED(secs)                                                                              \
    "k.created_at OPERATOR(pg_catalog.<)"                                                          \
    " (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => " secs "))"
#define SELECT_KEY(key)                                                                            \
    "SELECT k.fingerprint, k.outcome, k.ticket_ids, k.seats, k.at, k.hold_expires_at,"             \
    " k.remaining, " EXPIRED("$4") " AS expired FROM ticketing.idempotency_keys k WHERE " key
#define STORE_KEY(conflict)                                                                        \
    "INSERT INTO ticketing.idempotency_keys AS k (event_id, customer, idempotency_key,"            \
    " fingerprint, outcome, ticket_ids, seats, at, hold_expires_at, remaining)"                    \
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT " conflict " DO UPDATE SET"     \
    " event_id = excluded.event_id, fingerprint = excluded.fingerprint,"                           \
    " outcome = excluded.outcome, ticket_ids = excluded.ticket_ids, seats = excluded.seats,"       \
    " at = excluded.at, hold_expires_at = excluded.hold_expires_at,"                               \
    " remaining = excluded.remaining, created_at = pg_catalog.now()"                               \
    " WHERE k.outcome IS NULL OR " EXPIRED("$11") " RETURNING 1"
#define PER_EVENT                                                                                  \
    "k.event_id OPERATOR(pg_catalog.=) $1 AND k.customer OPERATOR(pg_catalog.=) $2 AND "           \
    "k.idempotency_key OPERATOR(pg_catalog.=) $3"
#define PER_CUSTOMER                                                                               \
    "k.customer OPERATOR(pg_catalog.=) $2 AND k.idempotency_key OPERATOR(pg_catalog.=) $3"
#define STORE_ARGS                                                                                 \
    {                                                                                              \
        INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZOID,   \
            TIMESTAMPTZOID, INT8OID, FLOAT8OID                                                     \
    }
const PlanSpec select_key{SELECT_KEY(PER_EVENT), 4, {INT8OID, TEXTOID, TEXTOID, FLOAT8OID}};
const PlanSpec store_key{STORE_KEY("(event_id, customer, idempotency_key)"), 11, STORE_ARGS};
const PlanSpec select_key_1_1{SELECT_KEY(PER_CUSTOMER), 4, {INT8OID, TEXTOID, TEXTOID, FLOAT8OID}};
const PlanSpec store_key_1_1{STORE_KEY("(customer, idempotency_key)"), 11, STORE_ARGS};
#undef EXPIRED
#undef SELECT_KEY
#undef STORE_KEY
#undef PER_EVENT
#undef PER_CUSTOMER
#undef STORE_ARGS

} // namespace

const PlanSpec& statement_for(PlanId id) {
    switch (id) {
    case PlanId::claim_available:
        return claim_available;
    case PlanId::claim_available_unlocked:
        return claim_available_unlocked;
    case PlanId::peek_ticket:
        return peek_ticket;
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
    case PlanId::lock_tickets_skip:
        return lock_tickets_skip;
    case PlanId::transition_tickets:
        return transition_tickets;
    case PlanId::claimable_between:
        return claimable_between;
    case PlanId::take_one_from:
        return take_one_from;
    case PlanId::take_one_before:
        return take_one_before;
    case PlanId::claimable_candidates:
        return claimable_candidates;
    case PlanId::count_claimable:
        return count_claimable;
    case PlanId::event_limit:
        return event_limit;
    case PlanId::max_ticket_id:
        return max_ticket_id;
    case PlanId::batch_peek:
        return batch_peek;
    case PlanId::batch_lock:
        return batch_lock;
    case PlanId::batch_lock_available:
        return batch_lock_available;
    case PlanId::batch_transition:
        return batch_transition;
    case PlanId::write_customer_slot:
        return write_customer_slot;
    case PlanId::count_customer_tickets:
        return count_customer_tickets;
    case PlanId::select_key:
        return select_key;
    case PlanId::store_key:
        return store_key;
    case PlanId::select_key_1_1:
        return select_key_1_1;
    case PlanId::store_key_1_1:
        return store_key_1_1;
    case PlanId::count_:
        break;
    }
    throw DomainError(ErrorKind::internal, "unknown prepared statement");
}

} // namespace ticketing::backend
