// claim_tickets (several given seats, all or nothing) and claim_any (any seats,
// skip-locked, optionally adjacent).
#pragma once

#include "call_types.hpp"
#include "customer_limits.hpp"
#include "ticket_store.hpp"

#include "../core/waitlist_rules.hpp"

namespace ticketing::backend {

struct CartHold;

// An offer from the waiting list (waitlist.cpp): `quantity` claimable tickets (adjacent
// when `together`; of `category`, text, or any: 0) held for args.customer for
// args.hold_for, after the customer's limit and the quotas, as claim_any(..., hold_for)
// would; hold_placed, or nothing changed (locks released) and why.
// `barred`: categories an entry of any category (not together) is not offered (the
// walk's blocked ones); ignored for other entries.
CallResult hold_any_as_offer(std::int64_t event_id, const CallArgs& args, int quantity,
                             bool together, Datum category, const EventInfo& event,
                             SlotWait slot_wait, const BlockedCategories& barred);

// A claim_batch request for one ticket of any seat and no category that quota
// `refused.quota` refused (quota_exhausted): the search again past the categories of the
// quotas that refuse it, as claim_any's (for args.customer, into `cart` when not null).
// The batch's own answer when nothing can be had past them.
CallResult claim_one_past_quotas(std::int64_t event_id, const CallArgs& args,
                                 const EventInfo& event, const CartHold* cart,
                                 const CallResult& refused);

CallResult run_claim_tickets(const CallArgs& args);
CallResult run_claim_any(const CallArgs& args);

} // namespace ticketing::backend
