#include "answer_checks.h"

#include <algorithm>
#include <set>

namespace loadgen {

namespace {

bool valid_outcome(const Request& r, const std::string& outcome) {
    static const std::set<std::string> claim = {"already_owned", "already_sold", "held",
                                                "not_found", "limit_reached"};
    const bool may_wait = r.kind == CallKind::ClaimTicket || r.kind == CallKind::HoldTicket ||
                          r.kind == CallKind::ClaimTickets;
    if (may_wait && outcome == "busy") {
        return r.wait == WaitPolicy::Skip;
    }
    if (may_wait && outcome == kLockNotAvailable) {
        return r.wait == WaitPolicy::NoWait;
    }
    const std::string success = r.places_hold() ? "hold_placed" : "claimed";
    switch (r.kind) {
    case CallKind::ClaimTicket:
    case CallKind::HoldTicket:
    case CallKind::ClaimTickets:
        return outcome == success || claim.count(outcome) != 0;
    case CallKind::ClaimAny:
        return outcome == success || outcome == "insufficient" || outcome == "sold_out" ||
               outcome == "busy" || outcome == "limit_reached";
    case CallKind::ConfirmHold:
        return outcome == "claimed" || outcome == "already_owned" || outcome == "hold_expired" ||
               outcome == "not_owner" || outcome == "not_held" || outcome == "not_found";
    case CallKind::ReleaseHold:
        return outcome == "released" || outcome == "hold_expired" || outcome == "not_owner" ||
               outcome == "not_held" || outcome == "not_found";
    case CallKind::ReleaseTicket:
        return outcome == "released" || outcome == "not_owner" || outcome == "not_found";
    case CallKind::ExpireHolds:
        return outcome == "expired";
    }
    return false;
}

std::string joined_seats(const SeatMap& seats, const std::vector<std::int64_t>& ids,
                         bool* unknown) {
    std::string text;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string* seat = seats.seat(ids[i]);
        *unknown = *unknown || seat == nullptr;
        text += (i == 0 ? "" : ",") + (seat ? *seat : std::string("?"));
    }
    return text;
}

bool subset_of(const std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& of) {
    return std::all_of(ids.begin(), ids.end(), [&](std::int64_t id) {
        return std::find(of.begin(), of.end(), id) != of.end();
    });
}

std::vector<std::int64_t> sorted(std::vector<std::int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::string hold_problem(const Request& r, const Answer& a) {
    const bool success =
        a.outcome == "claimed" || a.outcome == "hold_placed" || a.outcome == "released";
    if (success && !a.at_us) {
        return "a change without `at`";
    }
    if (a.outcome == "hold_placed") {
        if (!a.hold_expires_us) {
            return "hold_placed without hold_expires_at";
        }
        if (*a.hold_expires_us - *a.at_us != static_cast<std::int64_t>(r.hold_ms) * 1000) {
            return "hold_expires_at - at is " + std::to_string(*a.hold_expires_us - *a.at_us) +
                   " us, asked for " + std::to_string(r.hold_ms) + " ms";
        }
    } else if ((a.outcome == "claimed" || a.outcome == "released") && a.hold_expires_us) {
        return a.outcome + " with a hold expiry";
    }
    return "";
}

// Tickets and seats listed by a single-ticket call.
std::string single_problem(const Request& r, const Answer& a, const SeatMap& seats) {
    if (a.tickets != r.tickets) {
        return "lists tickets other than the one asked for";
    }
    const std::string* seat = seats.seat(r.tickets[0]);
    if (a.outcome == "not_found") {
        return seat ? "not_found for an existing ticket" : "";
    }
    if (!seat) {
        return "an answer other than not_found for a ticket that does not exist";
    }
    return a.seats == *seat ? "" : "seat " + a.seats + " but the ticket's seat is " + *seat;
}

std::string claim_any_problem(const Request& r, const Answer& a, const SeatMap& seats) {
    const bool success = a.outcome == "claimed" || a.outcome == "hold_placed";
    if (!success) {
        if (!a.tickets.empty()) {
            return "lists tickets without taking them";
        }
        if (a.outcome == "limit_reached") {
            return "";
        }
        if (!a.remaining) {
            return "no remaining count";
        }
        if ((a.outcome == "sold_out") != (*a.remaining == 0)) {
            return a.outcome + " with remaining " + std::to_string(*a.remaining);
        }
        if (a.outcome == "busy" && *a.remaining < r.quantity) {
            return "busy although only " + std::to_string(*a.remaining) + " remain";
        }
        if (a.outcome == "insufficient" && !r.adjacent && *a.remaining >= r.quantity) {
            return "insufficient although " + std::to_string(*a.remaining) + " remain";
        }
        return "";
    }
    if (static_cast<int>(a.tickets.size()) != r.quantity) {
        return "took " + std::to_string(a.tickets.size()) + " tickets, asked for " +
               std::to_string(r.quantity);
    }
    if (std::set<std::int64_t>(a.tickets.begin(), a.tickets.end()).size() != a.tickets.size()) {
        return "lists a ticket twice";
    }
    bool unknown = false;
    const std::string expected = joined_seats(seats, a.tickets, &unknown);
    if (unknown || expected != a.seats) {
        return "seats [" + a.seats + "] do not match the tickets' seats [" + expected + "]";
    }
    std::vector<std::string> labels;
    for (const std::int64_t id : a.tickets) {
        labels.push_back(*seats.seat(id));
        if (!r.section.empty() && section_of(labels.back()) != r.section) {
            return "seat " + labels.back() + " is outside section " + r.section;
        }
    }
    if (r.adjacent && !adjacent_seats(labels)) {
        return "seats [" + a.seats + "] are not adjacent";
    }
    return "";
}

std::string claim_tickets_problem(const Request& r, const Answer& a, const SeatMap& seats,
                                  std::int64_t limit) {
    const std::string& o = a.outcome;
    if (o == "busy" && a.tickets.empty() && limit > 0) {
        return ""; // the customer's slot was busy (another claim of hers), not a ticket
    }
    if (o == "claimed" || o == "hold_placed" || o == "already_owned") {
        if (sorted(a.tickets) != sorted(r.tickets)) {
            return o + " does not list exactly the tickets asked for";
        }
    } else if (o == "limit_reached") {
        return a.tickets.empty() ? "" : "limit_reached lists tickets";
    } else if (a.tickets.empty() || !subset_of(a.tickets, r.tickets)) {
        return o + " should list some of the tickets asked for";
    }
    if (o == "not_found" || (o == "busy" && a.seats.empty())) {
        return ""; // busy names the ticket in the way without its seat
    }
    bool unknown = false;
    const std::string expected = joined_seats(seats, a.tickets, &unknown);
    return !unknown && expected == a.seats
               ? ""
               : "seats [" + a.seats + "] do not match the tickets' seats [" + expected + "]";
}

} // namespace

std::string answer_problem(const Request& r, const Answer& a, const SeatMap& seats,
                           std::int64_t limit) {
    if (a.is_error()) {
        return "";
    }
    if (!valid_outcome(r, a.outcome)) {
        return "unexpected outcome " + a.outcome;
    }
    if (a.outcome == kLockNotAvailable) {
        return "";
    }
    std::string problem = hold_problem(r, a);
    if (!problem.empty()) {
        return problem;
    }
    if (r.single_ticket()) {
        return single_problem(r, a, seats);
    }
    if (r.kind == CallKind::ClaimAny) {
        return claim_any_problem(r, a, seats);
    }
    if (r.kind == CallKind::ClaimTickets) {
        return claim_tickets_problem(r, a, seats, limit);
    }
    if (!a.remaining || *a.remaining < 0) {
        return "expire_holds returned no count";
    }
    return "";
}

} // namespace loadgen
