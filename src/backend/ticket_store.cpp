#include "ticket_store.hpp"

#include "pg_guard.hpp"
#include "spi_plans.hpp"

namespace ticketing::backend {

namespace {

// Column order of the peek and lock statements (spi_plans.cpp).
enum TicketColumn { col_status = 1, col_mine, col_hold_expired, col_seat, col_updated_at, col_hold_expires_at };

Datum status_datum(TicketStatus status) {
    const std::string_view name = status_name(status);
    Datum datum = 0;
    pg_call([&] {
        datum = PointerGetDatum(cstring_to_text_with_len(name.data(), static_cast<int>(name.size())));
    });
    return datum;
}

// Decodes row 0 of SPI_tuptable. Text columns are copied out of SPI's memory.
TicketRow decode_first_row() {
    TicketRow row{};
    bool bad_status = false;
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        text* status = DatumGetTextPP(SPI_getbinval(tuple, desc, col_status, &is_null));
        const auto parsed = parse_status(
            std::string_view(VARDATA_ANY(status), VARSIZE_ANY_EXHDR(status)));
        bad_status = !parsed;
        row.state.status = parsed.value_or(TicketStatus::available);
        row.state.owned_by_customer = DatumGetBool(SPI_getbinval(tuple, desc, col_mine, &is_null));
        row.state.hold_expired =
            DatumGetBool(SPI_getbinval(tuple, desc, col_hold_expired, &is_null));
        row.seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, col_seat, &is_null), false, -1);
        row.updated_at =
            DatumGetTimestampTz(SPI_getbinval(tuple, desc, col_updated_at, &is_null));
        const Datum hold = SPI_getbinval(tuple, desc, col_hold_expires_at, &is_null);
        row.has_hold_expiry = !is_null;
        row.hold_expires_at = is_null ? 0 : DatumGetTimestampTz(hold);
    });
    if (bad_status) {
        throw DomainError(ErrorKind::internal, "ticketing.tickets holds an unknown status");
    }
    return row;
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

std::optional<TicketRow> peek_ticket(const TicketCall& call) {
    Datum args[] = {Int64GetDatum(call.request.event_id), Int64GetDatum(call.request.ticket_id),
                    call.customer};
    if (run_plan(PlanId::peek_ticket, args, nullptr) == 0) {
        return std::nullopt;
    }
    return decode_first_row();
}

LockedTicket lock_ticket(const TicketCall& call) {
    Datum args[] = {Int64GetDatum(call.request.event_id), Int64GetDatum(call.request.ticket_id),
                    call.customer};
    if (run_plan(lock_plan(call.request.wait), args, nullptr) == 0) {
        return {call.request.wait == WaitPolicy::skip ? LockStatus::skipped : LockStatus::missing,
                TicketRow{}};
    }
    return {LockStatus::locked, decode_first_row()};
}

TimestampTz apply_transition(const TicketCall& call, const Transition& transition) {
    Datum args[] = {Int64GetDatum(call.request.event_id),
                    Int64GetDatum(call.request.ticket_id),
                    status_datum(transition.to),
                    call.customer,
                    0,
                    status_datum(transition.from),
                    call.customer};
    const char nulls[] = {' ', ' ', ' ', transition.to_owner_is_customer ? ' ' : 'n', 'n', ' ',
                          ' '};
    if (run_plan(PlanId::transition_ticket, args, nulls) != 1) {
        throw DomainError(ErrorKind::internal, "a locked ticket vanished during its update");
    }
    TimestampTz at = 0;
    pg_call([&] {
        bool is_null = false;
        at = DatumGetTimestampTz(
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    return at;
}

} // namespace ticketing::backend
