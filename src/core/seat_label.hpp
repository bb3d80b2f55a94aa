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
// order; rows in the order of their first appearance among the candidates, and within a
// row every window from the lowest seat number up (free seats 1-3 yield 1-2, then 2-3,
// so a block partly taken by someone else still leaves the next one to try). At most
// `max_runs` runs.
std::vector<std::vector<std::int64_t>>
find_adjacent_runs(const std::vector<SeatCandidate>& candidates, int quantity, int max_runs);

} // namespace ticketing
