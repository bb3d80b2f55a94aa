// Argument validation: NULLs, ids, customers and wait policies, with the error kind
// that becomes the SQLSTATE.
#include "domain_error.hpp"
#include "validation.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace ticketing;

namespace {

TicketRequest good_request() {
    return TicketRequest{7, 42, std::string_view("alice"), std::string_view("wait")};
}

ErrorKind kind_of(const TicketRequest& request, bool takes_wait = true) {
    try {
        validate_ticket_request(request, takes_wait);
    } catch (const DomainError& error) {
        return error.kind();
    }
    BOOST_FAIL("expected a DomainError");
    return ErrorKind::internal;
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(valid_request_passes_through) {
    const ValidTicketRequest valid = validate_ticket_request(good_request(), true);
    BOOST_TEST(valid.event_id == 7);
    BOOST_TEST(valid.ticket_id == 42);
    BOOST_TEST(valid.customer == "alice");
    BOOST_TEST(wait_policy_name(valid.wait.policy) == "wait");
}

BOOST_AUTO_TEST_CASE(nulls_are_null_value_errors) {
    TicketRequest request = good_request();
    request.event_id.reset();
    BOOST_TEST(static_cast<int>(kind_of(request)) == static_cast<int>(ErrorKind::null_value));
    request = good_request();
    request.ticket_id.reset();
    BOOST_TEST(static_cast<int>(kind_of(request)) == static_cast<int>(ErrorKind::null_value));
    request = good_request();
    request.customer.reset();
    BOOST_TEST(static_cast<int>(kind_of(request)) == static_cast<int>(ErrorKind::null_value));
    request = good_request();
    request.wait.reset();
    BOOST_TEST(static_cast<int>(kind_of(request)) == static_cast<int>(ErrorKind::null_value));
}

BOOST_AUTO_TEST_CASE(wait_is_ignored_when_the_call_takes_none) {
    TicketRequest request = good_request();
    request.wait.reset();
    BOOST_TEST(wait_policy_name(validate_ticket_request(request, false).wait.policy) == "wait");
}

BOOST_AUTO_TEST_CASE(non_positive_ids_are_invalid) {
    for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}}) {
        TicketRequest request = good_request();
        request.ticket_id = bad;
        BOOST_TEST(static_cast<int>(kind_of(request)) ==
                   static_cast<int>(ErrorKind::invalid_parameter));
        request = good_request();
        request.event_id = bad;
        BOOST_TEST(static_cast<int>(kind_of(request)) ==
                   static_cast<int>(ErrorKind::invalid_parameter));
    }
}

BOOST_AUTO_TEST_CASE(customer_length_bounds) {
    const std::string longest(max_customer_bytes, 'x');
    const std::string too_long(max_customer_bytes + 1, 'x');
    TicketRequest request = good_request();
    request.customer = std::string_view(longest);
    BOOST_TEST(validate_ticket_request(request, true).customer.size() == max_customer_bytes);
    request.customer = std::string_view(too_long);
    BOOST_TEST(static_cast<int>(kind_of(request)) ==
               static_cast<int>(ErrorKind::invalid_parameter));
    request.customer = std::string_view("");
    BOOST_TEST(static_cast<int>(kind_of(request)) ==
               static_cast<int>(ErrorKind::invalid_parameter));
}

BOOST_AUTO_TEST_CASE(error_messages_say_what_to_fix) {
    TicketRequest request = good_request();
    request.ticket_id = -5;
    try {
        validate_ticket_request(request, true);
        BOOST_FAIL("expected a DomainError");
    } catch (const DomainError& error) {
        BOOST_TEST(std::string(error.what()) == "ticket_id must be a positive number, got -5");
    }
}

BOOST_AUTO_TEST_CASE(quoted_arguments_are_short) {
    BOOST_TEST(quoted("nowait!") == "\"nowait!\"");
    const std::string long_text(5'000'000, 'x');
    const std::string shown = quoted(long_text);
    BOOST_TEST(shown.size() < 80u);
    BOOST_TEST(shown.find("(5000000 bytes)") != std::string::npos);
    // A cut never splits a UTF-8 character: 39 ASCII bytes, then a 2-byte character.
    const std::string accented = std::string(39, 'a') + "\xC3\xA9" + std::string(10, 'b');
    const std::string cut = quoted(accented);
    BOOST_TEST(cut.find('\xC3') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_wait_policy_message_quotes_a_prefix) {
    try {
        parse_lock_wait(std::string(1'000'000, 'w'));
        BOOST_FAIL("accepted");
    } catch (const DomainError& error) {
        BOOST_TEST(std::string(error.what()).size() < 120u);
    }
}

// ticketing.stats does not count bad input as an error (src/backend/call_frame.hpp): the
// kinds that refuse arguments, and only those.
BOOST_AUTO_TEST_CASE(bad_input_kinds) {
    BOOST_TEST(is_bad_input(ErrorKind::null_value));
    BOOST_TEST(is_bad_input(ErrorKind::invalid_parameter));
    BOOST_TEST(is_bad_input(ErrorKind::no_such_event));
    for (ErrorKind kind :
         {ErrorKind::key_reused, ErrorKind::table_altered, ErrorKind::change_skipped,
          ErrorKind::lock_not_available, ErrorKind::internal}) {
        BOOST_TEST(!is_bad_input(kind));
    }
}

BOOST_AUTO_TEST_SUITE_END()
