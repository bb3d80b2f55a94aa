// Validation of the arguments every ticket call shares. Bad input is an error with a
// message that says what to fix; conflicts are outcomes (see outcome.hpp).
#pragma once

#include "wait_policy.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ticketing {

inline constexpr std::size_t max_customer_bytes = 200;

// Arguments as they arrive from SQL: absent means SQL NULL.
struct TicketRequest {
    std::optional<std::int64_t> event_id;
    std::optional<std::int64_t> ticket_id;
    std::optional<std::string_view> customer;
    std::optional<std::string_view> wait; // only claims take a wait policy
};

struct ValidTicketRequest {
    std::int64_t event_id;
    std::int64_t ticket_id;
    std::string_view customer;
    LockWait wait;
};

void require_id(std::string_view argument, const std::optional<std::int64_t>& value);
// `argument` names the value in messages ("requests[3].customer" in a batch).
void require_customer(const std::optional<std::string_view>& customer,
                      std::string_view argument = "customer");

// Throws DomainError for NULLs (null_value), non-positive ids, empty or over-long
// customers and unknown wait policies (invalid_parameter). `takes_wait` is false for
// calls without a wait argument; their policy is WaitPolicy::wait.
ValidTicketRequest validate_ticket_request(const TicketRequest& request, bool takes_wait);

} // namespace ticketing
