#include "single_ticket_calls.hpp"

#include "call_frame.hpp"
#include "checkin_calls.hpp"
#include "customer_limits.hpp"
#include "direct_reads.hpp"
#include "carts.hpp"
#include "idempotency.hpp"
#include "quota_units.hpp"
#include "schema_shape.hpp"
#include "stats.hpp"
#include "subtransaction.hpp"
#include "ticket_codes.hpp"
#include "ticket_store.hpp"
#include "waitlist.hpp"

#include "../core/domain_error.hpp"
#include "../core/sale_odds.hpp"

namespace ticketing::backend {

namespace {

struct KindInfo {
    const char* name;    // for the fingerprint
    const char* command; // for the read-only error
    bool takes_wait;
};

KindInfo info_for(TicketCallKind kind) {
    switch (kind) {
    case TicketCallKind::claim:
        return {"claim_ticket", "claim_ticket()", true};
    case TicketCallKind::release:
        return {"release_ticket", "release_ticket()", false};
    case TicketCallKind::hold:
        return {"hold_ticket", "hold_ticket()", true};
    case TicketCallKind::confirm_hold:
        return {"confirm_hold", "confirm_hold()", false};
    case TicketCallKind::release_hold:
        return {"release_hold", "release_hold()", false};
    }
    return {"unknown", "unknown()", false};
}

CallResult answer(const ValidTicketRequest& request, Outcome outcome, const TicketRow* row) {
    CallResult result = empty_result(outcome, request.event_id);
    result.requested_ticket_id = request.ticket_id;
    if (row != nullptr) {
        result.count = 1;
        result.ticket_ids[0] = row->ticket_id;
        result.seats[0] = row->seat;
        result.has_at = true;
        result.at = row->updated_at;
        // A hold in the way, or one that lapsed: say when it ends or ended.
        result.has_hold_expiry =
            (outcome == Outcome::held || outcome == Outcome::hold_expired) && row->has_hold_expiry;
        result.hold_expires_at = row->hold_expires_at;
    }
    return result;
}

// The answer when a quota refused the units a change needs.
CallResult quota_refusal(const ValidTicketRequest& request, const QuotaTake& take,
                         const TicketRow* row) {
    CallResult result = answer(
        request, take.status == QuotaTakeStatus::busy ? Outcome::busy : Outcome::quota_exhausted,
        row);
    result.quota = take.quota;
    return result;
}

// Locks the row, decides again on the version the lock returns (the holder may have
// changed it), checks the customer's limit if the change adds a ticket, takes or gives
// back quota units when the ticket leaves or returns to inventory, and applies the
// change with its audit row. Into a cart, a hold lasts as long as the cart.
CallResult lock_and_apply(TicketCallKind kind, const ValidTicketRequest& request,
                          const CallArgs& args, const TicketRow& seen, const EventInfo& event,
                          const CartHold* cart) {
    const Datum customer = args.customer_datum;
    TicketRow locked{};
    switch (lock_ticket(request.event_id, request.ticket_id, customer, request.wait, &locked)) {
    case LockStatus::skipped:
        return answer(request, Outcome::busy, &seen);
    case LockStatus::missing:
        return answer(request, Outcome::not_found, nullptr);
    case LockStatus::locked:
        break;
    }
    // A ticket checked in at a gate is not released (1.3): read under the lock, which an
    // admission takes too.
    if (kind == TicketCallKind::release && locked.state.status == TicketStatus::sold) {
        locked.state.admitted = ticket_was_admitted(request.event_id, request.ticket_id);
    }
    Decision decision = decide(kind, locked.state);
    if (decision.action == Action::answer) {
        return answer(request, decision.outcome, &locked);
    }
    if (seen.has_limit && acquires(decision)) {
        // Adding a ticket, or keeping the customer's own hold: take the slot, then judge
        // the hold by the slot's clock (customer_limits.hpp) and decide again.
        const std::optional<CustomerSlot> slot =
            lock_and_count_customer(request.event_id, customer, slot_wait_for(request.wait));
        if (!slot) { // a bounded wait for the customer's slot ran out
            return answer(request, Outcome::busy, &locked);
        }
        judge_holds_at(&locked, 1, slot->clock);
        decision = decide(kind, locked.state);
        if (decision.action == Action::answer) {
            return answer(request, decision.outcome, &locked);
        }
        // Only a call that adds a ticket is held to the limit: the count judges holds by
        // now(), and in a transaction that began long ago it may still count holds that
        // lapsed since, which must not stop a customer keeping the hold they have.
        const int added = added_to_customer(locked.state, decision);
        if (added > 0 && slot->owned + added > seen.limit) {
            return answer(request, Outcome::limit_reached, &locked);
        }
    }
    // Into a cart, the hold lasts as long as the cart.
    const Transition transition = cart != nullptr && decision.action == Action::hold
                                      ? Transition{TicketStatus::held, true, true, cart->expires_at}
                                      : transition_for(decision.action, args);
    const bool from_available = locked.state.status == TicketStatus::available;
    const bool to_available = transition.to == TicketStatus::available;
    if (event.has_quotas() && from_available && !to_available) {
        const QuotaTake take = take_quota_units(request.event_id, &request.ticket_id, 1);
        if (take.status != QuotaTakeStatus::taken) {
            return quota_refusal(request, take, &locked);
        }
    }
    CallResult result = answer(request, decision.outcome, &locked);
    result.at = apply_transition(request.event_id, locked, customer, transition);
    result.has_hold_expiry = transition.has_hold_expiry;
    result.hold_expires_at = transition.hold_expires_at;
    if (event.has_quotas() && !from_available && to_available) {
        give_back_quota_units(request.event_id, &request.ticket_id, 1);
    }
    if (event.waitlist_open && to_available) {
        // Released, refunded, or a hold given up: offered down the list at once.
        offer_free_tickets(request.event_id, event, int8_array(&request.ticket_id, 1),
                           request.wait);
    }
    if (cart != nullptr && transition.to == TicketStatus::held) {
        add_to_cart(request.event_id, cart->cart_id, &request.ticket_id, 1);
    }
    return result;
}

// Which first step claims take, per event, in this backend (core/sale_odds.hpp).
SaleOdds sale_odds;

// A claim sold by the one conditional statement: the hand-written single statement's own
// shape (`UPDATE ... WHERE status = 'available'`, with its audit row), in an event the
// caller has read to have no per-customer limit. Nothing when it sold nothing (sold,
// held or locked since): the caller then looks, or locks and decides again.
std::optional<CallResult> sell_available(const ValidTicketRequest& request, const CallArgs& args) {
    const auto sale = claim_available(request.event_id, request.ticket_id, args.customer_datum,
                                      request.wait.policy);
    sale_odds.record(request.event_id, sale.has_value());
    if (!sale) {
        return std::nullopt;
    }
    TicketRow sold{};
    sold.ticket_id = request.ticket_id;
    sold.seat = sale->seat;
    sold.updated_at = sale->at;
    return answer(request, Outcome::claimed, &sold);
}

// What a first look answers by itself, with no lock: not_found, or the answer the
// ticket's state gives without a change (already_sold, held, already_owned, ...).
// Nothing when the call may change the ticket.
std::optional<CallResult> refusal_from_look(TicketCallKind kind, const ValidTicketRequest& request,
                                            const std::optional<TicketRow>& seen) {
    if (!seen) {
        return answer(request, Outcome::not_found, nullptr);
    }
    const Decision first = decide(kind, seen->state);
    if (first.action != Action::answer) {
        return std::nullopt;
    }
    return answer(request, first.outcome, &*seen);
}

// A claim tries the selling statement first while this backend's recent claims in the
// event mostly sold (SaleOdds); otherwise, and when the statement sold nothing, the
// first look answers "no" without a lock or a write (one index probe where direct reads
// are allowed). A claim the look shows to be a plain sale is the statement; everything
// else, and a sale that could not complete, goes through lock_and_apply, which counts
// lock waits and skips and decides again under the lock.
CallResult settle(TicketCallKind kind, const ValidTicketRequest& request, const CallArgs& args) {
    const bool claim = kind == TicketCallKind::claim;
    // The event (one probe of its primary key) is read only when it matters: a sale may
    // follow (only an event without a limit or quotas has plain sales), or a change may
    // take or give back quota units. 1.0 did not enforce limits.
    std::optional<EventInfo> event;
    const auto read = [&]() -> const EventInfo& {
        if (!event) {
            event = read_event(request.event_id);
        }
        return *event;
    };
    const auto limited = [&] { return read().has_limit && !args.schema_1_0; };
    const auto plain = [&] { return !limited() && !read().has_quotas(); };
    // A hold into a cart: the cart must be the customer's, open and not expired.
    std::optional<CartHold> cart;
    if (args.cart) {
        const CartLookup found =
            find_cart_for_hold(request.event_id, args.cart_datum, args.customer_datum);
        if (found.outcome) {
            return answer(request, *found.outcome, nullptr);
        }
        cart = found.cart;
    }
    const bool tried_first = claim && sale_odds.expect_sale(request.event_id) && plain();
    if (tried_first) {
        if (auto sold = sell_available(request, args)) {
            return *sold;
        }
    }
    const std::optional<TicketRow> seen =
        read_ticket(request.event_id, request.ticket_id, request.customer);
    const bool available =
        claim && seen && seen->state.status == TicketStatus::available && !seen->looks_locked;
    if (claim && !tried_first && !available) {
        sale_odds.record(request.event_id, false); // the statement would not have sold
    }
    if (auto refused = refusal_from_look(kind, request, seen)) {
        return *refused;
    }
    const bool plain_sale = available && plain();
    if (claim && !tried_first && available && !plain_sale) {
        sale_odds.record(request.event_id, false); // a limit: the statement does not sell
    }
    if (plain_sale && !tried_first) {
        if (auto sold = sell_available(request, args)) {
            return *sold;
        }
    }
    TicketRow row = *seen;
    row.has_limit = limited();
    row.limit = read().limit;
    const CartHold* into = cart ? &*cart : nullptr;
    if (read().waitlist_open) {
        // A lapsed hold goes to the waiting list before anyone may take it.
        const bool lapsed = seen->state.status == TicketStatus::held && seen->state.hold_expired;
        if (lapsed && (kind == TicketCallKind::claim || kind == TicketCallKind::hold)) {
            return_lapsed_holds(request.event_id, read(), &request.ticket_id, 1, request.wait);
        }
        set_lapsed_holds_claimable(false);
    }
    // Decided under the lock (and, with a limit or a quota, checked after it): if the
    // answer changes nothing, back out of the lock (and of any unit taken) too. A refusal
    // kept the lock on another customer's ticket until the caller's transaction ended
    // otherwise, and their refund, check-in or transfer queued behind it.
    return keep_locks_only_on_change(
        [&] { return lock_and_apply(kind, request, args, row, read(), into); });
}

// A keyed claim or hold that its first look refuses answers without the key's lock
// when the same snapshot shows no answer stored for the key. A call that stored this
// key and changed this ticket would show in that snapshot with its key, and a refusal
// is not remembered: taking the lock and reading the key again would answer the same
// (idempotency.hpp). Only under READ COMMITTED, where the snapshot is taken now: an
// older one (REPEATABLE READ, SERIALIZABLE) may not show a key stored since, which is a
// serialization failure under the lock. And only while this backend's recent claims in
// the event mostly did not sell (a crowd answered already_sold): a sale takes the key's
// lock as before, and would pay the two probes twice. Nothing: ask under the lock.
std::optional<CallResult> refuse_before_key(TicketCallKind kind, const ValidTicketRequest& request,
                                            const CallArgs& args) {
    if (!args.idempotency_key || args.cart ||
        (kind != TicketCallKind::claim && kind != TicketCallKind::hold) ||
        sale_odds.expect_sale(request.event_id) || IsolationUsesXactSnapshot()) {
        return std::nullopt;
    }
    bool per_event = false;
    pg_call([&] {
        lock_table(OwnTable::idempotency_keys);
        per_event = keys_scoped_per_event();
    });
    const std::optional<KeyedLook> look =
        read_ticket_and_key(per_event, request.event_id, request.ticket_id, args.customer_datum,
                            args.idempotency_key_datum);
    if (!look || look->key_stored) {
        return std::nullopt;
    }
    std::optional<CallResult> refused = refusal_from_look(kind, request, look->ticket);
    if (!refused || remembered_by_idempotency_key(refused->outcome)) {
        return std::nullopt;
    }
    if (kind == TicketCallKind::claim) {
        sale_odds.record(request.event_id, false);
    }
    return refused;
}

} // namespace

CallResult run_ticket_call(TicketCallKind kind, const CallArgs& args) {
    const KindInfo info = info_for(kind);
    const ValidTicketRequest request = validate_ticket_request(
        TicketRequest{args.event_id, args.ticket_id, args.customer, args.wait}, info.takes_wait);
    require_idempotency_key(args.idempotency_key);
    require_cart_token(args.cart);
    if (kind == TicketCallKind::hold) {
        if (!args.has_hold_for) {
            throw DomainError(ErrorKind::null_value, "hold_for must not be NULL");
        }
        require_hold_duration("hold_for", hold_length_micros(args));
    }
    // The request's fingerprint, only when a key must remember it.
    std::string fingerprint;
    if (args.idempotency_key) {
        Fingerprint print(info.name);
        print.add("event_id", request.event_id).add("ticket_id", request.ticket_id);
        if (kind == TicketCallKind::hold) {
            print.add("hold_for", args.hold_for_micros);
        }
        if (args.cart) {
            print.add("cart", token_fingerprint(*args.cart));
        }
        fingerprint = print.text();
    }
    CallResult result = in_backend_call(info.command, request.event_id, [&] {
        std::optional<CallResult> refused = lock_cart_first(args, request.wait);
        if (!refused) {
            refused = refuse_before_key(kind, request, args);
        }
        CallResult settled =
            refused ? *refused : with_idempotency(args, request.event_id, fingerprint, [&] {
                return settle(kind, request, args);
            });
        attach_ticket_code(settled, request.ticket_id, args.customer_datum); // 1.3: its code
        return settled;
    });
    result.requested_ticket_id = request.ticket_id;
    count_outcome(request.event_id, result.outcome);
    return result;
}

} // namespace ticketing::backend
