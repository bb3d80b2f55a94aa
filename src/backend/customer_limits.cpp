#include "customer_limits.hpp"

#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "subtransaction.hpp"

namespace ticketing::backend {

SlotWait slot_wait_for(LockWait wait) {
    if (wait.policy == WaitPolicy::bounded) {
        return SlotWait{SlotWait::bounded, wait.bound_ms};
    }
    return SlotWait{SlotWait::wait, 0};
}

std::optional<std::int64_t> lock_and_count_customer(std::int64_t event_id, Datum customer,
                                                    SlotWait wait) {
    pg_call([] { lock_table(OwnTable::customer_slots); });
    Datum args[] = {Int64GetDatum(event_id), customer};
    if (wait.kind == SlotWait::wait) {
        run_plan(PlanId::lock_customer_slot, args, nullptr);
    } else if (wait.kind == SlotWait::bounded) {
        if (!within_wait_bound(wait.bound_ms,
                               [&] { run_plan(PlanId::lock_customer_slot, args, nullptr); })) {
            return std::nullopt;
        }
    } else {
        run_plan(PlanId::ensure_customer_slot, args, nullptr);
        if (run_plan(PlanId::lock_customer_slot_skip, args, nullptr) == 0) {
            return std::nullopt;
        }
    }
    run_plan(PlanId::count_customer_tickets, args, nullptr);
    std::int64_t owned = 0;
    pg_call([&] {
        bool is_null = false;
        owned =
            DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    return owned;
}

SlotAdmission admit_customer(std::int64_t event_id, Datum customer, std::int64_t limit, int added,
                             SlotWait wait) {
    const std::optional<std::int64_t> owned = lock_and_count_customer(event_id, customer, wait);
    if (!owned) {
        return SlotAdmission::busy;
    }
    return *owned + added <= limit ? SlotAdmission::admitted : SlotAdmission::limit_reached;
}

} // namespace ticketing::backend
