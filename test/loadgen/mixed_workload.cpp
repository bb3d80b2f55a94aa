#include "mixed_workload.h"

#include <algorithm>
#include <array>

namespace loadgen {

namespace {

// Relative weights of the calls. expire_holds is occasional (about 1 call in 900), so that
// lapsed holds linger a while and claims take some of them over.
struct Weighted {
    CallKind kind;
    int weight;
};
constexpr std::array<Weighted, kCallKindCount> kMix = {{
    {CallKind::ClaimTicket, 140},
    {CallKind::ClaimAny, 140},
    {CallKind::ClaimTickets, 100},
    {CallKind::HoldTicket, 140},
    {CallKind::ConfirmHold, 140},
    {CallKind::ReleaseHold, 60},
    {CallKind::ReleaseTicket, 180},
    {CallKind::ExpireHolds, 1},
}};

constexpr std::int64_t kHotTickets = 100; // the first rows: where claims collide
constexpr int kRecentPercent = 25;        // tickets just given back
constexpr int kHotPercent = 30;
constexpr int kMissingPercent = 1;
// Orders over a few contested tickets, asked in random order and rolled back (so the tickets
// stay claimable and every such order locks them): were overlapping orders not locked in one
// global order, they would deadlock.
constexpr std::int64_t kContestedTickets = 6; // the event's last ticket ids
constexpr int kContestedPercent = 30;

CallKind pick_kind(std::mt19937_64& rng) {
    int total = 0;
    for (const Weighted& entry : kMix) {
        total += entry.weight;
    }
    int roll = std::uniform_int_distribution<int>(0, total - 1)(rng);
    for (const Weighted& entry : kMix) {
        if (roll < entry.weight) {
            return entry.kind;
        }
        roll -= entry.weight;
    }
    return CallKind::ClaimTicket;
}

template <typename T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& items) {
    return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

} // namespace

bool chance(std::mt19937_64& rng, int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
}

int random_hold_ms(std::mt19937_64& rng) {
    return std::uniform_int_distribution<int>(1000, 2000)(rng);
}

WaitPolicy random_wait(std::mt19937_64& rng) {
    static constexpr WaitPolicy policies[] = {WaitPolicy::Wait, WaitPolicy::NoWait,
                                              WaitPolicy::Skip};
    return policies[std::uniform_int_distribution<int>(0, 2)(rng)];
}

std::int64_t RequestPicker::any_ticket(std::mt19937_64& rng) const {
    const std::int64_t highest = std::max<std::int64_t>(1, seats_.max_ticket_id());
    if (chance(rng, kMissingPercent)) {
        return highest + std::uniform_int_distribution<std::int64_t>(1, 10)(rng);
    }
    if (chance(rng, kRecentPercent)) {
        if (const auto recent = recent_.pick(rng)) {
            return *recent;
        }
    }
    const std::int64_t range = chance(rng, kHotPercent) ? std::min(kHotTickets, highest) : highest;
    return std::uniform_int_distribution<std::int64_t>(1, range)(rng);
}

std::int64_t RequestPicker::owned_or_any(std::mt19937_64& rng,
                                         const CustomerBook::View& view) const {
    if (!view.sold.empty() && chance(rng, 85)) {
        return pick(rng, view.sold);
    }
    if (!view.holds.empty() && chance(rng, 50)) {
        return pick(rng, view.holds).ticket;
    }
    return any_ticket(rng);
}

std::optional<std::int64_t> RequestPicker::own_hold(std::mt19937_64& rng,
                                                    const CustomerBook::View& view,
                                                    std::int64_t now_us) const {
    std::vector<std::int64_t> kept;   // live holds the customer means to settle
    std::vector<std::int64_t> lapsed; // abandoned ones, once lapsed: hold_expired
    for (const CustomerBook::Hold& hold : view.holds) {
        if (!hold.abandoned && hold.expires_us > now_us) {
            kept.push_back(hold.ticket);
        } else if (hold.expires_us <= now_us) {
            lapsed.push_back(hold.ticket);
        }
    }
    if (!kept.empty() && chance(rng, 80)) {
        return pick(rng, kept);
    }
    if (!lapsed.empty() && chance(rng, 70)) {
        return pick(rng, lapsed);
    }
    return std::nullopt;
}

void RequestPicker::fill_contested(std::mt19937_64& rng, Request* request) const {
    const std::int64_t highest = seats_.max_ticket_id();
    std::vector<std::int64_t> ids;
    for (std::int64_t id = std::max<std::int64_t>(1, highest - kContestedTickets + 1);
         id <= highest; ++id) {
        ids.push_back(id);
    }
    std::shuffle(ids.begin(), ids.end(), rng);
    const auto count =
        std::min<std::size_t>(ids.size(), std::uniform_int_distribution<std::size_t>(2, 3)(rng));
    request->tickets.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(count));
    request->wait = chance(rng, 80) ? WaitPolicy::Wait : random_wait(rng);
    request->hold_ms = chance(rng, 50) ? random_hold_ms(rng) : 0;
    request->roll_back = true;
}

void RequestPicker::fill_claim_tickets(std::mt19937_64& rng, const CustomerBook::View& view,
                                       Request* request) const {
    if (seats_.max_ticket_id() > kContestedTickets && chance(rng, kContestedPercent)) {
        fill_contested(rng, request);
        return;
    }
    const int count = std::uniform_int_distribution<int>(2, 4)(rng);
    if (chance(rng, 25) && (!view.sold.empty() || !view.holds.empty())) {
        request->tickets.push_back(owned_or_any(rng, view)); // mixes own tickets in
    }
    for (int tries = 0; static_cast<int>(request->tickets.size()) < count && tries < 20; ++tries) {
        const std::int64_t ticket = any_ticket(rng);
        if (std::find(request->tickets.begin(), request->tickets.end(), ticket) ==
            request->tickets.end()) {
            request->tickets.push_back(ticket);
        }
    }
    request->wait = random_wait(rng);
    request->hold_ms = chance(rng, 30) ? random_hold_ms(rng) : 0;
}

void RequestPicker::fill_claim_any(std::mt19937_64& rng, Request* request) const {
    request->quantity = std::uniform_int_distribution<int>(1, 4)(rng);
    request->adjacent = request->quantity > 1 && chance(rng, 40);
    if (!seats_.sections().empty() && chance(rng, 30)) {
        request->section = pick(rng, seats_.sections());
    }
    request->hold_ms = chance(rng, 30) ? random_hold_ms(rng) : 0;
}

Request RequestPicker::next(std::mt19937_64& rng, const std::string& customer,
                            const CustomerBook::View& view, std::int64_t now_us) const {
    Request request;
    request.kind = pick_kind(rng);
    request.customer = customer;
    const auto live_holds =
        std::count_if(view.holds.begin(), view.holds.end(),
                      [&](const auto& hold) { return hold.expires_us > now_us; });
    if (limit_ > 0 && static_cast<std::int64_t>(view.sold.size()) + live_holds >= limit_ &&
        !view.sold.empty() && chance(rng, 40)) {
        request.kind = CallKind::ReleaseTicket;
    }
    std::optional<std::int64_t> hold;
    if (request.kind == CallKind::ConfirmHold || request.kind == CallKind::ReleaseHold) {
        hold = own_hold(rng, view, now_us);
        if (!hold && chance(rng, 70)) {
            request.kind = CallKind::HoldTicket; // nothing to settle: place a hold instead
        }
    }
    switch (request.kind) {
    case CallKind::ClaimTicket:
        request.tickets = {any_ticket(rng)};
        request.wait = random_wait(rng);
        break;
    case CallKind::HoldTicket:
        request.tickets = {any_ticket(rng)};
        if (chance(rng, 10)) {
            request.tickets = {own_hold(rng, view, now_us).value_or(request.tickets[0])};
        }
        request.wait = random_wait(rng);
        request.hold_ms = random_hold_ms(rng);
        break;
    case CallKind::ClaimTickets:
        fill_claim_tickets(rng, view, &request);
        break;
    case CallKind::ClaimAny:
        fill_claim_any(rng, &request);
        break;
    case CallKind::ConfirmHold:
    case CallKind::ReleaseHold:
        request.tickets = {hold.value_or(any_ticket(rng))};
        break;
    case CallKind::ReleaseTicket:
        request.tickets = {owned_or_any(rng, view)};
        break;
    case CallKind::ExpireHolds:
        request.customer.clear();
        break;
    }
    return request;
}

} // namespace loadgen
