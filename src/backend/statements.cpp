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
#define SEAT_PREFIX                                                                                \
    "AND ($3::pg_catalog.text IS NULL OR pg_catalog.left(t.seat, pg_catalog.length($3)) "          \
    "OPERATOR(pg_catalog.=) $3) "
#define CLAIMABLE                                                                                  \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.status OPERATOR(pg_catalog.<>) 'sold' "            \
    "AND (t.status OPERATOR(pg_catalog.=) 'available' OR t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now()) " SEAT_PREFIX
// In an event with an open waiting list a lapsed hold goes to the list before anyone may
// claim it (waitlist.hpp): only available tickets are claimable. The same walks along
// the same indexes (`status <> 'sold'` keeps the partial indexes usable).
#define CLAIMABLE_NOW                                                                              \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.status OPERATOR(pg_catalog.<>) 'sold' "            \
    "AND t.status OPERATOR(pg_catalog.=) 'available' " SEAT_PREFIX
// Tickets $2 (an array) of event $1.
#define GIVEN_TICKETS_AT(ids)                                                                      \
    "t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id OPERATOR(pg_catalog.=) ANY (" ids ") "
#define GIVEN_TICKETS GIVEN_TICKETS_AT("$2")
// For a batch: (ticket_id, status, owner, hold lapsed, seat, row version, hold expiry).
#define BATCH_STATE                                                                                \
    "SELECT t.ticket_id, t.status, t.owner, "                                                      \
    "coalesce(t.status OPERATOR(pg_catalog.=) 'held' AND t.hold_expires_at "                       \
    "OPERATOR(pg_catalog.<=) pg_catalog.now(), false), t.seat, t.ctid, t.hold_expires_at "         \
    "FROM ticketing.tickets t WHERE " GIVEN_TICKETS
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
#define CLAIMABLE_BETWEEN(claimable, filter)                                                       \
    "SELECT t.ticket_id, t.status, t.seat, t.ctid FROM ticketing.tickets t WHERE " claimable       \
        filter                                                                                     \
    "AND t.ticket_id OPERATOR(pg_catalog.>=) $2 AND t.ticket_id OPERATOR(pg_catalog.<) $4"         \
    " AND NOT (t.ticket_id OPERATOR(pg_catalog.=) ANY ($5))"                                       \
    " ORDER BY t.ticket_id LIMIT 1 FOR NO KEY UPDATE OF t SKIP LOCKED"
const PlanSpec claimable_between{CLAIMABLE_BETWEEN(CLAIMABLE, ""),
                                 5,
                                 {INT8OID, INT8OID, TEXTOID, INT8OID, INT8ARRAYOID},
                                 PlanShape::ordered_walk};
const PlanSpec claimable_between_now{CLAIMABLE_BETWEEN(CLAIMABLE_NOW, ""),
                                     5,
                                     {INT8OID, INT8OID, TEXTOID, INT8OID, INT8ARRAYOID},
                                     PlanShape::ordered_walk};

// The same for any seat of one category ($6), along tickets_category_claimable_idx.
#define OF_CATEGORY "AND t.category OPERATOR(pg_catalog.=) $6 "
const PlanSpec claimable_between_category{
    CLAIMABLE_BETWEEN(CLAIMABLE, OF_CATEGORY),
    6,
    {INT8OID, INT8OID, TEXTOID, INT8OID, INT8ARRAYOID, TEXTOID},
    PlanShape::ordered_walk};
const PlanSpec claimable_between_category_now{
    CLAIMABLE_BETWEEN(CLAIMABLE_NOW, OF_CATEGORY),
    6,
    {INT8OID, INT8OID, TEXTOID, INT8OID, INT8ARRAYOID, TEXTOID},
    PlanShape::ordered_walk};
#undef OF_CATEGORY

// The same for any seat of a category not in $6: an any-seat sale that a quota refused
// looks again past the categories that quota covers.
#define OF_OTHER_CATEGORY "AND NOT (t.category OPERATOR(pg_catalog.=) ANY ($6)) "
const PlanSpec claimable_between_other{
    CLAIMABLE_BETWEEN(CLAIMABLE, OF_OTHER_CATEGORY),
    6,
    {INT8OID, INT8OID, TEXTOID, INT8OID, INT8ARRAYOID, TEXTARRAYOID},
    PlanShape::ordered_walk};
const PlanSpec claimable_between_other_now{
    CLAIMABLE_BETWEEN(CLAIMABLE_NOW, OF_OTHER_CATEGORY),
    6,
    {INT8OID, INT8OID, TEXTOID, INT8OID, INT8ARRAYOID, TEXTARRAYOID},
    PlanShape::ordered_walk};
#undef OF_OTHER_CATEGORY
#undef CLAIMABLE_BETWEEN

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
// search (claimable_page_size rows). The _category ones only of category $4, the
// _other ones of no category in $4 (a text[]: a block of any category searched past
// the categories of quotas that refused it).
#define CLAIMABLE_CANDIDATES(claimable, filter)                                                    \
    "SELECT t.ticket_id, t.seat FROM ticketing.tickets t WHERE " claimable filter                  \
    "AND t.ticket_id OPERATOR(pg_catalog.>=) $2 ORDER BY t.ticket_id LIMIT 2000"
#define CANDIDATES_OF_CATEGORY "AND t.category OPERATOR(pg_catalog.=) $4 "
#define CANDIDATES_OF_OTHER "AND NOT (t.category OPERATOR(pg_catalog.=) ANY ($4)) "
const PlanSpec claimable_candidates{
    CLAIMABLE_CANDIDATES(CLAIMABLE, ""), 3, {INT8OID, INT8OID, TEXTOID}, PlanShape::ordered_walk};
const PlanSpec claimable_candidates_now{CLAIMABLE_CANDIDATES(CLAIMABLE_NOW, ""),
                                        3,
                                        {INT8OID, INT8OID, TEXTOID},
                                        PlanShape::ordered_walk};

const PlanSpec count_claimable{
    "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " CLAIMABLE,
    3, // $2 unused
    {INT8OID, INT8OID, TEXTOID}};
const PlanSpec count_claimable_now{
    "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " CLAIMABLE_NOW,
    3, // $2 unused
    {INT8OID, INT8OID, TEXTOID}};
const PlanSpec count_claimable_category{
    "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " CLAIMABLE
    "AND t.category OPERATOR(pg_catalog.=) $4",
    4, // $2 unused
    {INT8OID, INT8OID, TEXTOID, TEXTOID}};
const PlanSpec count_claimable_category_now{
    "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE " CLAIMABLE_NOW
    "AND t.category OPERATOR(pg_catalog.=) $4",
    4, // $2 unused
    {INT8OID, INT8OID, TEXTOID, TEXTOID}};
const PlanSpec claimable_candidates_category{
    CLAIMABLE_CANDIDATES(CLAIMABLE, CANDIDATES_OF_CATEGORY),
    4,
    {INT8OID, INT8OID, TEXTOID, TEXTOID},
    PlanShape::ordered_walk};
const PlanSpec claimable_candidates_category_now{
    CLAIMABLE_CANDIDATES(CLAIMABLE_NOW, CANDIDATES_OF_CATEGORY),
    4,
    {INT8OID, INT8OID, TEXTOID, TEXTOID},
    PlanShape::ordered_walk};
const PlanSpec claimable_candidates_other{CLAIMABLE_CANDIDATES(CLAIMABLE, CANDIDATES_OF_OTHER),
                                          4,
                                          {INT8OID, INT8OID, TEXTOID, TEXTARRAYOID},
                                          PlanShape::ordered_walk};
const PlanSpec claimable_candidates_other_now{
    CLAIMABLE_CANDIDATES(CLAIMABLE_NOW, CANDIDATES_OF_OTHER),
    4,
    {INT8OID, INT8OID, TEXTOID, TEXTARRAYOID},
    PlanShape::ordered_walk};
#undef CANDIDATES_OF_OTHER
#undef CANDIDATES_OF_CATEGORY
#undef CLAIMABLE_CANDIDATES

const PlanSpec event_limit{"SELECT e.per_customer_limit FROM ticketing.events e WHERE e.event_id "
                           "OPERATOR(pg_catalog.=) $1",
                           1,
                           {INT8OID}};
const PlanSpec event_limit_quotas{
    "SELECT e.per_customer_limit, e.quota_count, e.waitlist_open FROM ticketing.events e "
    "WHERE e.event_id OPERATOR(pg_catalog.=) $1",
    1,
    {INT8OID}};

const PlanSpec max_ticket_id{
    "SELECT pg_catalog.max(t.ticket_id) FROM ticketing.tickets t WHERE t.event_id "
    "OPERATOR(pg_catalog.=) $1",
    1,
    {INT8OID}};

// The lowest and highest unsold ticket ids of category $2 (NULL when it has none): two
// probes of tickets_category_claimable_idx, so that a walk for one category starts at a
// random point of that category's own ids instead of the event's. Written as the two
// probes: min() and max() were planned, while the category had few unsold tickets, as a
// scan of all of them (an event sold out, then refunded into offers, has thousands held).
#define UNSOLD_IN_CATEGORY(order)                                                                  \
    "(SELECT t.ticket_id FROM ticketing.tickets t WHERE t.event_id OPERATOR(pg_catalog.=) $1"      \
    " AND t.category OPERATOR(pg_catalog.=) $2 AND t.status OPERATOR(pg_catalog.<>) 'sold'"        \
    " ORDER BY t.ticket_id " order " LIMIT 1)"
const PlanSpec category_unsold_range{
    "SELECT " UNSOLD_IN_CATEGORY("") ", " UNSOLD_IN_CATEGORY("DESC"),
    2,
    {INT8OID, TEXTOID},
    PlanShape::ordered_walk};
#undef UNSOLD_IN_CATEGORY

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

// A batch's plain sales in one pass: the given tickets $2 (sorted) that are available,
// locked with SKIP LOCKED and sold in the same statement, each to its buyer $3 (parallel
// to $2), with their audit rows, as the hand-written batched UPDATE sells them but
// without waiting for a row another transaction holds. The sale finds each locked row by
// the version its lock returned (a TID scan: no second index descent). Returns
// (ticket_id, recorded time, seat) per ticket sold. A ticket locked but not sold stays
// locked and is not returned: a trigger or policy skipped the change, or the lock
// followed an update committed after the statement's snapshot, which the TID scan does
// not see. The caller looks at every ticket it did not sell again.
const PlanSpec batch_sell_available{
    "WITH target AS MATERIALIZED (SELECT t.ctid AS row_version, t.ticket_id, " POSITION_OF_TICKET
    " AS n FROM ticketing.tickets t WHERE " GIVEN_TICKETS
    "AND t.status OPERATOR(pg_catalog.=) 'available' ORDER BY t.ticket_id"
    " FOR NO KEY UPDATE OF t SKIP LOCKED),"
    " sold AS (UPDATE ticketing.tickets t"
    " SET status = 'sold', owner = ($3::pg_catalog.text[])[x.n],"
    " hold_expires_at = NULL, updated_at = pg_catalog.now()"
    " FROM target x WHERE t.ctid OPERATOR(pg_catalog.=) x.row_version"
    " AND t.event_id OPERATOR(pg_catalog.=) $1 AND t.ticket_id OPERATOR(pg_catalog.=) x.ticket_id"
    " RETURNING t.event_id, t.ticket_id, ($3::pg_catalog.text[])[x.n] AS buyer, t.updated_at,"
    " t.seat),"
    " audited AS (" AUDIT_INSERT "SELECT s.event_id, s.ticket_id, 'available', 'sold', s.buyer,"
    " s.updated_at FROM sold s ORDER BY s.ticket_id RETURNING 1)"
    " SELECT s.ticket_id, s.updated_at, s.seat FROM sold s",
    3,
    {INT8OID, INT8ARRAYOID, TEXTARRAYOID}};

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

// A batch's holds into carts: like batch_transition, with the hold's expiry per ticket
// ($6, parallel to $2).
const PlanSpec batch_hold{
    "WITH held AS (UPDATE ticketing.tickets t"
    " SET status = 'held', owner = ($4::pg_catalog.text[])[" POSITION_OF_TICKET "],"
    " hold_expires_at = ($6::pg_catalog.timestamptz[])[" POSITION_OF_TICKET "],"
    " updated_at = pg_catalog.now()"
    " WHERE t.ctid OPERATOR(pg_catalog.=) ANY ($5::pg_catalog.tid[]) AND " GIVEN_TICKETS
    " RETURNING t.event_id, t.ticket_id, ($3::pg_catalog.text[])[" POSITION_OF_TICKET "]"
    " AS from_status, ($4::pg_catalog.text[])[" POSITION_OF_TICKET "] AS holder, t.updated_at,"
    " t.seat),"
    " audited AS (" AUDIT_INSERT "SELECT h.event_id, h.ticket_id, h.from_status, 'held', h.holder,"
    " h.updated_at FROM held h RETURNING 1)"
    " SELECT h.ticket_id, h.updated_at, h.seat FROM held h",
    6,
    {INT8OID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIDARRAYOID, TIMESTAMPTZARRAYOID}};

// A batch's look at its carts: the cart, locked as lock_cart locks it, or nothing when
// another transaction holds it locked (SKIP LOCKED: the batch never waits).
const PlanSpec find_cart_skip{
    "SELECT c.cart_id, c.status, c.expires_at, c.expires_at OPERATOR(pg_catalog.<=) "
    "pg_catalog.now(), c.created_at FROM ticketing.carts c WHERE c.event_id "
    "OPERATOR(pg_catalog.=) $1 AND c.token_hash OPERATOR(pg_catalog.=) "
    "pg_catalog.sha256(pg_catalog.convert_to($2, 'UTF8')) AND c.customer "
    "OPERATOR(pg_catalog.=) $3 FOR NO KEY UPDATE OF c SKIP LOCKED",
    3,
    {INT8OID, TEXTOID, TEXTOID}};

// In an event with quotas: each of its quotas with the units its stripes have left, and
// every category each covers: (quota_id, name, units left, category).
const PlanSpec event_quotas{
    "SELECT q.quota_id, q.name, (SELECT COALESCE(pg_catalog.sum(s.remaining), 0)"
    "::pg_catalog.int8 FROM ticketing.quota_stripes s WHERE s.event_id OPERATOR(pg_catalog.=) $1"
    " AND s.quota_id OPERATOR(pg_catalog.=) q.quota_id), c.category FROM ticketing.quotas q"
    " JOIN ticketing.quota_categories c ON c.event_id OPERATOR(pg_catalog.=) q.event_id"
    " AND c.quota_id OPERATOR(pg_catalog.=) q.quota_id WHERE q.event_id OPERATOR(pg_catalog.=) $1"
    " ORDER BY q.quota_id, c.category",
    1,
    {INT8OID}};

// The categories of tickets $2: (ticket_id, category).
const PlanSpec ticket_categories{
    "SELECT t.ticket_id, t.category FROM ticketing.tickets t WHERE " GIVEN_TICKETS,
    2,
    {INT8OID, INT8ARRAYOID}};

// The customer's slot row, written under the slot lock (customer_limits.cpp): a claim
// that adds tickets changes it, so a REPEATABLE READ transaction with an older snapshot
// that tries to write it gets 40001 instead of counting stale rows.
const PlanSpec write_customer_slot{
    "INSERT INTO ticketing.customer_slots AS s (event_id, customer, touched_at)"
    " VALUES ($1, $2, pg_catalog.now())"
    " ON CONFLICT (event_id, customer) DO UPDATE SET touched_at = excluded.touched_at",
    2,
    {INT8OID, TEXTOID}};
// Live holds by the transaction's now(), as the audit log's times judge them: a count
// never finds fewer holds live than a keeper that follows it (customer_limits.hpp).
const PlanSpec count_customer_tickets{
    "SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE t.event_id OPERATOR(pg_catalog.=) $1"
    " AND t.owner OPERATOR(pg_catalog.=) $2 AND (t.status OPERATOR(pg_catalog.=) 'sold' OR"
    " (t.status OPERATOR(pg_catalog.=) 'held' AND t.hold_expires_at OPERATOR(pg_catalog.>)"
    " pg_catalog.now()))",
    2,
    {INT8OID, TEXTOID}};

// How many stripes create_quota made quota q.quota_id of event $1 (its stripes below
// 1024; give-backs into new stripes number from 1024 on).
#define STRIPE_COUNT                                                                               \
    " COALESCE((SELECT pg_catalog.max(s.stripe) OPERATOR(pg_catalog.+) 1"                          \
    " FROM ticketing.quota_stripes s WHERE s.event_id OPERATOR(pg_catalog.=) $1"                   \
    " AND s.quota_id OPERATOR(pg_catalog.=) q.quota_id AND s.stripe OPERATOR(pg_catalog.<) 1024)," \
    " 1)"
// Quota units (1.3, quota_units.cpp). How many units of each quota tickets $2 of event
// $1 hold or need, and how many stripes create_quota made it (its stripes below 1024, so
// a walk can start at a random one of them): (quota_id, name, tickets, stripes).
const PlanSpec units_needed{
    "SELECT q.quota_id, q.name, pg_catalog.count(*)::pg_catalog.int4," STRIPE_COUNT
    " FROM ticketing.tickets t"
    " JOIN ticketing.quota_categories c ON c.event_id OPERATOR(pg_catalog.=) t.event_id"
    " AND c.category OPERATOR(pg_catalog.=) t.category"
    " JOIN ticketing.quotas q ON q.event_id OPERATOR(pg_catalog.=) c.event_id"
    " AND q.quota_id OPERATOR(pg_catalog.=) c.quota_id"
    " WHERE " GIVEN_TICKETS "GROUP BY q.quota_id, q.name ORDER BY q.quota_id",
    2,
    {INT8OID, INT8ARRAYOID}};

// The quotas that cover category $2 of event $1, with their stripe counts as in
// units_needed: (quota_id, name, stripes). quota_units.cpp keeps the answer per event
// row version, for the sales of one category that know it without reading their tickets.
const PlanSpec quota_cover{
    "SELECT q.quota_id, q.name," STRIPE_COUNT " FROM ticketing.quota_categories c"
    " JOIN ticketing.quotas q ON q.event_id OPERATOR(pg_catalog.=) c.event_id"
    " AND q.quota_id OPERATOR(pg_catalog.=) c.quota_id"
    " WHERE c.event_id OPERATOR(pg_catalog.=) $1 AND c.category OPERATOR(pg_catalog.=) $2"
    " ORDER BY q.quota_id",
    2,
    {INT8OID, TEXTOID}};
#undef STRIPE_COUNT

// The categories quota $2 (by name) of event $1 covers: (category).
const PlanSpec quota_categories{
    "SELECT c.category FROM ticketing.quotas q"
    " JOIN ticketing.quota_categories c ON c.event_id OPERATOR(pg_catalog.=) q.event_id"
    " AND c.quota_id OPERATOR(pg_catalog.=) q.quota_id"
    " WHERE q.event_id OPERATOR(pg_catalog.=) $1 AND q.name OPERATOR(pg_catalog.=) $2"
    " ORDER BY c.category",
    2,
    {INT8OID, TEXTOID}};

// The first stripe of quota $2 from stripe $4 on (_before: below stripe $4; a walk runs
// both, so it wraps around) that has units left and that nobody holds locked: up to $3
// of its units are taken. Returns how many. The primary key's order, so the walk reads
// the stripes from its start until the first it can take, not every stripe of the quota.
#define QUOTA_STRIPES                                                                              \
    "ticketing.quota_stripes x WHERE x.event_id OPERATOR(pg_catalog.=) $1"                         \
    " AND x.quota_id OPERATOR(pg_catalog.=) $2 "
#define STRIPES_FROM "AND x.stripe OPERATOR(pg_catalog.>=) $4 ORDER BY x.stripe LIMIT 1 "
#define STRIPES_BEFORE "AND x.stripe OPERATOR(pg_catalog.<) $4 ORDER BY x.stripe LIMIT 1 "
// The stripe the CTE locked, updated by its key, in plans that may not scan the table
// (PlanShape::ordered_walk). A kept plan is made when the stripes fill a few pages, and
// the planner then joined them to the CTE by a sequential scan, by ctid or by key: every
// version of every stripe of the event read and checked per take, 11% of the CPU of a
// quota-capped sale at 64 clients once updates had spread the stripes over dozens of
// pages. By key rather than by the ctid the lock returned: a version committed after
// the statement's snapshot, which the lock returns, is not found by ctid under that
// snapshot; by key, the update follows it (READ COMMITTED).
#define STRIPE_OF_X                                                                                \
    "s.event_id OPERATOR(pg_catalog.=) $1 AND s.quota_id OPERATOR(pg_catalog.=) $2"                \
    " AND s.stripe OPERATOR(pg_catalog.=) x.stripe"
// x.remaining is the locked (latest) version's; the UPDATE first computes its new row from
// the version its snapshot sees and checks the CHECK (remaining >= 0) on that trial row,
// and only then finds a version committed since and computes the row again from it
// (EvalPlanQual). A give-back committed after the snapshot leaves that trial row below
// x.remaining, so the trial subtracts at most what it sees (LEAST with s.remaining): the
// row written, from the version x locked, is s.remaining - LEAST(x.remaining, $3). (Without
// it, 1 quota sell-out in 5 failed a claim with 23514 on the trial row.) Returns (units
// taken, stripe, remaining after, remaining before as locked), which the caller checks.
#define TAKE_UNITS(range)                                                                          \
    "WITH x AS (SELECT x.remaining, x.stripe FROM " QUOTA_STRIPES                                  \
    "AND x.remaining OPERATOR(pg_catalog.>) 0 " range "FOR NO KEY UPDATE OF x SKIP LOCKED)"        \
    " UPDATE ticketing.quota_stripes s SET remaining = s.remaining OPERATOR(pg_catalog.-)"         \
    " LEAST(x.remaining, $3, s.remaining) FROM x WHERE " STRIPE_OF_X                               \
    " RETURNING LEAST(x.remaining, $3), x.stripe, s.remaining, x.remaining"
const PlanSpec take_units{
    TAKE_UNITS(STRIPES_FROM), 4, {INT8OID, INT8OID, INT4OID, INT4OID}, PlanShape::ordered_walk};
const PlanSpec take_units_before{
    TAKE_UNITS(STRIPES_BEFORE), 4, {INT8OID, INT8OID, INT4OID, INT4OID}, PlanShape::ordered_walk};

// Moves $4 units from stripe $3 of quota $2 (which this transaction holds locked: it
// has just taken from it) to the first stripe of the quota that has none left and that
// nobody holds locked; nothing when there is none. Returns 1 when it moved them. Near
// the end of a quota most stripes have run out, and the few that have units are locked
// by concurrent claims most of the time: spreading them keeps those claims apart. The
// receiving stripe is updated by its key, not by the ctid its lock returned: a version
// committed after this statement's snapshot is locked and returned, but a scan by ctid
// under that snapshot would not find it. Stripe $3 gives only what `moved` received.
const PlanSpec spread_units{
    "WITH y AS (SELECT y.stripe FROM ticketing.quota_stripes y"
    " WHERE y.event_id OPERATOR(pg_catalog.=) $1 AND y.quota_id OPERATOR(pg_catalog.=) $2"
    " AND y.remaining OPERATOR(pg_catalog.=) 0 ORDER BY y.stripe LIMIT 1"
    " FOR NO KEY UPDATE OF y SKIP LOCKED),"
    " moved AS (UPDATE ticketing.quota_stripes s SET remaining = s.remaining "
    "OPERATOR(pg_catalog.+) $4"
    " FROM y WHERE s.event_id OPERATOR(pg_catalog.=) $1 AND s.quota_id OPERATOR(pg_catalog.=) $2"
    " AND s.stripe OPERATOR(pg_catalog.=) y.stripe RETURNING s.stripe)"
    " UPDATE ticketing.quota_stripes x SET remaining = x.remaining OPERATOR(pg_catalog.-) $4"
    " FROM moved WHERE x.event_id OPERATOR(pg_catalog.=) $1"
    " AND x.quota_id OPERATOR(pg_catalog.=) $2 AND x.stripe OPERATOR(pg_catalog.=) $3 RETURNING 1",
    4,
    {INT8OID, INT8OID, INT4OID, INT4OID},
    PlanShape::ordered_walk};

// Gives $3 units back to the first stripe of quota $2 from stripe $4 on (_before: below
// it) that nobody holds locked; give_units_new_stripe to a new stripe (every stripe was
// locked), so a give-back never waits for a claim.
#define GIVE_UNITS(range)                                                                          \
    "WITH x AS (SELECT x.stripe FROM " QUOTA_STRIPES range "FOR NO KEY UPDATE OF x SKIP LOCKED)"   \
    " UPDATE ticketing.quota_stripes s SET remaining = s.remaining OPERATOR(pg_catalog.+) $3"      \
    " FROM x WHERE " STRIPE_OF_X " RETURNING 1"
const PlanSpec give_units{
    GIVE_UNITS(STRIPES_FROM), 4, {INT8OID, INT8OID, INT4OID, INT4OID}, PlanShape::ordered_walk};
const PlanSpec give_units_before{
    GIVE_UNITS(STRIPES_BEFORE), 4, {INT8OID, INT8OID, INT4OID, INT4OID}, PlanShape::ordered_walk};
const PlanSpec give_units_new_stripe{
    "INSERT INTO ticketing.quota_stripes (event_id, quota_id, stripe, remaining)"
    " VALUES ($1, $2, pg_catalog.nextval('ticketing.quota_stripe_seq'::pg_catalog.regclass)"
    "::pg_catalog.int4, $3) RETURNING $4",
    4,
    {INT8OID, INT8OID, INT4OID, INT4OID}};
#undef TAKE_UNITS
#undef GIVE_UNITS
#undef QUOTA_STRIPES
#undef STRIPE_OF_X
#undef STRIPES_FROM
#undef STRIPES_BEFORE

// The units left in quota $2 as this snapshot sees them, locked or not.
const PlanSpec quota_remaining{
    "SELECT COALESCE(pg_catalog.sum(x.remaining), 0)::pg_catalog.int8"
    " FROM ticketing.quota_stripes x WHERE x.event_id OPERATOR(pg_catalog.=) $1"
    " AND x.quota_id OPERATOR(pg_catalog.=) $2",
    2,
    {INT8OID, INT8OID}};

// Up to $2 lapsed holds of event $1 (any event when NULL), or only those of the
// categories quota $3 covers (when not NULL), none of $4 (the tickets the calling
// transaction is changing itself), returned to inventory with their audit rows,
// skipping rows others hold locked: (event_id, ticket_id) of each.
const PlanSpec expire_lapsed{
    "WITH lapsed AS (SELECT t.event_id, t.ticket_id, t.owner FROM ticketing.tickets t"
    " WHERE t.status OPERATOR(pg_catalog.=) 'held' AND t.hold_expires_at OPERATOR(pg_catalog.<=)"
    " pg_catalog.now() AND ($1::pg_catalog.int8 IS NULL OR t.event_id OPERATOR(pg_catalog.=) $1)"
    " AND ($3::pg_catalog.int8 IS NULL OR t.category OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT"
    " c.category FROM ticketing.quota_categories c WHERE c.event_id OPERATOR(pg_catalog.=) $1"
    " AND c.quota_id OPERATOR(pg_catalog.=) $3)))"
    " AND NOT (t.ticket_id OPERATOR(pg_catalog.=) ANY ($4))"
    " LIMIT $2 FOR NO KEY UPDATE OF t SKIP LOCKED),"
    " returned AS (UPDATE ticketing.tickets t SET status = 'available', owner = NULL,"
    " hold_expires_at = NULL, updated_at = pg_catalog.now() FROM lapsed l"
    " WHERE t.event_id OPERATOR(pg_catalog.=) l.event_id AND t.ticket_id OPERATOR(pg_catalog.=)"
    " l.ticket_id RETURNING t.event_id, t.ticket_id, l.owner, t.updated_at),"
    " audited AS (" AUDIT_INSERT "SELECT r.event_id, r.ticket_id, 'held', 'available', r.owner,"
    " r.updated_at FROM returned r RETURNING 1)"
    " SELECT r.event_id, r.ticket_id FROM returned r ORDER BY r.event_id, r.ticket_id",
    4,
    {INT8OID, INT4OID, INT8OID, INT8ARRAYOID}};

// Waiting list (1.3, waitlist.cpp). Given lapsed holds $2 of event $1 back to inventory,
// with their audit rows, their row locks taken as the caller's wait policy says, in id
// order: (event_id, ticket_id) of the ones returned.
#define EXPIRE_GIVEN(lock)                                                                         \
    "WITH lapsed AS (SELECT t.event_id, t.ticket_id, t.owner FROM ticketing.tickets t"             \
    " WHERE " GIVEN_TICKETS "AND t.status OPERATOR(pg_catalog.=) 'held'"                           \
    " AND t.hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()"                              \
    " ORDER BY t.ticket_id FOR NO KEY UPDATE OF t" lock "),"                                       \
    " returned AS (UPDATE ticketing.tickets t SET status = 'available', owner = NULL,"             \
    " hold_expires_at = NULL, updated_at = pg_catalog.now() FROM lapsed l"                         \
    " WHERE t.event_id OPERATOR(pg_catalog.=) l.event_id AND t.ticket_id OPERATOR(pg_catalog.=)"   \
    " l.ticket_id RETURNING t.event_id, t.ticket_id, l.owner, t.updated_at),"                      \
    " audited AS (" AUDIT_INSERT "SELECT r.event_id, r.ticket_id, 'held', 'available', r.owner,"   \
    " r.updated_at FROM returned r RETURNING 1)"                                                   \
    " SELECT r.event_id, r.ticket_id FROM returned r ORDER BY r.ticket_id"
const PlanSpec expire_given_wait{EXPIRE_GIVEN(""), 2, {INT8OID, INT8ARRAYOID}};
const PlanSpec expire_given_nowait{EXPIRE_GIVEN(" NOWAIT"), 2, {INT8OID, INT8ARRAYOID}};
const PlanSpec expire_given_skip{EXPIRE_GIVEN(" SKIP LOCKED"), 2, {INT8OID, INT8ARRAYOID}};
#undef EXPIRE_GIVEN

// Up to $7 waiting entries of event $1 after entry $2, in list order, that what is free could
// fit by count: an entry for any category at most $3 tickets, one for a category at
// most that category's free tickets (counts $6 of categories $5), and of those only the
// categories of tickets $4 (all when $4 is NULL). One probe of waitlist_waiting_fit_idx
// per (category, quantity): never a walk over entries that cannot fit. Each probe orders
// by the index's own columns: by entry_id alone, a probe for entries of any category
// (category IS NULL, which the planner does not take as fixing the column's order) was
// planned on waitlist_waiting_idx, reading every waiting entry. (entry_id, customer,
// quantity, category, together, offer_for). Run with the newest snapshot.
#define WAITING_FIT(category_test)                                                                 \
    " CROSS JOIN LATERAL (SELECT w.entry_id, w.customer, w.quantity, w.category, w.together,"      \
    " w.offer_for FROM ticketing.waitlist_entries w WHERE w.event_id OPERATOR(pg_catalog.=) $1"    \
    " AND " category_test " AND w.quantity OPERATOR(pg_catalog.=) q.quantity"                      \
    " AND w.status OPERATOR(pg_catalog.=) 'waiting' AND w.entry_id OPERATOR(pg_catalog.>) $2"      \
    " ORDER BY w.category, w.quantity, w.entry_id LIMIT $7) w"
// clang-format off
const PlanSpec waiting_entries{
    "SELECT e.entry_id, e.customer, e.quantity, e.category, e.together, e.offer_for FROM ("
    "SELECT w.* FROM ROWS FROM (pg_catalog.unnest($5::pg_catalog.text[]),"
    " pg_catalog.unnest($6::pg_catalog.int4[])) AS f(category, n)"
    " CROSS JOIN LATERAL pg_catalog.generate_series(1, LEAST(f.n, 100)) AS q(quantity)"
    WAITING_FIT("w.category OPERATOR(pg_catalog.=) f.category")
    " WHERE $4::pg_catalog.int8[] IS NULL OR f.category OPERATOR(pg_catalog.=) ANY (ARRAY("
    "SELECT t.category FROM ticketing.tickets t WHERE " GIVEN_TICKETS_AT("$4") "))"
    " UNION ALL SELECT w.* FROM pg_catalog.generate_series(1, LEAST($3, 100)) AS q(quantity)"
    WAITING_FIT("w.category IS NULL") ") e ORDER BY e.entry_id LIMIT $7",
    7,
    {INT8OID, INT8OID, INT4OID, INT8ARRAYOID, TEXTARRAYOID, INT4ARRAYOID, INT4OID}};
// clang-format on
#undef WAITING_FIT

// Available tickets of event $1 per category that the quotas have room for, counted up
// to 100 each: the categories with available tickets found by a skip scan of
// tickets_available_idx, a bounded count in each, and no more than the units left in
// any quota that covers the category. A ticket no quota has room for is not on sale, so
// a walk does not try every waiting entry of its category in turn only to be refused
// (with 15,000 such tickets and 10,000 entries, one refund's walk ran for minutes).
// (category, count).
#define AVAILABLE_IN_EVENT                                                                         \
    "ticketing.tickets t WHERE t.event_id OPERATOR(pg_catalog.=) $1"                               \
    " AND t.status OPERATOR(pg_catalog.=) 'available'"
const PlanSpec free_by_category{
    "WITH RECURSIVE categories AS ("
    "(SELECT t.category FROM " AVAILABLE_IN_EVENT " ORDER BY t.category LIMIT 1)"
    " UNION ALL SELECT (SELECT t.category FROM " AVAILABLE_IN_EVENT
    " AND t.category OPERATOR(pg_catalog.>) c.category ORDER BY t.category LIMIT 1)"
    " FROM categories c WHERE c.category IS NOT NULL)"
    " SELECT c.category, LEAST((SELECT pg_catalog.count(*)::pg_catalog.int4 FROM (SELECT 1"
    " FROM " AVAILABLE_IN_EVENT " AND t.category OPERATOR(pg_catalog.=) c.category LIMIT 100) f),"
    " (SELECT pg_catalog.min(u.units)::pg_catalog.int4 FROM ticketing.quota_categories q"
    " CROSS JOIN LATERAL (SELECT COALESCE(pg_catalog.sum(s.remaining), 0) AS units"
    " FROM ticketing.quota_stripes s WHERE s.event_id OPERATOR(pg_catalog.=) $1"
    " AND s.quota_id OPERATOR(pg_catalog.=) q.quota_id) u"
    " WHERE q.event_id OPERATOR(pg_catalog.=) $1 AND q.category OPERATOR(pg_catalog.=) c.category))"
    " FROM categories c WHERE c.category IS NOT NULL",
    1,
    {INT8OID},
    PlanShape::ordered_walk};

#undef AVAILABLE_IN_EVENT

// Entry $2 of event $1 if it is still waiting, locked: (customer).
#define LOCK_ENTRY(lock)                                                                           \
    "SELECT w.customer FROM ticketing.waitlist_entries w WHERE w.event_id OPERATOR(pg_catalog.=)"  \
    " $1 AND w.entry_id OPERATOR(pg_catalog.=) $2 AND w.status OPERATOR(pg_catalog.=) 'waiting'"   \
    " FOR NO KEY UPDATE OF w" lock
const PlanSpec lock_entry_wait{LOCK_ENTRY(""), 2, {INT8OID, INT8OID}};
const PlanSpec lock_entry_nowait{LOCK_ENTRY(" NOWAIT"), 2, {INT8OID, INT8OID}};
const PlanSpec lock_entry_skip{LOCK_ENTRY(" SKIP LOCKED"), 2, {INT8OID, INT8OID}};
#undef LOCK_ENTRY

// Entry $2 offered tickets $4 until $3.
const PlanSpec mark_entry_offered{
    "UPDATE ticketing.waitlist_entries w SET status = 'offered', offered_at = pg_catalog.now(),"
    " offer_expires_at = $3, offered_ticket_ids = $4, skipped_for = NULL, skipped_at = NULL"
    " WHERE w.event_id OPERATOR(pg_catalog.=) $1 AND w.entry_id OPERATOR(pg_catalog.=) $2",
    4,
    {INT8OID, INT8OID, TIMESTAMPTZOID, INT8ARRAYOID}};

// The events whose waiting list is open: event $1 alone, or every one when $1 is NULL.
const PlanSpec open_list_events{
    "SELECT e.event_id FROM ticketing.events e WHERE e.waitlist_open"
    " AND ($1::pg_catalog.int8 IS NULL OR e.event_id OPERATOR(pg_catalog.=) $1)"
    " ORDER BY e.event_id",
    1,
    {INT8OID}};

// Why an offer that fitted went past entry $2 (written when the reason changes). Not
// IS DISTINCT FROM: it names no schema for the `=` it calls, which the caller's
// search_path would then choose, and the calls run as the extension's owner.
const PlanSpec mark_entry_skipped{
    "UPDATE ticketing.waitlist_entries w SET skipped_for = $3, skipped_at = pg_catalog.now()"
    " WHERE w.event_id OPERATOR(pg_catalog.=) $1 AND w.entry_id OPERATOR(pg_catalog.=) $2"
    " AND (w.skipped_for IS NULL OR w.skipped_for OPERATOR(pg_catalog.<>) $3)",
    3,
    {INT8OID, INT8OID, TEXTOID}};

// Customer $2's open entry in event $1: (entry_id, status, offered tickets, offer
// expiry, skipped_for, tickets of the offer still held for the customer).
#define CUSTOMER_ENTRY                                                                             \
    "SELECT w.entry_id, w.status, w.offered_ticket_ids, w.offer_expires_at, w.skipped_for,"        \
    " (SELECT pg_catalog.count(*) FROM ticketing.tickets t WHERE t.event_id"                       \
    " OPERATOR(pg_catalog.=) w.event_id AND t.ticket_id OPERATOR(pg_catalog.=) ANY"                \
    " (w.offered_ticket_ids) AND t.status OPERATOR(pg_catalog.=) 'held' AND t.owner"               \
    " OPERATOR(pg_catalog.=) w.customer AND t.hold_expires_at OPERATOR(pg_catalog.>)"              \
    " pg_catalog.now()) FROM ticketing.waitlist_entries w WHERE w.event_id"                        \
    " OPERATOR(pg_catalog.=) $1 AND w.customer OPERATOR(pg_catalog.=) $2 AND w.status"             \
    " OPERATOR(pg_catalog.=) ANY (ARRAY['waiting', 'offered'])"
const PlanSpec customer_entry{CUSTOMER_ENTRY " FOR NO KEY UPDATE OF w", 2, {INT8OID, TEXTOID}};
const PlanSpec customer_entry_peek{CUSTOMER_ENTRY, 2, {INT8OID, TEXTOID}};
#undef CUSTOMER_ENTRY

const PlanSpec close_entry{
    "UPDATE ticketing.waitlist_entries w SET status = $3, closed_at = pg_catalog.now()"
    " WHERE w.event_id OPERATOR(pg_catalog.=) $1 AND w.entry_id OPERATOR(pg_catalog.=) $2",
    3,
    {INT8OID, INT8OID, TEXTOID}};

const PlanSpec insert_entry{
    "INSERT INTO ticketing.waitlist_entries AS w (event_id, customer, quantity, category,"
    " together, offer_for) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, customer)"
    " WHERE status OPERATOR(pg_catalog.=) ANY (ARRAY['waiting', 'offered']) DO NOTHING"
    " RETURNING w.entry_id",
    6,
    {INT8OID, TEXTOID, INT4OID, TEXTOID, BOOLOID, INTERVALOID}};

const PlanSpec entry_position{
    "SELECT pg_catalog.count(*) FROM ticketing.waitlist_entries w WHERE w.event_id"
    " OPERATOR(pg_catalog.=) $1 AND w.status OPERATOR(pg_catalog.=) 'waiting'"
    " AND w.entry_id OPERATOR(pg_catalog.<=) $2",
    2,
    {INT8OID, INT8OID}};

// The tickets $2 still held for customer $3 (an offer given up) back to inventory, with
// their audit rows: (ticket_id).
const PlanSpec release_offered_holds{
    "WITH returned AS (UPDATE ticketing.tickets t SET status = 'available', owner = NULL,"
    " hold_expires_at = NULL, updated_at = pg_catalog.now() WHERE " GIVEN_TICKETS
    "AND t.status OPERATOR(pg_catalog.=) 'held' AND t.owner OPERATOR(pg_catalog.=) $3"
    " RETURNING t.event_id, t.ticket_id, t.updated_at),"
    " audited AS (" AUDIT_INSERT "SELECT r.event_id, r.ticket_id, 'held', 'available', $3,"
    " r.updated_at FROM returned r RETURNING 1)"
    " SELECT r.ticket_id FROM returned r ORDER BY r.ticket_id",
    3,
    {INT8OID, INT8ARRAYOID, TEXTOID}};

// Carts (1.3, carts.cpp). A cart is found by the SHA-256 of its token ($2), in event $1,
// for customer $3: another customer's token finds nothing, as an unknown one does.
#define CART_BY_TOKEN                                                                              \
    "FROM ticketing.carts c WHERE c.event_id OPERATOR(pg_catalog.=) $1 AND c.token_hash "          \
    "OPERATOR(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to($2, 'UTF8')) "                 \
    "AND c.customer OPERATOR(pg_catalog.=) $3 "
#define CART_STATE                                                                                 \
    "SELECT c.cart_id, c.status, c.expires_at, c.expires_at OPERATOR(pg_catalog.<=) "              \
    "pg_catalog.now(), c.created_at "
// (cart_id, status, expires_at, expired, created_at). Every call that changes a cart or
// holds into it locks its row (FOR NO KEY UPDATE: the items' foreign key only shares
// it), so they run one after another per cart: a hold counts the items (at most 100)
// and a checkout or abandon reads them after every hold before it has committed.
const PlanSpec lock_cart{
    CART_STATE CART_BY_TOKEN "FOR NO KEY UPDATE OF c", 3, {INT8OID, TEXTOID, TEXTOID}};
const PlanSpec peek_cart{CART_STATE CART_BY_TOKEN, 3, {INT8OID, TEXTOID, TEXTOID}};
#undef CART_STATE
#undef CART_BY_TOKEN
// $4: how long it lasts. Returns (cart_id, expires_at).
const PlanSpec insert_cart{
    "INSERT INTO ticketing.carts AS c (event_id, token_hash, customer, expires_at)"
    " VALUES ($1, pg_catalog.sha256(pg_catalog.convert_to($2, 'UTF8')), $3,"
    " pg_catalog.now() OPERATOR(pg_catalog.+) $4) RETURNING c.cart_id, c.expires_at",
    4,
    {INT8OID, TEXTOID, TEXTOID, INTERVALOID}};
// The items go in, and the cart's row is written (unchanged): under REPEATABLE READ a
// checkout, abandon or hold whose snapshot is older than this one then fails with 40001
// when it locks the cart, instead of reading its items without these (its snapshot
// cannot see them, and a row only locked by a committed transaction raises nothing).
const PlanSpec add_cart_items{
    "WITH touched AS (UPDATE ticketing.carts c SET status = c.status"
    " WHERE c.event_id OPERATOR(pg_catalog.=) $1 AND c.cart_id OPERATOR(pg_catalog.=) $2"
    " RETURNING 1)"
    " INSERT INTO ticketing.cart_items (event_id, cart_id, ticket_id)"
    " SELECT $1, $2, i FROM pg_catalog.unnest($3::pg_catalog.int8[]) AS i"
    " ON CONFLICT (event_id, cart_id, ticket_id) DO NOTHING",
    3,
    {INT8OID, INT8OID, INT8ARRAYOID}};
const PlanSpec count_cart_items{
    "SELECT pg_catalog.count(*)::pg_catalog.int4 FROM ticketing.cart_items i"
    " WHERE i.event_id OPERATOR(pg_catalog.=) $1 AND i.cart_id OPERATOR(pg_catalog.=) $2"
    " AND NOT (i.ticket_id OPERATOR(pg_catalog.=) ANY ($3))",
    3,
    {INT8OID, INT8OID, INT8ARRAYOID}};
const PlanSpec cart_item_ids{
    "SELECT i.ticket_id FROM ticketing.cart_items i WHERE i.event_id OPERATOR(pg_catalog.=) $1"
    " AND i.cart_id OPERATOR(pg_catalog.=) $2 ORDER BY i.ticket_id",
    2,
    {INT8OID, INT8OID}};
// $3: open, checked_out, abandoned; $4: the new expiry (NULL: unchanged).
const PlanSpec update_cart{
    "UPDATE ticketing.carts c SET status = $3, expires_at = COALESCE($4, c.expires_at)"
    " WHERE c.event_id OPERATOR(pg_catalog.=) $1 AND c.cart_id OPERATOR(pg_catalog.=) $2",
    4,
    {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}};
// Tickets $2 with their states relative to $3, locked in ascending id order, waiting.
const PlanSpec lock_tickets_wait{TICKET_STATE
                                 "NULL::integer FROM ticketing.tickets t WHERE " GIVEN_TICKETS
                                 "ORDER BY t.ticket_id FOR NO KEY UPDATE OF t",
                                 3,
                                 {INT8OID, INT8ARRAYOID, TEXTOID}};

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
// Check-in and transfer (1.3, checkin_calls.cpp, transfer_calls.cpp, ticket_codes.cpp).
// A ticket's code is a MAC over its owner and sale time (updated_at); an admission sets
// admitted_at and admitted_gate only, so the code stays valid.
// Columns: status, owner, updated_at, admitted_at, admitted_gate, seat, ticket_id.
#define CODED_STATE                                                                                \
    "SELECT t.status, t.owner, t.updated_at, t.admitted_at, t.admitted_gate, t.seat, t.ticket_id"  \
    " FROM ticketing.tickets t WHERE "
const PlanSpec coded_peek{CODED_STATE ONE_TICKET, 2, {INT8OID, INT8OID}};
const PlanSpec coded_lock{CODED_STATE ONE_TICKET " FOR NO KEY UPDATE OF t", 2, {INT8OID, INT8OID}};
const PlanSpec coded_lock_many{CODED_STATE GIVEN_TICKETS
                               "ORDER BY t.ticket_id FOR NO KEY UPDATE OF t",
                               2,
                               {INT8OID, INT8ARRAYOID}};
#undef CODED_STATE
#define ADMISSION_COLUMNS                                                                          \
    "INSERT INTO ticketing.admissions (event_id, ticket_id, customer, gate, admitted_at"
// Admits ticket $2 at gate $5 now if it is still sold to $3 at $4 (the sale the code was
// made for) and not admitted yet; returns the admission time, or no row when the ticket
// changed since the look (a concurrent admission, release or transfer: after waiting for
// it, the UPDATE re-checks the newest version) or a trigger skipped the update.
const PlanSpec admit_current{
    "WITH changed AS (UPDATE ticketing.tickets t"
    " SET admitted_at = pg_catalog.now(), admitted_gate = $5"
    " WHERE " ONE_TICKET " AND t.status OPERATOR(pg_catalog.=) 'sold'"
    " AND t.owner OPERATOR(pg_catalog.=) $3 AND t.updated_at OPERATOR(pg_catalog.=) $4"
    " AND t.admitted_at IS NULL"
    " RETURNING t.event_id, t.ticket_id, t.owner, t.admitted_gate, t.admitted_at),"
    " logged AS (" ADMISSION_COLUMNS ") SELECT c.event_id, c.ticket_id, c.owner,"
    " c.admitted_gate, c.admitted_at FROM changed c RETURNING 1)"
    " SELECT c.admitted_at FROM changed c",
    5,
    {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID}};
// The admissions of locked tickets $2: gate $3[i] at $4[i], replacing the admission
// ($5[i], $6[i]) recorded before (NULL: none), each with its trail row. Returns one row per
// ticket changed.
const PlanSpec admit_tickets{
    "WITH changed AS (UPDATE ticketing.tickets t"
    " SET admitted_at = ($4::pg_catalog.timestamptz[])[" POSITION_OF_TICKET "],"
    " admitted_gate = ($3::pg_catalog.text[])[" POSITION_OF_TICKET "]"
    " WHERE " GIVEN_TICKETS
    " RETURNING t.event_id, t.ticket_id, t.owner, t.admitted_gate, t.admitted_at,"
    " " POSITION_OF_TICKET " AS position),"
    " logged AS (" ADMISSION_COLUMNS ", previous_gate, previous_admitted_at)"
    " SELECT c.event_id, c.ticket_id, c.owner, c.admitted_gate, c.admitted_at,"
    " ($5::pg_catalog.text[])[c.position], ($6::pg_catalog.timestamptz[])[c.position]"
    " FROM changed c ORDER BY c.ticket_id RETURNING 1)"
    " SELECT c.ticket_id FROM changed c",
    6,
    {INT8OID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID}};
#undef ADMISSION_COLUMNS
// (customer, at) of ticket $2's sales and transfers (audit rows into sold), newest first:
// an old code matches one of them.
const PlanSpec past_sales{
    "SELECT a.customer, a.at FROM ticketing.audit_log a"
    " WHERE a.event_id OPERATOR(pg_catalog.=) $1 AND a.ticket_id OPERATOR(pg_catalog.=) $2"
    " AND a.to_status OPERATOR(pg_catalog.=) 'sold' ORDER BY a.audit_id DESC LIMIT 1000",
    2,
    {INT8OID, INT8OID}};
const PlanSpec sold_tickets_of{"SELECT t.ticket_id, t.owner, t.updated_at FROM ticketing.tickets t"
                               " WHERE " GIVEN_TICKETS "AND t.status OPERATOR(pg_catalog.=) 'sold'",
                               2,
                               {INT8OID, INT8ARRAYOID}};
const PlanSpec owned_sold{
    "SELECT t.ticket_id, t.seat, t.updated_at FROM ticketing.tickets t"
    " WHERE t.event_id OPERATOR(pg_catalog.=) $1 AND t.owner OPERATOR(pg_catalog.=) $2"
    " AND t.status OPERATOR(pg_catalog.=) 'sold' ORDER BY t.ticket_id",
    2,
    {INT8OID, TEXTOID}};
// Moves locked ticket $2 from $3 to $4: a new owner and a new sale time (so the old code
// stops matching), with an audit row from sold to sold naming the receiver (customer) and
// the sender (transferred_from). Returns the time and the seat, or no row when a trigger
// skipped the update.
// Whether customer $2 waits in event $1's list with an entry skipped for their limit.
const PlanSpec waiting_at_limit{
    "SELECT 1 FROM ticketing.waitlist_entries w WHERE w.event_id OPERATOR(pg_catalog.=) $1"
    " AND w.customer OPERATOR(pg_catalog.=) $2 AND w.status OPERATOR(pg_catalog.=) 'waiting'"
    " AND w.skipped_for OPERATOR(pg_catalog.=) 'limit_reached' LIMIT 1",
    2,
    {INT8OID, TEXTOID}};

const PlanSpec transfer_ticket{
    "WITH moved AS (UPDATE ticketing.tickets t SET owner = $4, updated_at = pg_catalog.now()"
    " WHERE " ONE_TICKET " AND t.status OPERATOR(pg_catalog.=) 'sold'"
    " AND t.owner OPERATOR(pg_catalog.=) $3 AND t.admitted_at IS NULL"
    " RETURNING t.event_id, t.ticket_id, t.updated_at, t.seat),"
    " audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status,"
    " customer, at, transferred_from) SELECT m.event_id, m.ticket_id, 'sold', 'sold', $4,"
    " m.updated_at, $3 FROM moved m RETURNING 1)"
    " SELECT m.updated_at, m.seat FROM moved m",
    4,
    {INT8OID, INT8OID, TEXTOID, TEXTOID}};
const PlanSpec ticket_admitted{
    "SELECT t.admitted_at IS NOT NULL FROM ticketing.tickets t WHERE " ONE_TICKET,
    2,
    {INT8OID, INT8OID}};
const PlanSpec delete_secrets{"DELETE FROM ticketing.code_secret", 0, {}};
const PlanSpec insert_secret{"INSERT INTO ticketing.code_secret AS s (secret) VALUES ($1)"
                             " RETURNING s.created_at",
                             1,
                             {BYTEAOID}};

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
    case PlanId::claimable_between_now:
        return claimable_between_now;
    case PlanId::claimable_between_category:
        return claimable_between_category;
    case PlanId::claimable_between_other:
        return claimable_between_other;
    case PlanId::claimable_between_other_now:
        return claimable_between_other_now;
    case PlanId::claimable_between_category_now:
        return claimable_between_category_now;
    case PlanId::count_claimable_category:
        return count_claimable_category;
    case PlanId::count_claimable_category_now:
        return count_claimable_category_now;
    case PlanId::claimable_candidates_category:
        return claimable_candidates_category;
    case PlanId::claimable_candidates_category_now:
        return claimable_candidates_category_now;
    case PlanId::claimable_candidates_other:
        return claimable_candidates_other;
    case PlanId::claimable_candidates_other_now:
        return claimable_candidates_other_now;
    case PlanId::take_one_from:
        return take_one_from;
    case PlanId::take_one_before:
        return take_one_before;
    case PlanId::claimable_candidates:
        return claimable_candidates;
    case PlanId::claimable_candidates_now:
        return claimable_candidates_now;
    case PlanId::count_claimable:
        return count_claimable;
    case PlanId::count_claimable_now:
        return count_claimable_now;
    case PlanId::event_limit:
        return event_limit;
    case PlanId::event_limit_quotas:
        return event_limit_quotas;
    case PlanId::max_ticket_id:
        return max_ticket_id;
    case PlanId::category_unsold_range:
        return category_unsold_range;
    case PlanId::batch_peek:
        return batch_peek;
    case PlanId::batch_lock:
        return batch_lock;
    case PlanId::batch_sell_available:
        return batch_sell_available;
    case PlanId::batch_transition:
        return batch_transition;
    case PlanId::batch_hold:
        return batch_hold;
    case PlanId::find_cart_skip:
        return find_cart_skip;
    case PlanId::event_quotas:
        return event_quotas;
    case PlanId::ticket_categories:
        return ticket_categories;
    case PlanId::write_customer_slot:
        return write_customer_slot;
    case PlanId::count_customer_tickets:
        return count_customer_tickets;
    case PlanId::units_needed:
        return units_needed;
    case PlanId::quota_cover:
        return quota_cover;
    case PlanId::quota_categories:
        return quota_categories;
    case PlanId::take_units:
        return take_units;
    case PlanId::take_units_before:
        return take_units_before;
    case PlanId::spread_units:
        return spread_units;
    case PlanId::give_units:
        return give_units;
    case PlanId::give_units_before:
        return give_units_before;
    case PlanId::give_units_new_stripe:
        return give_units_new_stripe;
    case PlanId::quota_remaining:
        return quota_remaining;
    case PlanId::expire_lapsed:
        return expire_lapsed;
    case PlanId::lock_cart:
        return lock_cart;
    case PlanId::peek_cart:
        return peek_cart;
    case PlanId::insert_cart:
        return insert_cart;
    case PlanId::add_cart_items:
        return add_cart_items;
    case PlanId::cart_item_ids:
        return cart_item_ids;
    case PlanId::count_cart_items:
        return count_cart_items;
    case PlanId::update_cart:
        return update_cart;
    case PlanId::lock_tickets_wait:
        return lock_tickets_wait;
    case PlanId::select_key:
        return select_key;
    case PlanId::store_key:
        return store_key;
    case PlanId::expire_given_wait:
        return expire_given_wait;
    case PlanId::expire_given_nowait:
        return expire_given_nowait;
    case PlanId::expire_given_skip:
        return expire_given_skip;
    case PlanId::waiting_entries:
        return waiting_entries;
    case PlanId::free_by_category:
        return free_by_category;
    case PlanId::lock_entry_wait:
        return lock_entry_wait;
    case PlanId::lock_entry_nowait:
        return lock_entry_nowait;
    case PlanId::lock_entry_skip:
        return lock_entry_skip;
    case PlanId::mark_entry_offered:
        return mark_entry_offered;
    case PlanId::mark_entry_skipped:
        return mark_entry_skipped;
    case PlanId::open_list_events:
        return open_list_events;
    case PlanId::customer_entry:
        return customer_entry;
    case PlanId::customer_entry_peek:
        return customer_entry_peek;
    case PlanId::close_entry:
        return close_entry;
    case PlanId::insert_entry:
        return insert_entry;
    case PlanId::entry_position:
        return entry_position;
    case PlanId::release_offered_holds:
        return release_offered_holds;
    case PlanId::select_key_1_1:
        return select_key_1_1;
    case PlanId::store_key_1_1:
        return store_key_1_1;
    case PlanId::coded_peek:
        return coded_peek;
    case PlanId::coded_lock:
        return coded_lock;
    case PlanId::coded_lock_many:
        return coded_lock_many;
    case PlanId::admit_current:
        return admit_current;
    case PlanId::admit_tickets:
        return admit_tickets;
    case PlanId::past_sales:
        return past_sales;
    case PlanId::sold_tickets_of:
        return sold_tickets_of;
    case PlanId::owned_sold:
        return owned_sold;
    case PlanId::transfer_ticket:
        return transfer_ticket;
    case PlanId::waiting_at_limit:
        return waiting_at_limit;
    case PlanId::ticket_admitted:
        return ticket_admitted;
    case PlanId::delete_secrets:
        return delete_secrets;
    case PlanId::insert_secret:
        return insert_secret;
    case PlanId::count_:
        break;
    }
    throw DomainError(ErrorKind::internal, "unknown prepared statement");
}

} // namespace ticketing::backend
