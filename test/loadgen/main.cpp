// ticketing-load: multi-threaded libpq load generator for the ticketing extension.
#include "mixed.h"
#include "options.h"
#include "sellout.h"
#include "signals.h"
#include "stress.h"

#include <iostream>

int main(int argc, char** argv) {
    const loadgen::ParsedOptions parsed = loadgen::parse_options(argc, argv);
    if (parsed.show_help) {
        loadgen::print_usage(std::cout);
        return 0;
    }
    if (!parsed.error.empty()) {
        std::cerr << "ticketing-load: " << parsed.error << "\n\n";
        loadgen::print_usage(std::cerr);
        return 2;
    }
    loadgen::install_interrupt_handlers();
    switch (parsed.options.mode) {
    case loadgen::Mode::Sellout:
        return loadgen::run_sellout(parsed.options);
    case loadgen::Mode::Stress:
        return loadgen::run_stress(parsed.options);
    case loadgen::Mode::Mixed:
        return loadgen::run_mixed(parsed.options);
    }
    return 2;
}
