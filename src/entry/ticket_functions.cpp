// SQL entry points for single-ticket calls: decode, run the C++ body, encode, all through
// the guard (decoding and encoding detoast and allocate, so they run inside pg_call).
// Nothing else happens here. Trailing arguments that an older SQL signature lacks
// (idempotency_key before 1.1) read as NULL.
#include "../backend/pg_guard.hpp"
#include "../backend/single_ticket_calls.hpp"
#include "../backend/sql_codec.hpp"

using namespace ticketing;
using namespace ticketing::backend;

namespace {

// (event_id, ticket_id, customer, ...) shared by every single-ticket call.
CallArgs ticket_args(FunctionCallInfo fcinfo) {
    CallArgs args{};
    args.event_id = int64_arg(fcinfo, 0);
    args.ticket_id = int64_arg(fcinfo, 1);
    args.customer = text_arg(fcinfo, 2, &args.customer_datum);
    return args;
}

// Runs `kind` on the arguments `decode` reads (a lambda run inside pg_call).
template <typename Decode>
Datum run(FunctionCallInfo fcinfo, TicketCallKind kind, Decode&& decode) {
    Datum answer = 0;
    run_guarded([&] {
        CallArgs args{};
        pg_call([&] { args = decode(); });
        const CallResult result = run_ticket_call(kind, args);
        pg_call([&] { answer = encode_ticket_result(fcinfo, result); });
    });
    return answer;
}

} // namespace

extern "C" {

TICKETING_MODULE_MAGIC;

// claim_ticket(event_id, ticket_id, customer, wait, idempotency_key)
PG_FUNCTION_INFO_V1(ticketing_claim_ticket);
Datum ticketing_claim_ticket(PG_FUNCTION_ARGS) {
    return run(fcinfo, TicketCallKind::claim, [&] {
        CallArgs args = ticket_args(fcinfo);
        Datum unused = 0;
        args.wait = text_arg(fcinfo, 3, &unused);
        args.idempotency_key = text_arg(fcinfo, 4, &args.idempotency_key_datum);
        args.schema_1_0 = PG_NARGS() < 5;
        return args;
    });
}

// release_ticket(event_id, ticket_id, customer, idempotency_key)
PG_FUNCTION_INFO_V1(ticketing_release_ticket);
Datum ticketing_release_ticket(PG_FUNCTION_ARGS) {
    return run(fcinfo, TicketCallKind::release, [&] {
        CallArgs args = ticket_args(fcinfo);
        args.idempotency_key = text_arg(fcinfo, 3, &args.idempotency_key_datum);
        args.schema_1_0 = PG_NARGS() < 4;
        return args;
    });
}

// hold_ticket(event_id, ticket_id, customer, hold_for, wait, idempotency_key, cart)
PG_FUNCTION_INFO_V1(ticketing_hold_ticket);
Datum ticketing_hold_ticket(PG_FUNCTION_ARGS) {
    return run(fcinfo, TicketCallKind::hold, [&] {
        CallArgs args = ticket_args(fcinfo);
        interval_arg(fcinfo, 3, &args);
        Datum unused = 0;
        args.wait = text_arg(fcinfo, 4, &unused);
        args.idempotency_key = text_arg(fcinfo, 5, &args.idempotency_key_datum);
        args.cart = text_arg(fcinfo, 6, &args.cart_datum);
        return args;
    });
}

// confirm_hold(event_id, ticket_id, customer, idempotency_key)
PG_FUNCTION_INFO_V1(ticketing_confirm_hold);
Datum ticketing_confirm_hold(PG_FUNCTION_ARGS) {
    return run(fcinfo, TicketCallKind::confirm_hold, [&] {
        CallArgs args = ticket_args(fcinfo);
        args.idempotency_key = text_arg(fcinfo, 3, &args.idempotency_key_datum);
        return args;
    });
}

// release_hold(event_id, ticket_id, customer, idempotency_key)
PG_FUNCTION_INFO_V1(ticketing_release_hold);
Datum ticketing_release_hold(PG_FUNCTION_ARGS) {
    return run(fcinfo, TicketCallKind::release_hold, [&] {
        CallArgs args = ticket_args(fcinfo);
        args.idempotency_key = text_arg(fcinfo, 3, &args.idempotency_key_datum);
        return args;
    });
}

} // extern "C"
