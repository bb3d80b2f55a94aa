// Module initialisation: the extension's settings and, when preloaded, its shared
// memory for ticketing.stats.
#include "../backend/idempotency.hpp"
#include "../backend/stats.hpp"

extern "C" {

void _PG_init(void);

void _PG_init(void) {
    ticketing::backend::define_idempotency_settings();
    ticketing::backend::install_stats_hooks();
}

} // extern "C"
