#include "wait_policy.hpp"

#include "domain_error.hpp"

#include <string>

namespace ticketing {

std::string_view wait_policy_name(WaitPolicy policy) {
    switch (policy) {
    case WaitPolicy::wait:
        return "wait";
    case WaitPolicy::nowait:
        return "nowait";
    case WaitPolicy::skip:
        return "skip";
    }
    return "unknown";
}

WaitPolicy parse_wait_policy(std::string_view text) {
    for (auto policy : {WaitPolicy::wait, WaitPolicy::nowait, WaitPolicy::skip}) {
        if (wait_policy_name(policy) == text) {
            return policy;
        }
    }
    throw DomainError(ErrorKind::invalid_parameter,
                      "unknown wait policy " + quoted(text),
                      "Use 'wait', 'nowait' or 'skip'.");
}

} // namespace ticketing
