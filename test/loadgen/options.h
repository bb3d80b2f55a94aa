// Command-line options of ticketing-load.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace loadgen {

enum class Mode { Sellout, Stress, Mixed };

// How the sellout monitor shows progress: `\r`-updated line, a line per second, or nothing.
enum class ProgressStyle { Auto, Tty, Plain, None };

struct Options {
    Mode mode = Mode::Sellout;
    std::string conninfo;       // empty: PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD
    int clients = 16;           // one thread + one connection each (mixed: 32)
    std::int64_t event_id = 0;  // required
    std::int64_t tickets = 0;   // ticket ids 1..tickets; 0: the event's total
    double duration_s = 10.0;   // stress/mixed: how long to run (mixed: 20)
    double max_seconds = 120.0; // hard cap on any run
    int release_percent = 30;   // stress: chance per iteration to release an owned ticket
    int customers = 64;         // mixed: customer names shared by all clients
    std::uint64_t seed = 0;     // 0: random
    std::string label;          // stress/mixed: scenario name for the PASS/FAIL line
    ProgressStyle progress = ProgressStyle::Auto;
};

struct ParsedOptions {
    Options options;
    bool show_help = false;
    std::string error; // non-empty: invalid command line
};

ParsedOptions parse_options(int argc, char** argv);
void print_usage(std::ostream& out);

} // namespace loadgen
