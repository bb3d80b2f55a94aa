#include "mixed_request.h"

namespace loadgen {

namespace {

std::string optional_text(const std::optional<std::int64_t>& value) {
    return value ? std::to_string(*value) : std::string("-");
}

std::string joined(const std::vector<std::int64_t>& ids) {
    std::string text;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        text += (i == 0 ? "" : ",") + std::to_string(ids[i]);
    }
    return text;
}

} // namespace

const char* call_kind_name(CallKind kind) {
    switch (kind) {
    case CallKind::ClaimTicket:
        return "claim_ticket";
    case CallKind::ClaimAny:
        return "claim_any";
    case CallKind::ClaimTickets:
        return "claim_tickets";
    case CallKind::HoldTicket:
        return "hold_ticket";
    case CallKind::ConfirmHold:
        return "confirm_hold";
    case CallKind::ReleaseHold:
        return "release_hold";
    case CallKind::ReleaseTicket:
        return "release_ticket";
    case CallKind::ExpireHolds:
        return "expire_holds";
    }
    return "unknown";
}

bool Request::single_ticket() const {
    switch (kind) {
    case CallKind::ClaimTicket:
    case CallKind::HoldTicket:
    case CallKind::ConfirmHold:
    case CallKind::ReleaseHold:
    case CallKind::ReleaseTicket:
        return true;
    case CallKind::ClaimAny:
    case CallKind::ClaimTickets:
    case CallKind::ExpireHolds:
        break;
    }
    return false;
}

std::string describe(const Request& request) {
    std::string text = std::string(call_kind_name(request.kind)) + "(" + request.customer;
    if (!request.tickets.empty()) {
        text += ", ticket" + std::string(request.tickets.size() > 1 ? "s " : " ") +
                joined(request.tickets);
    }
    if (request.kind == CallKind::ClaimTicket || request.kind == CallKind::HoldTicket ||
        request.kind == CallKind::ClaimTickets) {
        text += std::string(", ") + wait_policy_name(request.wait);
    }
    if (request.kind == CallKind::ClaimAny) {
        text += ", quantity " + std::to_string(request.quantity);
        if (request.adjacent) {
            text += ", adjacent";
        }
        if (!request.section.empty()) {
            text += ", section " + request.section;
        }
    }
    if (request.places_hold()) {
        text += ", hold " + std::to_string(request.hold_ms) + " ms";
    }
    if (!request.key.empty()) {
        text += ", key " + request.key;
    }
    if (request.roll_back) {
        text += ", rolled back";
    }
    return text + ")";
}

bool Answer::remembered() const {
    return changed_tickets();
}

bool Answer::changed_tickets() const {
    return !is_error() &&
           (outcome == "claimed" || outcome == "hold_placed" || outcome == "released");
}

CallResult Answer::as_call_result() const {
    CallResult result;
    result.outcome = is_error() ? std::string() : outcome;
    result.sqlstate = sqlstate;
    result.message = message;
    result.connection_lost = connection_lost;
    result.latency = latency;
    return result;
}

bool same_answer(const Answer& a, const Answer& b) {
    return a.sqlstate == b.sqlstate && a.outcome == b.outcome && a.tickets == b.tickets &&
           a.seats == b.seats && a.at_us == b.at_us && a.hold_expires_us == b.hold_expires_us &&
           a.remaining == b.remaining;
}

std::string describe(const Answer& answer) {
    if (answer.is_error()) {
        return "error " + answer.sqlstate + ": " + answer.message;
    }
    return answer.outcome + " [" + joined(answer.tickets) + "] seats [" + answer.seats + "] at " +
           optional_text(answer.at_us) + " hold until " + optional_text(answer.hold_expires_us) +
           " remaining " + optional_text(answer.remaining);
}

} // namespace loadgen
