#include "outcome.hpp"

namespace ticketing {

std::string_view outcome_name(Outcome outcome) {
    switch (outcome) {
    case Outcome::claimed:
        return "claimed";
    case Outcome::already_owned:
        return "already_owned";
    case Outcome::already_sold:
        return "already_sold";
    case Outcome::held:
        return "held";
    case Outcome::not_found:
        return "not_found";
    case Outcome::busy:
        return "busy";
    case Outcome::released:
        return "released";
    case Outcome::not_owner:
        return "not_owner";
    case Outcome::hold_placed:
        return "hold_placed";
    case Outcome::hold_expired:
        return "hold_expired";
    case Outcome::not_held:
        return "not_held";
    case Outcome::limit_reached:
        return "limit_reached";
    case Outcome::insufficient:
        return "insufficient";
    case Outcome::sold_out:
        return "sold_out";
    case Outcome::quota_exhausted:
        return "quota_exhausted";
    case Outcome::cart_not_found:
        return "cart_not_found";
    case Outcome::cart_expired:
        return "cart_expired";
    case Outcome::cart_closed:
        return "cart_closed";
    case Outcome::empty_cart:
        return "empty_cart";
    case Outcome::opened:
        return "opened";
    case Outcome::extended:
        return "extended";
    case Outcome::capped:
        return "capped";
    case Outcome::admitted:
        return "admitted";
    case Outcome::already_admitted:
        return "already_admitted";
    case Outcome::not_sold:
        return "not_sold";
    case Outcome::unknown_code:
        return "unknown_code";
    case Outcome::wrong_event:
        return "wrong_event";
    case Outcome::revoked:
        return "revoked";
    case Outcome::transferred:
        return "transferred";
    case Outcome::joined:
        return "joined";
    case Outcome::offered:
        return "offered";
    case Outcome::waiting:
        return "waiting";
    case Outcome::already_waiting:
        return "already_waiting";
    case Outcome::left:
        return "left";
    case Outcome::not_waiting:
        return "not_waiting";
    case Outcome::waitlist_closed:
        return "waitlist_closed";
    }
    return "unknown";
}

bool owner_is_customer(Outcome outcome) {
    // already_admitted: a release or transfer by the owner of a checked-in ticket.
    return outcome == Outcome::claimed || outcome == Outcome::already_owned ||
           outcome == Outcome::hold_placed || outcome == Outcome::already_admitted;
}

bool changes_tickets(Outcome outcome) {
    return outcome == Outcome::claimed || outcome == Outcome::released ||
           outcome == Outcome::hold_placed || outcome == Outcome::transferred;
}

bool gives_sold_tickets(Outcome outcome) {
    return outcome == Outcome::claimed || outcome == Outcome::already_owned;
}

bool remembered_by_idempotency_key(Outcome outcome) {
    return changes_tickets(outcome);
}

} // namespace ticketing
