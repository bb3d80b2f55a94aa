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
        BOOST_TEST(wait_policy_name(parse_wait_policy(wait_policy_name(policy))) ==
                   wait_policy_name(policy));
    }
}

BOOST_AUTO_TEST_CASE(unknown_wait_policy_is_invalid_parameter_with_hint) {
    for (std::string_view bad : {"", "WAIT", "skip locked", "no wait"}) {
        try {
            parse_wait_policy(bad);
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
