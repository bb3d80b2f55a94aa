// Seat label parsing and the search for adjacent seats.
#include "seat_label.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <vector>

using namespace ticketing;

BOOST_AUTO_TEST_SUITE(seat_labels)

BOOST_AUTO_TEST_CASE(section_row_number_parses) {
    const auto label = parse_seat_label("B-12-7");
    BOOST_REQUIRE(label.has_value());
    BOOST_TEST(label->section == "B");
    BOOST_TEST(label->row == "12");
    BOOST_TEST(label->number == 7);
}

BOOST_AUTO_TEST_CASE(section_number_parses_with_empty_row) {
    const auto label = parse_seat_label("GA-17");
    BOOST_REQUIRE(label.has_value());
    BOOST_TEST(label->section == "GA");
    BOOST_TEST(label->row.empty());
    BOOST_TEST(label->number == 17);
}

BOOST_AUTO_TEST_CASE(malformed_labels_are_rejected) {
    for (std::string_view bad : {"", "17", "A", "A-", "-1", "A--1", "A-1-", "A-1-2-3", "A-01",
                                 "A-0", "A-x", "A-1-+2", "A-1-99999999999999999999"}) {
        BOOST_TEST(!parse_seat_label(bad).has_value(), "accepted \"" << bad << "\"");
    }
}

BOOST_AUTO_TEST_CASE(adjacent_run_in_one_row) {
    const std::vector<SeatCandidate> seats = {
        {1, "A-1-1"}, {2, "A-1-2"}, {4, "A-1-4"}, {5, "A-1-5"}, {6, "A-1-6"}};
    const auto runs = find_adjacent_runs(seats, 3, 10);
    BOOST_REQUIRE_EQUAL(runs.size(), 1u);
    BOOST_TEST(runs[0] == (std::vector<std::int64_t>{4, 5, 6}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rows_and_sections_do_not_join) {
    const std::vector<SeatCandidate> seats = {
        {1, "A-1-9"}, {2, "A-2-10"}, {3, "B-1-10"}, {4, "A-1-11"}};
    BOOST_TEST(find_adjacent_runs(seats, 2, 10).empty());
}

BOOST_AUTO_TEST_CASE(runs_follow_the_order_of_first_appearance) {
    // Row B-1 appears first among the candidates (lowest ticket id), so it is offered first.
    const std::vector<SeatCandidate> seats = {
        {10, "B-1-2"}, {11, "A-1-1"}, {12, "A-1-2"}, {13, "B-1-1"}};
    const auto runs = find_adjacent_runs(seats, 2, 10);
    BOOST_REQUIRE_EQUAL(runs.size(), 2u);
    BOOST_TEST(runs[0] == (std::vector<std::int64_t>{13, 10}), boost::test_tools::per_element());
    BOOST_TEST(runs[1] == (std::vector<std::int64_t>{11, 12}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_window_is_offered_up_to_the_cap) {
    std::vector<SeatCandidate> seats;
    const char* labels[] = {"A-1-1", "A-1-2", "A-1-3", "A-1-4"};
    for (int i = 0; i < 4; ++i) {
        seats.push_back({i + 1, labels[i]});
    }
    const auto runs = find_adjacent_runs(seats, 2, 10);
    BOOST_REQUIRE_EQUAL(runs.size(), 3u);
    BOOST_TEST(runs[0] == (std::vector<std::int64_t>{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(runs[1] == (std::vector<std::int64_t>{2, 3}), boost::test_tools::per_element());
    BOOST_TEST(runs[2] == (std::vector<std::int64_t>{3, 4}), boost::test_tools::per_element());
    BOOST_TEST(find_adjacent_runs(seats, 2, 1).size() == 1u);
    BOOST_TEST(find_adjacent_runs(seats, 4, 10).size() == 1u);
    BOOST_TEST(find_adjacent_runs(seats, 5, 10).empty());
}

BOOST_AUTO_TEST_CASE(unparseable_labels_are_never_adjacent) {
    const std::vector<SeatCandidate> seats = {{1, "Stage left"}, {2, "Stage right"}, {3, "GA-1"}};
    BOOST_TEST(find_adjacent_runs(seats, 2, 10).empty());
    BOOST_TEST(find_adjacent_runs(seats, 1, 10).size() == 1u);
}

BOOST_AUTO_TEST_CASE(duplicate_numbers_break_a_run) {
    const std::vector<SeatCandidate> seats = {{1, "A-1-1"}, {2, "A-1-1"}, {3, "A-1-2"}};
    const auto runs = find_adjacent_runs(seats, 2, 10);
    BOOST_REQUIRE_EQUAL(runs.size(), 1u);
    BOOST_TEST(runs[0] == (std::vector<std::int64_t>{2, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(search_over_pages_finds_a_run_split_between_pages) {
    AdjacentRunSearch search(2);
    BOOST_TEST(search.add_page({{1, "A-1-1"}, {2, "B-1-1"}}).empty());
    const auto runs = search.add_page({{3, "A-1-2"}, {4, "C-1-1"}});
    BOOST_REQUIRE_EQUAL(runs.size(), 1u);
    BOOST_TEST(runs[0] == (std::vector<std::int64_t>{1, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(search_over_pages_reports_each_run_once) {
    AdjacentRunSearch search(2);
    const auto first = search.add_page({{1, "A-1-1"}, {2, "A-1-2"}});
    BOOST_REQUIRE_EQUAL(first.size(), 1u);
    // Seat 3 completes only the window 2-3; 1-2 was reported with the first page.
    const auto second = search.add_page({{3, "A-1-3"}});
    BOOST_REQUIRE_EQUAL(second.size(), 1u);
    BOOST_TEST(second[0] == (std::vector<std::int64_t>{2, 3}), boost::test_tools::per_element());
    BOOST_TEST(search.add_page({{4, "B-1-9"}}).empty());
}

BOOST_AUTO_TEST_CASE(search_over_pages_takes_seats_in_any_order) {
    // Seat numbers arrive out of order across pages: 3, then 1, then 2.
    AdjacentRunSearch search(3);
    BOOST_TEST(search.add_page({{10, "A-1-3"}}).empty());
    BOOST_TEST(search.add_page({{11, "A-1-1"}}).empty());
    const auto runs = search.add_page({{12, "A-1-2"}});
    BOOST_REQUIRE_EQUAL(runs.size(), 1u);
    BOOST_TEST(runs[0] == (std::vector<std::int64_t>{11, 12, 10}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(search_over_pages_agrees_with_one_page) {
    const std::vector<SeatCandidate> seats = {{1, "A-1-1"}, {2, "A-1-2"}, {3, "B-1-1"},
                                              {4, "A-1-3"}, {5, "B-1-2"}, {6, "GA-7"}};
    AdjacentRunSearch search(2);
    std::vector<std::vector<std::int64_t>> paged;
    for (const SeatCandidate& seat : seats) {
        for (auto& run : search.add_page({seat})) {
            paged.push_back(run);
        }
    }
    auto whole = find_adjacent_runs(seats, 2, 100);
    std::sort(paged.begin(), paged.end());
    std::sort(whole.begin(), whole.end());
    BOOST_TEST(paged == whole);
}

BOOST_AUTO_TEST_CASE(search_ignores_labels_outside_the_format) {
    AdjacentRunSearch search(2);
    BOOST_TEST(search.add_page({{1, "stage"}, {2, "A-01"}, {3, "A-1"}, {4, "A-3"}}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
