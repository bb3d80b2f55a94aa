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
    }
    return "unknown";
}

bool owner_is_customer(Outcome outcome) {
    return outcome == Outcome::claimed || outcome == Outcome::already_owned;
}

} // namespace ticketing
