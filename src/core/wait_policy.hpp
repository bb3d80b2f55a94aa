// What a claim does when another transaction holds the ticket's row lock.
#pragma once

#include <cstdint>
#include <string_view>

namespace ticketing {

enum class WaitPolicy {
    wait,    // queue behind the holder (honours the session's lock_timeout: 55P03)
    nowait,  // raise lock_not_available (55P03) at once
    skip,    // answer Outcome::busy at once
    bounded, // queue behind the holder for at most a given time, then answer busy
};

// A wait policy as a call gives it: 'wait', 'nowait', 'skip', or a duration such as
// '250ms' or '2s' (bounded). A bound travels with the call, so it holds where the
// session's lock_timeout does not reach (a call routed to another node by PL/Proxy), and
// running out of it is an answer (busy), not an error that aborts the caller's
// transaction and, through a router, its connection.
struct LockWait {
    WaitPolicy policy;
    std::int32_t bound_ms; // bounded: 1 .. max_wait_bound_ms; 0 otherwise
};

inline constexpr std::int32_t max_wait_bound_ms = 300'000; // 5 minutes

// Throws DomainError(invalid_parameter) for anything else, or a duration outside
// 1 ms .. 5 min.
LockWait parse_lock_wait(std::string_view text);
std::string_view wait_policy_name(WaitPolicy policy);

} // namespace ticketing
