// One named post-run check: passes unless fail() is called; keeps the first few details.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

struct Check {
    static constexpr std::size_t kMaxDetails = 10;

    std::string name; // e.g. "(a) verify(event) is empty"
    bool passed = true;
    std::vector<std::string> details;
    std::uint64_t failures = 0; // fail() calls, including those beyond the kept details

    void fail(const std::string& detail);
};

// Prints "ok:   <name>" to stdout, or "FAIL: <name>" and "FAIL:   <detail>" lines to stderr.
void report(const Check& check);

// Reports every check in order; returns true if all passed.
bool report_all(const std::vector<Check>& checks);

} // namespace loadgen
