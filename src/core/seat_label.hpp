// Seat labels and adjacency.
//
// A seated ticket's label is SECTION-ROW-NUMBER (e.g. "B-12-7": section B, row 12, seat
// 7) or SECTION-NUMBER for a section with one row ("GA-17"). SECTION and ROW are
// non-empty and contain no '-'; NUMBER is a positive decimal integer without sign or
// leading zeros. Seats are adjacent when they share section and row and their numbers
// are consecutive. Labels outside this format are valid seats but never adjacent.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ticketing {

struct SeatLabel {
    std::string_view section;
    std::string_view row; // empty for SECTION-NUMBER labels
    std::int64_t number;
};

std::optional<SeatLabel> parse_seat_label(std::string_view label);

struct SeatCandidate {
    std::int64_t ticket_id;
    std::string_view label;
};

// Runs of `quantity` adjacent seats among the candidates, each as ticket ids in seat
// order, in the order of their first appearance among the candidates; overlapping runs
// are not repeated (a row of 5 free seats yields one run of 2 for seats 1-2, one for
// 3-4). At most `max_runs` runs.
std::vector<std::vector<std::int64_t>>
find_adjacent_runs(const std::vector<SeatCandidate>& candidates, int quantity, int max_runs);

} // namespace ticketing
