// Module initialisation: the extension's settings.
#include "../backend/idempotency.hpp"

extern "C" {

void _PG_init(void);

void _PG_init(void) {
    ticketing::backend::define_idempotency_settings();
}

} // extern "C"
