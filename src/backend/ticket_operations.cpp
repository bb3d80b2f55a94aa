#include "ticket_operations.hpp"

#include "pg_guard.hpp"
#include "spi_plans.hpp"

namespace ticketing::backend {

namespace {

using Decide = Decision (*)(const TicketState&);

TicketResult answer(const TicketCall& call, Outcome outcome, const TicketRow* row) {
    TicketResult result{};
    result.outcome = outcome;
    result.event_id = call.request.event_id;
    result.ticket_id = call.request.ticket_id;
    result.owner_is_you = owner_is_customer(outcome);
    if (row != nullptr) {
        result.has_seat = true;
        result.seat = row->seat;
        result.has_at = true;
        result.at = row->updated_at;
        // Another customer's hold: say when it lapses, so the caller knows when to retry.
        result.has_hold_expiry = outcome == Outcome::held && row->has_hold_expiry;
        result.hold_expires_at = row->hold_expires_at;
    }
    return result;
}

Transition transition_for(const Decision& decision, TicketStatus from) {
    if (decision.action == Action::sell) {
        return {from, TicketStatus::sold, true};
    }
    return {from, TicketStatus::available, false};
}

// The shared shape of every single-ticket change: a lock-free look answers "no"
// cheaply; otherwise lock the row, decide again on the version the lock returns (the
// holder may have changed it), and apply the change with its audit row.
TicketResult settle(const TicketCall& call, Decide decide) {
    const std::optional<TicketRow> seen = peek_ticket(call);
    if (!seen) {
        return answer(call, Outcome::not_found, nullptr);
    }
    const Decision first = decide(seen->state);
    if (first.action == Action::answer) {
        return answer(call, first.outcome, &*seen);
    }
    const LockedTicket locked = lock_ticket(call);
    switch (locked.status) {
    case LockStatus::skipped:
        return answer(call, Outcome::busy, &*seen);
    case LockStatus::missing:
        return answer(call, Outcome::not_found, nullptr);
    case LockStatus::locked:
        break;
    }
    const Decision decision = decide(locked.row.state);
    if (decision.action == Action::answer) {
        return answer(call, decision.outcome, &locked.row);
    }
    TicketResult result = answer(call, decision.outcome, &locked.row);
    result.at = apply_transition(call, transition_for(decision, locked.row.state.status));
    return result;
}

TicketResult run_ticket_call(const TicketArgs& args, bool takes_wait, const char* command,
                             Decide decide) {
    const TicketCall call{validate_ticket_request(args.request, takes_wait), args.customer};
    // PostgreSQL's own 25006 in a read-only transaction or on a hot standby, even when
    // the answer would not have needed a write.
    pg_call([&] { PreventCommandIfReadOnly(command); });
    spi_connect();
    const TicketResult result = settle(call, decide);
    spi_finish();
    return result;
}

} // namespace

TicketResult claim_ticket(const TicketArgs& args) {
    return run_ticket_call(args, true, "claim_ticket()", &decide_claim);
}

TicketResult release_ticket(const TicketArgs& args) {
    return run_ticket_call(args, false, "release_ticket()", &decide_release);
}

} // namespace ticketing::backend
