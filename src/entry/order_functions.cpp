// SQL entry points for multi-ticket calls: decode, run, encode, all through the guard
// (decoding and encoding run inside pg_call).
#include "../backend/order_calls.hpp"
#include "../backend/pg_guard.hpp"
#include "../backend/sql_codec.hpp"

using namespace ticketing::backend;

extern "C" {

// claim_tickets(event_id, ticket_ids, customer, wait, hold_for, idempotency_key, cart)
PG_FUNCTION_INFO_V1(ticketing_claim_tickets);
Datum ticketing_claim_tickets(PG_FUNCTION_ARGS) {
    Datum answer = 0;
    run_guarded([&] {
        CallArgs args{};
        pg_call([&] {
            Datum unused = 0;
            args.event_id = int64_arg(fcinfo, 0);
            int8_array_arg(fcinfo, 1, &args);
            args.customer = text_arg(fcinfo, 2, &args.customer_datum);
            args.wait = text_arg(fcinfo, 3, &unused);
            interval_arg(fcinfo, 4, &args);
            args.idempotency_key = text_arg(fcinfo, 5, &args.idempotency_key_datum);
            args.cart = text_arg(fcinfo, 6, &args.cart_datum);
        });
        const CallResult result = run_claim_tickets(args);
        pg_call([&] { answer = encode_order_result(fcinfo, result); });
    });
    return answer;
}

// claim_any(event_id, customer, quantity, section, seat_prefix, adjacent, hold_for,
//           idempotency_key, category, cart)
PG_FUNCTION_INFO_V1(ticketing_claim_any);
Datum ticketing_claim_any(PG_FUNCTION_ARGS) {
    Datum answer = 0;
    run_guarded([&] {
        CallArgs args{};
        pg_call([&] {
            Datum unused = 0;
            args.event_id = int64_arg(fcinfo, 0);
            args.customer = text_arg(fcinfo, 1, &args.customer_datum);
            args.quantity = int32_arg(fcinfo, 2);
            args.section = text_arg(fcinfo, 3, &unused);
            args.seat_prefix = text_arg(fcinfo, 4, &unused);
            args.adjacent = bool_arg(fcinfo, 5);
            interval_arg(fcinfo, 6, &args);
            args.idempotency_key = text_arg(fcinfo, 7, &args.idempotency_key_datum);
            args.category = text_arg(fcinfo, 8, &args.category_datum);
            args.cart = text_arg(fcinfo, 9, &args.cart_datum);
        });
        const CallResult result = run_claim_any(args);
        pg_call([&] { answer = encode_order_result(fcinfo, result); });
    });
    return answer;
}

} // extern "C"
