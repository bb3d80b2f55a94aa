// What a transaction changed, for the feed's notifications: the AFTER INSERT FOR EACH ROW
// trigger on ticketing.audit_log remembers each row's event and audit id for the
// transaction (per savepoint: a rolled-back one announces nothing); at commit they go to
// the notifier (feed_shared.hpp). Only when the library was preloaded; otherwise the
// trigger returns at once. (The order of the feed rests on ticketing.next_audit_id, the
// audit id's default: feed_bound.hpp.)
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

// The row trigger's body. Inside pg_call.
void feed_capture_trigger(FunctionCallInfo fcinfo);

} // namespace ticketing::backend
