// Quota units (1.3): a ticket of a category that quotas cover holds one unit of each of
// them while it is sold or held. Units live in stripes (ticketing.quota_stripes, each
// with `remaining` >= 0 by a CHECK constraint): taking a unit decrements a stripe nobody
// else holds locked (SKIP LOCKED from a random stripe), giving it back increments one.
// A sale or hold of an available ticket takes units; a release, refund, expiry or
// abandoned cart gives them back; a change between held and sold, or a lapsed hold taken
// over by another customer, keeps them (the ticket still is not available). So the
// units left in a quota's stripes are always its size less the tickets of its
// categories that are not available, and no interleaving can take more than the size:
// the CHECK constraint refuses a stripe below zero. verify() checks both.
#pragma once

#include <cstdint>

#include "pg.hpp"
#include "ticket_store.hpp"

namespace ticketing::backend {

enum class QuotaTakeStatus {
    taken,     // one unit of every covering quota, per ticket
    exhausted, // a covering quota has no unit left (lapsed holds reclaimed first)
    busy       // a covering quota has units, but concurrent claims hold their stripes
};

struct QuotaTake {
    QuotaTakeStatus status;
    Datum quota; // text: the quota that refused (exhausted or busy); 0 when taken
};

// Takes the units tickets `ids` (of event `event_id`, all becoming sold or held from
// available) need. On anything but `taken`, some units may have been taken already: the
// caller rolls its subtransaction back (every adding call runs in one in an event with
// quotas). Never waits for a stripe. When it returns a quota's lapsed holds to take
// their units, it leaves alone `locked` (every ticket the call holds locked to change
// it; default: `ids`), whose changes the call is about to write itself. When every
// ticket is of `category` (text; 0 when not known) and `event` is the call's read of the
// event, the covering quotas come from what the backend keeps for that version of the
// event's row instead of a statement over the tickets.
QuotaTake take_quota_units(std::int64_t event_id, const std::int64_t* ids, int count,
                           const std::int64_t* locked = nullptr, int locked_count = 0,
                           const EventInfo* event = nullptr, Datum category = 0);

// The categories that quota `quota` (a text: its name) of the event covers, as text
// Datums in the current memory context.
std::vector<Datum> quota_categories(std::int64_t event_id, Datum quota);

// Gives back the units of tickets `ids`, which became available. Never waits: when every
// stripe of a quota is locked by concurrent claims, the units go into a new stripe.
void give_back_quota_units(std::int64_t event_id, const std::int64_t* ids, int count);

// The same for the lapsed holds of one quota's categories: up to `limit` of them, none
// of the tickets `keep` (an int8[]) lists.
std::int64_t expire_lapsed_of_quota(std::int64_t event_id, std::int64_t quota_id, int limit,
                                    Datum keep);

// Returns up to `limit` lapsed holds of the event (all events when event_id is 0) to
// inventory, with their audit rows, and gives their units back (expire_holds()). Skips
// rows claims hold locked. Returns how many.
std::int64_t expire_lapsed_holds(std::int64_t event_id, int limit);

} // namespace ticketing::backend
