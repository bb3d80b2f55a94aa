// SQL entry points for carts and expire_holds: decode, run through the guard, encode.
#include "../backend/call_frame.hpp"
#include "../backend/carts.hpp"
#include "../backend/pg_guard.hpp"
#include "../backend/quota_units.hpp"
#include "../backend/waitlist.hpp"
#include "../backend/sql_codec.hpp"

#include "../core/domain_error.hpp"

using namespace ticketing;
using namespace ticketing::backend;

namespace {

// (event_id, token, customer, ...) of the calls on an existing cart.
CallArgs cart_args(FunctionCallInfo fcinfo) {
    CallArgs args{};
    args.event_id = int64_arg(fcinfo, 0);
    args.cart = text_arg(fcinfo, 1, &args.cart_datum);
    args.customer = text_arg(fcinfo, 2, &args.customer_datum);
    return args;
}

template <typename Decode, typename Run, typename Encode>
Datum run(FunctionCallInfo fcinfo, Decode&& decode, Run&& call, Encode&& encode) {
    Datum answer = 0;
    run_guarded([&] {
        CallArgs args{};
        pg_call([&] { args = decode(); });
        const CallResult result = call(args);
        pg_call([&] { answer = encode(fcinfo, result); });
    });
    return answer;
}

constexpr int expire_batch = 1000; // lapsed holds returned per statement

} // namespace

extern "C" {

// open_cart(event_id, customer, expires_in)
PG_FUNCTION_INFO_V1(ticketing_open_cart);
Datum ticketing_open_cart(PG_FUNCTION_ARGS) {
    return run(
        fcinfo,
        [&] {
            CallArgs args{};
            args.event_id = int64_arg(fcinfo, 0);
            args.customer = text_arg(fcinfo, 1, &args.customer_datum);
            interval_arg(fcinfo, 2, &args);
            return args;
        },
        run_open_cart, encode_cart_result);
}

// extend_cart(event_id, token, customer, extend_by)
PG_FUNCTION_INFO_V1(ticketing_extend_cart);
Datum ticketing_extend_cart(PG_FUNCTION_ARGS) {
    return run(
        fcinfo,
        [&] {
            CallArgs args = cart_args(fcinfo);
            interval_arg(fcinfo, 3, &args);
            return args;
        },
        run_extend_cart, encode_cart_result);
}

// checkout_cart(event_id, token, customer, idempotency_key)
PG_FUNCTION_INFO_V1(ticketing_checkout_cart);
Datum ticketing_checkout_cart(PG_FUNCTION_ARGS) {
    return run(
        fcinfo,
        [&] {
            CallArgs args = cart_args(fcinfo);
            args.idempotency_key = text_arg(fcinfo, 3, &args.idempotency_key_datum);
            return args;
        },
        run_checkout_cart, encode_order_result);
}

// abandon_cart(event_id, token, customer, idempotency_key)
PG_FUNCTION_INFO_V1(ticketing_abandon_cart);
Datum ticketing_abandon_cart(PG_FUNCTION_ARGS) {
    return run(
        fcinfo,
        [&] {
            CallArgs args = cart_args(fcinfo);
            args.idempotency_key = text_arg(fcinfo, 3, &args.idempotency_key_datum);
            return args;
        },
        run_abandon_cart, encode_order_result);
}

// cart_contents(event_id, token, customer)
PG_FUNCTION_INFO_V1(ticketing_cart_contents);
Datum ticketing_cart_contents(PG_FUNCTION_ARGS) {
    return run(
        fcinfo, [&] { return cart_args(fcinfo); }, run_cart_contents, encode_cart_result);
}

// expire_holds(event_id DEFAULT NULL): lapsed holds (cart items of expired carts among
// them) back to inventory, with their quota units, a thousand per statement.
PG_FUNCTION_INFO_V1(ticketing_expire_holds);
Datum ticketing_expire_holds(PG_FUNCTION_ARGS) {
    std::int64_t expired = 0;
    run_guarded([&] {
        std::optional<std::int64_t> event_id;
        pg_call([&] { event_id = int64_arg(fcinfo, 0); });
        if (event_id && *event_id <= 0) {
            throw DomainError(ErrorKind::invalid_parameter,
                              "event_id must be a positive number, got " +
                                  std::to_string(*event_id));
        }
        in_call_frame(CallKind::maintenance, "expire_holds()", event_id.value_or(0), [&] {
            for (;;) {
                check_for_interrupts();
                const std::int64_t batch = expire_lapsed_holds(event_id.value_or(0), expire_batch);
                expired += batch;
                if (batch < expire_batch) {
                    break;
                }
            }
            // In events with an open waiting list, what is free is offered down it.
            offer_to_open_lists(event_id.value_or(0));
            return empty_result(Outcome::released, event_id.value_or(0));
        });
    });
    PG_RETURN_INT64(expired);
}

} // extern "C"
