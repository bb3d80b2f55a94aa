// Holds: placing, confirming and releasing them, and what counts toward a limit.
#include "ticket_rules.hpp"

#include <boost/test/unit_test.hpp>

using namespace ticketing;

BOOST_AUTO_TEST_SUITE(hold_rules)

namespace {
Decision on(TicketCallKind kind, TicketStatus status, bool mine, bool expired = false) {
    return decide(kind, TicketState{status, mine, expired});
}
bool is(const Decision& d, Action action, Outcome outcome) {
    return d.action == action && d.outcome == outcome;
}
} // namespace

BOOST_AUTO_TEST_CASE(hold_acquires_like_a_claim) {
    using K = TicketCallKind;
    BOOST_TEST(is(on(K::hold, TicketStatus::available, false), Action::hold, Outcome::hold_placed));
    BOOST_TEST(
        is(on(K::hold, TicketStatus::held, false, true), Action::hold, Outcome::hold_placed));
    BOOST_TEST(is(on(K::hold, TicketStatus::held, true), Action::hold, Outcome::hold_placed));
    BOOST_TEST(is(on(K::hold, TicketStatus::held, false), Action::answer, Outcome::held));
    BOOST_TEST(is(on(K::hold, TicketStatus::sold, false), Action::answer, Outcome::already_sold));
    BOOST_TEST(is(on(K::hold, TicketStatus::sold, true), Action::answer, Outcome::already_owned));
}

BOOST_AUTO_TEST_CASE(confirm_sells_only_a_live_own_hold) {
    using K = TicketCallKind;
    BOOST_TEST(is(on(K::confirm_hold, TicketStatus::held, true), Action::sell, Outcome::claimed));
    BOOST_TEST(is(on(K::confirm_hold, TicketStatus::held, true, true), Action::answer,
                  Outcome::hold_expired));
    BOOST_TEST(
        is(on(K::confirm_hold, TicketStatus::sold, true), Action::answer, Outcome::already_owned));
    BOOST_TEST(
        is(on(K::confirm_hold, TicketStatus::sold, false), Action::answer, Outcome::not_owner));
    BOOST_TEST(
        is(on(K::confirm_hold, TicketStatus::held, false), Action::answer, Outcome::not_owner));
    BOOST_TEST(is(on(K::confirm_hold, TicketStatus::held, false, true), Action::answer,
                  Outcome::not_held));
    BOOST_TEST(
        is(on(K::confirm_hold, TicketStatus::available, false), Action::answer, Outcome::not_held));
}

BOOST_AUTO_TEST_CASE(release_hold_releases_only_a_live_own_hold) {
    using K = TicketCallKind;
    BOOST_TEST(
        is(on(K::release_hold, TicketStatus::held, true), Action::release, Outcome::released));
    BOOST_TEST(is(on(K::release_hold, TicketStatus::held, true, true), Action::answer,
                  Outcome::hold_expired));
    BOOST_TEST(
        is(on(K::release_hold, TicketStatus::sold, true), Action::answer, Outcome::not_held));
    BOOST_TEST(
        is(on(K::release_hold, TicketStatus::held, false), Action::answer, Outcome::not_owner));
    BOOST_TEST(
        is(on(K::release_hold, TicketStatus::available, false), Action::answer, Outcome::not_held));
}

BOOST_AUTO_TEST_CASE(limits_count_sales_and_live_holds_once) {
    const TicketState own_sale{TicketStatus::sold, true, false};
    const TicketState own_hold{TicketStatus::held, true, false};
    const TicketState own_lapsed{TicketStatus::held, true, true};
    const TicketState free_seat{TicketStatus::available, false, false};
    BOOST_TEST(counts_toward_limit(own_sale));
    BOOST_TEST(counts_toward_limit(own_hold));
    BOOST_TEST(!counts_toward_limit(own_lapsed));
    BOOST_TEST(!counts_toward_limit(free_seat));
    // Confirming your own hold adds nothing; a new seat or a lapsed hold adds one.
    BOOST_TEST(added_to_customer(own_hold, decide_claim(own_hold)) == 0);
    BOOST_TEST(added_to_customer(free_seat, decide_claim(free_seat)) == 1);
    BOOST_TEST(added_to_customer(own_lapsed, decide_claim(own_lapsed)) == 1);
    BOOST_TEST(added_to_customer(own_sale, decide_claim(own_sale)) == 0);
    // Keeping your own live hold acquires the ticket without adding to the count: such a
    // call takes the customer's slot too (customer_limits.hpp).
    BOOST_TEST(acquires(decide(TicketCallKind::confirm_hold, own_hold)));
    BOOST_TEST(acquires(decide(TicketCallKind::hold, own_hold)));
    BOOST_TEST(!acquires(decide(TicketCallKind::release_hold, own_hold)));
    BOOST_TEST(!acquires(decide_claim(own_sale)));
}

BOOST_AUTO_TEST_SUITE_END()
