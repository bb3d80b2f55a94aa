#include "sql_codec.hpp"

namespace ticketing::backend {

namespace {

bool absent(FunctionCallInfo fcinfo, int n) {
    return n >= PG_NARGS() || PG_ARGISNULL(n);
}

Datum outcome_text(Outcome outcome) {
    const std::string_view name = outcome_name(outcome);
    return PointerGetDatum(cstring_to_text_with_len(name.data(), static_cast<int>(name.size())));
}

// Interval length with a month as 30 days (as interval comparison counts it),
// saturating far beyond any valid hold.
std::int64_t interval_micros(const Interval* interval) {
    const long double micros =
        static_cast<long double>(interval->time) +
        static_cast<long double>(interval->day) * USECS_PER_DAY +
        static_cast<long double>(interval->month) * DAYS_PER_MONTH * USECS_PER_DAY;
    const long double bound = 1e18L;
    return static_cast<std::int64_t>(micros > bound ? bound : (micros < -bound ? -bound : micros));
}

} // namespace

std::optional<std::int64_t> int64_arg(FunctionCallInfo fcinfo, int n) {
    if (absent(fcinfo, n)) {
        return std::nullopt;
    }
    return PG_GETARG_INT64(n);
}

std::optional<std::int64_t> int32_arg(FunctionCallInfo fcinfo, int n) {
    if (absent(fcinfo, n)) {
        return std::nullopt;
    }
    return PG_GETARG_INT32(n);
}

std::optional<bool> bool_arg(FunctionCallInfo fcinfo, int n) {
    if (absent(fcinfo, n)) {
        return std::nullopt;
    }
    return PG_GETARG_BOOL(n);
}

std::optional<std::string_view> text_arg(FunctionCallInfo fcinfo, int n, Datum* datum) {
    if (absent(fcinfo, n)) {
        *datum = 0;
        return std::nullopt;
    }
    text* value = PG_GETARG_TEXT_PP(n);
    *datum = PointerGetDatum(value);
    return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

void interval_arg(FunctionCallInfo fcinfo, int n, CallArgs* args) {
    args->has_hold_for = !absent(fcinfo, n);
    if (args->has_hold_for) {
        args->hold_for = PG_GETARG_DATUM(n);
        args->hold_for_micros = interval_micros(PG_GETARG_INTERVAL_P(n));
    }
}

void int8_array_arg(FunctionCallInfo fcinfo, int n, CallArgs* args) {
    args->has_ticket_ids = !absent(fcinfo, n);
    if (!args->has_ticket_ids) {
        return;
    }
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(n);
    if (ARR_NDIM(array) > 1) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("ticket_ids must be a one-dimensional array")));
    }
    Datum* values = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    deconstruct_array(array, INT8OID, 8, true, TYPALIGN_DOUBLE, &values, &nulls, &count);
    args->ticket_id_count = count;
    args->ticket_id_values = values;
    args->ticket_id_nulls = nulls;
}

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

// The result types of 1.3 end with `quota` (the quota named by quota_exhausted) and the
// tickets' codes; those of older schemas, which the library still serves, do not.
constexpr int result_columns = 9;

Datum encode_ticket_result(FunctionCallInfo fcinfo, const CallResult& result) {
    const TupleDesc desc = result_descriptor(fcinfo);
    Datum values[result_columns];
    bool nulls[result_columns] = {false,
                                  false,
                                  false,
                                  result.count == 0 || result.seats[0] == 0,
                                  false,
                                  !result.has_at,
                                  !result.has_hold_expiry,
                                  result.quota == 0,
                                  !result.has_codes || result.codes[0] == 0};
    values[0] = outcome_text(result.outcome);
    values[1] = Int64GetDatum(result.event_id);
    values[2] = Int64GetDatum(result.requested_ticket_id);
    values[3] = result.count > 0 ? result.seats[0] : 0;
    values[4] = BoolGetDatum(owner_is_customer(result.outcome));
    values[5] = TimestampTzGetDatum(result.at);
    values[6] = TimestampTzGetDatum(result.hold_expires_at);
    values[7] = result.quota;
    values[8] = result.has_codes ? result.codes[0] : 0;
    Assert(desc->natts <= result_columns);
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

Datum encode_order_result(FunctionCallInfo fcinfo, const CallResult& result) {
    const TupleDesc desc = result_descriptor(fcinfo);
    Datum ids[max_order_tickets];
    Datum seats[max_order_tickets];
    bool seat_nulls[max_order_tickets];
    bool code_nulls[max_order_tickets];
    for (int i = 0; i < result.count; ++i) {
        ids[i] = Int64GetDatum(result.ticket_ids[i]);
        seats[i] = result.seats[i];
        seat_nulls[i] = result.seats[i] == 0;
        code_nulls[i] = !result.has_codes || result.codes[i] == 0;
    }
    int dims[1] = {result.count};
    int lbs[1] = {1};
    Datum values[result_columns];
    bool nulls[result_columns] = {false,
                                  false,
                                  false,
                                  false,
                                  !result.has_remaining,
                                  !result.has_at,
                                  !result.has_hold_expiry,
                                  result.quota == 0,
                                  !result.has_codes};
    values[0] = outcome_text(result.outcome);
    values[1] = Int64GetDatum(result.event_id);
    values[2] =
        PointerGetDatum(construct_array(ids, result.count, INT8OID, 8, true, TYPALIGN_DOUBLE));
    values[3] = PointerGetDatum(
        construct_md_array(seats, seat_nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
    values[4] = Int64GetDatum(result.remaining);
    values[5] = TimestampTzGetDatum(result.at);
    values[6] = TimestampTzGetDatum(result.hold_expires_at);
    values[7] = result.quota;
    values[8] =
        result.has_codes
            ? PointerGetDatum(construct_md_array(const_cast<Datum*>(result.codes), code_nulls, 1,
                                                 dims, lbs, TEXTOID, -1, false, TYPALIGN_INT))
            : 0;
    Assert(desc->natts <= result_columns);
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

Datum encode_cart_result(FunctionCallInfo fcinfo, const CallResult& result) {
    Datum ids[max_order_tickets];
    Datum seats[max_order_tickets];
    bool seat_nulls[max_order_tickets];
    for (int i = 0; i < result.count; ++i) {
        ids[i] = Int64GetDatum(result.ticket_ids[i]);
        seats[i] = result.seats[i];
        seat_nulls[i] = result.seats[i] == 0;
    }
    int dims[1] = {result.count};
    int lbs[1] = {1};
    Datum values[6];
    bool nulls[6] = {false, false, result.token == 0, !result.has_hold_expiry, false, false};
    values[0] = outcome_text(result.outcome);
    values[1] = Int64GetDatum(result.event_id);
    values[2] = result.token;
    values[3] = TimestampTzGetDatum(result.hold_expires_at);
    values[4] =
        PointerGetDatum(construct_array(ids, result.count, INT8OID, 8, true, TYPALIGN_DOUBLE));
    values[5] = PointerGetDatum(
        construct_md_array(seats, seat_nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
    return HeapTupleGetDatum(heap_form_tuple(result_descriptor(fcinfo), values, nulls));
}

} // namespace ticketing::backend
