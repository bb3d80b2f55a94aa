#include "ticket_rules.hpp"

namespace ticketing {

namespace {

bool live_hold(const TicketState& ticket) {
    return ticket.status == TicketStatus::held && !ticket.hold_expired;
}

// Someone else has it: sold to another, or another's live hold.
bool taken_by_other(const TicketState& ticket) {
    return !ticket.owned_by_customer && (ticket.status == TicketStatus::sold || live_hold(ticket));
}

// Claim and hold share their answers; they differ only in what they do.
Decision acquire(const TicketState& ticket, Action action, Outcome success) {
    if (ticket.status == TicketStatus::sold) {
        return {Action::answer,
                ticket.owned_by_customer ? Outcome::already_owned : Outcome::already_sold};
    }
    if (taken_by_other(ticket) || (ticket.lapse_waits_for_list &&
                                   ticket.status == TicketStatus::held && ticket.hold_expired)) {
        return {Action::answer, Outcome::held};
    }
    return {action, success};
}

Decision settle_hold(const TicketState& ticket, Action action, Outcome success) {
    if (ticket.owned_by_customer && live_hold(ticket)) {
        return {action, success};
    }
    if (ticket.owned_by_customer && ticket.status == TicketStatus::held) {
        return {Action::answer, Outcome::hold_expired};
    }
    if (taken_by_other(ticket)) {
        return {Action::answer, Outcome::not_owner};
    }
    return {Action::answer, Outcome::not_held};
}

} // namespace

Decision decide(TicketCallKind kind, const TicketState& ticket) {
    switch (kind) {
    case TicketCallKind::claim:
        return acquire(ticket, Action::sell, Outcome::claimed);
    case TicketCallKind::hold:
        return acquire(ticket, Action::hold, Outcome::hold_placed);
    case TicketCallKind::release:
        if (counts_toward_limit(ticket) && ticket.admitted) {
            return {Action::answer, Outcome::already_admitted};
        }
        if (counts_toward_limit(ticket)) {
            return {Action::release, Outcome::released};
        }
        return {Action::answer, Outcome::not_owner};
    case TicketCallKind::confirm_hold:
        if (ticket.owned_by_customer && ticket.status == TicketStatus::sold) {
            return {Action::answer, Outcome::already_owned};
        }
        return settle_hold(ticket, Action::sell, Outcome::claimed);
    case TicketCallKind::release_hold:
        return settle_hold(ticket, Action::release, Outcome::released);
    }
    return {Action::answer, Outcome::not_found};
}

Decision decide_claim(const TicketState& ticket) {
    return decide(TicketCallKind::claim, ticket);
}

Decision decide_release(const TicketState& ticket) {
    return decide(TicketCallKind::release, ticket);
}

bool counts_toward_limit(const TicketState& ticket) {
    return ticket.owned_by_customer && (ticket.status == TicketStatus::sold || live_hold(ticket));
}

bool acquires(const Decision& decision) {
    return decision.action == Action::sell || decision.action == Action::hold;
}

int added_to_customer(const TicketState& ticket, const Decision& decision) {
    return acquires(decision) && !counts_toward_limit(ticket) ? 1 : 0;
}

} // namespace ticketing
