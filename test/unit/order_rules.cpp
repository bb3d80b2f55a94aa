// Multi-ticket orders: lock order, bounds, verdicts, fingerprints.
#include "domain_error.hpp"
#include "order_rules.hpp"
#include "ticket_rules.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace ticketing;

namespace {

using Ids = std::vector<std::optional<std::int64_t>>;

ErrorKind error_of(const Ids& ids) {
    try {
        lock_order(ids);
    } catch (const DomainError& error) {
        return error.kind();
    }
    BOOST_FAIL("expected a DomainError");
    return ErrorKind::internal;
}

bool same(ErrorKind a, ErrorKind b) {
    return static_cast<int>(a) == static_cast<int>(b);
}

} // namespace

BOOST_AUTO_TEST_SUITE(order_rules)

BOOST_AUTO_TEST_CASE(lock_order_is_ascending_whatever_the_request_order) {
    // Two orders over the same seats in opposite order lock them in the same order.
    const auto forward = lock_order(Ids{3, 1, 2});
    const auto backward = lock_order(Ids{2, 1, 3});
    BOOST_TEST(forward == (std::vector<std::int64_t>{1, 2, 3}), boost::test_tools::per_element());
    BOOST_TEST(backward == forward, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(lock_order_rejects_bad_arrays) {
    BOOST_TEST(same(error_of(Ids{}), ErrorKind::invalid_parameter));
    BOOST_TEST(same(error_of(Ids{1, 2, 1}), ErrorKind::invalid_parameter));
    BOOST_TEST(same(error_of(Ids{1, std::nullopt}), ErrorKind::null_value));
    BOOST_TEST(same(error_of(Ids{1, 0}), ErrorKind::invalid_parameter));
    BOOST_TEST(same(error_of(Ids{-4}), ErrorKind::invalid_parameter));
    Ids too_many;
    for (int i = 1; i <= max_order_tickets + 1; ++i) {
        too_many.push_back(i);
    }
    BOOST_TEST(same(error_of(too_many), ErrorKind::invalid_parameter));
    too_many.pop_back();
    BOOST_TEST(lock_order(too_many).size() == static_cast<std::size_t>(max_order_tickets));
}

BOOST_AUTO_TEST_CASE(quantity_and_hold_bounds) {
    BOOST_CHECK_NO_THROW(require_quantity(1));
    BOOST_CHECK_NO_THROW(require_quantity(max_order_tickets));
    BOOST_CHECK_THROW(require_quantity(0), DomainError);
    BOOST_CHECK_THROW(require_quantity(max_order_tickets + 1), DomainError);
    BOOST_CHECK_THROW(require_quantity(std::nullopt), DomainError);
    BOOST_CHECK_NO_THROW(require_hold_duration("hold_for", min_hold_microseconds));
    BOOST_CHECK_NO_THROW(require_hold_duration("hold_for", max_hold_microseconds));
    BOOST_CHECK_THROW(require_hold_duration("hold_for", min_hold_microseconds - 1), DomainError);
    BOOST_CHECK_THROW(require_hold_duration("hold_for", max_hold_microseconds + 1), DomainError);
}

BOOST_AUTO_TEST_CASE(idempotency_key_bounds) {
    BOOST_CHECK_NO_THROW(require_idempotency_key(std::nullopt));
    BOOST_CHECK_NO_THROW(require_idempotency_key(std::string_view("k")));
    BOOST_CHECK_THROW(require_idempotency_key(std::string_view("")), DomainError);
    const std::string too_long(max_idempotency_key_bytes + 1, 'k');
    BOOST_CHECK_THROW(require_idempotency_key(std::string_view(too_long)), DomainError);
}

BOOST_AUTO_TEST_CASE(verdict_prefers_sold_then_held_then_owned) {
    const Decision sell{Action::sell, Outcome::claimed};
    const Decision sold{Action::answer, Outcome::already_sold};
    const Decision held{Action::answer, Outcome::held};
    const Decision owned{Action::answer, Outcome::already_owned};

    auto verdict = judge_order({sell, held, sold, sold}, Outcome::claimed);
    BOOST_TEST(!verdict.proceed);
    BOOST_TEST(outcome_name(verdict.outcome) == "already_sold");
    BOOST_TEST(verdict.culprits == (std::vector<std::size_t>{2, 3}),
               boost::test_tools::per_element());

    verdict = judge_order({held, sell}, Outcome::claimed);
    BOOST_TEST(outcome_name(verdict.outcome) == "held");
    BOOST_TEST(verdict.culprits == (std::vector<std::size_t>{0}), boost::test_tools::per_element());

    verdict = judge_order({owned, owned}, Outcome::claimed);
    BOOST_TEST(!verdict.proceed);
    BOOST_TEST(outcome_name(verdict.outcome) == "already_owned");

    verdict = judge_order({owned, sell}, Outcome::hold_placed);
    BOOST_TEST(verdict.proceed);
    BOOST_TEST(outcome_name(verdict.outcome) == "hold_placed");
}

BOOST_AUTO_TEST_CASE(fingerprints_separate_different_requests) {
    const auto text = [](std::string_view a, std::string_view b) {
        return Fingerprint("call").add("x", a).add("y", b).text();
    };
    BOOST_TEST(text("ab", "c") != text("a", "bc"));
    BOOST_TEST(text("a", "b") == text("a", "b"));
    BOOST_TEST(Fingerprint("claim_any").add("q", std::int64_t{2}).text() !=
               Fingerprint("claim_any").add("q", std::int64_t{3}).text());
    BOOST_TEST(Fingerprint("c").add_null("hold_for").text() !=
               Fingerprint("c").add("hold_for", std::string_view("")).text());
    BOOST_TEST(Fingerprint("c").add("ids", std::vector<std::int64_t>{1, 2}).text() !=
               Fingerprint("c").add("ids", std::vector<std::int64_t>{12}).text());
}

BOOST_AUTO_TEST_CASE(a_batch_key_for_a_given_ticket_is_claim_tickets) {
    const auto claim = [](std::int64_t ticket) {
        return Fingerprint("claim_ticket")
            .add("event_id", std::int64_t{7})
            .add("ticket_id", ticket)
            .text();
    };
    const auto legacy_batch = [](std::int64_t ticket) {
        return Fingerprint("claim_batch")
            .add("event_id", std::int64_t{7})
            .add("ticket_id", ticket)
            .text();
    };
    BOOST_TEST(same_request(claim(3), claim(3)));
    BOOST_TEST(!same_request(claim(3), claim(4)));
    // A key a 1.2 batch stored for ticket 3 serves a claim of ticket 3, not of 4.
    BOOST_TEST(same_request(legacy_batch(3), claim(3)));
    BOOST_TEST(!same_request(legacy_batch(3), claim(4)));
    // ... but not the other way round, nor for a request with more to it.
    BOOST_TEST(!same_request(claim(3), legacy_batch(3)));
    const std::string with_category = Fingerprint("claim_batch")
                                          .add("event_id", std::int64_t{7})
                                          .add("ticket_id", std::int64_t{3})
                                          .add("category", std::string_view("A"))
                                          .text();
    BOOST_TEST(!same_request(with_category, claim(3)));
    BOOST_TEST(!same_request(claim(3), Fingerprint("hold_ticket")
                                           .add("event_id", std::int64_t{7})
                                           .add("ticket_id", std::int64_t{3})
                                           .text()));
}

BOOST_AUTO_TEST_SUITE_END()
