#include "validation.hpp"

#include "domain_error.hpp"

#include <string>

namespace ticketing {

namespace {

[[noreturn]] void throw_null(std::string_view argument) {
    throw DomainError(ErrorKind::null_value, std::string(argument) + " must not be NULL");
}

} // namespace

void require_id(std::string_view argument, const std::optional<std::int64_t>& value) {
    if (!value) {
        throw_null(argument);
    }
    if (*value <= 0) {
        throw DomainError(ErrorKind::invalid_parameter, std::string(argument) +
                                                            " must be a positive number, got " +
                                                            std::to_string(*value));
    }
}

void require_customer(const std::optional<std::string_view>& customer, std::string_view argument) {
    if (!customer) {
        throw_null(argument);
    }
    if (customer->empty()) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " must not be empty",
                          "Pass the buyer's stable identifier, such as an account id.");
    }
    if (customer->size() > max_customer_bytes) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " is " + std::to_string(customer->size()) +
                              " bytes long; the maximum is " + std::to_string(max_customer_bytes));
    }
}

ValidTicketRequest validate_ticket_request(const TicketRequest& request, bool takes_wait) {
    require_id("event_id", request.event_id);
    require_id("ticket_id", request.ticket_id);
    require_customer(request.customer);
    LockWait wait{WaitPolicy::wait, 0};
    if (takes_wait) {
        if (!request.wait) {
            throw_null("wait");
        }
        wait = parse_lock_wait(*request.wait);
    }
    return ValidTicketRequest{*request.event_id, *request.ticket_id, *request.customer, wait};
}

} // namespace ticketing
