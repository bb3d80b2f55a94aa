#include "feed_rules.hpp"

#include "domain_error.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace ticketing {

ValidChangesRequest validate_changes_request(const ChangesRequest& request) {
    if (!request.event_id) {
        throw DomainError(ErrorKind::null_value, "event_id must not be NULL");
    }
    if (!request.after_audit_id) {
        throw DomainError(ErrorKind::null_value, "after_audit_id must not be NULL",
                          "Pass 0 to read the event's changes from the beginning.");
    }
    if (!request.max_rows) {
        throw DomainError(ErrorKind::null_value, "max_rows must not be NULL");
    }
    if (!request.settled_through) {
        throw DomainError(ErrorKind::null_value, "settled_through must not be NULL",
                          "Pass 0 (the default) unless you hold an id known to be settled.");
    }
    if (*request.event_id <= 0) {
        throw DomainError(ErrorKind::invalid_parameter, "event_id must be a positive number, got " +
                                                            std::to_string(*request.event_id));
    }
    if (*request.after_audit_id < 0) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "after_audit_id must be 0 or more, got " +
                              std::to_string(*request.after_audit_id),
                          "Pass 0 to read the event's changes from the beginning.");
    }
    if (*request.max_rows < 1 || *request.max_rows > max_changes_rows) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "max_rows must be between 1 and " + std::to_string(max_changes_rows) +
                              ", got " + std::to_string(*request.max_rows),
                          "Call again from the last audit_id returned for more rows.");
    }
    if (*request.settled_through < 0) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "settled_through must be 0 or more, got " +
                              std::to_string(*request.settled_through),
                          "Pass a through_audit_id of feed_snapshot or an audit_id changes_since "
                          "returned, or 0.");
    }
    return ValidChangesRequest{*request.event_id, *request.after_audit_id, *request.max_rows,
                               *request.settled_through};
}

std::int64_t first_unsettled_id(std::int64_t sequence_last,
                                std::optional<std::int64_t> lowest_running_floor) {
    std::int64_t bound = std::max<std::int64_t>(sequence_last, 0);
    if (lowest_running_floor) {
        bound = std::min(bound, std::max<std::int64_t>(*lowest_running_floor, 0));
    }
    return bound == std::numeric_limits<std::int64_t>::max() ? bound : bound + 1;
}

std::int64_t read_bound(std::int64_t first_unsettled, std::int64_t settled_through) {
    if (settled_through >= std::numeric_limits<std::int64_t>::max()) {
        return settled_through;
    }
    return std::max(first_unsettled, settled_through + 1);
}

void TransactionChanges::record(std::int64_t event_id, std::int64_t audit_id, int nest_level) {
    for (Entry& entry : entries_) {
        if (entry.event_id == event_id && entry.nest_level == nest_level) {
            entry.highest_audit_id = std::max(entry.highest_audit_id, audit_id);
            return;
        }
    }
    entries_.push_back(Entry{event_id, audit_id, nest_level});
}

void TransactionChanges::commit_subtransaction(int nest_level) {
    // Merged in place (a subtransaction's commit callback must not allocate): entries of
    // one event that now share the parent's level become one.
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].nest_level >= nest_level) {
            entries_[i].nest_level = nest_level - 1;
        }
    }
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        for (std::size_t j = i + 1; j < entries_.size();) {
            if (entries_[j].event_id == entries_[i].event_id &&
                entries_[j].nest_level == entries_[i].nest_level) {
                entries_[i].highest_audit_id =
                    std::max(entries_[i].highest_audit_id, entries_[j].highest_audit_id);
                entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(j));
            } else {
                ++j;
            }
        }
    }
}

void TransactionChanges::abort_subtransaction(int nest_level) {
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [&](const Entry& e) { return e.nest_level >= nest_level; }),
                   entries_.end());
}

std::vector<std::pair<std::int64_t, std::int64_t>> TransactionChanges::changed_events() const {
    std::vector<std::pair<std::int64_t, std::int64_t>> events;
    for (const Entry& entry : entries_) {
        auto same = std::find_if(events.begin(), events.end(),
                                 [&](const auto& e) { return e.first == entry.event_id; });
        if (same == events.end()) {
            events.emplace_back(entry.event_id, entry.highest_audit_id);
        } else {
            same->second = std::max(same->second, entry.highest_audit_id);
        }
    }
    std::sort(events.begin(), events.end());
    return events;
}

std::string feed_channel(std::int64_t event_id) {
    return "ticketing_feed_" + std::to_string(event_id);
}

std::string feed_payload(std::int64_t event_id, std::int64_t audit_id) {
    return "{\"event_id\":" + std::to_string(event_id) +
           ",\"audit_id\":" + std::to_string(audit_id) + "}";
}

} // namespace ticketing
