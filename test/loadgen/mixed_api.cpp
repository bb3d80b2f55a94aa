#include "mixed_api.h"

#include <cstdlib>

namespace loadgen {

namespace {

// Every statement answers: outcome, ticket ids (comma-separated), seats (comma-separated),
// at and hold expiry (microseconds since the epoch), remaining, transaction id.
#define MICROS(column) "(extract(epoch FROM " column ") * 1000000)::bigint"
#define TAIL "pg_current_xact_id_if_assigned()::text"
#define TICKET_COLUMNS                                                                             \
    "SELECT r.outcome, r.ticket_id::text, r.seat, " MICROS("r.at") ", " MICROS(                    \
        "r.hold_expires_at") ", NULL::bigint, " TAIL
#define ORDER_COLUMNS                                                                              \
    "SELECT r.outcome, array_to_string(r.ticket_ids, ','), array_to_string(r.seats, "              \
    "','), " MICROS("r.at") ", " MICROS("r.hold_expires_at") ", r.remaining, " TAIL

struct Statement {
    const char* name;
    const char* sql;
    int params;
};

const Statement& statement_for(CallKind kind) {
    static const Statement claim_ticket{
        "mixed_claim_ticket",
        TICKET_COLUMNS " FROM ticketing.claim_ticket($1::bigint, $2::bigint, $3::text, $4::text, "
                       "$5::text) AS r",
        5};
    static const Statement claim_any{
        "mixed_claim_any",
        ORDER_COLUMNS " FROM ticketing.claim_any($1::bigint, $2::text, $3::integer, $4::text, "
                      "NULL::text, $5::boolean, $6::interval, $7::text) AS r",
        7};
    static const Statement claim_tickets{
        "mixed_claim_tickets",
        ORDER_COLUMNS " FROM ticketing.claim_tickets($1::bigint, $2::bigint[], $3::text, $4::text, "
                      "$5::interval, $6::text) AS r",
        6};
    static const Statement hold_ticket{
        "mixed_hold_ticket",
        TICKET_COLUMNS " FROM ticketing.hold_ticket($1::bigint, $2::bigint, $3::text, "
                       "$4::interval, $5::text, $6::text) AS r",
        6};
    static const Statement confirm_hold{
        "mixed_confirm_hold",
        TICKET_COLUMNS " FROM ticketing.confirm_hold($1::bigint, $2::bigint, $3::text, $4::text) "
                       "AS r",
        4};
    static const Statement release_hold{
        "mixed_release_hold",
        TICKET_COLUMNS " FROM ticketing.release_hold($1::bigint, $2::bigint, $3::text, $4::text) "
                       "AS r",
        4};
    static const Statement release_ticket{
        "mixed_release_ticket",
        TICKET_COLUMNS " FROM ticketing.release_ticket($1::bigint, $2::bigint, $3::text, "
                       "$4::text) AS r",
        4};
    static const Statement expire_holds{
        "mixed_expire_holds",
        "SELECT 'expired', NULL::text, NULL::text, NULL::bigint, NULL::bigint, e.n, " TAIL
        " FROM ticketing.expire_holds($1::bigint) AS e(n)",
        1};
    switch (kind) {
    case CallKind::ClaimTicket:
        return claim_ticket;
    case CallKind::ClaimAny:
        return claim_any;
    case CallKind::ClaimTickets:
        return claim_tickets;
    case CallKind::HoldTicket:
        return hold_ticket;
    case CallKind::ConfirmHold:
        return confirm_hold;
    case CallKind::ReleaseHold:
        return release_hold;
    case CallKind::ReleaseTicket:
        return release_ticket;
    case CallKind::ExpireHolds:
        break;
    }
    return expire_holds;
}

#undef MICROS
#undef TAIL
#undef TICKET_COLUMNS
#undef ORDER_COLUMNS

std::vector<std::int64_t> parse_ids(const std::string& text) {
    std::vector<std::int64_t> ids;
    const char* p = text.c_str();
    while (*p != '\0') {
        char* end = nullptr;
        const long long id = std::strtoll(p, &end, 10);
        if (end == p) {
            break; // not a number
        }
        ids.push_back(id);
        p = *end == ',' ? end + 1 : end;
    }
    return ids;
}

std::optional<std::int64_t> optional_int64(const Result& res, int col) {
    if (res.is_null(0, col)) {
        return std::nullopt;
    }
    return res.int64(0, col);
}

// Parameter values that outlive the call; nullptr entries are SQL NULLs.
struct Params {
    std::vector<std::string> storage;
    std::vector<const char*> values;

    explicit Params(std::size_t n) : storage(n), values(n, nullptr) {}
    void set(std::size_t i, std::string value) {
        storage[i] = std::move(value);
        values[i] = storage[i].c_str();
    }
    void set_if(std::size_t i, bool present, std::string value) {
        if (present) {
            set(i, std::move(value));
        }
    }
};

std::string ids_literal(const std::vector<std::int64_t>& ids) {
    std::string text = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        text += (i == 0 ? "" : ",") + std::to_string(ids[i]);
    }
    return text + "}";
}

std::string hold_literal(int hold_ms) {
    return std::to_string(hold_ms) + " milliseconds";
}

} // namespace

bool MixedApi::prepare(std::string* error) {
    for (const CallKind kind : kAllCallKinds) {
        const Statement& statement = statement_for(kind);
        if (!conn_.prepare(statement.name, statement.sql, statement.params, error)) {
            return false;
        }
    }
    return true;
}

Answer MixedApi::call(const Request& r) {
    const Statement& statement = statement_for(r.kind);
    Params p(static_cast<std::size_t>(statement.params));
    p.set(0, std::to_string(event_id_));
    const bool keyed = !r.key.empty();
    const std::string ticket = r.tickets.empty() ? std::string() : std::to_string(r.tickets[0]);
    switch (r.kind) {
    case CallKind::ClaimTicket:
        p.set(1, ticket);
        p.set(2, r.customer);
        p.set(3, wait_policy_name(r.wait));
        p.set_if(4, keyed, r.key);
        break;
    case CallKind::ClaimAny:
        p.set(1, r.customer);
        p.set(2, std::to_string(r.quantity));
        p.set_if(3, !r.section.empty(), r.section);
        p.set(4, r.adjacent ? "true" : "false");
        p.set_if(5, r.places_hold(), hold_literal(r.hold_ms));
        p.set_if(6, keyed, r.key);
        break;
    case CallKind::ClaimTickets:
        p.set(1, ids_literal(r.tickets));
        p.set(2, r.customer);
        p.set(3, wait_policy_name(r.wait));
        p.set_if(4, r.places_hold(), hold_literal(r.hold_ms));
        p.set_if(5, keyed, r.key);
        break;
    case CallKind::HoldTicket:
        p.set(1, ticket);
        p.set(2, r.customer);
        p.set(3, hold_literal(r.hold_ms));
        p.set(4, wait_policy_name(r.wait));
        p.set_if(5, keyed, r.key);
        break;
    case CallKind::ConfirmHold:
    case CallKind::ReleaseHold:
    case CallKind::ReleaseTicket:
        p.set(1, ticket);
        p.set(2, r.customer);
        p.set_if(3, keyed, r.key);
        break;
    case CallKind::ExpireHolds:
        break;
    }
    return run(statement.name, p.values.data(), statement.params);
}

Answer MixedApi::run(const char* statement, const char* const* values, int count) {
    Answer answer;
    const auto start = std::chrono::steady_clock::now();
    Result res = conn_.exec_prepared(statement, values, count);
    answer.latency = std::chrono::steady_clock::now() - start;
    if (res.ok() && res.rows() == 1) {
        answer.outcome = res.text(0, 0);
        answer.tickets = parse_ids(res.text(0, 1));
        answer.seats = res.text(0, 2);
        answer.at_us = optional_int64(res, 3);
        answer.hold_expires_us = optional_int64(res, 4);
        answer.remaining = optional_int64(res, 5);
        answer.xid = res.is_null(0, 6) ? 0 : std::strtoull(res.text(0, 6).c_str(), nullptr, 10);
        return answer;
    }
    if (res.ok()) {
        answer.sqlstate = "rows";
        answer.message = "expected one row, got " + std::to_string(res.rows());
        return answer;
    }
    const std::string state = res.sqlstate();
    answer.message = res.error_message();
    if (state == "55P03") {
        answer.outcome = kLockNotAvailable;
        return answer;
    }
    answer.connection_lost = conn_.is_broken();
    answer.sqlstate = state.empty() ? "connection" : state;
    return answer;
}

bool MixedApi::begin(std::string* error) {
    Result res = conn_.exec("BEGIN");
    if (!res.ok()) {
        *error = "BEGIN: " + res.error_message();
    }
    return res.ok();
}

bool MixedApi::rollback(std::string* error) {
    Result res = conn_.exec("ROLLBACK");
    if (!res.ok()) {
        *error = "ROLLBACK: " + res.error_message();
    }
    return res.ok();
}

} // namespace loadgen
