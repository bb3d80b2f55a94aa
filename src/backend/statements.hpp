// The statements the calls run, by name (statements.cpp holds their text and the rules
// they follow).
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

enum class PlanId {
    // One ticket. The first looks are direct reads (direct_reads.cpp) where allowed.
    claim_available,          // sell an available ticket with its audit row (conditional UPDATE)
    claim_available_unlocked, // the same, skipping a ticket someone has locked
    peek_ticket,              // a ticket's state, unlocked (first look by statement)
    lock_ticket_wait,         // SELECT ... FOR NO KEY UPDATE
    lock_ticket_nowait,       // SELECT ... FOR NO KEY UPDATE NOWAIT
    lock_ticket_skip,         // SELECT ... FOR NO KEY UPDATE SKIP LOCKED
    transition_ticket,        // UPDATE one locked ticket and INSERT its audit row
    // Several tickets.
    peek_tickets,                  // several tickets and their event's limit, unlocked, in id order
    lock_tickets_skip,             // several tickets locked with SKIP LOCKED (an adjacent block)
    transition_tickets,            // transition_ticket for an array of locked ids
    claimable_between,             // the first claimable ticket in an id range, locked, SKIP LOCKED
    claimable_between_category,    // the same, of one category (1.3)
    claimable_between_other,       // the same, of no category in a list (1.3)
    count_claimable_category,      // count_claimable of one category (1.3)
    claimable_candidates_category, // claimable_candidates of one category (1.3)
    claimable_candidates_other,    // the same, of no category in a list (1.3)
    take_one_from,                 // lock, sell or hold, and audit the first claimable ticket >= $2
    take_one_before,               // the same for ids < $2
    claimable_candidates,          // a page of claimable (id, seat) in id order, unlocked
    count_claimable,               // how many claimable tickets remain
    event_limit,                   // an event's per-customer limit (first look by statement)
    event_limit_quotas,            // the same and its quota count (1.3)
    max_ticket_id,                 // an event's highest ticket id (first look by statement)
    category_unsold_range,         // lowest and highest unsold ticket id of a category (1.3)
    // The same walks where only available tickets are claimable (an open waiting list).
    claimable_between_now,
    claimable_between_category_now,
    claimable_between_other_now,
    claimable_candidates_now,
    count_claimable_now,
    count_claimable_category_now,
    claimable_candidates_category_now,
    claimable_candidates_other_now,
    // claim_batch.
    batch_peek,           // given tickets with their owners, unlocked
    batch_lock,           // the same, locked with SKIP LOCKED
    batch_sell_available, // lock (SKIP LOCKED) and sell available given tickets, audited
    batch_transition,     // sell locked tickets to several customers, with audit rows
    batch_hold,           // hold locked tickets into carts, with audit rows (1.3)
    find_cart_skip,       // a cart by token, shared-locked, SKIP LOCKED (1.3)
    event_quotas,         // an event's quotas, units left and categories (1.3)
    ticket_categories,    // the categories of tickets (1.3)
    // Per-customer limits.
    write_customer_slot,    // upsert the (event, customer) row, under the slot lock
    count_customer_tickets, // sold + live holds of a customer in an event
    // Quota units (1.3).
    units_needed,          // the units tickets need, per covering quota
    quota_cover,           // the quotas that cover one category
    quota_categories,      // the categories a quota (by name) covers
    take_units,            // take units from a free stripe of a quota, from a start on
    take_units_before,     // the same, before the start (the walk wrapping around)
    spread_units,          // move units from a stripe to one that has run out
    give_units,            // give units back to a free stripe, from a start on
    give_units_before,     // the same, before the start
    give_units_new_stripe, // the same, into a new stripe (every stripe locked)
    quota_remaining,       // units left in a quota
    expire_lapsed,         // return lapsed holds to inventory
    // Carts (1.3).
    lock_cart,         // a cart by token, locked to hold into it or change it
    peek_cart,         // the same, unlocked
    insert_cart,       // open a cart
    add_cart_items,    // remember tickets held into a cart
    cart_item_ids,     // what was put into a cart
    count_cart_items,  // how many other tickets a cart holds
    update_cart,       // a cart's status and expiry
    lock_tickets_wait, // several tickets, locked in id order, waiting
    // Waiting list (1.3, waitlist.cpp).
    expire_given_wait,     // return given lapsed holds to inventory, waiting for their locks
    expire_given_nowait,   // the same, NOWAIT
    expire_given_skip,     // the same, SKIP LOCKED
    waiting_entries,       // a page of waiting entries in list order (newest snapshot)
    free_by_category,      // available tickets per category the quotas have room for, up to 100
    lock_entry_wait,       // a waiting entry, FOR NO KEY UPDATE
    lock_entry_nowait,     // the same, NOWAIT
    lock_entry_skip,       // the same, SKIP LOCKED
    mark_entry_offered,    // an entry's offer: status, tickets, expiry
    mark_entry_skipped,    // why an offer went past an entry
    open_list_events,      // events whose waiting list is open (expire_holds())
    customer_entry,        // a customer's open entry, locked, with its live offered holds
    customer_entry_peek,   // the same, unlocked
    close_entry,           // an entry left or closed
    insert_entry,          // a new waiting entry
    entry_position,        // waiting entries up to and including one
    release_offered_holds, // the holds of an offer given up, with audit rows
    // Idempotency keys.
    select_key, // the stored request and result (read under the key's lock)
    store_key,  // remember a result that changed tickets (insert, or replace an unused row)
    // The same on a 1.1 schema (keys per customer), until ALTER EXTENSION ... UPDATE.
    select_key_1_1,
    store_key_1_1,
    // Check-in and transfer (1.3).
    coded_peek,       // a ticket's owner, sale time and admission, unlocked (first look)
    coded_lock,       // the same, locked FOR NO KEY UPDATE
    coded_lock_many,  // the same for several tickets, locked in ascending id order
    admit_current,    // admit a ticket if it is still the sale a code was made for
    admit_tickets,    // record the admissions of locked tickets, with their trail rows
    past_sales,       // the owners and times of a ticket's sales, newest first
    sold_tickets_of,  // owner and sale time of those of some tickets that are sold
    owned_sold,       // a customer's sold tickets in an event
    transfer_ticket,  // move a locked sold ticket to another owner, with its audit row
    waiting_at_limit, // whether a customer waits with an entry skipped for their limit
    ticket_admitted,  // whether a ticket was checked in
    delete_secrets,   // rotate_code_secret(): the old secrets go
    insert_secret,    // rotate_code_secret(): the new one
    count_
};

constexpr int max_plan_args = 11;

// How a statement is planned (plan_settings.cpp). Every kept plan is made with the
// planner settings at their defaults, whatever the session that happened to plan it had
// set; an ordered walk is also planned with sorts, bitmap and sequential scans disabled,
// so it stays an ordered index walk whatever the statistics say (a table loaded a
// moment ago has none).
enum class PlanShape { any, ordered_walk };

struct PlanSpec {
    const char* sql;
    int nargs;
    Oid argtypes[max_plan_args];
    PlanShape shape = PlanShape::any;
};

const PlanSpec& statement_for(PlanId id);

} // namespace ticketing::backend
