// The waiting list (1.3, issue 19; docs/design.md, "Waiting list"). Once an event's list
// is open, a ticket that comes free -- released, refunded, a lapsed hold or cart
// returned, added, a quota raised -- is offered in the same transaction to the earliest
// waiting entries it fits, as a hold in the waiter's name for the entry's offer_for.
//
// How the order of the list holds under concurrency:
// - Offers and joins exclude each other per event through stripes of a heavyweight lock
//   (waitlist_lock_stripes): an offer takes every stripe exclusively, a join takes one
//   stripe exclusively. Joins run side by side; offers of one event run one after the
//   other, so each sees (committed) what the ones before it left free: two tickets freed
//   side by side that fit an entry only together are offered to it, not left on sale.
//   An offer never runs while a join it cannot see is in flight, and a join that finds
//   tickets free waits for the offers in flight to commit first. So a freed ticket and a
//   new entry it fits always meet in one of the two transactions. Under REPEATABLE READ
//   an offer whose snapshot does not show what is free now fails with 40001.
// - Entries are read in list order with the newest snapshot and each one is locked before
//   it is offered anything (FOR NO KEY UPDATE): two offers reach an entry one after the
//   other, and the second sees it offered. Under REPEATABLE READ an entry the
//   transaction's snapshot cannot see makes the call fail with 40001.
// - A lapsed hold is not taken over by a claim in such an event: claims see it as held
//   (TicketState::lapse_waits_for_list) and walk only available tickets; every claiming
//   call first returns the lapsed holds it meets (and a few more) to inventory, and so to
//   the list.
#pragma once

#include "call_types.hpp"
#include "ticket_store.hpp"

#include "../core/waitlist_rules.hpp"

namespace ticketing::backend {

enum class OfferRun {
    done, // every entry the free tickets fit was offered them
    busy  // a lock the wait policy may not wait for is held: nothing may be freed now
};

// Offers the available tickets of the event -- of the categories of tickets `freed` (an
// int8[] Datum), or of any category when `freed` is 0 -- to the waiting entries they fit,
// in list order. Adds the number of offers made to *offers when given.
OfferRun offer_free_tickets(std::int64_t event_id, const EventInfo& event, Datum freed,
                            LockWait wait, int* offers = nullptr);

// In an event with an open list (the caller checked), before a call claims: returns to
// inventory the lapsed holds among `ids` and up to a few others of the event, and offers
// them to the list; from then on the call treats lapsed holds as held. All or nothing:
// when the offer could not go ahead under `wait` (skip: busy), no hold is returned and
// the call answers as if it had met them held.
void return_lapsed_holds(std::int64_t event_id, const EventInfo& event, const std::int64_t* ids,
                         int count, LockWait wait);

// return_lapsed_holds at the start of a claiming call, if the event's list is open (one
// read of the event).
void return_lapsed_holds_if_listed(std::int64_t event_id, const std::int64_t* ids, int count,
                                   LockWait wait);

// Before a transfer takes the receiver's slot, in an event with a limit and an open list
// (the caller checked): takes the event's offer lock -- before the slot, the order a walk
// takes them -- so that every walk runs wholly before the transfer or after it commits,
// and returns whether the sender waits with an entry skipped for their limit. The
// transfer lowers their count: it then walks the list once it is done (what is on sale
// may fit that entry now). A walk after it sees the sender's new count itself.
bool lock_offers_for_sender(std::int64_t event_id, Datum sender);

// After expire_holds() returned lapsed holds: every event with an open list (only
// `event_id` when not 0) offers what is free down its list, of any category. That covers
// the holds just returned, and also what a claim left free when it held a ticket or a
// quota's last unit locked while a walk passed over an entry and then rolled back (no
// walk of its own follows a rollback): a schedule of expire_holds() bounds how long an
// entry can wait beside tickets it fits.
void offer_to_open_lists(std::int64_t event_id);

// What the waiting-list calls answer (ticketing.waitlist_result).
struct WaitlistAnswer {
    Outcome outcome;
    std::int64_t event_id;
    std::int64_t entry_id; // 0: none
    std::int64_t position; // 0: not waiting
    std::optional<EntryStatus> status;
    int count;
    std::int64_t ticket_ids[max_order_tickets];
    bool has_offer_expiry;
    TimestampTz offer_expires_at;
    Datum skipped_for; // text; 0: none
};

// join_waitlist, leave_waitlist, waitlist_position (args: event_id, customer, quantity,
// category, together; offer_for in hold_for).
WaitlistAnswer run_join_waitlist(const CallArgs& args, std::optional<bool> together);
WaitlistAnswer run_leave_waitlist(const CallArgs& args);
WaitlistAnswer run_waitlist_position(const CallArgs& args);

// offer_waitlist(event_id): the offers made (0 when the list is not open).
int run_offer_waitlist(const CallArgs& args);

} // namespace ticketing::backend
