// Check-in and transfer rules: what a code's match says, which scan of a ticket is its
// admission, what a transfer and a release of a checked-in ticket answer, and the
// validation of gates and scan times.
#include "admission_rules.hpp"
#include "domain_error.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace ticketing;

namespace {

// The error kind as a number (Boost.Test prints numbers, not enums).
template <typename Call>
int kind_of(Call&& call) {
    try {
        call();
    } catch (const DomainError& error) {
        return static_cast<int>(error.kind());
    }
    BOOST_FAIL("expected a DomainError");
    return -1;
}

constexpr int null_value = static_cast<int>(ErrorKind::null_value);
constexpr int invalid_parameter = static_cast<int>(ErrorKind::invalid_parameter);

std::string name(const CheckInVerdict& verdict) {
    return std::string(outcome_name(verdict.outcome)) + (verdict.admit ? "+" : "");
}

TicketState sold_to(bool mine, bool admitted = false) {
    TicketState state{TicketStatus::sold, mine, false};
    state.admitted = admitted;
    return state;
}

} // namespace

BOOST_AUTO_TEST_SUITE(admission_rules)

BOOST_AUTO_TEST_CASE(a_current_code_of_a_sold_ticket_admits_once) {
    BOOST_TEST(name(decide_check_in(CodeMatch::current, TicketStatus::sold, false)) == "admitted+");
    BOOST_TEST(name(decide_check_in(CodeMatch::current, TicketStatus::sold, true)) ==
               "already_admitted");
}

BOOST_AUTO_TEST_CASE(old_codes_are_revoked_or_not_sold) {
    BOOST_TEST(name(decide_check_in(CodeMatch::past, TicketStatus::sold, false)) == "revoked");
    BOOST_TEST(name(decide_check_in(CodeMatch::past, TicketStatus::sold, true)) == "revoked");
    BOOST_TEST(name(decide_check_in(CodeMatch::past, TicketStatus::available, false)) ==
               "not_sold");
    BOOST_TEST(name(decide_check_in(CodeMatch::past, TicketStatus::held, false)) == "not_sold");
    BOOST_TEST(name(decide_check_in(CodeMatch::current, TicketStatus::held, false)) == "not_sold");
}

BOOST_AUTO_TEST_CASE(codes_matching_no_sale_are_unknown_whatever_the_ticket) {
    for (TicketStatus status : {TicketStatus::available, TicketStatus::held, TicketStatus::sold}) {
        BOOST_TEST(name(decide_check_in(CodeMatch::none, status, false)) == "unknown_code");
        BOOST_TEST(name(decide_check_in(CodeMatch::none, status, true)) == "unknown_code");
    }
}

BOOST_AUTO_TEST_CASE(genuine_codes_of_another_event_are_wrong_event) {
    BOOST_TEST(outcome_name(decide_foreign_code(CodeMatch::current)) == "wrong_event");
    BOOST_TEST(outcome_name(decide_foreign_code(CodeMatch::past)) == "wrong_event");
    BOOST_TEST(outcome_name(decide_foreign_code(CodeMatch::none)) == "unknown_code");
}

BOOST_AUTO_TEST_CASE(the_earliest_scan_is_the_admission) {
    const std::vector<ScanTime> scans = {{300, 1}, {100, 2}, {200, 3}};
    const AdmissionPlan fresh = plan_admission(std::nullopt, scans);
    BOOST_TEST(fresh.winner.value() == 1u);
    BOOST_TEST(!fresh.replaces_recorded);
}

BOOST_AUTO_TEST_CASE(ties_go_to_the_first_scan_in_the_batch) {
    const std::vector<ScanTime> scans = {{100, 4}, {100, 2}, {100, 3}};
    BOOST_TEST(plan_admission(std::nullopt, scans).winner.value() == 1u);
}

BOOST_AUTO_TEST_CASE(an_earlier_upload_replaces_the_recorded_admission) {
    const std::vector<ScanTime> scans = {{150, 1}, {90, 2}};
    const AdmissionPlan plan = plan_admission(100, scans);
    BOOST_TEST(plan.winner.value() == 1u);
    BOOST_TEST(plan.replaces_recorded);
}

BOOST_AUTO_TEST_CASE(the_recorded_admission_stands_against_later_or_equal_scans) {
    BOOST_TEST(!plan_admission(100, {{100, 1}, {150, 2}}).winner.has_value());
    BOOST_TEST(!plan_admission(100, {{101, 1}}).winner.has_value());
    BOOST_TEST(!plan_admission(std::nullopt, {}).winner.has_value());
}

BOOST_AUTO_TEST_CASE(transfers_move_only_the_senders_unadmitted_sale) {
    const auto outcome = [](const TicketState& state) {
        const TransferVerdict verdict = decide_transfer(state);
        return std::string(outcome_name(verdict.outcome)) + (verdict.move ? "+" : "");
    };
    BOOST_TEST(outcome(sold_to(true)) == "transferred+");
    BOOST_TEST(outcome(sold_to(false)) == "not_owner");
    BOOST_TEST(outcome(sold_to(true, true)) == "already_admitted");
    BOOST_TEST(outcome(TicketState{TicketStatus::available, false, false}) == "not_sold");
    BOOST_TEST(outcome(TicketState{TicketStatus::held, true, false}) == "not_sold");
    BOOST_TEST(outcome(TicketState{TicketStatus::held, false, true}) == "not_sold");
}

BOOST_AUTO_TEST_CASE(a_checked_in_ticket_is_not_released) {
    const Decision admitted = decide_release(sold_to(true, true));
    BOOST_TEST((admitted.action == Action::answer));
    BOOST_TEST(outcome_name(admitted.outcome) == "already_admitted");
    BOOST_TEST((decide_release(sold_to(true)).action == Action::release));
    // Someone else's admitted ticket: not the caller's to release.
    BOOST_TEST(outcome_name(decide_release(sold_to(false, true)).outcome) == "not_owner");
}

BOOST_AUTO_TEST_CASE(gates_are_named_with_1_to_100_bytes) {
    require_gate(std::string_view("north-2"));
    require_gate(std::string_view(std::string(100, 'g')));
    BOOST_TEST(kind_of([] { require_gate(std::nullopt); }) == null_value);
    BOOST_TEST(kind_of([] { require_gate(std::string_view("")); }) == invalid_parameter);
    const std::string long_gate(101, 'g');
    BOOST_TEST(kind_of([&] { require_gate(std::string_view(long_gate)); }) == invalid_parameter);
}

BOOST_AUTO_TEST_CASE(scan_times_are_finite_and_not_far_ahead) {
    const std::int64_t now = 1'000'000'000;
    require_scan_time(now, true, now, "scans[1].scanned_at");
    require_scan_time(now - 1'000'000'000'000, true, now, "scans[1].scanned_at");
    require_scan_time(now + max_scan_ahead_micros, true, now, "scans[1].scanned_at");
    BOOST_TEST(kind_of([&] { require_scan_time(std::nullopt, true, now, "s"); }) == null_value);
    BOOST_TEST(kind_of([&] { require_scan_time(now, false, now, "s"); }) == invalid_parameter);
    BOOST_TEST(kind_of([&] {
                   require_scan_time(now + max_scan_ahead_micros + 1, true, now, "s");
               }) == invalid_parameter);
}

BOOST_AUTO_TEST_CASE(a_transfer_to_oneself_is_refused) {
    require_other_customer("alice", "bob");
    BOOST_TEST(kind_of([] { require_other_customer("alice", "alice"); }) == invalid_parameter);
}

BOOST_AUTO_TEST_SUITE_END()
