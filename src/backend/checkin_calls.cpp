#include <algorithm>
#include <map>
#include <vector>

#include "checkin_calls.hpp"

#include "call_frame.hpp"
#include "direct_reads.hpp"
#include "stats.hpp"
#include "ticket_codes.hpp"
#include "ticket_store.hpp"

#include "../core/admission_rules.hpp"
#include "../core/domain_error.hpp"
#include "../core/ticket_code.hpp"
#include "../core/validation.hpp"

namespace ticketing::backend {

namespace {

CheckInAnswer answer(Outcome outcome) {
    return CheckInAnswer{outcome, 0, 0, 0, false, 0};
}

// What a verdict that admits nobody answers about the ticket: the admission before for
// already_admitted; the ticket for the other genuine codes of this event (not_sold,
// revoked); nothing for unknown_code.
CheckInAnswer answer_about(Outcome outcome, const CodedTicket& ticket) {
    CheckInAnswer result = answer(outcome);
    if (outcome == Outcome::unknown_code || outcome == Outcome::wrong_event) {
        return result;
    }
    result.ticket_id = ticket.ticket_id;
    result.seat = ticket.seat;
    if (outcome == Outcome::already_admitted) {
        result.gate = ticket.admitted_gate;
        result.has_admitted_at = true;
        result.admitted_at = ticket.admitted_at;
    }
    return result;
}

// A code of another event: wrong_event if it is genuine there, unknown_code otherwise.
Outcome classify_foreign(const CodeFields& fields) {
    const std::optional<CodedTicket> other = read_coded_ticket(fields.event_id, fields.ticket_id);
    return other ? decide_foreign_code(match_code(fields, *other)) : Outcome::unknown_code;
}

// One admission to record for a locked ticket.
struct AdmissionWrite {
    std::int64_t ticket_id;
    Datum gate; // text
    TimestampTz at;
    bool replaces;           // an admission was recorded before
    Datum previous_gate;     // text, when replaces
    TimestampTz previous_at; // when replaces
};

Datum text_array(const std::vector<Datum>& values, const std::vector<bool>& nulls) {
    Datum array = 0;
    pg_call([&] {
        int dims[1] = {static_cast<int>(values.size())};
        int lbs[1] = {1};
        std::vector<char> null_flags(values.size() + 1, 0);
        for (std::size_t i = 0; i < values.size(); ++i) {
            null_flags[i] = nulls[i] ? 1 : 0;
        }
        array = PointerGetDatum(construct_md_array(const_cast<Datum*>(values.data()),
                                                   reinterpret_cast<bool*>(null_flags.data()), 1,
                                                   dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
    });
    return array;
}

Datum timestamp_array(const std::vector<TimestampTz>& values, const std::vector<bool>& nulls) {
    Datum array = 0;
    pg_call([&] {
        int dims[1] = {static_cast<int>(values.size())};
        int lbs[1] = {1};
        std::vector<Datum> datums(values.size() + 1, 0);
        std::vector<char> null_flags(values.size() + 1, 0);
        for (std::size_t i = 0; i < values.size(); ++i) {
            datums[i] = TimestampTzGetDatum(values[i]);
            null_flags[i] = nulls[i] ? 1 : 0;
        }
        array = PointerGetDatum(
            construct_md_array(datums.data(), reinterpret_cast<bool*>(null_flags.data()), 1, dims,
                               lbs, TIMESTAMPTZOID, 8, true, TYPALIGN_DOUBLE));
    });
    return array;
}

// Records admissions of tickets this call holds locked (one statement, with their trail
// rows). A trigger or policy that skips a ticket's update fails the call (TK003).
void record_admissions(std::int64_t event_id, const std::vector<AdmissionWrite>& writes) {
    if (writes.empty()) {
        return;
    }
    std::vector<std::int64_t> ids;
    std::vector<Datum> gates, previous_gates;
    std::vector<TimestampTz> times, previous_times;
    std::vector<bool> present, absent_previous;
    for (const AdmissionWrite& write : writes) {
        ids.push_back(write.ticket_id);
        gates.push_back(write.gate);
        times.push_back(write.at);
        present.push_back(false);
        previous_gates.push_back(write.replaces ? write.previous_gate : Datum(0));
        previous_times.push_back(write.replaces ? write.previous_at : 0);
        absent_previous.push_back(!write.replaces);
    }
    Datum args[] = {Int64GetDatum(event_id),
                    int8_array(ids.data(), static_cast<int>(ids.size())),
                    text_array(gates, present),
                    timestamp_array(times, present),
                    text_array(previous_gates, absent_previous),
                    timestamp_array(previous_times, absent_previous)};
    const std::uint64_t changed = run_plan(PlanId::admit_tickets, args, nullptr);
    if (changed != writes.size()) {
        change_skipped(event_id, changed, writes.size());
    }
}

CheckInAnswer check_one(std::int64_t event_id, std::string_view code, Datum gate) {
    const std::optional<CodeFields> fields = decode_code(code);
    if (!fields) {
        return answer(Outcome::unknown_code);
    }
    if (fields->event_id != event_id) {
        return answer(classify_foreign(*fields));
    }
    // The first look, without a lock: every answer but an admission is given here.
    const std::optional<CodedTicket> seen = read_coded_ticket(event_id, fields->ticket_id);
    if (!seen) {
        return answer(Outcome::unknown_code);
    }
    CheckInVerdict verdict =
        decide_check_in(match_code(*fields, *seen), seen->status, seen->admitted);
    if (!verdict.admit) {
        return answer_about(verdict.outcome, *seen);
    }
    // Admitted only if the ticket is still the sale the code was made for and nobody
    // admitted it since: the UPDATE re-checks that on the newest version after waiting for
    // a concurrent admission, release or transfer (REPEATABLE READ: 40001 instead).
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(fields->ticket_id), seen->owner,
                    TimestampTzGetDatum(seen->updated_at), gate};
    if (run_plan(PlanId::admit_current, args, nullptr) == 1) {
        CheckInAnswer admitted = answer(Outcome::admitted);
        admitted.ticket_id = fields->ticket_id;
        admitted.seat = seen->seat;
        admitted.gate = gate;
        admitted.has_admitted_at = true;
        admitted.admitted_at = first_timestamp();
        return admitted;
    }
    // It changed since the look: decide again on the row under its lock.
    Datum lock_args[] = {Int64GetDatum(event_id), Int64GetDatum(fields->ticket_id)};
    if (run_plan(PlanId::coded_lock, lock_args, nullptr) == 0) {
        return answer(Outcome::unknown_code);
    }
    const CodedTicket locked = decode_coded_row(event_id, 0);
    verdict = decide_check_in(match_code(*fields, locked), locked.status, locked.admitted);
    if (!verdict.admit) {
        return answer_about(verdict.outcome, locked);
    }
    TimestampTz now = 0;
    pg_call([&] { now = GetCurrentTransactionStartTimestamp(); });
    record_admissions(event_id, {AdmissionWrite{fields->ticket_id, gate, now, false, 0, 0}});
    CheckInAnswer admitted = answer(Outcome::admitted);
    admitted.ticket_id = fields->ticket_id;
    admitted.seat = locked.seat;
    admitted.gate = gate;
    admitted.has_admitted_at = true;
    admitted.admitted_at = now;
    return admitted;
}

void validate_scans(const ScanArgs& args) {
    require_id("event_id", args.event_id);
    if (!args.has_scans) {
        throw DomainError(ErrorKind::null_value, "scans must not be NULL");
    }
    if (args.count < 1 || args.count > max_batch_scans) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "a batch holds 1 to " + std::to_string(max_batch_scans) + " scans, got " +
                              std::to_string(args.count),
                          "Upload a longer list in several calls.");
    }
    for (int i = 0; i < args.count; ++i) {
        const std::string where = "scans[" + std::to_string(i + 1) + "]";
        if (args.scan_null[i]) {
            throw DomainError(ErrorKind::null_value, where + " must not be NULL");
        }
        if (args.code_null[i]) {
            throw DomainError(ErrorKind::null_value, where + ".code must not be NULL");
        }
        require_gate(args.gate_null[i] ? std::nullopt
                                       : std::optional<std::string_view>(text_view(args.gates[i])),
                     where + ".gate");
        require_scan_time(args.at_null[i] ? std::nullopt : std::optional<std::int64_t>(args.ats[i]),
                          args.at_finite[i], args.now, where + ".scanned_at");
    }
}

// The scans of one ticket of the event, decided under its lock.
void settle_ticket(const CodedTicket& ticket, const std::vector<int>& scans,
                   const std::vector<CodeFields>& fields, const ScanArgs& args,
                   CheckInAnswer* answers, std::vector<AdmissionWrite>* writes) {
    std::map<CodeMac, CodeMatch> matches; // the codes of one ticket are mostly one code
    std::vector<int> valid;               // scans of the current sale's code
    std::vector<ScanTime> times;
    for (int i : scans) {
        check_for_interrupts();
        auto found = matches.find(fields[i].mac);
        if (found == matches.end()) {
            found = matches.emplace(fields[i].mac, match_code(fields[i], ticket)).first;
        }
        const CheckInVerdict verdict =
            decide_check_in(found->second, ticket.status, ticket.admitted);
        if (verdict.admit || verdict.outcome == Outcome::already_admitted) {
            valid.push_back(i);
            times.push_back(ScanTime{args.ats[i], i + 1});
        } else {
            answers[i] = answer_about(verdict.outcome, ticket);
        }
    }
    if (valid.empty()) {
        return;
    }
    const AdmissionPlan plan = plan_admission(
        ticket.admitted ? std::optional<std::int64_t>(ticket.admitted_at) : std::nullopt, times);
    Datum gate = ticket.admitted_gate;
    TimestampTz at = ticket.admitted_at;
    if (plan.winner) {
        const int winner = valid[*plan.winner];
        gate = args.gates[winner];
        at = args.ats[winner];
        writes->push_back(AdmissionWrite{ticket.ticket_id, gate, at, plan.replaces_recorded,
                                         ticket.admitted_gate, ticket.admitted_at});
    }
    for (std::size_t k = 0; k < valid.size(); ++k) {
        const bool won = plan.winner && *plan.winner == k;
        CheckInAnswer& result = answers[valid[k]];
        result = answer(won ? Outcome::admitted : Outcome::already_admitted);
        result.ticket_id = ticket.ticket_id;
        result.seat = ticket.seat;
        result.gate = gate;
        result.has_admitted_at = true;
        result.admitted_at = at;
    }
}

void settle_scans(const ScanArgs& args, CheckInAnswer* answers) {
    const std::int64_t event_id = *args.event_id;
    std::vector<CodeFields> fields(args.count);
    std::map<std::int64_t, std::vector<int>> own; // ticket id -> its scans, in scan order
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<int>> foreign;
    for (int i = 0; i < args.count; ++i) {
        check_for_interrupts();
        const std::optional<CodeFields> decoded = decode_code(text_view(args.codes[i]));
        if (!decoded) {
            answers[i] = answer(Outcome::unknown_code);
            continue;
        }
        fields[i] = *decoded;
        if (decoded->event_id == event_id) {
            own[decoded->ticket_id].push_back(i);
        } else {
            foreign[{decoded->event_id, decoded->ticket_id}].push_back(i);
        }
    }
    // Every ticket of the event a scan names, locked in ascending id order (one
    // statement): two uploads over the same tickets wait for each other in one direction.
    std::vector<AdmissionWrite> writes;
    if (!own.empty()) {
        std::vector<std::int64_t> ids;
        for (const auto& entry : own) {
            ids.push_back(entry.first);
        }
        Datum lock_args[] = {Int64GetDatum(event_id),
                             int8_array(ids.data(), static_cast<int>(ids.size()))};
        const std::uint64_t locked = run_plan(PlanId::coded_lock_many, lock_args, nullptr);
        std::map<std::int64_t, CodedTicket> tickets;
        for (std::uint64_t n = 0; n < locked; ++n) {
            const CodedTicket ticket = decode_coded_row(event_id, n);
            tickets[ticket.ticket_id] = ticket;
        }
        for (const auto& [ticket_id, scans] : own) {
            check_for_interrupts();
            const auto ticket = tickets.find(ticket_id);
            if (ticket == tickets.end()) {
                for (int i : scans) {
                    answers[i] = answer(Outcome::unknown_code);
                }
                continue;
            }
            settle_ticket(ticket->second, scans, fields, args, answers, &writes);
        }
    }
    record_admissions(event_id, writes);
    for (const auto& [ticket, scans] : foreign) {
        check_for_interrupts();
        const Outcome outcome = classify_foreign(fields[scans.front()]);
        for (int i : scans) {
            // Another code of the same foreign ticket may differ: classify each MAC.
            answers[i] = answer(same_mac(fields[i].mac, fields[scans.front()].mac)
                                    ? outcome
                                    : classify_foreign(fields[i]));
        }
    }
}

} // namespace

CheckInAnswer run_check_in(const CheckInArgs& args) {
    require_id("event_id", args.event_id);
    if (!args.code) {
        throw DomainError(ErrorKind::null_value, "code must not be NULL",
                          "Pass the code as scanned; anything that is not a code answers "
                          "unknown_code.");
    }
    require_gate(args.gate);
    const std::int64_t event_id = *args.event_id;
    const CheckInAnswer result = in_backend_call(
        "check_in()", event_id, [&] { return check_one(event_id, *args.code, args.gate_datum); });
    count_outcome(event_id, result.outcome);
    return result;
}

void run_check_in_batch(const ScanArgs& args, CheckInAnswer* answers) {
    validate_scans(args);
    const std::int64_t event_id = *args.event_id;
    in_backend_call("check_in_batch()", event_id, [&] {
        settle_scans(args, answers);
        return true;
    });
    for (int i = 0; i < args.count; ++i) {
        count_outcome(event_id, answers[i].outcome);
    }
}

bool ticket_was_admitted(std::int64_t event_id, std::int64_t ticket_id) {
    if (!codes_in_schema()) {
        return false;
    }
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id)};
    if (run_plan(PlanId::ticket_admitted, args, nullptr) == 0) {
        return false;
    }
    bool admitted = false;
    pg_call([&] {
        bool is_null = false;
        admitted =
            DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    return admitted;
}

} // namespace ticketing::backend
