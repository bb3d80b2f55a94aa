#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "order_calls.hpp"

#include "call_frame.hpp"
#include "carts.hpp"
#include "customer_limits.hpp"
#include "direct_reads.hpp"
#include "idempotency.hpp"
#include "quota_units.hpp"
#include "stats.hpp"
#include "subtransaction.hpp"
#include "ticket_codes.hpp"
#include "ticket_store.hpp"
#include "waitlist.hpp"

#include "../core/domain_error.hpp"
#include "../core/seat_label.hpp"

namespace ticketing::backend {

namespace {

void add_tickets(CallResult& result, const TicketRow* rows, int count) {
    for (int i = 0; i < count && result.count < max_order_tickets; ++i) {
        result.ticket_ids[result.count] = rows[i].ticket_id;
        result.seats[result.count] = rows[i].seat;
        ++result.count;
    }
}

// Sells or holds `rows` (all locked, all changing) after the customer's limit check, with
// the quota units the ones leaving inventory take. Into a cart, every one is a hold that
// lasts as long as the cart. `category` (text, or 0): every row is of it.
CallResult take(std::int64_t event_id, const CallArgs& args, const EventInfo& event,
                TicketRow* rows, int count, int added, SlotWait slot_wait, const CartHold* cart,
                Datum category = 0, const CustomerSlot* slot = nullptr) {
    const bool hold = args.has_hold_for || cart != nullptr;
    if (event.has_limit && slot != nullptr) {
        // The caller took the slot and counted. Only adding is held to the limit (a count
        // by an old transaction's now() may include holds that lapsed since).
        if (added > 0 && slot->owned + added > event.limit) {
            return empty_result(Outcome::limit_reached, event_id);
        }
    } else if (event.has_limit && added > 0) {
        switch (admit_customer(event_id, args.customer_datum, event.limit, added, slot_wait)) {
        case SlotAdmission::limit_reached:
            return empty_result(Outcome::limit_reached, event_id);
        case SlotAdmission::busy: // a bounded wait for the customer's slot ran out
            return empty_result(Outcome::busy, event_id);
        case SlotAdmission::admitted:
            break;
        }
    }
    if (event.has_quotas()) {
        std::vector<std::int64_t> leaving; // available tickets: they take units
        std::vector<std::int64_t> locked;  // every ticket this call changes
        for (int i = 0; i < count; ++i) {
            locked.push_back(rows[i].ticket_id);
            if (rows[i].state.status == TicketStatus::available) {
                leaving.push_back(rows[i].ticket_id);
            }
        }
        const QuotaTake taken =
            take_quota_units(event_id, leaving.data(), static_cast<int>(leaving.size()),
                             locked.data(), static_cast<int>(locked.size()), &event, category);
        if (taken.status != QuotaTakeStatus::taken) {
            CallResult refused = empty_result(
                taken.status == QuotaTakeStatus::busy ? Outcome::busy : Outcome::quota_exhausted,
                event_id);
            refused.quota = taken.quota;
            return refused;
        }
    }
    // Into a cart, the hold lasts as long as the cart (hold_for is not used).
    const Transition transition = cart != nullptr
                                      ? Transition{TicketStatus::held, true, true, cart->expires_at}
                                      : transition_for(hold ? Action::hold : Action::sell, args);
    CallResult result = empty_result(hold ? Outcome::hold_placed : Outcome::claimed, event_id);
    add_tickets(result, rows, count);
    result.has_at = true;
    result.at = apply_transitions(event_id, rows, count, args.customer_datum, transition);
    result.has_hold_expiry = transition.has_hold_expiry;
    result.hold_expires_at = transition.hold_expires_at;
    if (cart != nullptr) {
        add_to_cart(event_id, cart->cart_id, result.ticket_ids, result.count);
    }
    return result;
}

// The cart a call holds into (its token in args.cart), or the outcome that refuses it.
std::optional<CallResult> resolve_cart(std::int64_t event_id, const CallArgs& args,
                                       std::optional<CartHold>* cart) {
    if (!args.cart) {
        return std::nullopt;
    }
    const CartLookup found = find_cart_for_hold(event_id, args.cart_datum, args.customer_datum);
    if (found.outcome) {
        return empty_result(*found.outcome, event_id);
    }
    *cart = found.cart;
    return std::nullopt;
}

void add_cart(Fingerprint& fingerprint, const CallArgs& args) {
    if (args.cart) {
        fingerprint.add("cart", token_fingerprint(*args.cart));
    }
}

void add_hold_for(Fingerprint& fingerprint, const CallArgs& args) {
    if (args.has_hold_for) {
        require_hold_duration("hold_for", hold_length_micros(args));
        fingerprint.add("hold_for", args.hold_for_micros);
    } else {
        fingerprint.add_null("hold_for");
    }
}

// ---------------------------------------------------------------- claim_tickets

// An order that changes nothing: already the customer's (every ticket listed), or
// blocked (the tickets in the way listed).
CallResult unchanged(std::int64_t event_id, const OrderVerdict& verdict, const TicketRow* rows,
                     int count) {
    CallResult result = empty_result(verdict.outcome, event_id);
    if (verdict.outcome == Outcome::already_owned) {
        add_tickets(result, rows, count);
    }
    for (std::size_t index : verdict.culprits) {
        add_tickets(result, &rows[index], 1);
    }
    return result;
}

std::vector<Decision> decide_all(TicketCallKind kind, const TicketRow* rows, int count) {
    std::vector<Decision> decisions;
    decisions.reserve(count);
    for (int i = 0; i < count; ++i) {
        decisions.push_back(decide(kind, rows[i].state));
    }
    return decisions;
}

CallResult settle_order(const std::vector<std::int64_t>& ids, const CallArgs& args,
                        std::int64_t event_id, LockWait wait) {
    std::optional<CartHold> cart;
    if (auto refused = resolve_cart(event_id, args, &cart)) {
        return *refused;
    }
    const TicketCallKind kind =
        args.has_hold_for || cart ? TicketCallKind::hold : TicketCallKind::claim;
    const int count = static_cast<int>(ids.size());
    TicketRow rows[max_order_tickets];

    // First look, without locks: unknown tickets and visible conflicts answer at once.
    const int found = peek_tickets(event_id, ids.data(), count, args.customer_datum, rows);
    if (found < count) {
        CallResult result = empty_result(Outcome::not_found, event_id);
        for (int i = 0, j = 0; i < count; ++i) {
            if (j < found && rows[j].ticket_id == ids[i]) {
                ++j;
            } else if (result.count < max_order_tickets) {
                result.ticket_ids[result.count++] = ids[i];
            }
        }
        return result;
    }
    EventInfo event{true, rows[0].has_limit, rows[0].limit};
    if (core_layout().events.quota_count != InvalidAttrNumber) {
        event = read_event(event_id);
    }
    const OrderVerdict first = judge_order(decide_all(kind, rows, count), Outcome::claimed);
    if (!first.proceed) {
        return unchanged(event_id, first, rows, count);
    }

    // Lock in ascending id order (the global order), then decide on what the locks saw.
    CallResult skipped = empty_result(Outcome::busy, event_id);
    for (int i = 0; i < count; ++i) {
        check_for_interrupts();
        switch (lock_ticket(event_id, ids[i], args.customer_datum, wait, &rows[i])) {
        case LockStatus::skipped: // rows[i] still holds what the first look saw
            skipped.ticket_ids[skipped.count] = ids[i];
            skipped.seats[skipped.count++] = rows[i].seat;
            break;
        case LockStatus::missing: {
            CallResult result = empty_result(Outcome::not_found, event_id);
            result.ticket_ids[result.count++] = ids[i];
            return result;
        }
        case LockStatus::locked:
            break;
        }
    }
    if (skipped.count > 0) {
        return skipped; // every ticket another transaction has locked
    }
    std::vector<Decision> decisions = decide_all(kind, rows, count);
    OrderVerdict verdict = judge_order(decisions, Outcome::claimed);
    if (!verdict.proceed) {
        return unchanged(event_id, verdict, rows, count);
    }
    // With a limit, the slot first; then the customer's own holds are judged by its clock
    // (customer_limits.hpp) and the order decided again.
    std::optional<CustomerSlot> slot;
    if (event.has_limit) {
        slot = lock_and_count_customer(event_id, args.customer_datum, slot_wait_for(wait));
        if (!slot) { // a bounded wait for the customer's slot ran out
            return empty_result(Outcome::busy, event_id);
        }
        judge_holds_at(rows, count, slot->clock);
        decisions = decide_all(kind, rows, count);
        verdict = judge_order(decisions, Outcome::claimed);
        if (!verdict.proceed) {
            return unchanged(event_id, verdict, rows, count);
        }
    }
    // Change only what is not already the customer's; answer with every ticket.
    TicketRow changing[max_order_tickets];
    int changing_count = 0;
    int added = 0;
    for (int i = 0; i < count; ++i) {
        if (decisions[i].action != Action::answer) {
            changing[changing_count++] = rows[i];
            added += added_to_customer(rows[i].state, decisions[i]);
        }
    }
    CallResult result =
        take(event_id, args, event, changing, changing_count, added, slot_wait_for(wait),
             cart ? &*cart : nullptr, 0, slot ? &*slot : nullptr);
    if (changes_tickets(result.outcome)) {
        result.count = 0;
        add_tickets(result, rows, count);
    }
    return result;
}

// ---------------------------------------------------------------- claim_any

struct AnyRequest {
    std::int64_t event_id;
    int quantity;
    bool adjacent;
    Datum prefix;   // 0: any seat
    Datum category; // text; 0: any category
};

// Claimable tickets from a random point of the event's id range, wrapping around once.
// Every claimer starts elsewhere, so concurrent claimers rarely meet, and the partial
// index over unsold tickets keeps the walk short however much is sold already.
// `barred` (a text[]; 0: none): categories passed over (see take_any_past_quotas).
int lock_any(const AnyRequest& request, TicketRow* rows, Datum barred) {
    const std::int64_t start = random_walk_start(request.event_id, request.category);
    if (start == 0) {
        return 0;
    }
    constexpr std::int64_t past_the_end = std::numeric_limits<std::int64_t>::max();
    int found = lock_claimable(request.event_id, start, past_the_end, request.prefix, 0,
                               request.quantity, rows, request.category, barred);
    if (found < request.quantity) {
        found += lock_claimable(request.event_id, 1, start, request.prefix, 0,
                                request.quantity - found, rows + found, request.category, barred);
    }
    return found;
}

// Locks one block of adjacent seats if every seat of it can still be claimed, in a
// subtransaction of its own: a block partly taken by a concurrent claimer is let go
// again (its locks released), so a call never keeps locks on seats it did not buy.
bool lock_block(const AnyRequest& request, const CallArgs& args,
                const std::vector<std::int64_t>& run, TicketRow* rows) {
    std::vector<std::int64_t> ordered(run.begin(), run.end());
    std::sort(ordered.begin(), ordered.end()); // the global lock order
    return keep_changes_if([&] {
        const int locked =
            lock_tickets_skip(request.event_id, ordered.data(), static_cast<int>(ordered.size()),
                              args.customer_datum, rows);
        if (locked != request.quantity) {
            return false;
        }
        for (int i = 0; i < locked; ++i) {
            if (decide_claim(rows[i].state).action != Action::sell) {
                return false;
            }
        }
        return true;
    });
}

// Best available block: adjacent seats, lowest ticket ids first (load seats in order of
// preference). The whole event is searched, a page of claimable seats at a time, and
// each block found is locked with SKIP LOCKED; a block partly taken by a concurrent
// claimer is passed over (*saw_busy). `barred` as for lock_any.
int lock_adjacent(const AnyRequest& request, const CallArgs& args, TicketRow* rows, bool* saw_busy,
                  Datum barred) {
    SeatRef* page = nullptr;
    pg_call([&] { page = static_cast<SeatRef*>(palloc(sizeof(SeatRef) * claimable_page_size)); });
    AdjacentRunSearch search(request.quantity);
    std::vector<SeatCandidate> seats;
    seats.reserve(claimable_page_size);
    std::int64_t start = 1;
    for (;;) {
        check_for_interrupts();
        const int count =
            claimable_candidates(request.event_id, start, request.prefix, page, request.category,
                                 request.category == 0 ? barred : Datum(0));
        seats.clear();
        for (int i = 0; i < count; ++i) {
            seats.push_back(SeatCandidate{page[i].ticket_id, text_view(page[i].seat)});
        }
        for (const auto& run : search.add_page(seats)) {
            check_for_interrupts();
            if (lock_block(request, args, run, rows)) {
                return request.quantity;
            }
            *saw_busy = true;
        }
        if (count < claimable_page_size) {
            return 0; // the whole event was searched
        }
        start = page[count - 1].ticket_id + 1;
    }
}

CallResult lock_and_take_any(const AnyRequest& request, const CallArgs& args,
                             const EventInfo& event, const CartHold* cart, SlotWait slot_wait,
                             Datum barred) {
    TicketRow rows[max_order_tickets];
    bool saw_busy = false;
    const int found = request.adjacent ? lock_adjacent(request, args, rows, &saw_busy, barred)
                                       : lock_any(request, rows, barred);
    if (found < request.quantity && barred != 0) {
        // Not enough past the quotas that refused: the caller answers their refusal.
        return empty_result(Outcome::insufficient, request.event_id);
    }
    if (found < request.quantity) {
        const std::int64_t remaining =
            count_claimable(request.event_id, request.prefix, request.category);
        Outcome outcome = Outcome::insufficient;
        if (remaining == 0) {
            outcome = Outcome::sold_out;
        } else if (remaining >= request.quantity && (!request.adjacent || saw_busy)) {
            outcome = Outcome::busy; // enough remain, but concurrent claims have them locked
        }
        CallResult result = empty_result(outcome, request.event_id);
        result.has_remaining = true;
        result.remaining = remaining;
        return result;
    }
    std::sort(rows, rows + found,
              [](const TicketRow& a, const TicketRow& b) { return a.ticket_id < b.ticket_id; });
    int added = 0;
    for (int i = 0; i < found; ++i) {
        added += added_to_customer(rows[i].state, Decision{Action::sell, Outcome::claimed});
    }
    // lock_claimable's statement locks only tickets of the category asked for (its
    // condition checked again on the version it locks); lock_adjacent locks tickets by id.
    return take(request.event_id, args, event, rows, found, added, slot_wait, cart,
                request.adjacent ? Datum(0) : request.category);
}

// The categories `barred` as a text[] for lock_any (0 when none).
Datum barred_array(const BlockedCategories& barred) {
    if (barred.empty()) {
        return 0;
    }
    std::vector<Datum> names;
    for (const std::string& name : barred.categories()) {
        names.push_back(make_text(name));
    }
    return text_array(names);
}

// An any-seat request of no category in an event with quotas, which quota `refused` has
// refused (quota_exhausted, or busy: concurrent claims hold its units). A quota that
// refuses the tickets found does not refuse the request while tickets of categories it
// does not cover are on sale: the search runs again past the categories of every quota
// that refused (and those `barred` from the start), each time in a subtransaction of its
// own, until tickets are taken or none are left. Then the answer is a busy refusal if
// there was one (a retry may succeed), else the first.
CallResult search_past_quotas(const AnyRequest& request, const CallArgs& args,
                              const EventInfo& event, const CartHold* cart, SlotWait slot_wait,
                              const CallResult& refused, BlockedCategories barred = {}) {
    CallResult result = refused;
    std::optional<CallResult> refusal;
    while (result.quota != 0 &&
           (result.outcome == Outcome::quota_exhausted || result.outcome == Outcome::busy)) {
        if (!refusal || (result.outcome == Outcome::busy && refusal->outcome != Outcome::busy)) {
            refusal = result;
        }
        bool more = false;
        for (const Datum category : quota_categories(request.event_id, result.quota)) {
            more = barred.block(text_view(category)) || more;
        }
        if (!more) {
            break;
        }
        check_for_interrupts();
        const Datum past = barred_array(barred);
        result = keep_locks_only_on_change(
            [&] { return lock_and_take_any(request, args, event, cart, slot_wait, past); });
    }
    if (!refusal || changes_tickets(result.outcome) ||
        (result.outcome == Outcome::busy && result.quota == 0)) {
        return result;
    }
    return *refusal;
}

// `barred`: categories a request of no category passes over from the start (adjacent
// seats too: the block is searched among the other categories); a request of a
// category has none.
CallResult take_any_past_quotas(const AnyRequest& request, const CallArgs& args,
                                const EventInfo& event, const CartHold* cart,
                                SlotWait slot_wait = SlotWait{SlotWait::wait, 0},
                                const BlockedCategories& barred = {}) {
    const bool of_any_category = request.category == 0;
    const Datum past = of_any_category ? barred_array(barred) : Datum(0);
    const CallResult result = keep_locks_only_on_change(
        [&] { return lock_and_take_any(request, args, event, cart, slot_wait, past); });
    if (!event.has_quotas() || !of_any_category) {
        return result;
    }
    return search_past_quotas(request, args, event, cart, slot_wait, result, barred);
}

// How many rows of the unsold-ticket index the first look of an any-seat sale reads
// before it leaves the search to the locking statements (held tickets, and ones other
// claims are selling at this moment, are passed over).
constexpr int first_look_rows = 32;

// The plain any-seat sale (one ticket, no hold, no seat prefix, no limit) the way
// claim_ticket sells: the first ticket from `start` that looks free is read without a
// lock, then sold by the conditional statement claim_ticket uses, which skips it if it
// was sold or locked since. Nothing, with nothing written, when that could not be done:
// take_one_any then decides with locks. A look that met no unsold ticket at all (under
// one snapshot) answers sold_out itself, as the count would.
std::optional<CallResult> sell_any_first_look(const AnyRequest& request, const CallArgs& args,
                                              std::int64_t start) {
    const AvailableTicket seen = read_available(request.event_id, start, first_look_rows);
    if (seen.nothing_unsold) {
        CallResult result = empty_result(Outcome::sold_out, request.event_id);
        result.has_remaining = true;
        result.remaining = 0;
        return result;
    }
    if (!seen.ticket) {
        return std::nullopt;
    }
    const auto sale = claim_available(request.event_id, seen.ticket->ticket_id, args.customer_datum,
                                      WaitPolicy::skip);
    if (!sale) {
        return std::nullopt;
    }
    CallResult result = empty_result(Outcome::claimed, request.event_id);
    add_tickets(result, &*seen.ticket, 1);
    result.seats[0] = sale->seat;
    result.has_at = true;
    result.at = sale->at;
    return result;
}

// The common any-seat claim, one ticket in an event without a limit: each attempt is one
// statement that locks, sells (or holds) and audits the first claimable ticket from a
// random start, then (wrapping around) before it.
std::optional<CallResult> take_one_any(const AnyRequest& request, const CallArgs& args,
                                       std::int64_t start) {
    const bool hold = args.has_hold_for;
    const Transition transition = transition_for(hold ? Action::hold : Action::sell, args);
    TicketRow row{};
    const auto take_from = [&](bool before) {
        return take_one_claimable(request.event_id, start, before, request.prefix,
                                  args.customer_datum, transition, &row);
    };
    std::optional<TimestampTz> at = take_from(false);
    if (!at) {
        at = take_from(true);
    }
    if (!at) {
        return std::nullopt;
    }
    CallResult result =
        empty_result(hold ? Outcome::hold_placed : Outcome::claimed, request.event_id);
    add_tickets(result, &row, 1);
    result.has_at = true;
    result.at = *at;
    result.has_hold_expiry = transition.has_hold_expiry;
    result.hold_expires_at = transition.hold_expires_at;
    return result;
}

CallResult settle_any(const AnyRequest& request, const CallArgs& args) {
    const EventInfo event = read_event(request.event_id);
    if (!event.exists) {
        return empty_result(Outcome::not_found, request.event_id);
    }
    std::optional<CartHold> cart;
    if (auto refused = resolve_cart(request.event_id, args, &cart)) {
        return *refused;
    }
    // One ticket without a limit, quotas, a category, a cart or a waiting list is taken as
    // soon as it is locked; anything else may lock tickets and then back out.
    if (request.quantity == 1 && !request.adjacent && !event.has_limit && !event.has_quotas() &&
        request.category == Datum(0) && !cart && !event.waitlist_open) {
        const std::int64_t start = random_walk_start(request.event_id, 0);
        if (start != 0 && !args.has_hold_for && request.prefix == Datum(0)) {
            if (auto sold = sell_any_first_look(request, args, start)) {
                return *sold;
            }
        }
        if (start != 0) {
            if (auto taken = take_one_any(request, args, start)) {
                return *taken;
            }
        }
        // None could be had: sold out, or every claimable one is locked by a concurrent claim.
        const std::int64_t remaining = count_claimable(request.event_id, request.prefix);
        CallResult result =
            empty_result(remaining == 0 ? Outcome::sold_out : Outcome::busy, request.event_id);
        result.has_remaining = true;
        result.remaining = remaining;
        return result;
    }
    return take_any_past_quotas(request, args, event, cart ? &*cart : nullptr);
}

// A category a call asks for: 1 to 100 bytes, or NULL for any.
std::optional<std::string_view> present_category(const std::optional<std::string_view>& text) {
    if (text && (text->empty() || text->size() > 100)) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "category must be 1 to 100 bytes long, got " +
                              std::to_string(text->size()),
                          "Pass NULL for any category.");
    }
    return text;
}

std::optional<std::string_view> present(const std::optional<std::string_view>& text,
                                        const char* argument) {
    if (text && text->empty()) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " must not be empty",
                          "Pass NULL to leave it out.");
    }
    if (text && text->size() > 200) {
        throw DomainError(ErrorKind::invalid_parameter,
                          std::string(argument) + " is longer than 200 bytes");
    }
    return text;
}

} // namespace

CallResult hold_any_as_offer(std::int64_t event_id, const CallArgs& args, int quantity,
                             bool together, Datum category, const EventInfo& event,
                             SlotWait slot_wait, const BlockedCategories& barred) {
    const AnyRequest request{event_id, quantity, together, Datum(0), category};
    return take_any_past_quotas(request, args, event, nullptr, slot_wait, barred);
}

CallResult claim_one_past_quotas(std::int64_t event_id, const CallArgs& args,
                                 const EventInfo& event, const CartHold* cart,
                                 const CallResult& refused) {
    const AnyRequest request{event_id, 1, false, Datum(0), Datum(0)};
    // A batch never waits: its slots are taken already, and try-locked.
    return search_past_quotas(request, args, event, cart, SlotWait{SlotWait::skip, 0}, refused);
}

CallResult run_claim_tickets(const CallArgs& args) {
    require_id("event_id", args.event_id);
    if (!args.has_ticket_ids) {
        throw DomainError(ErrorKind::null_value, "ticket_ids must not be NULL");
    }
    std::vector<std::optional<std::int64_t>> raw_ids;
    raw_ids.reserve(args.ticket_id_count);
    for (int i = 0; i < args.ticket_id_count; ++i) {
        raw_ids.push_back(args.ticket_id_nulls[i] ? std::nullopt
                                                  : std::optional<std::int64_t>(
                                                        DatumGetInt64(args.ticket_id_values[i])));
    }
    const std::vector<std::int64_t> ids = lock_order(raw_ids);
    require_customer(args.customer);
    if (!args.wait) {
        throw DomainError(ErrorKind::null_value, "wait must not be NULL");
    }
    const LockWait wait = parse_lock_wait(*args.wait);
    require_idempotency_key(args.idempotency_key);
    require_cart_token(args.cart);
    Fingerprint fingerprint("claim_tickets");
    fingerprint.add("event_id", *args.event_id).add("ticket_ids", ids);
    add_hold_for(fingerprint, args);
    add_cart(fingerprint, args);
    const CallResult result = in_backend_call("claim_tickets()", *args.event_id, [&] {
        if (auto busy = lock_cart_first(args, wait)) {
            return *busy;
        }
        return_lapsed_holds_if_listed(*args.event_id, ids.data(), static_cast<int>(ids.size()),
                                      wait);
        CallResult settled = with_idempotency(args, *args.event_id, fingerprint.text(), [&] {
            return keep_locks_only_on_change(
                [&] { return settle_order(ids, args, *args.event_id, wait); });
        });
        // Some tickets of a claimed order may have been the customer's before: read.
        attach_order_codes(settled, args.customer_datum, false);
        return settled;
    });
    count_outcome(*args.event_id, result.outcome);
    return result;
}

CallResult run_claim_any(const CallArgs& args) {
    require_id("event_id", args.event_id);
    require_customer(args.customer);
    require_quantity(args.quantity);
    const auto section = present(args.section, "section");
    const auto seat_prefix = present(args.seat_prefix, "seat_prefix");
    if (section && seat_prefix) {
        throw DomainError(ErrorKind::invalid_parameter, "give section or seat_prefix, not both",
                          "section => 'A' is the same as seat_prefix => 'A-'.");
    }
    if (!args.adjacent) {
        throw DomainError(ErrorKind::null_value, "adjacent must not be NULL");
    }
    require_idempotency_key(args.idempotency_key);
    require_cart_token(args.cart);
    const auto category = present_category(args.category);
    const std::string prefix = section ? std::string(*section) + "-"
                                       : std::string(seat_prefix.value_or(std::string_view()));
    Fingerprint fingerprint("claim_any");
    fingerprint.add("event_id", *args.event_id)
        .add("quantity", *args.quantity)
        .add("seat_prefix", std::string_view(prefix))
        .add("adjacent", *args.adjacent);
    add_hold_for(fingerprint, args);
    if (category) {
        fingerprint.add("category", *category);
    }
    add_cart(fingerprint, args);
    const CallResult result = in_backend_call("claim_any()", *args.event_id, [&] {
        (void)lock_cart_first(args); // waits: only the same customer's calls hold it
        // claim_any never waits (SKIP LOCKED): nor does its return of lapsed holds.
        return_lapsed_holds_if_listed(*args.event_id, nullptr, 0, LockWait{WaitPolicy::skip, 0});
        const AnyRequest request{*args.event_id, static_cast<int>(*args.quantity), *args.adjacent,
                                 prefix.empty() ? Datum(0) : make_text(prefix),
                                 category ? args.category_datum : Datum(0)};
        CallResult settled = with_idempotency(args, request.event_id, fingerprint.text(),
                                              [&] { return settle_any(request, args); });
        attach_order_codes(settled, args.customer_datum, true); // every ticket sold at `at`
        return settled;
    });
    count_outcome(*args.event_id, result.outcome);
    return result;
}

} // namespace ticketing::backend
