#include "seat_map.h"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace loadgen {

namespace {

struct ParsedSeat {
    std::string section_row;
    std::int64_t number = 0;
};

std::optional<ParsedSeat> parse(const std::string& label) {
    const std::size_t dash = label.rfind('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == label.size()) {
        return std::nullopt;
    }
    char* end = nullptr;
    const long long number = std::strtoll(label.c_str() + dash + 1, &end, 10);
    if (*end != '\0' || number <= 0) {
        return std::nullopt;
    }
    return ParsedSeat{label.substr(0, dash), number};
}

} // namespace

const std::string* SeatMap::seat(std::int64_t ticket_id) const {
    if (ticket_id <= 0 || ticket_id > max_ticket_id() ||
        seats_[static_cast<std::size_t>(ticket_id)].empty()) {
        return nullptr;
    }
    return &seats_[static_cast<std::size_t>(ticket_id)];
}

std::optional<SeatMap> SeatMap::fetch(Connection& conn, std::int64_t event_id, std::string* error) {
    Result res = conn.exec("SELECT ticket_id, seat FROM ticketing.tickets "
                           "WHERE event_id = $1::bigint ORDER BY ticket_id",
                           {std::to_string(event_id)});
    if (!res.ok()) {
        *error = "reading seats: " + res.error_message();
        return std::nullopt;
    }
    SeatMap map;
    const int rows = res.rows();
    const std::int64_t highest = rows == 0 ? 0 : res.int64(rows - 1, 0);
    map.seats_.assign(static_cast<std::size_t>(highest) + 1, std::string());
    std::set<std::string> sections;
    for (int row = 0; row < rows; ++row) {
        const std::string seat = res.text(row, 1);
        map.seats_[static_cast<std::size_t>(res.int64(row, 0))] = seat;
        sections.insert(section_of(seat));
    }
    map.count_ = rows;
    map.sections_.assign(sections.begin(), sections.end());
    return map;
}

std::string section_of(const std::string& label) {
    return label.substr(0, label.find('-'));
}

bool adjacent_seats(const std::vector<std::string>& labels) {
    std::vector<ParsedSeat> seats;
    for (const std::string& label : labels) {
        const auto seat = parse(label);
        if (!seat) {
            return false;
        }
        seats.push_back(*seat);
    }
    std::sort(seats.begin(), seats.end(),
              [](const ParsedSeat& a, const ParsedSeat& b) { return a.number < b.number; });
    for (std::size_t i = 1; i < seats.size(); ++i) {
        if (seats[i].section_row != seats[0].section_row ||
            seats[i].number != seats[i - 1].number + 1) {
            return false;
        }
    }
    return true;
}

} // namespace loadgen
