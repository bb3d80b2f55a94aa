#include "waitlist_rules.hpp"

#include "domain_error.hpp"
#include "order_rules.hpp"
#include "outcome.hpp"
#include "validation.hpp"

namespace ticketing {

ValidJoin validate_join(const JoinRequest& request) {
    require_id("event_id", request.event_id);
    require_customer(request.customer);
    require_quantity(request.quantity);
    if (request.category && (request.category->empty() || request.category->size() > 100)) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "category must be 1 to 100 bytes long, got " +
                              std::to_string(request.category->size()),
                          "Pass NULL to wait for tickets of any category.");
    }
    if (!request.together) {
        throw DomainError(ErrorKind::null_value, "together must not be NULL");
    }
    if (!request.offer_for_micros) {
        throw DomainError(ErrorKind::null_value, "offer_for must not be NULL");
    }
    if (*request.offer_for_micros < min_offer_microseconds ||
        *request.offer_for_micros > max_offer_microseconds) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "offer_for must be between 1 minute and 7 days",
                          "It is how long an offer is held for the customer, for example "
                          "offer_for => interval '15 minutes'.");
    }
    return ValidJoin{*request.event_id, *request.customer, static_cast<int>(*request.quantity),
                     request.category,  *request.together, *request.offer_for_micros};
}

std::string_view entry_status_name(EntryStatus status) {
    switch (status) {
    case EntryStatus::waiting:
        return "waiting";
    case EntryStatus::offered:
        return "offered";
    case EntryStatus::left:
        return "left";
    case EntryStatus::closed:
        return "closed";
    }
    return "unknown";
}

std::optional<EntryStatus> parse_entry_status(std::string_view name) {
    for (EntryStatus status :
         {EntryStatus::waiting, EntryStatus::offered, EntryStatus::left, EntryStatus::closed}) {
        if (entry_status_name(status) == name) {
            return status;
        }
    }
    return std::nullopt;
}

bool offer_still_open(std::int64_t live_holds) {
    return live_holds > 0;
}

AttemptVerdict judge_attempt(Outcome outcome) {
    switch (outcome) {
    case Outcome::hold_placed:
        return AttemptVerdict::offered;
    case Outcome::limit_reached:
        return AttemptVerdict::skip_limit;
    case Outcome::quota_exhausted:
        return AttemptVerdict::skip_quota;
    case Outcome::busy:
        return AttemptVerdict::busy;
    default:
        // insufficient, sold_out: not enough free tickets of the entry's kind.
        return AttemptVerdict::does_not_fit;
    }
}

std::string_view skip_reason_name(AttemptVerdict verdict) {
    switch (verdict) {
    case AttemptVerdict::skip_limit:
        return "limit_reached";
    case AttemptVerdict::skip_quota:
        return "quota_exhausted";
    default:
        return {};
    }
}

std::string waitlist_channel(std::int64_t event_id) {
    return "ticketing_waitlist_" + std::to_string(event_id);
}

std::string offer_payload(std::int64_t event_id, std::int64_t entry_id, int tickets) {
    return "{\"event_id\":" + std::to_string(event_id) +
           ",\"entry_id\":" + std::to_string(entry_id) + ",\"tickets\":" + std::to_string(tickets) +
           "}";
}

bool BlockedCategories::block(std::string_view category) {
    return blocked_.emplace(category).second;
}

bool BlockedCategories::blocks(std::optional<std::string_view> category,
                               const std::vector<std::string>& free) const {
    if (category) {
        return blocked_.count(*category) > 0;
    }
    for (const std::string& name : free) {
        if (blocked_.count(name) == 0) {
            return false;
        }
    }
    return true;
}

} // namespace ticketing
