// SQL entry point for claim_batch: decode the request array, run, return one row per
// request, all through the guard (decoding and encoding inside pg_call).
#include "../backend/batch_calls.hpp"
#include "../backend/pg_guard.hpp"
#include "../backend/sql_codec.hpp"

using namespace ticketing;
using namespace ticketing::backend;

namespace {

// ticketing.claim_request is (ticket_id bigint, customer text, idempotency_key text);
// 1.3's ticketing.batch_request adds (category text, cart text).
BatchArgs decode_batch(FunctionCallInfo fcinfo) {
    BatchArgs args{};
    args.event_id = int64_arg(fcinfo, 0);
    args.has_requests = !(PG_NARGS() < 2 || PG_ARGISNULL(1));
    if (!args.has_requests) {
        return args;
    }
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(1);
    if (ARR_NDIM(array) > 1) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("requests must be a one-dimensional array")));
    }
    Oid element_type = ARR_ELEMTYPE(array);
    int16 element_length = 0;
    bool by_value = false;
    char alignment = 'd';
    get_typlenbyvalalign(element_type, &element_length, &by_value, &alignment);
    Datum* elements = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    deconstruct_array(array, element_type, element_length, by_value, alignment, &elements, &nulls,
                      &count);
    args.count = count;
    bool* request_null = static_cast<bool*>(palloc0(sizeof(bool) * (count + 1)));
    bool* ticket_null = static_cast<bool*>(palloc0(sizeof(bool) * (count + 1)));
    std::int64_t* ticket_ids =
        static_cast<std::int64_t*>(palloc0(sizeof(std::int64_t) * (count + 1)));
    bool* customer_null = static_cast<bool*>(palloc0(sizeof(bool) * (count + 1)));
    Datum* customers = static_cast<Datum*>(palloc0(sizeof(Datum) * (count + 1)));
    bool* key_null = static_cast<bool*>(palloc0(sizeof(bool) * (count + 1)));
    Datum* keys = static_cast<Datum*>(palloc0(sizeof(Datum) * (count + 1)));
    bool* category_null = static_cast<bool*>(palloc(sizeof(bool) * (count + 1)));
    Datum* categories = static_cast<Datum*>(palloc0(sizeof(Datum) * (count + 1)));
    bool* cart_null = static_cast<bool*>(palloc(sizeof(bool) * (count + 1)));
    Datum* carts = static_cast<Datum*>(palloc0(sizeof(Datum) * (count + 1)));
    // How many attributes the request type has: 3 (claim_request) or 5 (batch_request).
    int attributes = 3;
    {
        TupleDesc desc = lookup_rowtype_tupdesc(element_type, -1);
        attributes = desc->natts;
        ReleaseTupleDesc(desc);
    }
    for (int i = 0; i <= count; ++i) {
        category_null[i] = cart_null[i] = true;
    }
    for (int i = 0; i < count; ++i) {
        request_null[i] = nulls[i];
        if (nulls[i]) {
            ticket_null[i] = customer_null[i] = key_null[i] = true;
            continue;
        }
        HeapTupleHeader request = DatumGetHeapTupleHeader(elements[i]);
        bool is_null = false;
        const Datum ticket = GetAttributeByNum(request, 1, &is_null);
        ticket_null[i] = is_null;
        ticket_ids[i] = is_null ? 0 : DatumGetInt64(ticket);
        const Datum customer = GetAttributeByNum(request, 2, &is_null);
        customer_null[i] = is_null;
        customers[i] = is_null ? 0 : PointerGetDatum(PG_DETOAST_DATUM_PACKED(customer));
        const Datum key = GetAttributeByNum(request, 3, &is_null);
        key_null[i] = is_null;
        keys[i] = is_null ? 0 : PointerGetDatum(PG_DETOAST_DATUM_PACKED(key));
        if (attributes >= 5) {
            const Datum category = GetAttributeByNum(request, 4, &is_null);
            category_null[i] = is_null;
            categories[i] = is_null ? 0 : PointerGetDatum(PG_DETOAST_DATUM_PACKED(category));
            const Datum cart = GetAttributeByNum(request, 5, &is_null);
            cart_null[i] = is_null;
            carts[i] = is_null ? 0 : PointerGetDatum(PG_DETOAST_DATUM_PACKED(cart));
        }
    }
    args.request_null = request_null;
    args.ticket_null = ticket_null;
    args.ticket_ids = ticket_ids;
    args.customer_null = customer_null;
    args.customers = customers;
    args.key_null = key_null;
    args.keys = keys;
    args.category_null = category_null;
    args.categories = categories;
    args.cart_null = cart_null;
    args.carts = carts;
    return args;
}

} // namespace

extern "C" {

// claim_batch(event_id, requests claim_request[] or batch_request[]) RETURNS SETOF
// batch_result
PG_FUNCTION_INFO_V1(ticketing_claim_batch);
Datum ticketing_claim_batch(PG_FUNCTION_ARGS) {
    run_guarded([&] {
        BatchArgs args{};
        BatchRow* rows = nullptr;
        pg_call([&] {
            args = decode_batch(fcinfo);
            rows = static_cast<BatchRow*>(palloc0(sizeof(BatchRow) * (args.count + 1)));
        });
        run_claim_batch(args, rows);
        pg_call([&] {
            InitMaterializedSRF(fcinfo, 0);
            ReturnSetInfo* result_set = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            // 1.3's batch_result ends with `quota` and `code`; 1.2's does not.
            for (int i = 0; i < args.count; ++i) {
                const std::string_view outcome = outcome_name(rows[i].outcome);
                Datum values[7];
                bool nulls[7] = {false,
                                 false,
                                 rows[i].ticket_id == 0,
                                 rows[i].seat == 0,
                                 !rows[i].has_at,
                                 rows[i].quota == 0,
                                 rows[i].code == 0};
                values[0] = Int32GetDatum(i + 1);
                values[1] = PointerGetDatum(
                    cstring_to_text_with_len(outcome.data(), static_cast<int>(outcome.size())));
                values[2] = Int64GetDatum(rows[i].ticket_id);
                values[3] = rows[i].seat;
                values[4] = TimestampTzGetDatum(rows[i].at);
                values[5] = rows[i].quota;
                values[6] = rows[i].code;
                tuplestore_putvalues(result_set->setResult, result_set->setDesc, values, nulls);
            }
        });
    });
    return static_cast<Datum>(0);
}

} // extern "C"
