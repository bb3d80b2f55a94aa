// Module initialisation: the extension's settings, the planner hook that plans its
// statements with default settings and, when preloaded, its shared memory for
// ticketing.stats and the live feed's notifier (feed_shared.hpp).
#include "../backend/carts.hpp"
#include "../backend/feed_shared.hpp"
#include "../backend/idempotency.hpp"
#include "../backend/plan_settings.hpp"
#include "../backend/schema_shape.hpp"
#include "../backend/stats.hpp"
#include "../backend/ticket_codes.hpp"

extern "C" {

// PostgreSQL calls a library's _PG_init by that name when it loads it.
void _PG_init(void); // NOLINT(bugprone-reserved-identifier)

void _PG_init(void) { // NOLINT(bugprone-reserved-identifier)
    ticketing::backend::define_idempotency_settings();
    ticketing::backend::define_cart_settings();
    ticketing::backend::install_stats_hooks();
    ticketing::backend::register_schema_shape_reset();
    ticketing::backend::register_code_secret_reset();
    ticketing::backend::install_planner_hook();
    ticketing::backend::install_feed();
}

// idempotency_retention_seconds(): the retention the key lookups use, for
// purge_idempotency_keys(). Being a function of the library, calling it loads the
// library first, and loading drops a value of ticketing.idempotency_retention that a role
// without the right to set it set before (current_setting() from SQL would read that).
PG_FUNCTION_INFO_V1(ticketing_idempotency_retention_seconds);
Datum ticketing_idempotency_retention_seconds(PG_FUNCTION_ARGS) {
    (void)fcinfo;
    PG_RETURN_INT32(ticketing::backend::idempotency_retention_seconds);
}

} // extern "C"
