// The seats of one event, by ticket id, and the seat-label rules the client checks answers
// against: SECTION-ROW-NUMBER labels; adjacent seats share section and row and have
// consecutive numbers.
#pragma once

#include "pg.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

class SeatMap {
  public:
    std::int64_t max_ticket_id() const { return static_cast<std::int64_t>(seats_.size()) - 1; }
    std::int64_t ticket_count() const { return count_; }
    // The seat label of a ticket; nullptr if the event has no such ticket.
    const std::string* seat(std::int64_t ticket_id) const;
    // Distinct sections (the text before the first '-'), sorted.
    const std::vector<std::string>& sections() const { return sections_; }

    // Reads every ticket of the event. nullopt with *error set on failure.
    static std::optional<SeatMap> fetch(Connection& conn, std::int64_t event_id,
                                        std::string* error);

  private:
    std::vector<std::string> seats_; // index: ticket id; "" where no ticket
    std::int64_t count_ = 0;
    std::vector<std::string> sections_;
};

// "B" for "B-12-7"; the whole label if it has no '-'.
std::string section_of(const std::string& label);

// True if the labels name consecutive seats of one row ("A-3-4", "A-3-5", ...), in any order.
bool adjacent_seats(const std::vector<std::string>& labels);

} // namespace loadgen
