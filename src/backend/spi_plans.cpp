#include "spi_plans.hpp"

#include "pg_guard.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
}

namespace ticketing::backend {

namespace {

constexpr int max_plan_args = 7;

struct PlanSpec {
    const char* sql;
    int nargs;
    Oid argtypes[max_plan_args];
};

// Columns shared by the peek and the lock statements, relative to customer $3.
#define TICKET_STATE_COLUMNS                                                                       \
    "SELECT status, coalesce(owner = $3, false) AS mine, "                                         \
    "coalesce(status = 'held' AND hold_expires_at <= now(), false) AS hold_expired, "             \
    "seat, updated_at, hold_expires_at "                                                           \
    "FROM ticketing.tickets WHERE event_id = $1 AND ticket_id = $2"

const PlanSpec plan_specs[] = {
    /* peek_ticket */ {TICKET_STATE_COLUMNS, 3, {INT8OID, INT8OID, TEXTOID}},
    /* lock_ticket_wait */ {TICKET_STATE_COLUMNS " FOR UPDATE", 3, {INT8OID, INT8OID, TEXTOID}},
    /* lock_ticket_nowait */
    {TICKET_STATE_COLUMNS " FOR UPDATE NOWAIT", 3, {INT8OID, INT8OID, TEXTOID}},
    /* lock_ticket_skip */
    {TICKET_STATE_COLUMNS " FOR UPDATE SKIP LOCKED", 3, {INT8OID, INT8OID, TEXTOID}},
    /* transition_ticket: $3 new status, $4 new owner, $5 hold expiry, $6 old status,
       $7 the customer who caused it */
    {"WITH changed AS ("
     " UPDATE ticketing.tickets"
     " SET status = $3, owner = $4, hold_expires_at = $5, updated_at = now()"
     " WHERE event_id = $1 AND ticket_id = $2"
     " RETURNING event_id, ticket_id, updated_at) "
     "INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)"
     " SELECT event_id, ticket_id, $6, $3, $7, updated_at FROM changed"
     " RETURNING at",
     7,
     {INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID}},
};

#undef TICKET_STATE_COLUMNS

static_assert(sizeof(plan_specs) / sizeof(plan_specs[0]) == static_cast<int>(PlanId::count_),
              "one PlanSpec per PlanId");

// Kept plans live in CacheMemoryContext for the life of the backend. The plan cache
// re-plans them after DDL (DROP/CREATE EXTENSION included).
SPIPlanPtr kept_plans[static_cast<int>(PlanId::count_)];

SPIPlanPtr prepared(PlanId id) {
    const int index = static_cast<int>(id);
    if (kept_plans[index] == nullptr) {
        const PlanSpec& spec = plan_specs[index];
        SPIPlanPtr plan = nullptr;
        pg_call([&] {
            plan = SPI_prepare(spec.sql, spec.nargs, const_cast<Oid*>(spec.argtypes));
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

std::uint64_t run_plan(PlanId id, Datum* values, const char* nulls) {
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

void spi_connect() {
    pg_call([] {
        if (SPI_connect() != SPI_OK_CONNECT) {
            elog(ERROR, "ticketing: SPI_connect failed");
        }
    });
}

void spi_finish() {
    pg_call([] { SPI_finish(); });
}

} // namespace ticketing::backend
