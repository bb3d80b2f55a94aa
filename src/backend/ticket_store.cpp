#include "ticket_store.hpp"

#include "pg_guard.hpp"
#include "spi_plans.hpp"
#include "stats.hpp"

namespace ticketing::backend {

namespace {

// Column order of the peek and lock statements (spi_plans.cpp).
enum TicketColumn {
    col_status = 1,
    col_mine,
    col_hold_expired,
    col_seat,
    col_updated_at,
    col_hold_expires_at,
    col_ticket_id,
    col_limit
};

Datum null_if_absent(Datum datum, char* null_flag) {
    *null_flag = datum == 0 ? 'n' : ' ';
    return datum;
}

// Decodes row `n` of SPI_tuptable. Text columns are copied out of SPI's memory.
void decode_row(std::uint64_t n, TicketRow* row) {
    bool bad_status = false;
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[n];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        const auto parsed =
            parse_status(text_view(SPI_getbinval(tuple, desc, col_status, &is_null)));
        bad_status = !parsed;
        row->state.status = parsed.value_or(TicketStatus::available);
        row->state.owned_by_customer = DatumGetBool(SPI_getbinval(tuple, desc, col_mine, &is_null));
        row->state.hold_expired =
            DatumGetBool(SPI_getbinval(tuple, desc, col_hold_expired, &is_null));
        row->seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, col_seat, &is_null), false, -1);
        row->updated_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, col_updated_at, &is_null));
        const Datum hold = SPI_getbinval(tuple, desc, col_hold_expires_at, &is_null);
        row->has_hold_expiry = !is_null;
        row->hold_expires_at = is_null ? 0 : DatumGetTimestampTz(hold);
        row->ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, col_ticket_id, &is_null));
        const Datum limit = SPI_getbinval(tuple, desc, col_limit, &is_null);
        row->has_limit = !is_null;
        row->limit = is_null ? 0 : DatumGetInt32(limit);
    });
    if (bad_status) {
        throw DomainError(ErrorKind::internal, "ticketing.tickets holds an unknown status");
    }
}

PlanId lock_plan(WaitPolicy policy) {
    switch (policy) {
    case WaitPolicy::nowait:
        return PlanId::lock_ticket_nowait;
    case WaitPolicy::skip:
        return PlanId::lock_ticket_skip;
    case WaitPolicy::wait:
        break;
    }
    return PlanId::lock_ticket_wait;
}

} // namespace

Datum int8_array(const std::int64_t* values, int count) {
    Datum array = 0;
    pg_call([&] {
        Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
        for (int i = 0; i < count; ++i) {
            elements[i] = Int64GetDatum(values[i]);
        }
        array =
            PointerGetDatum(construct_array(elements, count, INT8OID, 8, true, TYPALIGN_DOUBLE));
    });
    return array;
}

namespace {

Datum status_array(const TicketRow* rows, int count) {
    Datum array = 0;
    pg_call([&] {
        Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
        for (int i = 0; i < count; ++i) {
            const std::string_view name = status_name(rows[i].state.status);
            elements[i] = PointerGetDatum(
                cstring_to_text_with_len(name.data(), static_cast<int>(name.size())));
        }
        array = PointerGetDatum(construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT));
    });
    return array;
}

} // namespace

TimestampTz first_timestamp() {
    TimestampTz at = 0;
    pg_call([&] {
        bool is_null = false;
        at = DatumGetTimestampTz(
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    return at;
}

namespace {

std::int64_t first_int64(bool* is_null) {
    std::int64_t value = 0;
    pg_call([&] {
        const Datum datum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, is_null);
        value = *is_null ? 0 : DatumGetInt64(datum);
    });
    return value;
}

} // namespace

std::string_view text_view(Datum datum) {
    text* value = DatumGetTextPP(datum);
    return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

Datum make_text(std::string_view text) {
    Datum datum = 0;
    pg_call([&] {
        datum =
            PointerGetDatum(cstring_to_text_with_len(text.data(), static_cast<int>(text.size())));
    });
    return datum;
}

std::optional<TimestampTz> claim_available(std::int64_t event_id, std::int64_t ticket_id,
                                           Datum customer, WaitPolicy policy) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id), customer};
    const PlanId plan =
        policy == WaitPolicy::wait ? PlanId::claim_available : PlanId::claim_available_unlocked;
    if (run_plan(plan, args, nullptr) == 0) {
        return std::nullopt;
    }
    return first_timestamp();
}

int peek_tickets(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                 TicketRow* rows) {
    Datum args[] = {Int64GetDatum(event_id), int8_array(ids, count), customer};
    const std::uint64_t found = run_plan(PlanId::peek_tickets, args, nullptr);
    for (std::uint64_t i = 0; i < found && i < static_cast<std::uint64_t>(max_order_tickets); ++i) {
        decode_row(i, &rows[i]);
    }
    return static_cast<int>(found);
}

// Tries SKIP LOCKED first, so a lock that is free costs one statement and a lock that
// is taken is counted (ticketing.stats) before the call queues or gives up.
LockStatus lock_ticket(std::int64_t event_id, std::int64_t ticket_id, Datum customer,
                       WaitPolicy policy, TicketRow* row) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id), customer};
    if (run_plan(PlanId::lock_ticket_skip, args, nullptr) == 1) {
        decode_row(0, row);
        return LockStatus::locked;
    }
    // Taken by another transaction (or gone).
    if (policy == WaitPolicy::skip) {
        count_skip(event_id);
        return LockStatus::skipped;
    }
    if (policy == WaitPolicy::nowait) {
        count_skip(event_id); // NOWAIT raises 55P03 if it is still taken
    }
    const TimestampTz started = GetCurrentTimestamp();
    const std::uint64_t found = run_plan(lock_plan(policy), args, nullptr);
    if (policy == WaitPolicy::wait) {
        count_lock_wait(event_id, GetCurrentTimestamp() - started);
    }
    if (found == 0) {
        return LockStatus::missing;
    }
    decode_row(0, row);
    return LockStatus::locked;
}

Transition transition_for(Action action, const CallArgs& args) {
    switch (action) {
    case Action::sell:
        return {TicketStatus::sold, true, false, 0};
    case Action::hold: {
        Transition hold{TicketStatus::held, true, true, 0};
        pg_call([&] {
            hold.hold_expires_at = DatumGetTimestampTz(DirectFunctionCall2(
                timestamptz_pl_interval, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
                args.hold_for));
        });
        return hold;
    }
    case Action::release:
    case Action::answer:
        break;
    }
    return {TicketStatus::available, false, false, 0};
}

TimestampTz apply_transition(std::int64_t event_id, const TicketRow& row, Datum customer,
                             const Transition& transition) {
    char nulls[] = "       ";
    Datum args[] = {Int64GetDatum(event_id),
                    Int64GetDatum(row.ticket_id),
                    make_text(status_name(transition.to)),
                    null_if_absent(transition.owner_is_customer ? customer : 0, &nulls[3]),
                    TimestampTzGetDatum(transition.hold_expires_at),
                    make_text(status_name(row.state.status)),
                    customer};
    nulls[4] = transition.has_hold_expiry ? ' ' : 'n';
    if (run_plan(PlanId::transition_ticket, args, nulls) != 1) {
        throw DomainError(ErrorKind::internal, "a locked ticket vanished during its update");
    }
    return first_timestamp();
}

TimestampTz apply_transitions(std::int64_t event_id, const TicketRow* rows, int count,
                              Datum customer, const Transition& transition) {
    std::int64_t ids[max_order_tickets];
    for (int i = 0; i < count; ++i) {
        ids[i] = rows[i].ticket_id;
    }
    char nulls[] = "       ";
    Datum args[] = {Int64GetDatum(event_id),
                    int8_array(ids, count),
                    make_text(status_name(transition.to)),
                    null_if_absent(transition.owner_is_customer ? customer : 0, &nulls[3]),
                    TimestampTzGetDatum(transition.hold_expires_at),
                    status_array(rows, count),
                    customer};
    nulls[4] = transition.has_hold_expiry ? ' ' : 'n';
    if (run_plan(PlanId::transition_tickets, args, nulls) != static_cast<std::uint64_t>(count)) {
        throw DomainError(ErrorKind::internal, "a locked ticket vanished during its update");
    }
    return first_timestamp();
}

int lock_claimable(std::int64_t event_id, std::int64_t start, bool before, Datum prefix, int wanted,
                   TicketRow* rows) {
    char nulls[] = "    ";
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(start),
                    null_if_absent(prefix, &nulls[2]), Int32GetDatum(wanted)};
    const std::uint64_t found =
        run_plan(before ? PlanId::claimable_before : PlanId::claimable_from, args, nulls);
    pg_call([&] {
        for (std::uint64_t i = 0; i < found; ++i) {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            TicketRow& row = rows[i];
            row = TicketRow{};
            row.ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            const bool held = text_view(SPI_getbinval(tuple, desc, 2, &is_null)) == "held";
            row.state =
                TicketState{held ? TicketStatus::held : TicketStatus::available, false, held};
            row.seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 3, &is_null), false, -1);
            row.row_version = *reinterpret_cast<ItemPointer>(
                DatumGetPointer(SPI_getbinval(tuple, desc, 4, &is_null)));
        }
    });
    return static_cast<int>(found);
}

std::optional<TimestampTz> take_one_claimable(std::int64_t event_id, std::int64_t start,
                                              bool before, Datum prefix, Datum customer,
                                              const Transition& transition, TicketRow* row) {
    char nulls[] = "      ";
    Datum args[] = {Int64GetDatum(event_id),
                    Int64GetDatum(start),
                    null_if_absent(prefix, &nulls[2]),
                    make_text(status_name(transition.to)),
                    customer,
                    TimestampTzGetDatum(transition.hold_expires_at)};
    nulls[5] = transition.has_hold_expiry ? ' ' : 'n';
    if (run_plan(before ? PlanId::take_one_before : PlanId::take_one_from, args, nulls) == 0) {
        return std::nullopt;
    }
    TimestampTz at = 0;
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        *row = TicketRow{};
        row->ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
        row->seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
        at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &is_null));
    });
    return at;
}

int claimable_candidates(std::int64_t event_id, std::int64_t start, Datum prefix, int limit,
                         SeatRef* out) {
    char nulls[] = "    ";
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(start),
                    null_if_absent(prefix, &nulls[2]), Int32GetDatum(limit)};
    const std::uint64_t found = run_plan(PlanId::claimable_candidates, args, nulls);
    pg_call([&] {
        for (std::uint64_t i = 0; i < found; ++i) {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            out[i].ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            out[i].seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
        }
    });
    return static_cast<int>(found);
}

std::int64_t count_claimable(std::int64_t event_id, Datum prefix) {
    char nulls[] = "   ";
    Datum args[] = {Int64GetDatum(event_id), 0, null_if_absent(prefix, &nulls[2])};
    nulls[1] = 'n';
    run_plan(PlanId::count_claimable, args, nulls);
    bool is_null = false;
    return first_int64(&is_null);
}

} // namespace ticketing::backend
