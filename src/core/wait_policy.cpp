#include "wait_policy.hpp"

#include "domain_error.hpp"

#include <string>

namespace ticketing {

namespace {

[[noreturn]] void unknown(std::string_view text) {
    throw DomainError(ErrorKind::invalid_parameter, "unknown wait policy " + quoted(text),
                      "Use 'wait', 'nowait', 'skip', or how long to wait at most, such as "
                      "'250ms' or '2s'.");
}

// A duration: digits, optionally a fraction, optional spaces, then "ms" or "s". Returns
// milliseconds, or -1 when the text is not one.
std::int64_t parse_duration_ms(std::string_view text) {
    std::size_t i = 0;
    std::int64_t whole = 0;
    std::int64_t fraction = 0;
    std::int64_t fraction_scale = 1;
    bool digits = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        digits = true;
        whole = whole * 10 + (text[i] - '0');
        if (whole > max_wait_bound_ms) {
            return max_wait_bound_ms + 1; // far too long, whatever the unit
        }
    }
    if (i < text.size() && text[i] == '.') {
        for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            digits = true;
            if (fraction_scale < 1000) {
                fraction = fraction * 10 + (text[i] - '0');
                fraction_scale *= 10;
            }
        }
    }
    while (i < text.size() && text[i] == ' ') {
        ++i;
    }
    const std::string_view unit = text.substr(i);
    if (!digits) {
        return -1;
    }
    if (unit == "ms") {
        return whole; // fractions of a millisecond are dropped
    }
    if (unit == "s") {
        return whole * 1000 + fraction * 1000 / fraction_scale;
    }
    return -1;
}

} // namespace

std::string_view wait_policy_name(WaitPolicy policy) {
    switch (policy) {
    case WaitPolicy::wait:
        return "wait";
    case WaitPolicy::nowait:
        return "nowait";
    case WaitPolicy::skip:
        return "skip";
    case WaitPolicy::bounded:
        return "bounded";
    }
    return "unknown";
}

LockWait parse_lock_wait(std::string_view text) {
    for (auto policy : {WaitPolicy::wait, WaitPolicy::nowait, WaitPolicy::skip}) {
        if (wait_policy_name(policy) == text) {
            return LockWait{policy, 0};
        }
    }
    const std::int64_t ms = parse_duration_ms(text);
    if (ms < 0) {
        unknown(text);
    }
    if (ms < 1 || ms > max_wait_bound_ms) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "a wait must be between 1 ms and 5 minutes, got " + quoted(text),
                          "For no wait at all use 'skip' (answers busy) or 'nowait' (raises "
                          "55P03).");
    }
    return LockWait{WaitPolicy::bounded, static_cast<std::int32_t>(ms)};
}

} // namespace ticketing
