#include "audit_trail.h"

#include <cstdlib>

namespace loadgen {

namespace {

std::optional<std::int64_t> optional_int64(const Result& res, int row, int col) {
    if (res.is_null(row, col)) {
        return std::nullopt;
    }
    return res.int64(row, col);
}

} // namespace

std::optional<std::int64_t> fetch_last_audit_id(Connection& conn, std::int64_t event_id,
                                                std::string* error) {
    Result res = conn.exec("SELECT coalesce(max(audit_id), 0) FROM ticketing.audit_log "
                           "WHERE event_id = $1::bigint",
                           {std::to_string(event_id)});
    if (!res.ok() || res.rows() != 1) {
        *error = "reading audit_log: " + res.error_message();
        return std::nullopt;
    }
    return res.int64(0, 0);
}

std::optional<std::vector<AuditRow>> fetch_audit_rows(Connection& conn, std::int64_t event_id,
                                                      std::int64_t after_id, std::string* error) {
    Result res =
        conn.exec("SELECT audit_id, ticket_id, from_status, to_status, customer, "
                  "       (extract(epoch FROM at) * 1000000)::bigint, txid::text "
                  "FROM ticketing.audit_log WHERE event_id = $1::bigint AND audit_id > $2::bigint "
                  "ORDER BY audit_id",
                  {std::to_string(event_id), std::to_string(after_id)});
    if (!res.ok()) {
        *error = "reading audit_log: " + res.error_message();
        return std::nullopt;
    }
    std::vector<AuditRow> rows(static_cast<std::size_t>(res.rows()));
    for (int i = 0; i < res.rows(); ++i) {
        AuditRow& row = rows[static_cast<std::size_t>(i)];
        row.audit_id = res.int64(i, 0);
        row.ticket_id = res.int64(i, 1);
        row.from = res.text(i, 2);
        row.to = res.text(i, 3);
        row.customer = res.text(i, 4);
        row.at_us = res.int64(i, 5);
        row.txid = std::strtoull(res.text(i, 6).c_str(), nullptr, 10);
    }
    return rows;
}

std::optional<std::map<std::int64_t, TicketState>>
fetch_taken_tickets(Connection& conn, std::int64_t event_id, std::string* error) {
    Result res = conn.exec("SELECT ticket_id, status, owner, "
                           "       (extract(epoch FROM hold_expires_at) * 1000000)::bigint "
                           "FROM ticketing.tickets "
                           "WHERE event_id = $1::bigint AND status <> 'available'",
                           {std::to_string(event_id)});
    if (!res.ok()) {
        *error = "reading tickets: " + res.error_message();
        return std::nullopt;
    }
    std::map<std::int64_t, TicketState> tickets;
    for (int i = 0; i < res.rows(); ++i) {
        tickets[res.int64(i, 0)] =
            TicketState{res.text(i, 1), res.is_null(i, 2) ? "(null)" : res.text(i, 2),
                        optional_int64(res, i, 3)};
    }
    return tickets;
}

std::optional<std::map<std::pair<std::string, std::string>, StoredKey>>
fetch_stored_keys(Connection& conn, const std::string& prefix, std::string* error) {
    Result res =
        conn.exec("SELECT customer, idempotency_key, outcome, array_to_string(ticket_ids, ','), "
                  "       (extract(epoch FROM at) * 1000000)::bigint, "
                  "       (extract(epoch FROM hold_expires_at) * 1000000)::bigint, remaining "
                  "FROM ticketing.idempotency_keys WHERE left(idempotency_key, length($1)) = $1",
                  {prefix});
    if (!res.ok()) {
        *error = "reading idempotency_keys: " + res.error_message();
        return std::nullopt;
    }
    std::map<std::pair<std::string, std::string>, StoredKey> keys;
    for (int i = 0; i < res.rows(); ++i) {
        keys[{res.text(i, 0), res.text(i, 1)}] = StoredKey{
            res.is_null(i, 2) ? "(null)" : res.text(i, 2), res.text(i, 3),
            optional_int64(res, i, 4), optional_int64(res, i, 5), optional_int64(res, i, 6)};
    }
    return keys;
}

} // namespace loadgen
