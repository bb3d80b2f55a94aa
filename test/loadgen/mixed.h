// `ticketing-load mixed`: every call of the extension at random, from shared customers on
// many connections, with idempotent retries and rolled-back calls; then the database and
// its audit log are checked against everything the clients were told.
#pragma once

#include "options.h"

namespace loadgen {

// Returns the process exit status: 0 if every check passed, 1 on a failed check, 2 on setup
// errors, 130 if interrupted.
int run_mixed(const Options& options);

} // namespace loadgen
