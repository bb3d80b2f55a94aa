#include "order_rules.hpp"

#include "domain_error.hpp"

#include <algorithm>

namespace ticketing {

std::vector<std::int64_t> lock_order(const std::vector<std::optional<std::int64_t>>& ticket_ids) {
    if (ticket_ids.empty()) {
        throw DomainError(ErrorKind::invalid_parameter, "ticket_ids must not be empty");
    }
    if (ticket_ids.size() > static_cast<std::size_t>(max_order_tickets)) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "ticket_ids holds " + std::to_string(ticket_ids.size()) +
                              " ids; the maximum is " + std::to_string(max_order_tickets));
    }
    std::vector<std::int64_t> ordered;
    ordered.reserve(ticket_ids.size());
    for (const auto& id : ticket_ids) {
        if (!id) {
            throw DomainError(ErrorKind::null_value, "ticket_ids must not contain NULL");
        }
        require_id("ticket_ids element", id);
        ordered.push_back(*id);
    }
    std::sort(ordered.begin(), ordered.end());
    const auto duplicate = std::adjacent_find(ordered.begin(), ordered.end());
    if (duplicate != ordered.end()) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "ticket_ids lists ticket " + std::to_string(*duplicate) + " twice",
                          "List each ticket once.");
    }
    return ordered;
}

void require_quantity(const std::optional<std::int64_t>& quantity) {
    if (!quantity) {
        throw DomainError(ErrorKind::null_value, "quantity must not be NULL");
    }
    if (*quantity < 1 || *quantity > max_order_tickets) {
        throw DomainError(ErrorKind::invalid_parameter, "quantity must be between 1 and " +
                                                            std::to_string(max_order_tickets) +
                                                            ", got " + std::to_string(*quantity));
    }
}

void require_hold_duration(std::string_view argument, std::int64_t microseconds) {
    if (microseconds < min_hold_microseconds || microseconds > max_hold_microseconds) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " must be between 1 second and 30 days",
                          "For example hold_for => interval '10 minutes'.");
    }
}

void require_idempotency_key(const std::optional<std::string_view>& key,
                             std::string_view argument) {
    if (!key) {
        return;
    }
    if (key->empty()) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " must not be empty",
                          "Pass NULL for a call without a key.");
    }
    if (key->size() > max_idempotency_key_bytes) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " is " + std::to_string(key->size()) +
                              " bytes long; the maximum is " +
                              std::to_string(max_idempotency_key_bytes));
    }
}

Fingerprint::Fingerprint(std::string_view call) : text_(call) {}

// Values are length-prefixed, so no value can imitate a separator.
Fingerprint& Fingerprint::add(std::string_view name, std::string_view value) {
    text_ += ' ';
    text_ += name;
    text_ += '=';
    text_ += std::to_string(value.size());
    text_ += ':';
    text_ += value;
    return *this;
}

Fingerprint& Fingerprint::add(std::string_view name, std::int64_t value) {
    return add(name, std::string_view(std::to_string(value)));
}

Fingerprint& Fingerprint::add(std::string_view name, bool value) {
    return add(name, std::string_view(value ? "true" : "false"));
}

Fingerprint& Fingerprint::add_null(std::string_view name) {
    text_ += ' ';
    text_ += name;
    text_ += "=null";
    return *this;
}

bool same_request(std::string_view stored, std::string_view current) {
    constexpr std::string_view batch = "claim_batch ";
    constexpr std::string_view single = "claim_ticket ";
    if (stored == current) {
        return true;
    }
    // The tail (event_id=..., ticket_id=...) of a 1.2 batch key for a given ticket equals
    // claim_ticket's; a request with a category or a cart has more, or a null ticket_id.
    return stored.substr(0, batch.size()) == batch && current.substr(0, single.size()) == single &&
           stored.substr(batch.size()) == current.substr(single.size());
}

Fingerprint& Fingerprint::add(std::string_view name, const std::vector<std::int64_t>& values) {
    std::string joined;
    for (std::size_t i = 0; i < values.size(); ++i) {
        joined += (i == 0 ? "" : ",") + std::to_string(values[i]);
    }
    return add(name, std::string_view(joined));
}

} // namespace ticketing

#include "ticket_rules.hpp"

namespace ticketing {

OrderVerdict judge_order(const std::vector<Decision>& decisions, Outcome success) {
    for (Outcome blocking : {Outcome::already_sold, Outcome::held}) {
        OrderVerdict verdict{false, blocking, {}};
        for (std::size_t i = 0; i < decisions.size(); ++i) {
            if (decisions[i].action == Action::answer && decisions[i].outcome == blocking) {
                verdict.culprits.push_back(i);
            }
        }
        if (!verdict.culprits.empty()) {
            return verdict;
        }
    }
    for (const Decision& decision : decisions) {
        if (decision.action != Action::answer) {
            return OrderVerdict{true, success, {}};
        }
    }
    return OrderVerdict{false, Outcome::already_owned, {}};
}

} // namespace ticketing
