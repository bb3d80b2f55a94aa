// SQL entry points of the waiting list: decode, run through the guard, encode.
#include "../backend/pg_guard.hpp"
#include "../backend/sql_codec.hpp"
#include "../backend/waitlist.hpp"

using namespace ticketing;
using namespace ticketing::backend;

namespace {

// ticketing.waitlist_result (outcome, event_id, entry_id, position, status, ticket_ids,
// offer_expires_at, skipped_for).
Datum encode_waitlist_result(FunctionCallInfo fcinfo, const WaitlistAnswer& answer) {
    Datum ids[max_order_tickets];
    for (int i = 0; i < answer.count; ++i) {
        ids[i] = Int64GetDatum(answer.ticket_ids[i]);
    }
    const std::string_view outcome = outcome_name(answer.outcome);
    Datum values[8];
    bool nulls[8] = {false,
                     false,
                     answer.entry_id == 0,
                     answer.position == 0,
                     !answer.status,
                     answer.count == 0,
                     !answer.has_offer_expiry,
                     answer.skipped_for == 0};
    values[0] =
        PointerGetDatum(cstring_to_text_with_len(outcome.data(), static_cast<int>(outcome.size())));
    values[1] = Int64GetDatum(answer.event_id);
    values[2] = Int64GetDatum(answer.entry_id);
    values[3] = Int64GetDatum(answer.position);
    if (answer.status) {
        const std::string_view status = entry_status_name(*answer.status);
        values[4] = PointerGetDatum(
            cstring_to_text_with_len(status.data(), static_cast<int>(status.size())));
    }
    values[5] =
        PointerGetDatum(construct_array(ids, answer.count, INT8OID, 8, true, TYPALIGN_DOUBLE));
    values[6] = TimestampTzGetDatum(answer.offer_expires_at);
    values[7] = answer.skipped_for;
    return HeapTupleGetDatum(heap_form_tuple(result_descriptor(fcinfo), values, nulls));
}

// (event_id, customer) of leave_waitlist and waitlist_position.
CallArgs customer_args(FunctionCallInfo fcinfo) {
    CallArgs args{};
    args.event_id = int64_arg(fcinfo, 0);
    args.customer = text_arg(fcinfo, 1, &args.customer_datum);
    return args;
}

template <typename Decode, typename Run>
Datum run(FunctionCallInfo fcinfo, Decode&& decode, Run&& call) {
    Datum answer = 0;
    run_guarded([&] {
        CallArgs args{};
        std::optional<bool> together;
        pg_call([&] { args = decode(&together); });
        const WaitlistAnswer result = call(args, together);
        pg_call([&] { answer = encode_waitlist_result(fcinfo, result); });
    });
    return answer;
}

} // namespace

extern "C" {

// join_waitlist(event_id, customer, quantity, category, together, offer_for)
PG_FUNCTION_INFO_V1(ticketing_join_waitlist);
Datum ticketing_join_waitlist(PG_FUNCTION_ARGS) {
    return run(
        fcinfo,
        [&](std::optional<bool>* together) {
            CallArgs args{};
            args.event_id = int64_arg(fcinfo, 0);
            args.customer = text_arg(fcinfo, 1, &args.customer_datum);
            args.quantity = int32_arg(fcinfo, 2);
            args.category = text_arg(fcinfo, 3, &args.category_datum);
            *together = bool_arg(fcinfo, 4);
            interval_arg(fcinfo, 5, &args);
            return args;
        },
        [](const CallArgs& args, std::optional<bool> together) {
            return run_join_waitlist(args, together);
        });
}

// leave_waitlist(event_id, customer)
PG_FUNCTION_INFO_V1(ticketing_leave_waitlist);
Datum ticketing_leave_waitlist(PG_FUNCTION_ARGS) {
    return run(
        fcinfo, [&](std::optional<bool>*) { return customer_args(fcinfo); },
        [](const CallArgs& args, std::optional<bool>) { return run_leave_waitlist(args); });
}

// waitlist_position(event_id, customer)
PG_FUNCTION_INFO_V1(ticketing_waitlist_position);
Datum ticketing_waitlist_position(PG_FUNCTION_ARGS) {
    return run(
        fcinfo, [&](std::optional<bool>*) { return customer_args(fcinfo); },
        [](const CallArgs& args, std::optional<bool>) { return run_waitlist_position(args); });
}

// offer_waitlist(event_id): the offers made.
PG_FUNCTION_INFO_V1(ticketing_offer_waitlist);
Datum ticketing_offer_waitlist(PG_FUNCTION_ARGS) {
    int offers = 0;
    run_guarded([&] {
        CallArgs args{};
        pg_call([&] { args.event_id = int64_arg(fcinfo, 0); });
        offers = run_offer_waitlist(args);
    });
    PG_RETURN_INT32(offers);
}

} // extern "C"
