#include "check.h"

#include <iostream>

namespace loadgen {

void Check::fail(const std::string& detail) {
    passed = false;
    ++failures;
    if (details.size() < kMaxDetails) {
        details.push_back(detail);
    }
}

void report(const Check& check) {
    if (check.passed) {
        std::cout << "ok:   " << check.name << "\n";
        return;
    }
    std::cerr << "FAIL: " << check.name << "\n";
    for (const std::string& detail : check.details) {
        std::cerr << "FAIL:   " << detail << "\n";
    }
    if (check.failures > check.details.size()) {
        std::cerr << "FAIL:   ... " << check.failures - check.details.size() << " more\n";
    }
}

bool report_all(const std::vector<Check>& checks) {
    bool all_passed = true;
    std::cout.flush();
    for (const Check& check : checks) {
        report(check);
        std::cout.flush();
        all_passed = all_passed && check.passed;
    }
    std::cout.flush();
    return all_passed;
}

} // namespace loadgen
