#include "client_common.h"

#include "format.h"

#include <algorithm>
#include <ostream>
#include <random>

namespace loadgen {

std::string customer_name(int index) {
    return "buyer-" + std::to_string(index + 1);
}

std::uint64_t resolve_seed(std::uint64_t seed) {
    if (seed != 0) {
        return seed;
    }
    std::random_device device;
    const std::uint64_t random = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    return random == 0 ? 1 : random;
}

std::uint64_t client_seed(std::uint64_t base, int index) {
    // splitmix64 step so that neighbouring indices get unrelated streams.
    std::uint64_t z = base + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

const std::vector<std::string>& claim_outcome_kinds() {
    static const std::vector<std::string> kinds = {
        "claimed", "already_owned", "already_sold", "held", "not_found", "busy",
    };
    return kinds;
}

void add_outcome_rows(Table& table, const CallStats& stats, const std::vector<std::string>& kinds) {
    for (const std::string& kind : kinds) {
        table.add("  " + kind, with_commas(stats.outcome(kind)));
    }
    for (const auto& [kind, count] : stats.outcomes) {
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
            table.add("  " + kind + " (unexpected)", with_commas(count));
        }
    }
}

void add_error_rows(Table& table, const CallStats& stats) {
    table.add("errors", with_commas(stats.error_count()));
    for (const auto& [state, count] : stats.errors) {
        table.add("  " + state, with_commas(count));
    }
}

void print_error_examples(std::ostream& out, const CallStats& stats) {
    for (const auto& [state, message] : stats.error_examples) {
        out << "error " << state << ": " << message << "\n";
    }
}

} // namespace loadgen
