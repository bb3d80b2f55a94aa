#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "quota_units.hpp"

#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "ticket_store.hpp"

extern "C" {
#include "utils/snapmgr.h"
}

namespace ticketing::backend {

namespace {

// create_quota numbers a quota's stripes from 0 (at most 1024 of them); a walk starts at
// the one this backend last took from, or a random one of those (StripeHints), then wraps
// around, so concurrent claims spread over them. (A
// start drawn from all 1024 numbers whatever the quota had, with 64 stripes, began 15
// walks in 16 past the last stripe: they wrapped to stripe 0, and every claim queued
// over the same few stripes, each skipping the ones the others held.)
struct QuotaNeed {
    std::int64_t quota_id;
    Datum name; // text, in the call's memory
    std::int32_t units;
    std::int32_t stripes; // how many create_quota made: walks start below this
};

std::vector<QuotaNeed> units_needed(std::int64_t event_id, const std::int64_t* ids, int count) {
    Datum args[] = {Int64GetDatum(event_id), int8_array(ids, count)};
    const std::uint64_t rows = run_plan(PlanId::units_needed, args, nullptr);
    std::vector<QuotaNeed> needs;
    needs.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i) {
        QuotaNeed need{};
        pg_call([&] {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            need.quota_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            need.name = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
            need.units = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &is_null));
            need.stripes = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &is_null));
        });
        needs.push_back(need);
    }
    return needs;
}

// The quotas that cover a category, kept per backend for one version of the event's
// row. Which quotas cover a category changes only by create_quota and drop_quota, and
// both write the event's row (quota_count), so each version of that row (its xmin:
// another transaction's, committed, as read_event reads it) has one answer. Both also
// take a SHARE lock on the tickets, which every call holds ROW EXCLUSIVE from its start:
// within a call, the version read_event saw stays the latest. This saves the statement
// that reads the tickets' categories and their quotas (and the locks on two more tables
// and their indexes, past the 16 a backend takes on its fast path) from every sale of one
// category, as claim_any and the waiting list's offers make them. A quota's size and
// units (resize_quota) are not kept: the stripes are read by every take.
struct QuotaRef {
    std::int64_t quota_id;
    std::string name;
    std::int32_t stripes;
};

struct EventCover {
    Oid events_relid; // a reinstalled extension has new tables and new quota ids
    TransactionId row_version;
    TransactionId filled_at; // RecentXmin when kept: see cover_is_current()
    std::unordered_map<std::string, std::vector<QuotaRef>> by_category;
};

// Bounds: events kept at most (all are dropped past it), and how many transaction ids
// an entry may age before it is read again, far inside the 2^31 after which a new row
// version could carry an old version's xmin again (wraparound).
constexpr std::size_t max_cached_events = 1024;
constexpr std::uint32_t max_cover_age = 1U << 28;

std::unordered_map<std::int64_t, EventCover>& cover_cache() {
    static std::unordered_map<std::int64_t, EventCover> cache;
    return cache;
}

bool cover_is_current(const EventCover& cover, Oid events_relid, TransactionId row_version) {
    return cover.events_relid == events_relid && cover.row_version == row_version &&
           static_cast<std::uint32_t>(RecentXmin - cover.filled_at) < max_cover_age;
}

std::vector<QuotaRef> read_cover(std::int64_t event_id, Datum category) {
    Datum args[] = {Int64GetDatum(event_id), category};
    const std::uint64_t rows = run_plan(PlanId::quota_cover, args, nullptr);
    std::vector<QuotaRef> cover;
    cover.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i) {
        QuotaRef quota{};
        Datum name = 0;
        pg_call([&] {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            quota.quota_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            name = SPI_getbinval(tuple, desc, 2, &is_null);
            quota.stripes = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &is_null));
        });
        quota.name = std::string(text_view(name));
        cover.push_back(std::move(quota));
    }
    return cover;
}

// The units `count` tickets of one category need, from the kept answer for this version
// of the event's row when there is one; read (and kept) otherwise.
std::vector<QuotaNeed> category_needs(std::int64_t event_id, const EventInfo& event, Datum category,
                                      int count) {
    const Oid events_relid = core_layout().events.relid;
    auto& cache = cover_cache();
    auto found = cache.find(event_id);
    if (found != cache.end() && !cover_is_current(found->second, events_relid, event.row_version)) {
        cache.erase(found);
        found = cache.end();
    }
    if (found == cache.end()) {
        if (cache.size() >= max_cached_events) {
            cache.clear();
        }
        found = cache.emplace(event_id, EventCover{events_relid, event.row_version, RecentXmin, {}})
                    .first;
    }
    auto& by_category = found->second.by_category;
    std::string key(text_view(category));
    auto cover = by_category.find(key);
    if (cover == by_category.end()) {
        cover = by_category.emplace(std::move(key), read_cover(event_id, category)).first;
    }
    std::vector<QuotaNeed> needs;
    needs.reserve(cover->second.size());
    for (const QuotaRef& quota : cover->second) {
        needs.push_back(QuotaNeed{quota.quota_id, text_for_call(quota.name), count, quota.stripes});
    }
    return needs;
}

std::int32_t random_stripe(std::int32_t stripes) {
    std::int32_t stripe = 0;
    pg_call([&] {
        stripe = static_cast<std::int32_t>(pg_prng_uint64_range(
            &pg_global_prng_state, 0, static_cast<std::uint64_t>(std::max(stripes, 1)) - 1));
    });
    return stripe;
}

// Where this backend's last walk for each quota took units: the next walk starts there.
// Concurrent claims that start at random stripes meet on the same stripe often (with 64
// claims in flight over 64 stripes, most of a walk's first stripes are locked by claims
// waiting for their commit); a backend that keeps to the stripe it last took from meets
// another only when one of them moved on, so the backends settle on stripes of their own.
// Only a hint: a quota dropped and created again starts where the hint is in range.
class StripeHints {
  public:
    std::int32_t start(std::int64_t quota_id, std::int32_t stripes) {
        const auto it = last_.find(quota_id);
        return it != last_.end() && it->second < stripes ? it->second : random_stripe(stripes);
    }
    void took_from(std::int64_t quota_id, std::int32_t stripe) {
        if (last_.size() >= 4096) {
            last_.clear(); // a long-lived backend that sold in many events
        }
        last_[quota_id] = stripe;
    }

  private:
    std::unordered_map<std::int64_t, std::int32_t> last_;
};

StripeHints stripe_hints;

// How far past its start a walk must go (over stripes run out or locked) before the
// stripe it took from shares its units with one that has run out. While most stripes
// have units, 8 in a row are locked in a few walks out of a hundred at 64 concurrent
// claims (and then the spread finds no stripe that ran out and changes nothing).
constexpr std::int32_t spread_after = 8;

// Takes up to `wanted` units of one quota, a stripe at a time; returns how many.
std::int32_t take_from_stripes(std::int64_t event_id, const QuotaNeed& need, std::int32_t wanted) {
    std::int32_t taken = 0;
    const std::int32_t start = stripe_hints.start(need.quota_id, need.stripes);
    while (taken < wanted) {
        check_for_interrupts();
        Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(need.quota_id),
                        Int32GetDatum(wanted - taken), Int32GetDatum(start)};
        // From the start on, then (wrapping around) before it.
        bool wrapped = false;
        if (run_plan(PlanId::take_units, args, nullptr) == 0) {
            wrapped = true;
            if (run_plan(PlanId::take_units_before, args, nullptr) == 0) {
                break; // no stripe with units left that nobody holds locked
            }
        }
        std::int32_t stripe = 0;
        std::int32_t left = 0;
        pg_call([&] {
            bool is_null = false;
            HeapTuple tuple = SPI_tuptable->vals[0];
            TupleDesc desc = SPI_tuptable->tupdesc;
            const std::int32_t got = DatumGetInt32(SPI_getbinval(tuple, desc, 1, &is_null));
            taken += got;
            stripe = DatumGetInt32(SPI_getbinval(tuple, desc, 2, &is_null));
            left = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &is_null));
            const std::int32_t before = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &is_null));
            // The row written must be the locked version less what was taken.
            if (left != before - got) {
                ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                errmsg("ticketing: quota stripe %d changed under its lock "
                                       "(%d units locked, %d taken, %d left)",
                                       stripe, before, got, left)));
            }
        });
        stripe_hints.took_from(need.quota_id, stripe);
        if (left >= 2 && (wrapped || stripe - start >= spread_after)) {
            Datum spread[] = {Int64GetDatum(event_id), Int64GetDatum(need.quota_id),
                              Int32GetDatum(stripe), Int32GetDatum(left / 2)};
            run_plan(PlanId::spread_units, spread, nullptr);
        }
    }
    return taken;
}

std::int64_t units_left(std::int64_t event_id, std::int64_t quota_id) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(quota_id)};
    run_plan(PlanId::quota_remaining, args, nullptr);
    std::int64_t left = 0;
    pg_call([&] {
        bool is_null = false;
        left =
            DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    return left;
}

void give_to_stripes(std::int64_t event_id, const QuotaNeed& need) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(need.quota_id),
                    Int32GetDatum(need.units), Int32GetDatum(random_stripe(need.stripes))};
    if (run_plan(PlanId::give_units, args, nullptr) == 0 &&
        run_plan(PlanId::give_units_before, args, nullptr) == 0) {
        run_plan(PlanId::give_units_new_stripe, args, nullptr); // every stripe is locked
    }
}

// Expires up to `limit` lapsed holds (of one quota's categories when quota_id is not 0)
// and gives back every unit they held. Returns how many.
std::int64_t expire_and_give_back(std::int64_t event_id, std::int64_t quota_id, int limit,
                                  Datum keep) {
    char nulls[] = "    ";
    nulls[0] = event_id == 0 ? 'n' : ' ';
    nulls[2] = quota_id == 0 ? 'n' : ' ';
    Datum args[] = {Int64GetDatum(event_id), Int32GetDatum(limit), Int64GetDatum(quota_id),
                    keep != 0 ? keep : int8_array(nullptr, 0)};
    const std::uint64_t count = run_plan(PlanId::expire_lapsed, args, nulls);
    // (event_id, ticket_id), ordered by event: the units go back per event.
    std::vector<std::pair<std::int64_t, std::int64_t>> expired;
    expired.reserve(count);
    pg_call([&] {
        for (std::uint64_t i = 0; i < count; ++i) {
            bool is_null = false;
            expired.emplace_back(DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
                                                             SPI_tuptable->tupdesc, 1, &is_null)),
                                 DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
                                                             SPI_tuptable->tupdesc, 2, &is_null)));
        }
    });
    for (std::size_t i = 0; i < expired.size();) {
        std::size_t j = i;
        std::vector<std::int64_t> ids;
        while (j < expired.size() && expired[j].first == expired[i].first) {
            ids.push_back(expired[j++].second);
        }
        give_back_quota_units(expired[i].first, ids.data(), static_cast<int>(ids.size()));
        i = j;
    }
    return static_cast<std::int64_t>(expired.size());
}

} // namespace

QuotaTake take_quota_units(std::int64_t event_id, const std::int64_t* ids, int count,
                           const std::int64_t* locked, int locked_count, const EventInfo* event,
                           Datum category) {
    if (count == 0) {
        return {QuotaTakeStatus::taken, 0};
    }
    const std::vector<QuotaNeed> needs =
        event != nullptr && event->has_row_version && category != Datum(0)
            ? category_needs(event_id, *event, category, count)
            : units_needed(event_id, ids, count);
    Datum keep = 0; // the call's own tickets: never expired under it
    for (const QuotaNeed& need : needs) {
        std::int32_t taken = take_from_stripes(event_id, need, need.units);
        if (taken < need.units && lapsed_holds_claimable()) {
            // Lapsed holds still hold their units: take them back, then try again. (Not
            // where a waiting list is open: a lapsed hold goes to the list, not to this
            // call; the call returned the ones it could at its start.)
            if (keep == 0) {
                keep = int8_array(locked != nullptr ? locked : ids,
                                  locked != nullptr ? locked_count : count);
            }
            // Only units given back can be taken now: without any, the walk would find
            // what it just found (a quota run out is refused at every claim of its
            // categories until the sale ends, so this is the common refusal).
            if (expire_and_give_back(event_id, need.quota_id, need.units - taken, keep) > 0) {
                taken += take_from_stripes(event_id, need, need.units - taken);
            }
        }
        if (taken < need.units) {
            // Units this snapshot sees but no stripe gave: concurrent claims hold them.
            const bool locked_elsewhere = units_left(event_id, need.quota_id) > 0;
            return {locked_elsewhere ? QuotaTakeStatus::busy : QuotaTakeStatus::exhausted,
                    need.name};
        }
    }
    return {QuotaTakeStatus::taken, 0};
}

std::vector<Datum> quota_categories(std::int64_t event_id, Datum quota) {
    Datum args[] = {Int64GetDatum(event_id), quota};
    const std::uint64_t rows = run_plan(PlanId::quota_categories, args, nullptr);
    std::vector<Datum> categories;
    categories.reserve(rows);
    pg_call([&] {
        for (std::uint64_t i = 0; i < rows; ++i) {
            bool is_null = false;
            categories.push_back(SPI_datumTransfer(
                SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &is_null), false,
                -1));
        }
    });
    return categories;
}

void give_back_quota_units(std::int64_t event_id, const std::int64_t* ids, int count) {
    if (count == 0) {
        return;
    }
    for (const QuotaNeed& need : units_needed(event_id, ids, count)) {
        give_to_stripes(event_id, need);
    }
}

std::int64_t expire_lapsed_of_quota(std::int64_t event_id, std::int64_t quota_id, int limit,
                                    Datum keep) {
    return expire_and_give_back(event_id, quota_id, limit, keep);
}

std::int64_t expire_lapsed_holds(std::int64_t event_id, int limit) {
    return expire_and_give_back(event_id, 0, limit, 0);
}

} // namespace ticketing::backend
