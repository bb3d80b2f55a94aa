// Plain structs passed between the entry shims, the operations and the stores. They
// hold no C++ resources, so nothing is lost when PostgreSQL longjmps past them.
#pragma once

#include "pg.hpp"

#include "../core/order_rules.hpp"
#include "../core/outcome.hpp"
#include "../core/ticket_rules.hpp"

namespace ticketing::backend {

// Arguments exactly as SQL passed them (std::nullopt: NULL or not passed), plus the
// Datums bound as statement parameters. Each call reads the fields it takes.
struct CallArgs {
    // Called through a 1.0 signature (no idempotency_key): the 1.0 schema may still be
    // installed (no ALTER EXTENSION UPDATE yet), so 1.1's limit tables are not used.
    bool schema_1_0;
    std::optional<std::int64_t> event_id;
    std::optional<std::int64_t> ticket_id;
    std::optional<std::string_view> customer;
    Datum customer_datum;
    std::optional<std::string_view> wait;
    bool has_hold_for;            // the call was given a hold duration (non-NULL)
    Datum hold_for;               // interval
    std::int64_t hold_for_micros; // the interval, months counted as 30 days
    std::optional<std::string_view> idempotency_key;
    Datum idempotency_key_datum;
    std::optional<std::int64_t> quantity;
    std::optional<std::string_view> section;
    std::optional<std::string_view> seat_prefix;
    std::optional<bool> adjacent;
    bool has_ticket_ids; // ticket_ids array present (non-NULL)
    int ticket_id_count;
    const Datum* ticket_id_values; // palloc'd by the shim
    const bool* ticket_id_nulls;
    std::optional<std::string_view> category; // claim_any: any seat of this category (1.3)
    Datum category_datum;
    std::optional<std::string_view> cart; // a cart's token: hold into that cart (1.3)
    Datum cart_datum;
    std::optional<std::string_view> to_customer; // transfer_ticket's receiver (1.3)
    Datum to_customer_datum;
};

// One row of what a call answers: a ticket_result uses the first ticket, an
// order_result all of them.
// (The flags come last: between the 8-byte fields they padded the struct by 32 bytes.)
struct CallResult {
    Outcome outcome;
    int count;
    std::int64_t event_id;
    std::int64_t requested_ticket_id; // single-ticket calls: the id asked for
    std::int64_t ticket_ids[max_order_tickets];
    Datum seats[max_order_tickets]; // text, in the caller's memory context
    TimestampTz at;                 // when has_at
    TimestampTz hold_expires_at;    // when has_hold_expiry
    std::int64_t remaining;         // when has_remaining
    Datum quota; // text: the quota named by quota_exhausted (or a busy quota); 0: none
    Datum token; // text: a new cart's token (open_cart only); 0: none
    // The tickets' codes (1.3), parallel to ticket_ids, when the answer gives the customer
    // sold tickets (has_codes); an element is 0 for a ticket that is not sold to them now.
    Datum codes[max_order_tickets];
    bool has_at;
    bool has_hold_expiry;
    bool has_remaining;
    bool has_codes;
};

} // namespace ticketing::backend
