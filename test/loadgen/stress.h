// `ticketing-load stress`: random claims (wait/nowait/skip) and releases for a fixed time,
// then consistency checks against the database.
#pragma once

#include "options.h"

namespace loadgen {

// Returns the process exit status: 0 if every check passed, 1 on a failed check, 2 on setup
// errors, 130 if interrupted.
int run_stress(const Options& options);

} // namespace loadgen
