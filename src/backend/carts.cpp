#include <algorithm>
#include <vector>

#include "carts.hpp"

#include "call_frame.hpp"
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

extern "C" {
#include "common/hashfn.h"
}

namespace ticketing::backend {

int cart_max_lifetime_seconds = 2 * 3600;

// Like the key retention, the ceiling must not be up to a pooled session: only a
// superuser (or the configuration) sets it.
void define_cart_settings() {
    DefineCustomIntVariable("ticketing.cart_max_lifetime",
                            "How long a cart may last after it was opened.",
                            "extend_cart() never moves a cart's expiry past its opening plus this.",
                            &cart_max_lifetime_seconds, 2 * 3600, 1, 30 * 24 * 3600, PGC_SUSET,
                            GUC_UNIT_S, nullptr, nullptr, nullptr);
}

namespace {

constexpr std::size_t max_token_bytes = 100;
constexpr int token_random_bytes = 24; // 192 bits, 32 characters of base64url

enum CartColumn { col_cart_id = 1, col_status, col_expires_at, col_expired, col_created_at };

struct CartRow {
    std::int64_t cart_id;
    std::string_view status;
    TimestampTz expires_at;
    bool expired;
    TimestampTz created_at;
};

// Runs a cart statement (lock_cart, peek_cart); false when no cart of this
// customer has that token in the event.
bool read_cart(PlanId plan, std::int64_t event_id, Datum token, Datum customer, CartRow* cart) {
    pg_call([] { lock_table(OwnTable::carts); });
    Datum args[] = {Int64GetDatum(event_id), token, customer};
    if (run_plan(plan, args, nullptr) == 0) {
        return false;
    }
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        cart->cart_id = DatumGetInt64(SPI_getbinval(tuple, desc, col_cart_id, &is_null));
        cart->status = text_view(
            SPI_datumTransfer(SPI_getbinval(tuple, desc, col_status, &is_null), false, -1));
        cart->expires_at =
            DatumGetTimestampTz(SPI_getbinval(tuple, desc, col_expires_at, &is_null));
        cart->expired = DatumGetBool(SPI_getbinval(tuple, desc, col_expired, &is_null));
        cart->created_at =
            DatumGetTimestampTz(SPI_getbinval(tuple, desc, col_created_at, &is_null));
    });
    return true;
}

// What a cart's state says to a call that wants to change it; nothing when it is open.
std::optional<Outcome> refusal(const CartRow& cart) {
    if (cart.status == "checked_out") {
        return Outcome::already_owned;
    }
    if (cart.status != "open") {
        return Outcome::cart_closed;
    }
    if (cart.expired) {
        return Outcome::cart_expired;
    }
    return std::nullopt;
}

// A checkout or an extension keeps the cart's holds. In an event with a per-customer
// limit it first takes the customer's slot (waiting for it, as cart calls wait for
// tickets) and judges the cart and its items by the slot's clock, so it cannot bring
// back a hold that a claim, counting at a later clock, found lapsed (customer_limits.hpp).
void judge_at_slot(std::int64_t event_id, Datum customer, CartRow* cart, TicketRow* rows,
                   int count) {
    if (cart->status != "open" || cart->expired || !read_event(event_id).has_limit) {
        return;
    }
    const std::optional<CustomerSlot> slot =
        lock_and_count_customer(event_id, customer, SlotWait{SlotWait::wait, 0});
    if (slot) { // always: the wait is unbounded
        cart->expired = cart->expires_at <= slot->clock;
        judge_holds_at(rows, count, slot->clock);
    }
}

std::vector<std::int64_t> item_ids(std::int64_t event_id, std::int64_t cart_id) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(cart_id)};
    const std::uint64_t count = run_plan(PlanId::cart_item_ids, args, nullptr);
    std::vector<std::int64_t> ids;
    ids.reserve(count);
    pg_call([&] {
        for (std::uint64_t i = 0; i < count; ++i) {
            bool is_null = false;
            ids.push_back(DatumGetInt64(
                SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &is_null)));
        }
    });
    return ids;
}

void update_cart(std::int64_t event_id, std::int64_t cart_id, std::string_view status,
                 std::optional<TimestampTz> expires_at) {
    char nulls[] = "    ";
    nulls[3] = expires_at ? ' ' : 'n';
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(cart_id), make_text(status),
                    TimestampTzGetDatum(expires_at.value_or(0))};
    run_plan(PlanId::update_cart, args, nulls);
}

void add_rows(CallResult& result, const TicketRow* rows, int count) {
    for (int i = 0; i < count && result.count < max_order_tickets; ++i) {
        result.ticket_ids[result.count] = rows[i].ticket_id;
        result.seats[result.count] = rows[i].seat;
        ++result.count;
    }
}

// 192 random bits in base64url (no padding): the token a customer gets once.
std::string new_token() {
    unsigned char bytes[token_random_bytes];
    char encoded[2 * token_random_bytes];
    int length = 0;
    pg_call([&] {
        if (!pg_strong_random(bytes, sizeof bytes)) {
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("ticketing: could not generate a random cart token")));
        }
        length = base64_encode(bytes, sizeof bytes, encoded, sizeof encoded);
    });
    std::string token(encoded, static_cast<std::size_t>(length > 0 ? length : 0));
    for (char& c : token) {
        c = c == '+' ? '-' : (c == '/' ? '_' : c);
    }
    while (!token.empty() && token.back() == '=') {
        token.pop_back();
    }
    return token;
}

struct ValidCartCall {
    std::int64_t event_id;
};

ValidCartCall validate(const CallArgs& args, bool needs_token) {
    require_id("event_id", args.event_id);
    if (needs_token) {
        if (!args.cart) {
            throw DomainError(ErrorKind::null_value, "token must not be NULL");
        }
        require_cart_token(args.cart);
    }
    require_customer(args.customer);
    require_idempotency_key(args.idempotency_key);
    return ValidCartCall{*args.event_id};
}

// The fingerprint of a keyed cart call: the token is in it as a hash, never as itself.
std::string cart_fingerprint(const char* call, const CallArgs& args) {
    Fingerprint print(call);
    print.add("event_id", *args.event_id);
    print.add("cart", token_fingerprint(args.cart.value_or(std::string_view())));
    return print.text();
}

// Whether the customer's hold of `row` is the one this cart put there: a hold into a
// cart lasts exactly as long as the cart. A ticket can be an item of several carts (held
// into one, then into another) or held again since (a waiting list's offer); only the
// cart whose expiry it carries may extend or release it.
bool in_this_cart(const TicketRow& row, const CartRow& cart) {
    return row.has_hold_expiry && row.hold_expires_at == cart.expires_at;
}

template <typename Body>
CallResult cart_call(const char* command, std::int64_t event_id, Body&& body) {
    const CallResult result = in_backend_call(command, event_id, body);
    count_outcome(event_id, result.outcome);
    return result;
}

} // namespace

std::int64_t token_fingerprint(std::string_view token) {
    return static_cast<std::int64_t>(
        hash_bytes_extended(reinterpret_cast<const unsigned char*>(token.data()),
                            static_cast<int>(token.size()), 0x544B));
}

void require_cart_token(const std::optional<std::string_view>& token) {
    if (token && (token->empty() || token->size() > max_token_bytes)) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "a cart token must be 1 to " + std::to_string(max_token_bytes) +
                              " bytes long, got " + std::to_string(token->size()),
                          "Pass the token open_cart() returned.");
    }
}

std::optional<CallResult> lock_cart_first(const CallArgs& args, LockWait wait) {
    if (!args.cart || !args.event_id) {
        return std::nullopt;
    }
    const std::int64_t event_id = *args.event_id;
    CartRow ignored{};
    const auto lock = [&](PlanId plan) {
        return read_cart(plan, event_id, args.cart_datum, args.customer_datum, &ignored);
    };
    switch (wait.policy) {
    case WaitPolicy::wait:
        (void)lock(PlanId::lock_cart);
        return std::nullopt;
    case WaitPolicy::bounded:
        if (within_wait_bound(wait.bound_ms, [&] { (void)lock(PlanId::lock_cart); })) {
            return std::nullopt;
        }
        break;
    case WaitPolicy::skip:
    case WaitPolicy::nowait:
        // SKIP LOCKED finds nothing for a locked cart and for none at all: a look without
        // the lock tells them apart.
        if (lock(PlanId::find_cart_skip) || !lock(PlanId::peek_cart)) {
            return std::nullopt;
        }
        if (wait.policy == WaitPolicy::nowait) {
            throw DomainError(ErrorKind::lock_not_available,
                              "could not obtain the lock on this cart in event " +
                                  std::to_string(event_id),
                              "Another call on the same cart is in flight. Retry, or use "
                              "wait => 'skip' to be answered busy instead.");
        }
        break;
    }
    return empty_result(Outcome::busy, event_id);
}

CartLookup find_cart_for_hold(std::int64_t event_id, Datum token, Datum customer) {
    CartRow cart{};
    if (!read_cart(PlanId::lock_cart, event_id, token, customer, &cart)) {
        return CartLookup{Outcome::cart_not_found, {}};
    }
    if (const auto refused = refusal(cart)) {
        // A checked-out cart takes nothing more either.
        return CartLookup{*refused == Outcome::already_owned ? Outcome::cart_closed : *refused, {}};
    }
    return CartLookup{std::nullopt, CartHold{cart.cart_id, cart.expires_at}};
}

void add_to_cart(std::int64_t event_id, std::int64_t cart_id, const std::int64_t* ids, int count) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(cart_id), int8_array(ids, count)};
    run_plan(PlanId::count_cart_items, args, nullptr);
    std::int32_t others = 0;
    pg_call([&] {
        bool is_null = false;
        others =
            DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    if (others + count > max_order_tickets) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "a cart holds at most " + std::to_string(max_order_tickets) +
                              " tickets; this one holds " + std::to_string(others),
                          "Check out or abandon it, and open another cart.");
    }
    run_plan(PlanId::add_cart_items, args, nullptr);
}

CallResult run_open_cart(const CallArgs& args) {
    const ValidCartCall call = validate(args, false);
    if (!args.has_hold_for) {
        throw DomainError(ErrorKind::null_value, "expires_in must not be NULL");
    }
    const std::int64_t length = hold_length_micros(args);
    const std::int64_t ceiling = static_cast<std::int64_t>(cart_max_lifetime_seconds) * 1000000;
    if (length < 1000000 || length > ceiling) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "expires_in must be between 1 second and " +
                              std::to_string(cart_max_lifetime_seconds) + " seconds",
                          "ticketing.cart_max_lifetime is the longest a cart may last.");
    }
    return cart_call("open_cart()", call.event_id, [&] {
        if (!read_event(call.event_id).exists) {
            return empty_result(Outcome::not_found, call.event_id);
        }
        pg_call([] { lock_table(OwnTable::carts); });
        const std::string token = new_token();
        const Datum token_datum = make_text(token);
        Datum insert_args[] = {Int64GetDatum(call.event_id), token_datum, args.customer_datum,
                               args.hold_for};
        run_plan(PlanId::insert_cart, insert_args, nullptr);
        CallResult result = empty_result(Outcome::opened, call.event_id);
        result.token = token_datum;
        result.has_hold_expiry = true;
        result.hold_expires_at = first_timestamp(2);
        return result;
    });
}

CallResult run_extend_cart(const CallArgs& args) {
    const ValidCartCall call = validate(args, true);
    if (!args.has_hold_for) {
        throw DomainError(ErrorKind::null_value, "extend_by must not be NULL");
    }
    const std::int64_t by = hold_length_micros(args);
    const std::int64_t ceiling = static_cast<std::int64_t>(cart_max_lifetime_seconds) * 1000000;
    if (by < 1000000 || by > ceiling) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "extend_by must be between 1 second and " +
                              std::to_string(cart_max_lifetime_seconds) + " seconds");
    }
    return cart_call("extend_cart()", call.event_id, [&] {
        CartRow cart{};
        if (!read_cart(PlanId::lock_cart, call.event_id, args.cart_datum, args.customer_datum,
                       &cart)) {
            return empty_result(Outcome::cart_not_found, call.event_id);
        }
        const auto refused_now = [&]() -> std::optional<CallResult> {
            const auto refused = refusal(cart);
            if (!refused) {
                return std::nullopt;
            }
            CallResult result =
                empty_result(*refused == Outcome::already_owned ? Outcome::cart_closed : *refused,
                             call.event_id);
            result.has_hold_expiry = true;
            result.hold_expires_at = cart.expires_at;
            return result;
        };
        if (auto refused = refused_now()) {
            return *refused;
        }
        const TimestampTz latest = cart.created_at + ceiling;
        const TimestampTz wanted = cart.expires_at + by;
        // Never earlier than now: a superuser who lowered ticketing.cart_max_lifetime
        // stops extensions past it, but does not shorten carts already longer.
        const TimestampTz expires_at = std::max(cart.expires_at, std::min(wanted, latest));
        // Every item still held by the customer moves to the new expiry (audited, as a
        // renewed hold is).
        const std::vector<std::int64_t> ids = item_ids(call.event_id, cart.cart_id);
        std::vector<TicketRow> rows(ids.size() + 1);
        int locked = 0;
        for (std::size_t from = 0; from < ids.size(); from += max_order_tickets) {
            const int chunk =
                static_cast<int>(std::min<std::size_t>(max_order_tickets, ids.size() - from));
            locked += lock_tickets_waiting(call.event_id, &ids[from], chunk, args.customer_datum,
                                           &rows[locked]);
        }
        judge_at_slot(call.event_id, args.customer_datum, &cart, rows.data(), locked);
        if (auto refused = refused_now()) { // expired by the slot's clock
            return *refused;
        }
        std::vector<TicketRow> moving;
        for (int i = 0; i < locked; ++i) {
            const TicketRow& row = rows[i];
            if (row.state.status == TicketStatus::held && row.state.owned_by_customer &&
                !row.state.hold_expired && in_this_cart(row, cart)) {
                moving.push_back(row);
            }
        }
        const Transition renewed{TicketStatus::held, true, true, expires_at};
        CallResult result =
            empty_result(wanted <= latest ? Outcome::extended : Outcome::capped, call.event_id);
        for (std::size_t from = 0; from < moving.size(); from += max_order_tickets) {
            const int chunk =
                static_cast<int>(std::min<std::size_t>(max_order_tickets, moving.size() - from));
            apply_transitions(call.event_id, &moving[from], chunk, args.customer_datum, renewed);
        }
        add_rows(result, moving.data(), static_cast<int>(moving.size()));
        update_cart(call.event_id, cart.cart_id, "open", expires_at);
        result.has_hold_expiry = true;
        result.hold_expires_at = expires_at;
        return result;
    });
}

CallResult run_checkout_cart(const CallArgs& args) {
    const ValidCartCall call = validate(args, true);
    const std::string fingerprint =
        args.idempotency_key ? cart_fingerprint("checkout_cart", args) : std::string();
    return cart_call("checkout_cart()", call.event_id, [&] {
        (void)lock_cart_first(args); // waits: checkout, abandon and extend take no `wait`
        CallResult checked_out = with_idempotency(args, call.event_id, fingerprint, [&] {
            CartRow cart{};
            if (!read_cart(PlanId::lock_cart, call.event_id, args.cart_datum, args.customer_datum,
                           &cart)) {
                return empty_result(Outcome::cart_not_found, call.event_id);
            }
            const std::vector<std::int64_t> ids = item_ids(call.event_id, cart.cart_id);
            const int count =
                static_cast<int>(std::min<std::size_t>(ids.size(), max_order_tickets));
            TicketRow rows[max_order_tickets];
            const int locked = count > 0 ? lock_tickets_waiting(call.event_id, ids.data(), count,
                                                                args.customer_datum, rows)
                                         : 0;
            judge_at_slot(call.event_id, args.customer_datum, &cart, rows, locked);
            if (const auto refused = refusal(cart)) {
                CallResult result = empty_result(*refused, call.event_id);
                if (*refused == Outcome::already_owned) {
                    add_rows(result, rows, locked);
                }
                result.has_hold_expiry = true;
                result.hold_expires_at = cart.expires_at;
                return result;
            }
            if (ids.empty()) {
                return empty_result(Outcome::empty_cart, call.event_id);
            }
            // All or nothing: every item must still be the customer's live hold (or bought
            // already); otherwise nothing is sold and the answer lists the items in the way.
            CallResult blocked = empty_result(Outcome::hold_expired, call.event_id);
            std::vector<TicketRow> selling;
            for (int i = 0; i < locked; ++i) {
                const Decision decision = decide(TicketCallKind::confirm_hold, rows[i].state);
                if (decision.action == Action::sell) {
                    selling.push_back(rows[i]);
                } else if (decision.outcome != Outcome::already_owned) {
                    add_rows(blocked, &rows[i], 1);
                }
            }
            if (blocked.count > 0 || locked < count) {
                return blocked;
            }
            CallResult result = empty_result(Outcome::claimed, call.event_id);
            result.has_at = true;
            result.at =
                selling.empty()
                    ? GetCurrentTransactionStartTimestamp()
                    : apply_transitions(call.event_id, selling.data(),
                                        static_cast<int>(selling.size()), args.customer_datum,
                                        Transition{TicketStatus::sold, true, false, 0});
            add_rows(result, rows, locked);
            update_cart(call.event_id, cart.cart_id, "checked_out", std::nullopt);
            return result;
        });
        // 1.3: the codes of the tickets bought (some may have been bought before).
        attach_order_codes(checked_out, args.customer_datum, false);
        return checked_out;
    });
}

CallResult run_abandon_cart(const CallArgs& args) {
    const ValidCartCall call = validate(args, true);
    const std::string fingerprint =
        args.idempotency_key ? cart_fingerprint("abandon_cart", args) : std::string();
    return cart_call("abandon_cart()", call.event_id, [&] {
        (void)lock_cart_first(args);
        return with_idempotency(args, call.event_id, fingerprint, [&] {
            CartRow cart{};
            if (!read_cart(PlanId::lock_cart, call.event_id, args.cart_datum, args.customer_datum,
                           &cart)) {
                return empty_result(Outcome::cart_not_found, call.event_id);
            }
            if (cart.status != "open") {
                return empty_result(Outcome::cart_closed, call.event_id);
            }
            // Every item still held by the customer (a lapsed one too) returns to inventory
            // with its quota units.
            const std::vector<std::int64_t> ids = item_ids(call.event_id, cart.cart_id);
            const EventInfo event = read_event(call.event_id);
            CallResult result = empty_result(Outcome::released, call.event_id);
            std::vector<TicketRow> rows(max_order_tickets);
            for (std::size_t from = 0; from < ids.size(); from += max_order_tickets) {
                const int chunk =
                    static_cast<int>(std::min<std::size_t>(max_order_tickets, ids.size() - from));
                const int locked = lock_tickets_waiting(call.event_id, &ids[from], chunk,
                                                        args.customer_datum, rows.data());
                std::vector<TicketRow> releasing;
                std::vector<std::int64_t> released_ids;
                for (int i = 0; i < locked; ++i) {
                    if (rows[i].state.status == TicketStatus::held &&
                        rows[i].state.owned_by_customer && in_this_cart(rows[i], cart)) {
                        releasing.push_back(rows[i]);
                        released_ids.push_back(rows[i].ticket_id);
                    }
                }
                if (!releasing.empty()) {
                    result.has_at = true;
                    result.at = apply_transitions(
                        call.event_id, releasing.data(), static_cast<int>(releasing.size()),
                        args.customer_datum, Transition{TicketStatus::available, false, false, 0});
                    if (event.has_quotas()) {
                        give_back_quota_units(call.event_id, released_ids.data(),
                                              static_cast<int>(released_ids.size()));
                    }
                    add_rows(result, releasing.data(), static_cast<int>(releasing.size()));
                }
            }
            update_cart(call.event_id, cart.cart_id, "abandoned", std::nullopt);
            if (event.waitlist_open && result.count > 0) {
                // What the cart gave up goes down the waiting list at once.
                offer_free_tickets(call.event_id, event,
                                   int8_array(result.ticket_ids, result.count),
                                   LockWait{WaitPolicy::wait, 0});
            }
            return result;
        });
    });
}

CallResult run_cart_contents(const CallArgs& args) {
    const ValidCartCall call = validate(args, true);
    // A read: it runs in read-only transactions and on standbys, and is not counted (its
    // answer says what the cart is, not what a call did: `opened` is no new cart).
    return in_call_frame(CallKind::read, "cart_contents()", call.event_id, [&] {
        CartRow cart{};
        if (!read_cart(PlanId::peek_cart, call.event_id, args.cart_datum, args.customer_datum,
                       &cart)) {
            return empty_result(Outcome::cart_not_found, call.event_id);
        }
        CallResult result = empty_result(refusal(cart).value_or(Outcome::opened), call.event_id);
        result.has_hold_expiry = true;
        result.hold_expires_at = cart.expires_at;
        const std::vector<std::int64_t> ids = item_ids(call.event_id, cart.cart_id);
        TicketRow rows[max_order_tickets];
        const int count = static_cast<int>(std::min<std::size_t>(ids.size(), max_order_tickets));
        const int found =
            count > 0 ? peek_tickets(call.event_id, ids.data(), count, args.customer_datum, rows)
                      : 0;
        add_rows(result, rows, found);
        return result;
    });
}

} // namespace ticketing::backend
