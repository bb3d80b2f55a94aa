// What a claim does when another transaction holds the ticket's row lock.
#pragma once

#include <string_view>

namespace ticketing {

enum class WaitPolicy {
    wait,   // queue behind the holder (honours lock_timeout)
    nowait, // raise lock_not_available (55P03) at once
    skip,   // answer Outcome::busy at once
};

// Throws DomainError(invalid_parameter) for anything but wait, nowait or skip.
WaitPolicy parse_wait_policy(std::string_view text);
std::string_view wait_policy_name(WaitPolicy policy);

} // namespace ticketing
