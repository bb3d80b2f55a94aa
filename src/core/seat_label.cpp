#include "seat_label.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace ticketing {

namespace {

std::optional<std::int64_t> parse_number(std::string_view text) {
    if (text.empty() || text.size() > 18 || text.front() == '0') {
        return std::nullopt;
    }
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

std::optional<SeatLabel> parse_seat_label(std::string_view label) {
    const auto first = label.find('-');
    if (first == std::string_view::npos || first == 0) {
        return std::nullopt;
    }
    const std::string_view section = label.substr(0, first);
    const std::string_view rest = label.substr(first + 1);
    const auto second = rest.find('-');
    std::string_view row;
    std::string_view number_text = rest;
    if (second != std::string_view::npos) {
        row = rest.substr(0, second);
        number_text = rest.substr(second + 1);
        if (row.empty() || number_text.find('-') != std::string_view::npos) {
            return std::nullopt;
        }
    }
    const auto number = parse_number(number_text);
    if (!number) {
        return std::nullopt;
    }
    return SeatLabel{section, row, *number};
}

std::vector<std::vector<std::int64_t>>
find_adjacent_runs(const std::vector<SeatCandidate>& candidates, int quantity, int max_runs) {
    std::vector<std::vector<std::int64_t>> runs;
    if (quantity <= 0 || max_runs <= 0) {
        return runs;
    }
    // Seats per row, keyed by (section, row), remembering where each row first appeared.
    struct Row {
        std::size_t first_seen;
        std::vector<std::pair<std::int64_t, std::int64_t>> seats; // (number, ticket id)
    };
    std::map<std::pair<std::string_view, std::string_view>, Row> rows;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto label = parse_seat_label(candidates[i].label);
        if (!label) {
            continue;
        }
        auto [it, inserted] = rows.try_emplace({label->section, label->row}, Row{i, {}});
        it->second.seats.emplace_back(label->number, candidates[i].ticket_id);
    }
    std::vector<const Row*> ordered;
    for (auto& entry : rows) {
        std::sort(entry.second.seats.begin(), entry.second.seats.end());
        ordered.push_back(&entry.second);
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const Row* a, const Row* b) { return a->first_seen < b->first_seen; });
    for (const Row* row : ordered) {
        const auto& seats = row->seats;
        std::size_t start = 0; // first seat of the current stretch of consecutive numbers
        for (std::size_t i = 0; i < seats.size(); ++i) {
            if (i > start && seats[i].first != seats[i - 1].first + 1) {
                start = i; // a gap (or a duplicate number) starts a new stretch
            }
            if (static_cast<int>(i - start + 1) >= quantity) {
                // The window of `quantity` seats ending at seat i.
                std::vector<std::int64_t> run;
                for (std::size_t j = i + 1 - quantity; j <= i; ++j) {
                    run.push_back(seats[j].second);
                }
                runs.push_back(std::move(run));
                if (static_cast<int>(runs.size()) == max_runs) {
                    return runs;
                }
            }
        }
    }
    return runs;
}

AdjacentRunSearch::AdjacentRunSearch(int quantity) : quantity_(quantity) {}

std::vector<std::vector<std::int64_t>>
AdjacentRunSearch::add_page(const std::vector<SeatCandidate>& page) {
    std::vector<std::vector<std::int64_t>> runs;
    if (quantity_ <= 0) {
        return runs;
    }
    // The rows this page touches, in order of first appearance, each with its new seats.
    std::vector<std::vector<Seat>*> touched;
    for (const SeatCandidate& candidate : page) {
        const auto label = parse_seat_label(candidate.label);
        if (!label) {
            continue;
        }
        auto [it, inserted] = rows_.try_emplace(
            {std::string(label->section), std::string(label->row)}, std::vector<Seat>{});
        std::vector<Seat>& seats = it->second;
        if (std::find(touched.begin(), touched.end(), &seats) == touched.end()) {
            touched.push_back(&seats);
        }
        seats.push_back(Seat{label->number, candidate.ticket_id, true});
    }
    for (std::vector<Seat>* row : touched) {
        std::vector<Seat>& seats = *row;
        std::sort(seats.begin(), seats.end(),
                  [](const Seat& a, const Seat& b) { return a.number < b.number; });
        std::size_t start = 0; // first seat of the current stretch of consecutive numbers
        for (std::size_t i = 0; i < seats.size(); ++i) {
            if (i > start && seats[i].number != seats[i - 1].number + 1) {
                start = i; // a gap (or a duplicate number) starts a new stretch
            }
            if (static_cast<int>(i - start + 1) < quantity_) {
                continue;
            }
            // The window of `quantity` seats ending at seat i, if it holds a new seat.
            const std::size_t first = i + 1 - static_cast<std::size_t>(quantity_);
            bool has_new = false;
            for (std::size_t j = first; j <= i; ++j) {
                has_new = has_new || seats[j].on_this_page;
            }
            if (has_new) {
                std::vector<std::int64_t> run;
                for (std::size_t j = first; j <= i; ++j) {
                    run.push_back(seats[j].ticket_id);
                }
                runs.push_back(std::move(run));
            }
        }
        for (Seat& seat : seats) {
            seat.on_this_page = false;
        }
    }
    return runs;
}

} // namespace ticketing
