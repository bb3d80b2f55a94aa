// check_in and check_in_batch (1.3): the gates. A code is admitted once; every admission
// is an UPDATE of the ticket row through the executor (admitted_at, admitted_gate; the
// sale's time in updated_at is left alone, so the code stays valid), with a row in
// ticketing.admissions. A release or transfer racing an admission takes the same row
// lock: under READ COMMITTED it waits and sees the admission, under REPEATABLE READ and
// SERIALIZABLE it gets 40001, as an UPDATE would.
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

struct CheckInArgs {
    std::optional<std::int64_t> event_id;
    std::optional<std::string_view> code;
    std::optional<std::string_view> gate;
    Datum gate_datum;
};

// One answer: check_in_result, or one row of scan_result.
struct CheckInAnswer {
    Outcome outcome;
    std::int64_t ticket_id; // 0: none (the code says nothing about a ticket of this event)
    Datum seat;             // text; 0: none
    Datum gate;             // text: the admission's gate; 0: none
    bool has_admitted_at;
    TimestampTz admitted_at;
};

CheckInAnswer run_check_in(const CheckInArgs& args);

// check_in_batch's scans (palloc'd parallel arrays), as the shim decoded them.
struct ScanArgs {
    std::optional<std::int64_t> event_id;
    bool has_scans;
    int count;
    TimestampTz now; // the transaction's start: how far ahead a scan's time may be
    const bool* scan_null;
    const bool* code_null;
    const Datum* codes; // text
    const bool* gate_null;
    const Datum* gates; // text
    const bool* at_null;
    const bool* at_finite;
    const TimestampTz* ats;
};

// Fills answers[0 .. args.count), one per scan, in scan order.
void run_check_in_batch(const ScanArgs& args, CheckInAnswer* answers);

// Whether a ticket was checked in (1.3; false in a schema without check-in). For a call
// that holds the ticket's row lock: a release of a checked-in ticket answers
// already_admitted.
bool ticket_was_admitted(std::int64_t event_id, std::int64_t ticket_id);

} // namespace ticketing::backend
