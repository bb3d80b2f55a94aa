// `ticketing-load sellout`: buy random tickets until the event is sold out, then report.
#pragma once

#include "options.h"

namespace loadgen {

// Returns the process exit status: 0 on a clean sell-out, 1 on a failed check, 2 on setup
// errors, 130 if interrupted.
int run_sellout(const Options& options);

} // namespace loadgen
