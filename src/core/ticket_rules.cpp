#include "ticket_rules.hpp"

namespace ticketing {

Decision decide_claim(const TicketState& ticket) {
    switch (ticket.status) {
    case TicketStatus::available:
        return {Action::sell, Outcome::claimed};
    case TicketStatus::held:
        if (ticket.owned_by_customer || ticket.hold_expired) {
            return {Action::sell, Outcome::claimed};
        }
        return {Action::answer, Outcome::held};
    case TicketStatus::sold:
        return {Action::answer,
                ticket.owned_by_customer ? Outcome::already_owned : Outcome::already_sold};
    }
    return {Action::answer, Outcome::not_found};
}

Decision decide_release(const TicketState& ticket) {
    const bool live = ticket.status == TicketStatus::sold ||
                      (ticket.status == TicketStatus::held && !ticket.hold_expired);
    if (live && ticket.owned_by_customer) {
        return {Action::release, Outcome::released};
    }
    return {Action::answer, Outcome::not_owner};
}

} // namespace ticketing
