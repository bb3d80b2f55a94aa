// Seat labels and adjacency.
//
// A seated ticket's label is SECTION-ROW-NUMBER (e.g. "B-12-7": section B, row 12, seat
// 7) or SECTION-NUMBER for a section with one row ("GA-17"). SECTION and ROW are
// non-empty and contain no '-'; NUMBER is a positive decimal integer without sign or
// leading zeros. Seats are adjacent when they share section and row and their numbers
// are consecutive. Labels outside this format are valid seats but never adjacent.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// The same search over a whole event read page by page in ticket-id order, so no run is
// missed however many seats come before it. Every page's seats are kept (id and number,
// per row), so a run whose seats arrive on different pages, in any order, is found on
// the page that completes it.
class AdjacentRunSearch {
  public:
    explicit AdjacentRunSearch(int quantity);

    // Adds the next page of candidates and returns the runs it completes: every window of
    // `quantity` consecutive seats of one row that includes at least one seat of this
    // page, rows in the order of their first appearance on the page, windows within a row
    // from the lowest seat up (as find_adjacent_runs orders them). The labels are copied.
    std::vector<std::vector<std::int64_t>> add_page(const std::vector<SeatCandidate>& page);

  private:
    struct Seat {
        std::int64_t number;
        std::int64_t ticket_id;
        bool on_this_page;
    };
    int quantity_;
    std::map<std::pair<std::string, std::string>, std::vector<Seat>> rows_; // seats by number
};

} // namespace ticketing
