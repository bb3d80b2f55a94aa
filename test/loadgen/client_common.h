// Small helpers shared by the sellout and stress clients.
#pragma once

#include "stats.h"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace loadgen {

// "buyer-<index+1>"
std::string customer_name(int index);
// `seed` if non-zero, else a random one.
std::uint64_t resolve_seed(std::uint64_t seed);
// A distinct, reproducible seed for client `index`.
std::uint64_t client_seed(std::uint64_t base, int index);

// The claim outcomes listed (even at zero) in every report, in order.
const std::vector<std::string>& claim_outcome_kinds();

class Table;
// Adds "  <outcome>  <count>" rows: `kinds` first (even at zero), then any others observed.
void add_outcome_rows(Table& table, const CallStats& stats, const std::vector<std::string>& kinds);
// Adds an "errors" row plus one row per SQLSTATE.
void add_error_rows(Table& table, const CallStats& stats);
// Prints "error <SQLSTATE>: <first message>" lines for each SQLSTATE seen.
void print_error_examples(std::ostream& out, const CallStats& stats);

} // namespace loadgen
