#include "batch_rules.hpp"

#include "ticket_rules.hpp"

#include <algorithm>
#include <unordered_map>

namespace ticketing {

namespace {

TicketState state_for(const BatchTicket& ticket, std::string_view customer) {
    return TicketState{ticket.status, !ticket.owner.empty() && ticket.owner == customer,
                       ticket.hold_expired, ticket.lapse_waits_for_list};
}

// Sells (or holds) `ticket` to `item`'s customer if the rules and the limit allow.
BatchDecision take(BatchTicket& ticket, const BatchItem& item, const AdmitFunction& admit,
                   const SlotFunction& slot_held) {
    const std::string_view customer = item.customer;
    const TicketState state = state_for(ticket, customer);
    const Decision decision = decide_claim(state);
    if (decision.action == Action::answer) {
        return {decision.outcome, false, ticket.ticket_id};
    }
    if (!ticket.locked || ticket.taken_here) {
        // taken_here: the customer's own request held it into a cart earlier in this
        // batch; taking it again (a sale, another cart) is two changes of one row in one
        // batch, which the batch does not make.
        return {Outcome::busy, false, ticket.ticket_id};
    }
    if (added_to_customer(state, decision) == 0) {
        if (slot_held && !slot_held(customer)) {
            return {Outcome::busy, false, ticket.ticket_id};
        }
    } else {
        const AdmitAnswer answer = admit(customer, &ticket, true);
        switch (answer.admission) {
        case Admission::limit_reached:
            return {answer.refusal, false, ticket.ticket_id};
        case Admission::busy:
            return {Outcome::busy, false, ticket.ticket_id};
        case Admission::admitted:
            break;
        }
    }
    BatchDecision sold{Outcome::claimed, true, ticket.ticket_id, ticket.status};
    ticket.status = item.hold ? TicketStatus::held : TicketStatus::sold;
    ticket.owner = customer;
    ticket.hold_expired = false;
    ticket.taken_here = true;
    return sold;
}

} // namespace

std::vector<BatchDecision> decide_batch(const std::vector<BatchItem>& items,
                                        std::vector<BatchTicket>& given,
                                        std::vector<BatchTicket>& pool,
                                        const ExhaustedFunction& pool_exhausted,
                                        const AdmitFunction& admit, const SlotFunction& slot_held) {
    std::vector<BatchDecision> decisions;
    decisions.reserve(items.size());
    std::vector<bool> used(pool.size(), false);
    for (const BatchItem& item : items) {
        if (item.ticket_id) {
            const auto found = std::lower_bound(
                given.begin(), given.end(), *item.ticket_id,
                [](const BatchTicket& t, std::int64_t id) { return t.ticket_id < id; });
            if (found == given.end() || found->ticket_id != *item.ticket_id) {
                decisions.push_back({Outcome::not_found, false, *item.ticket_id});
            } else {
                decisions.push_back(take(*found, item, admit, slot_held));
            }
            continue;
        }
        // Any seat: the next pooled ticket of the request's pool. A ticket refused (for
        // the customer's limit, or a quota) stays in the pool for the requests after it.
        const std::string_view wanted_pool = item.category.value_or(std::string_view());
        BatchDecision decision{pool_exhausted(item.category), false, 0};
        bool offered = false;
        for (std::size_t i = 0; i < pool.size(); ++i) {
            if (used[i] || pool[i].pool != wanted_pool || pool[i].status == TicketStatus::sold) {
                continue;
            }
            offered = true;
            decision = take(pool[i], item, admit, slot_held);
            if (decision.takes) {
                used[i] = true;
            } else {
                decision.ticket_id = 0;
            }
            break;
        }
        if (!offered) {
            // No ticket left: a customer without room is told so, not that it sold out.
            const AdmitAnswer answer = admit(item.customer, nullptr, false);
            switch (answer.admission) {
            case Admission::limit_reached:
                decision.outcome = answer.refusal;
                break;
            case Admission::busy:
                decision.outcome = Outcome::busy;
                break;
            case Admission::admitted:
                break;
            }
        }
        decisions.push_back(decision);
    }
    return decisions;
}

LockFreePlan plan_lock_free(const BatchTicket* looked, std::string_view customer, bool named_once,
                            bool event_has_limit) {
    if (!named_once) {
        return {LockFreeStep::lock, Outcome::busy};
    }
    if (looked == nullptr) {
        return {LockFreeStep::answer, Outcome::not_found};
    }
    const Decision decision = decide_claim(state_for(*looked, customer));
    if (decision.action == Action::answer) {
        return {LockFreeStep::answer, decision.outcome};
    }
    if (looked->status == TicketStatus::available && !event_has_limit) {
        return {LockFreeStep::sell, Outcome::claimed};
    }
    return {LockFreeStep::lock, Outcome::busy};
}

std::unordered_set<std::int64_t> named_once(const std::vector<BatchItem>& items) {
    std::unordered_map<std::int64_t, int> times;
    for (const BatchItem& item : items) {
        if (item.ticket_id) {
            ++times[*item.ticket_id];
        }
    }
    std::unordered_set<std::int64_t> once;
    for (const auto& [id, count] : times) {
        if (count == 1) {
            once.insert(id);
        }
    }
    return once;
}

} // namespace ticketing
