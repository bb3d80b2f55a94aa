#include "result_codec.hpp"

namespace ticketing::backend {

namespace {

std::optional<std::int64_t> int64_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) {
        return std::nullopt;
    }
    return PG_GETARG_INT64(n);
}

std::optional<std::string_view> text_arg(FunctionCallInfo fcinfo, int n, Datum* datum) {
    if (PG_ARGISNULL(n)) {
        *datum = 0;
        return std::nullopt;
    }
    text* value = PG_GETARG_TEXT_PP(n);
    *datum = PointerGetDatum(value);
    return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

// The blessed descriptor of the result type, cached for the life of the call site.
TupleDesc result_descriptor(FunctionCallInfo fcinfo) {
    if (fcinfo->flinfo->fn_extra == nullptr) {
        TupleDesc desc = nullptr;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("ticketing: function must return a composite type")));
        }
        MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
        desc = BlessTupleDesc(CreateTupleDescCopy(desc));
        MemoryContextSwitchTo(old);
        fcinfo->flinfo->fn_extra = desc;
    }
    return static_cast<TupleDesc>(fcinfo->flinfo->fn_extra);
}

} // namespace

TicketArgs decode_ticket_args(FunctionCallInfo fcinfo, bool takes_wait) {
    TicketArgs args{};
    Datum unused = 0;
    args.request.event_id = int64_arg(fcinfo, 0);
    args.request.ticket_id = int64_arg(fcinfo, 1);
    args.request.customer = text_arg(fcinfo, 2, &args.customer);
    if (takes_wait) {
        args.request.wait = text_arg(fcinfo, 3, &unused);
    }
    return args;
}

Datum encode_ticket_result(FunctionCallInfo fcinfo, const TicketResult& result) {
    TupleDesc desc = result_descriptor(fcinfo);
    const std::string_view outcome = outcome_name(result.outcome);
    Datum values[7];
    bool nulls[7] = {false, false, false, !result.has_seat, false, !result.has_at,
                     !result.has_hold_expiry};
    values[0] = PointerGetDatum(
        cstring_to_text_with_len(outcome.data(), static_cast<int>(outcome.size())));
    values[1] = Int64GetDatum(result.event_id);
    values[2] = Int64GetDatum(result.ticket_id);
    values[3] = result.seat;
    values[4] = BoolGetDatum(result.owner_is_you);
    values[5] = TimestampTzGetDatum(result.at);
    values[6] = TimestampTzGetDatum(result.hold_expires_at);
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

} // namespace ticketing::backend
