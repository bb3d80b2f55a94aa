// SQL entry points of check-in and transfer (1.3): check_in, check_in_batch,
// transfer_ticket, ticket_codes, rotate_code_secret. Decode, run the C++ body, encode,
// all through the guard.
#include "../backend/checkin_calls.hpp"
#include "../backend/pg_guard.hpp"
#include "../backend/sql_codec.hpp"
#include "../backend/ticket_codes.hpp"
#include "../backend/transfer_calls.hpp"

extern "C" {
#include "commands/trigger.h"
#include "utils/rel.h"
}

using namespace ticketing;
using namespace ticketing::backend;

namespace {

Datum text_or_null(Datum value, bool* is_null) {
    *is_null = value == 0;
    return value;
}

// ticketing.check_in_result's columns (scan_result has them all but the seat).
void answer_columns(const CheckInAnswer& answer, Datum* values, bool* nulls) {
    const std::string_view outcome = outcome_name(answer.outcome);
    values[0] =
        PointerGetDatum(cstring_to_text_with_len(outcome.data(), static_cast<int>(outcome.size())));
    nulls[0] = false;
    values[1] = Int64GetDatum(answer.ticket_id);
    nulls[1] = answer.ticket_id == 0;
    values[2] = text_or_null(answer.seat, &nulls[2]);
    values[3] = text_or_null(answer.gate, &nulls[3]);
    values[4] = TimestampTzGetDatum(answer.admitted_at);
    nulls[4] = !answer.has_admitted_at;
}

// ticketing.scan is (code text, gate text, scanned_at timestamptz).
ScanArgs decode_scans(FunctionCallInfo fcinfo) {
    ScanArgs args{};
    args.event_id = int64_arg(fcinfo, 0);
    args.now = GetCurrentTransactionStartTimestamp();
    args.has_scans = !(PG_NARGS() < 2 || PG_ARGISNULL(1));
    if (!args.has_scans) {
        return args;
    }
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(1);
    if (ARR_NDIM(array) > 1) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("scans must be a one-dimensional array")));
    }
    const Oid element_type = ARR_ELEMTYPE(array);
    int16 element_length = 0;
    bool by_value = false;
    char alignment = 'd';
    get_typlenbyvalalign(element_type, &element_length, &by_value, &alignment);
    Datum* elements = nullptr;
    bool* element_nulls = nullptr;
    int count = 0;
    deconstruct_array(array, element_type, element_length, by_value, alignment, &elements,
                      &element_nulls, &count);
    args.count = count;
    const auto flags = [&] { return static_cast<bool*>(palloc0(sizeof(bool) * (count + 1))); };
    bool* scan_null = flags();
    bool* code_null = flags();
    bool* gate_null = flags();
    bool* at_null = flags();
    bool* at_finite = flags();
    Datum* codes = static_cast<Datum*>(palloc0(sizeof(Datum) * (count + 1)));
    Datum* gates = static_cast<Datum*>(palloc0(sizeof(Datum) * (count + 1)));
    TimestampTz* ats = static_cast<TimestampTz*>(palloc0(sizeof(TimestampTz) * (count + 1)));
    for (int i = 0; i < count; ++i) {
        scan_null[i] = element_nulls[i];
        if (element_nulls[i]) {
            continue;
        }
        HeapTupleHeader scan = DatumGetHeapTupleHeader(elements[i]);
        bool is_null = false;
        const Datum code = GetAttributeByNum(scan, 1, &is_null);
        code_null[i] = is_null;
        codes[i] = is_null ? 0 : PointerGetDatum(PG_DETOAST_DATUM_PACKED(code));
        const Datum gate = GetAttributeByNum(scan, 2, &is_null);
        gate_null[i] = is_null;
        gates[i] = is_null ? 0 : PointerGetDatum(PG_DETOAST_DATUM_PACKED(gate));
        const Datum at = GetAttributeByNum(scan, 3, &is_null);
        at_null[i] = is_null;
        ats[i] = is_null ? 0 : DatumGetTimestampTz(at);
        at_finite[i] = !is_null && !TIMESTAMP_NOT_FINITE(ats[i]);
    }
    args.scan_null = scan_null;
    args.code_null = code_null;
    args.codes = codes;
    args.gate_null = gate_null;
    args.gates = gates;
    args.at_null = at_null;
    args.at_finite = at_finite;
    args.ats = ats;
    return args;
}

} // namespace

extern "C" {

// check_in(event_id, code, gate) RETURNS check_in_result
PG_FUNCTION_INFO_V1(ticketing_check_in);
Datum ticketing_check_in(PG_FUNCTION_ARGS) {
    Datum result = 0;
    run_guarded([&] {
        CheckInArgs args{};
        pg_call([&] {
            Datum unused = 0;
            args.event_id = int64_arg(fcinfo, 0);
            args.code = text_arg(fcinfo, 1, &unused);
            args.gate = text_arg(fcinfo, 2, &args.gate_datum);
        });
        const CheckInAnswer answer = run_check_in(args);
        pg_call([&] {
            Datum values[5];
            bool nulls[5];
            answer_columns(answer, values, nulls);
            result = HeapTupleGetDatum(heap_form_tuple(result_descriptor(fcinfo), values, nulls));
        });
    });
    return result;
}

// check_in_batch(event_id, scans scan[]) RETURNS SETOF scan_result
PG_FUNCTION_INFO_V1(ticketing_check_in_batch);
Datum ticketing_check_in_batch(PG_FUNCTION_ARGS) {
    run_guarded([&] {
        ScanArgs args{};
        CheckInAnswer* answers = nullptr;
        pg_call([&] {
            args = decode_scans(fcinfo);
            answers =
                static_cast<CheckInAnswer*>(palloc0(sizeof(CheckInAnswer) * (args.count + 1)));
        });
        run_check_in_batch(args, answers);
        pg_call([&] {
            InitMaterializedSRF(fcinfo, 0);
            ReturnSetInfo* result_set = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            for (int i = 0; i < args.count; ++i) {
                // scan_result: (scan_no, outcome, ticket_id, gate, admitted_at), no seat.
                Datum columns[5];
                bool column_nulls[5];
                answer_columns(answers[i], columns, column_nulls);
                Datum values[5] = {Int32GetDatum(i + 1), columns[0], columns[1], columns[3],
                                   columns[4]};
                bool nulls[5] = {false, column_nulls[0], column_nulls[1], column_nulls[3],
                                 column_nulls[4]};
                tuplestore_putvalues(result_set->setResult, result_set->setDesc, values, nulls);
            }
        });
    });
    return static_cast<Datum>(0);
}

// transfer_ticket(event_id, ticket_id, from_customer, to_customer, idempotency_key)
PG_FUNCTION_INFO_V1(ticketing_transfer_ticket);
Datum ticketing_transfer_ticket(PG_FUNCTION_ARGS) {
    Datum answer = 0;
    run_guarded([&] {
        CallArgs args{};
        pg_call([&] {
            args.event_id = int64_arg(fcinfo, 0);
            args.ticket_id = int64_arg(fcinfo, 1);
            args.customer = text_arg(fcinfo, 2, &args.customer_datum);
            args.to_customer = text_arg(fcinfo, 3, &args.to_customer_datum);
            args.idempotency_key = text_arg(fcinfo, 4, &args.idempotency_key_datum);
        });
        const CallResult result = run_transfer_ticket(args);
        pg_call([&] { answer = encode_ticket_result(fcinfo, result); });
    });
    return answer;
}

// ticket_codes(event_id, customer) RETURNS SETOF ticket_code
PG_FUNCTION_INFO_V1(ticketing_ticket_codes);
Datum ticketing_ticket_codes(PG_FUNCTION_ARGS) {
    run_guarded([&] {
        CallArgs args{};
        pg_call([&] {
            args.event_id = int64_arg(fcinfo, 0);
            args.customer = text_arg(fcinfo, 1, &args.customer_datum);
        });
        const std::vector<OwnedCode> codes = run_ticket_codes(args);
        pg_call([&] {
            InitMaterializedSRF(fcinfo, 0);
            ReturnSetInfo* result_set = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            for (const OwnedCode& owned : codes) {
                Datum values[3] = {Int64GetDatum(owned.ticket_id), owned.seat, owned.code};
                bool nulls[3] = {false, false, false};
                tuplestore_putvalues(result_set->setResult, result_set->setDesc, values, nulls);
            }
        });
    });
    return static_cast<Datum>(0);
}

// rotate_code_secret() RETURNS timestamptz
PG_FUNCTION_INFO_V1(ticketing_rotate_code_secret);
Datum ticketing_rotate_code_secret(PG_FUNCTION_ARGS) {
    (void)fcinfo;
    TimestampTz created = 0;
    run_guarded([&] { created = run_rotate_code_secret(); });
    PG_RETURN_TIMESTAMPTZ(created);
}

// code_secret_changed(): a statement trigger on ticketing.code_secret.
PG_FUNCTION_INFO_V1(ticketing_code_secret_changed);
Datum ticketing_code_secret_changed(PG_FUNCTION_ARGS) {
    run_guarded([&] {
        Oid relid = InvalidOid;
        pg_call([&] {
            if (!CALLED_AS_TRIGGER(fcinfo)) {
                ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                                errmsg("code_secret_changed() is a trigger function")));
            }
            relid = RelationGetRelid(reinterpret_cast<TriggerData*>(fcinfo->context)->tg_relation);
        });
        code_secret_changed(relid);
    });
    return PointerGetDatum(nullptr);
}

} // extern "C"
