// Names of statuses, outcomes and wait policies round-trip; unknown ones are rejected.
#include "domain_error.hpp"
#include "outcome.hpp"
#include "ticket_status.hpp"
#include "wait_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace ticketing;

BOOST_AUTO_TEST_SUITE(wait_policy_and_names)

BOOST_AUTO_TEST_CASE(wait_policies_parse) {
    for (auto policy : {WaitPolicy::wait, WaitPolicy::nowait, WaitPolicy::skip}) {
        const LockWait parsed = parse_lock_wait(wait_policy_name(policy));
        BOOST_TEST(wait_policy_name(parsed.policy) == wait_policy_name(policy));
        BOOST_TEST(parsed.bound_ms == 0);
    }
}

BOOST_AUTO_TEST_CASE(durations_are_bounded_waits) {
    const std::pair<std::string_view, int> cases[] = {
        {"250ms", 250},  {"250 ms", 250}, {"2s", 2000},     {"1.5s", 1500},
        {"0.25 s", 250}, {"1ms", 1},      {"300s", 300000}, {"300000ms", 300000}};
    for (const auto& [text, ms] : cases) {
        const LockWait parsed = parse_lock_wait(text);
        BOOST_TEST(static_cast<int>(parsed.policy) == static_cast<int>(WaitPolicy::bounded), text);
        BOOST_TEST(parsed.bound_ms == ms, text);
    }
}

BOOST_AUTO_TEST_CASE(durations_out_of_range_are_invalid) {
    for (std::string_view bad : {"0ms", "0s", "0.0001s", "301s", "300001ms", "99999999999s"}) {
        try {
            parse_lock_wait(bad);
            BOOST_FAIL("accepted " << bad);
        } catch (const DomainError& error) {
            BOOST_TEST(static_cast<int>(error.kind()) ==
                       static_cast<int>(ErrorKind::invalid_parameter));
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_wait_policy_is_invalid_parameter_with_hint) {
    for (std::string_view bad : {"", "WAIT", "skip locked", "no wait", "5", "5 min", "ms", "-1s",
                                 ".s", "1.5.2s", "2 seconds"}) {
        try {
            parse_lock_wait(bad);
            BOOST_FAIL("expected a DomainError");
        } catch (const DomainError& error) {
            BOOST_TEST(static_cast<int>(error.kind()) ==
                       static_cast<int>(ErrorKind::invalid_parameter));
            BOOST_TEST(!error.hint().empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(statuses_round_trip) {
    for (auto status : {TicketStatus::available, TicketStatus::held, TicketStatus::sold}) {
        BOOST_TEST(parse_status(status_name(status)).has_value());
        BOOST_TEST(status_name(*parse_status(status_name(status))) == status_name(status));
    }
    BOOST_TEST(!parse_status("reserved").has_value());
}

BOOST_AUTO_TEST_CASE(outcome_names_are_distinct) {
    std::set<std::string> names;
    for (auto outcome : all_outcomes) {
        names.insert(std::string(outcome_name(outcome)));
    }
    BOOST_TEST(names.size() == sizeof(all_outcomes) / sizeof(all_outcomes[0]));
    BOOST_TEST(names.count("unknown") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
