// The ticket state machine: what a claim or a release decides for every row state.
#include "ticket_rules.hpp"

#include <boost/test/unit_test.hpp>

using namespace ticketing;

namespace {

TicketState state(TicketStatus status, bool mine, bool expired = false) {
    return TicketState{status, mine, expired};
}

void check(const Decision& decision, Action action, Outcome outcome) {
    BOOST_TEST(static_cast<int>(decision.action) == static_cast<int>(action));
    BOOST_TEST(outcome_name(decision.outcome) == outcome_name(outcome));
}

} // namespace

BOOST_AUTO_TEST_SUITE(ticket_rules)

BOOST_AUTO_TEST_CASE(claim_of_available_sells) {
    check(decide_claim(state(TicketStatus::available, false)), Action::sell, Outcome::claimed);
}

BOOST_AUTO_TEST_CASE(claim_of_own_sale_is_already_owned) {
    check(decide_claim(state(TicketStatus::sold, true)), Action::answer, Outcome::already_owned);
}

BOOST_AUTO_TEST_CASE(claim_of_someone_elses_sale_is_already_sold) {
    check(decide_claim(state(TicketStatus::sold, false)), Action::answer, Outcome::already_sold);
}

BOOST_AUTO_TEST_CASE(claim_of_live_foreign_hold_is_held) {
    check(decide_claim(state(TicketStatus::held, false, false)), Action::answer, Outcome::held);
}

BOOST_AUTO_TEST_CASE(claim_of_expired_hold_sells) {
    check(decide_claim(state(TicketStatus::held, false, true)), Action::sell, Outcome::claimed);
}

BOOST_AUTO_TEST_CASE(claim_of_own_hold_sells) {
    check(decide_claim(state(TicketStatus::held, true, false)), Action::sell, Outcome::claimed);
}

BOOST_AUTO_TEST_CASE(release_by_owner_releases) {
    check(decide_release(state(TicketStatus::sold, true)), Action::release, Outcome::released);
    check(decide_release(state(TicketStatus::held, true)), Action::release, Outcome::released);
}

BOOST_AUTO_TEST_CASE(release_by_anyone_else_is_not_owner) {
    check(decide_release(state(TicketStatus::sold, false)), Action::answer, Outcome::not_owner);
    check(decide_release(state(TicketStatus::held, false)), Action::answer, Outcome::not_owner);
    check(decide_release(state(TicketStatus::available, false)), Action::answer,
          Outcome::not_owner);
}

BOOST_AUTO_TEST_CASE(release_of_own_expired_hold_is_not_owner) {
    check(decide_release(state(TicketStatus::held, true, true)), Action::answer,
          Outcome::not_owner);
}

BOOST_AUTO_TEST_CASE(only_claims_that_end_owned_report_owner_is_you) {
    BOOST_TEST(owner_is_customer(Outcome::claimed));
    BOOST_TEST(owner_is_customer(Outcome::already_owned));
    BOOST_TEST(owner_is_customer(Outcome::hold_placed));
    for (auto outcome :
         {Outcome::already_sold, Outcome::held, Outcome::not_found, Outcome::busy,
          Outcome::released, Outcome::not_owner, Outcome::hold_expired, Outcome::not_held,
          Outcome::limit_reached, Outcome::insufficient, Outcome::sold_out}) {
        BOOST_TEST(!owner_is_customer(outcome));
    }
}

BOOST_AUTO_TEST_SUITE_END()
