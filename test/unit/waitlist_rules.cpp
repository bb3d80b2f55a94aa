// The waiting list's rules: what a join may ask for, entry statuses, what one attempt to
// offer tickets means for an entry, the notification, and lapsed holds that wait for it.
#include "waitlist_rules.hpp"

#include "domain_error.hpp"
#include "order_rules.hpp"
#include "outcome.hpp"
#include "ticket_rules.hpp"

#include <boost/test/unit_test.hpp>

using namespace ticketing;

namespace {

JoinRequest valid_join() {
    return JoinRequest{1, std::string_view("ann"), 2, std::nullopt, false, 15LL * 60 * 1'000'000};
}

ErrorKind kind_of(const JoinRequest& request) {
    try {
        validate_join(request);
    } catch (const DomainError& error) {
        return error.kind();
    }
    BOOST_FAIL("validate_join accepted it");
    return ErrorKind::internal;
}

} // namespace

BOOST_AUTO_TEST_SUITE(waitlist_rules)

BOOST_AUTO_TEST_CASE(a_valid_join_passes_through) {
    const ValidJoin join = validate_join(valid_join());
    BOOST_TEST(join.event_id == 1);
    BOOST_TEST(join.customer == "ann");
    BOOST_TEST(join.quantity == 2);
    BOOST_TEST(!join.category);
    BOOST_TEST(!join.together);
}

BOOST_AUTO_TEST_CASE(nulls_are_null_value_errors) {
    for (int field = 0; field < 5; ++field) {
        JoinRequest request = valid_join();
        switch (field) {
        case 0:
            request.event_id.reset();
            break;
        case 1:
            request.customer.reset();
            break;
        case 2:
            request.quantity.reset();
            break;
        case 3:
            request.together.reset();
            break;
        case 4:
            request.offer_for_micros.reset();
            break;
        }
        BOOST_TEST(static_cast<int>(kind_of(request)) == static_cast<int>(ErrorKind::null_value));
    }
}

BOOST_AUTO_TEST_CASE(out_of_range_values_are_invalid_parameters) {
    const auto invalid = [](JoinRequest request) {
        BOOST_TEST(static_cast<int>(kind_of(request)) ==
                   static_cast<int>(ErrorKind::invalid_parameter));
    };
    JoinRequest request = valid_join();
    request.quantity = 0;
    invalid(request);
    request.quantity = max_order_tickets + 1;
    invalid(request);
    request = valid_join();
    request.category = std::string_view("");
    invalid(request);
    request.category = std::string_view(std::string(101, 'c'));
    invalid(request);
    request = valid_join();
    request.offer_for_micros = min_offer_microseconds - 1;
    invalid(request);
    request.offer_for_micros = max_offer_microseconds + 1;
    invalid(request);
    request = valid_join();
    request.event_id = 0;
    invalid(request);
    request = valid_join();
    request.customer = std::string_view("");
    invalid(request);
}

BOOST_AUTO_TEST_CASE(offer_bounds_are_inclusive) {
    JoinRequest request = valid_join();
    request.offer_for_micros = min_offer_microseconds;
    BOOST_TEST(validate_join(request).offer_for_micros == min_offer_microseconds);
    request.offer_for_micros = max_offer_microseconds;
    BOOST_TEST(validate_join(request).offer_for_micros == max_offer_microseconds);
}

BOOST_AUTO_TEST_CASE(statuses_round_trip) {
    for (EntryStatus status :
         {EntryStatus::waiting, EntryStatus::offered, EntryStatus::left, EntryStatus::closed}) {
        BOOST_TEST((parse_entry_status(entry_status_name(status)) == status));
    }
    BOOST_TEST(!parse_entry_status("accepted")); // derived, never stored
}

BOOST_AUTO_TEST_CASE(an_attempt_decides_the_entry) {
    BOOST_TEST((judge_attempt(Outcome::hold_placed) == AttemptVerdict::offered));
    BOOST_TEST((judge_attempt(Outcome::insufficient) == AttemptVerdict::does_not_fit));
    BOOST_TEST((judge_attempt(Outcome::sold_out) == AttemptVerdict::does_not_fit));
    BOOST_TEST((judge_attempt(Outcome::limit_reached) == AttemptVerdict::skip_limit));
    BOOST_TEST((judge_attempt(Outcome::quota_exhausted) == AttemptVerdict::skip_quota));
    BOOST_TEST((judge_attempt(Outcome::busy) == AttemptVerdict::busy));
    BOOST_TEST(skip_reason_name(AttemptVerdict::skip_limit) == "limit_reached");
    BOOST_TEST(skip_reason_name(AttemptVerdict::skip_quota) == "quota_exhausted");
    BOOST_TEST(skip_reason_name(AttemptVerdict::offered).empty());
}

BOOST_AUTO_TEST_CASE(an_offer_blocks_a_new_join_only_while_held) {
    BOOST_TEST(offer_still_open(1));
    BOOST_TEST(!offer_still_open(0));
}

BOOST_AUTO_TEST_CASE(the_notification_names_no_customer) {
    BOOST_TEST(waitlist_channel(42) == "ticketing_waitlist_42");
    BOOST_TEST(offer_payload(42, 7, 2) == "{\"event_id\":42,\"entry_id\":7,\"tickets\":2}");
}

BOOST_AUTO_TEST_CASE(a_lapsed_hold_waiting_for_the_list_is_held_for_claims) {
    TicketState lapsed{TicketStatus::held, false, true, true};
    BOOST_TEST((decide(TicketCallKind::claim, lapsed).outcome == Outcome::held));
    BOOST_TEST((decide(TicketCallKind::hold, lapsed).outcome == Outcome::held));
    // The customer's own lapsed hold too: it goes to the list first.
    lapsed.owned_by_customer = true;
    BOOST_TEST((decide(TicketCallKind::claim, lapsed).outcome == Outcome::held));
    // Confirming it is still hold_expired, as without a list.
    BOOST_TEST((decide(TicketCallKind::confirm_hold, lapsed).outcome == Outcome::hold_expired));
    // Without a list, a lapsed hold is claimable.
    lapsed.lapse_waits_for_list = false;
    lapsed.owned_by_customer = false;
    BOOST_TEST((decide(TicketCallKind::claim, lapsed).action == Action::sell));
}

BOOST_AUTO_TEST_CASE(blocked_categories_pass_entries_over) {
    BlockedCategories blocked;
    const std::vector<std::string> free{"A", "B"};
    BOOST_TEST(blocked.empty());
    BOOST_TEST(!blocked.blocks(std::string_view("A"), free));
    BOOST_TEST(!blocked.blocks(std::nullopt, free));
    BOOST_TEST(blocked.block("A"));
    BOOST_TEST(!blocked.block("A")); // blocked already
    BOOST_TEST(!blocked.empty());
    BOOST_TEST(blocked.blocks(std::string_view("A"), free));
    BOOST_TEST(!blocked.blocks(std::string_view("B"), free));
    // An entry of any category may still have B.
    BOOST_TEST(!blocked.blocks(std::nullopt, free));
    // Nothing but A is free: it may have nothing.
    BOOST_TEST(blocked.blocks(std::nullopt, std::vector<std::string>{"A"}));
    blocked.block("B");
    BOOST_TEST(blocked.blocks(std::nullopt, free));
    // A category nothing blocks, with nothing free, is tried (the attempt decides).
    BOOST_TEST(!blocked.blocks(std::string_view("C"), std::vector<std::string>{}));
}

BOOST_AUTO_TEST_SUITE_END()
