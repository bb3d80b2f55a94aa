#include <limits>

#include "ticket_store.hpp"

#include "direct_reads.hpp"
#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "stats.hpp"
#include "subtransaction.hpp"

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

// Decodes row `n` of SPI_tuptable (columns: TicketColumn). Text columns are copied out
// of SPI's memory.
void decode_row(std::int64_t event_id, std::uint64_t n, TicketRow* row) {
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[n];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        row->ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, col_ticket_id, &is_null));
        const auto parsed =
            parse_status(text_view(SPI_getbinval(tuple, desc, col_status, &is_null)));
        if (!parsed) {
            unknown_status(event_id, row->ticket_id);
        }
        row->state.status = *parsed;
        row->state.owned_by_customer = DatumGetBool(SPI_getbinval(tuple, desc, col_mine, &is_null));
        row->state.hold_expired =
            DatumGetBool(SPI_getbinval(tuple, desc, col_hold_expired, &is_null));
        row->state.lapse_waits_for_list = !lapsed_holds_claimable();
        row->seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, col_seat, &is_null), false, -1);
        row->updated_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, col_updated_at, &is_null));
        const Datum hold = SPI_getbinval(tuple, desc, col_hold_expires_at, &is_null);
        row->has_hold_expiry = !is_null;
        row->hold_expires_at = is_null ? 0 : DatumGetTimestampTz(hold);
        const Datum limit = SPI_getbinval(tuple, desc, col_limit, &is_null);
        row->has_limit = !is_null;
        row->limit = is_null ? 0 : DatumGetInt32(limit);
    });
}

PlanId lock_plan(WaitPolicy policy) {
    switch (policy) {
    case WaitPolicy::nowait:
        return PlanId::lock_ticket_nowait;
    case WaitPolicy::skip:
        return PlanId::lock_ticket_skip;
    case WaitPolicy::wait:
    case WaitPolicy::bounded:
        break;
    }
    return PlanId::lock_ticket_wait;
}

} // namespace

void change_skipped(std::int64_t event_id, std::uint64_t changed, std::uint64_t expected) {
    throw DomainError(ErrorKind::change_skipped,
                      "ticketing: the update of " + std::to_string(expected) +
                          " locked ticket(s) of event " + std::to_string(event_id) + " changed " +
                          std::to_string(changed) + "; nothing was sold, held or released",
                      "A BEFORE UPDATE trigger on ticketing.tickets returned NULL, or a row "
                      "security policy hides the row from UPDATE. Remove it, or make it let "
                      "the extension's changes through.");
}

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

Datum text_array(const std::vector<Datum>& values) {
    Datum array = 0;
    pg_call([&] {
        array = PointerGetDatum(construct_array(const_cast<Datum*>(values.data()),
                                                static_cast<int>(values.size()), TEXTOID, -1, false,
                                                TYPALIGN_INT));
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

TimestampTz first_timestamp(int column) {
    TimestampTz at = 0;
    pg_call([&] {
        bool is_null = false;
        at = DatumGetTimestampTz(
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column, &is_null));
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
    const varlena* stored = reinterpret_cast<const varlena*>(DatumGetPointer(datum));
    const text* value = reinterpret_cast<const text*>(stored);
    if (VARATT_IS_COMPRESSED(stored) || VARATT_IS_EXTERNAL(stored)) {
        pg_call([&] { value = DatumGetTextPP(datum); });
    }
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

std::optional<Sale> claim_available(std::int64_t event_id, std::int64_t ticket_id, Datum customer,
                                    WaitPolicy policy) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id), customer};
    const PlanId plan =
        policy == WaitPolicy::wait ? PlanId::claim_available : PlanId::claim_available_unlocked;
    if (run_plan(plan, args, nullptr) == 0) {
        return std::nullopt;
    }
    bool unchanged = false;
    Sale sale{};
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        const Datum at = SPI_getbinval(tuple, desc, 1, &unchanged);
        if (!unchanged) {
            bool is_null = false;
            sale.at = DatumGetTimestampTz(at);
            sale.seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
        }
    });
    if (unchanged) {
        change_skipped(event_id, 0, 1);
    }
    return sale;
}

bool peek_ticket(std::int64_t event_id, std::int64_t ticket_id, Datum customer, TicketRow* row) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id), customer};
    if (run_plan(PlanId::peek_ticket, args, nullptr) == 0) {
        return false;
    }
    decode_row(event_id, 0, row);
    return true;
}

EventInfo event_by_statement(std::int64_t event_id) {
    Datum args[] = {Int64GetDatum(event_id)};
    EventInfo info{false, false, 0};
    const bool quotas = core_layout().events.quota_count != InvalidAttrNumber;
    if (run_plan(quotas ? PlanId::event_limit_quotas : PlanId::event_limit, args, nullptr) == 0) {
        return info;
    }
    info.exists = true;
    pg_call([&] {
        bool is_null = false;
        const Datum limit =
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
        info.has_limit = !is_null;
        info.limit = is_null ? 0 : DatumGetInt32(limit);
        if (quotas) {
            info.quota_count = DatumGetInt32(
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &is_null));
            info.waitlist_open = DatumGetBool(
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &is_null));
        }
    });
    return info;
}

std::int64_t max_ticket_id(std::int64_t event_id) {
    Datum args[] = {Int64GetDatum(event_id)};
    run_plan(PlanId::max_ticket_id, args, nullptr);
    bool is_null = false;
    return first_int64(&is_null);
}

std::int64_t random_walk_start(std::int64_t event_id, Datum category) {
    std::int64_t lowest = 1;
    std::int64_t highest = 0;
    if (category == 0) {
        highest = read_max_ticket_id(event_id);
    } else {
        Datum args[] = {Int64GetDatum(event_id), category};
        run_plan(PlanId::category_unsold_range, args, nullptr);
        pg_call([&] {
            bool low_null = false;
            bool high_null = false;
            const Datum low =
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &low_null);
            const Datum high =
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &high_null);
            if (!low_null && !high_null) {
                lowest = DatumGetInt64(low);
                highest = DatumGetInt64(high);
            }
        });
    }
    if (highest < lowest) {
        return 0;
    }
    std::int64_t start = lowest;
    pg_call([&] {
        start = static_cast<std::int64_t>(
            pg_prng_uint64_range(&pg_global_prng_state, static_cast<std::uint64_t>(lowest),
                                 static_cast<std::uint64_t>(highest)));
    });
    return start;
}

int peek_tickets(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                 TicketRow* rows) {
    Datum args[] = {Int64GetDatum(event_id), int8_array(ids, count), customer};
    const std::uint64_t found = run_plan(PlanId::peek_tickets, args, nullptr);
    for (std::uint64_t i = 0; i < found && i < static_cast<std::uint64_t>(max_order_tickets); ++i) {
        decode_row(event_id, i, &rows[i]);
    }
    return static_cast<int>(found);
}

// Tries SKIP LOCKED first, so a lock that is free costs one statement and a lock that
// is taken is counted (ticketing.stats) before the call queues or gives up.
LockStatus lock_ticket(std::int64_t event_id, std::int64_t ticket_id, Datum customer, LockWait wait,
                       TicketRow* row) {
    const WaitPolicy policy = wait.policy;
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(ticket_id), customer};
    if (run_plan(PlanId::lock_ticket_skip, args, nullptr) == 1) {
        decode_row(event_id, 0, row);
        return LockStatus::locked;
    }
    // Taken by another transaction (or gone).
    if (policy == WaitPolicy::bounded) {
        const TimestampTz started = GetCurrentTimestamp();
        std::uint64_t found = 0;
        const bool in_time = within_wait_bound(wait.bound_ms, [&] {
            found = run_plan(PlanId::lock_ticket_wait, args, nullptr);
            if (found != 0) {
                decode_row(event_id, 0, row);
            }
        });
        count_lock_wait(event_id, GetCurrentTimestamp() - started);
        if (!in_time) {
            count_skip(event_id);
            return LockStatus::skipped;
        }
        return found == 0 ? LockStatus::missing : LockStatus::locked;
    }
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
    decode_row(event_id, 0, row);
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

std::int64_t hold_length_micros(const CallArgs& args) {
    // Bounds that keep the sum far inside the timestamp range (10,000 years either way):
    // beyond them the interval is out of any valid hold's range anyway.
    constexpr std::int64_t max_months = std::int64_t{12} * 10000;
    constexpr std::int64_t max_days = std::int64_t{366} * 10000;
    constexpr std::int64_t max_micros = max_days * USECS_PER_DAY;
    constexpr std::int64_t far_beyond = std::numeric_limits<std::int64_t>::max();
    std::int64_t length = far_beyond;
    pg_call([&] {
        const Interval* interval = DatumGetIntervalP(args.hold_for);
        if (interval->month > max_months || interval->month < -max_months ||
            interval->day > max_days || interval->day < -max_days || interval->time > max_micros ||
            interval->time < -max_micros) {
            return;
        }
        const TimestampTz start = GetCurrentTransactionStartTimestamp();
        const TimestampTz expiry = DatumGetTimestampTz(DirectFunctionCall2(
            timestamptz_pl_interval, TimestampTzGetDatum(start), args.hold_for));
        length = expiry - start;
    });
    return length;
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
    const std::uint64_t changed = run_plan(PlanId::transition_ticket, args, nulls);
    if (changed != 1) {
        change_skipped(event_id, changed, 1);
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
    const std::uint64_t changed = run_plan(PlanId::transition_tickets, args, nulls);
    if (changed != static_cast<std::uint64_t>(count)) {
        change_skipped(event_id, changed, static_cast<std::uint64_t>(count));
    }
    return first_timestamp();
}

int lock_claimable(std::int64_t event_id, std::int64_t from, std::int64_t to, Datum prefix,
                   Datum excluded, int wanted, TicketRow* rows, Datum category, Datum barred) {
    int found = 0;
    const Datum none = excluded != 0 ? excluded : int8_array(nullptr, 0);
    const bool lapsed = lapsed_holds_claimable();
    PlanId plan = lapsed ? PlanId::claimable_between : PlanId::claimable_between_now;
    if (category != 0) {
        plan = lapsed ? PlanId::claimable_between_category : PlanId::claimable_between_category_now;
    } else if (barred != 0) {
        plan = lapsed ? PlanId::claimable_between_other : PlanId::claimable_between_other_now;
        category = barred; // $6
    }
    while (found < wanted && from < to) {
        check_for_interrupts();
        char nulls[] = "      ";
        Datum args[] = {Int64GetDatum(event_id),
                        Int64GetDatum(from),
                        null_if_absent(prefix, &nulls[2]),
                        Int64GetDatum(to),
                        none,
                        category};
        if (run_plan(plan, args, nulls) == 0) {
            break;
        }
        TicketRow& row = rows[found++];
        pg_call([&] {
            HeapTuple tuple = SPI_tuptable->vals[0];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            row = TicketRow{};
            row.ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            const bool held = text_view(SPI_getbinval(tuple, desc, 2, &is_null)) ==
                              status_name(TicketStatus::held);
            row.state =
                TicketState{held ? TicketStatus::held : TicketStatus::available, false, held};
            row.seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 3, &is_null), false, -1);
            row.row_version = *reinterpret_cast<ItemPointer>(
                DatumGetPointer(SPI_getbinval(tuple, desc, 4, &is_null)));
        });
        from = row.ticket_id + 1;
    }
    return found;
}

int lock_tickets_skip(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                      TicketRow* rows) {
    Datum args[] = {Int64GetDatum(event_id), int8_array(ids, count), customer};
    const std::uint64_t locked = run_plan(PlanId::lock_tickets_skip, args, nullptr);
    for (std::uint64_t i = 0; i < locked && i < static_cast<std::uint64_t>(count); ++i) {
        decode_row(event_id, i, &rows[i]);
    }
    return static_cast<int>(locked);
}

int lock_tickets_waiting(std::int64_t event_id, const std::int64_t* ids, int count, Datum customer,
                         TicketRow* rows) {
    Datum args[] = {Int64GetDatum(event_id), int8_array(ids, count), customer};
    const std::uint64_t locked = run_plan(PlanId::lock_tickets_wait, args, nullptr);
    for (std::uint64_t i = 0; i < locked && i < static_cast<std::uint64_t>(count); ++i) {
        decode_row(event_id, i, &rows[i]);
    }
    return static_cast<int>(locked);
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
    bool unchanged = false;
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        *row = TicketRow{};
        row->ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
        const Datum time = SPI_getbinval(tuple, desc, 3, &unchanged);
        if (!unchanged) {
            row->seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
            at = DatumGetTimestampTz(time);
        }
    });
    if (unchanged) {
        change_skipped(event_id, 0, 1);
    }
    return at;
}

int claimable_candidates(std::int64_t event_id, std::int64_t start, Datum prefix, SeatRef* out,
                         Datum category, Datum barred) {
    char nulls[] = "    ";
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(start),
                    null_if_absent(prefix, &nulls[2]), category != 0 ? category : barred};
    const bool lapsed = lapsed_holds_claimable();
    PlanId plan = lapsed ? PlanId::claimable_candidates : PlanId::claimable_candidates_now;
    if (category != 0) {
        plan = lapsed ? PlanId::claimable_candidates_category
                      : PlanId::claimable_candidates_category_now;
    } else if (barred != 0) {
        plan = lapsed ? PlanId::claimable_candidates_other : PlanId::claimable_candidates_other_now;
    }
    const std::uint64_t found = run_plan(plan, args, nulls);
    pg_call([&] {
        for (std::uint64_t i = 0; i < found && i < claimable_page_size; ++i) {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            out[i].ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            out[i].seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
        }
    });
    return static_cast<int>(found < claimable_page_size ? found : claimable_page_size);
}

std::int64_t count_claimable(std::int64_t event_id, Datum prefix, Datum category) {
    char nulls[] = "    ";
    Datum args[] = {Int64GetDatum(event_id), 0, null_if_absent(prefix, &nulls[2]), category};
    nulls[1] = 'n';
    const bool lapsed = lapsed_holds_claimable();
    run_plan(category != 0 ? (lapsed ? PlanId::count_claimable_category
                                     : PlanId::count_claimable_category_now)
                           : (lapsed ? PlanId::count_claimable : PlanId::count_claimable_now),
             args, nulls);
    bool is_null = false;
    return first_int64(&is_null);
}

} // namespace ticketing::backend
