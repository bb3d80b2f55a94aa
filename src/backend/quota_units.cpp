#include <algorithm>
#include <vector>

#include "quota_units.hpp"

#include "pg_guard.hpp"
#include "spi_plans.hpp"
#include "ticket_store.hpp"

namespace ticketing::backend {

namespace {

// create_quota numbers a quota's stripes from 0 (at most 1024 of them); a walk starts at
// a random one of those (then wraps around), so concurrent claims spread over them. (A
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

std::int32_t random_stripe(std::int32_t stripes) {
    std::int32_t stripe = 0;
    pg_call([&] {
        stripe = static_cast<std::int32_t>(pg_prng_uint64_range(
            &pg_global_prng_state, 0, static_cast<std::uint64_t>(std::max(stripes, 1)) - 1));
    });
    return stripe;
}

// Takes up to `wanted` units of one quota, a stripe at a time; returns how many.
std::int32_t take_from_stripes(std::int64_t event_id, const QuotaNeed& need, std::int32_t wanted) {
    std::int32_t taken = 0;
    const std::int32_t start = random_stripe(need.stripes);
    while (taken < wanted) {
        check_for_interrupts();
        Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(need.quota_id),
                        Int32GetDatum(wanted - taken), Int32GetDatum(start)};
        // From the start on, then (wrapping around) before it.
        if (run_plan(PlanId::take_units, args, nullptr) == 0 &&
            run_plan(PlanId::take_units_before, args, nullptr) == 0) {
            break; // no stripe with units left that nobody holds locked
        }
        pg_call([&] {
            bool is_null = false;
            taken += DatumGetInt32(
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
        });
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
std::int64_t
expire_and_give_back(std::int64_t event_id, std::int64_t quota_id, int limit, Datum keep,
                     std::vector<std::pair<std::int64_t, std::int64_t>>* out = nullptr) {
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
    if (out != nullptr) {
        out->insert(out->end(), expired.begin(), expired.end());
    }
    return static_cast<std::int64_t>(expired.size());
}

} // namespace

QuotaTake take_quota_units(std::int64_t event_id, const std::int64_t* ids, int count,
                           const std::int64_t* locked, int locked_count) {
    if (count == 0) {
        return {QuotaTakeStatus::taken, 0};
    }
    Datum keep = 0; // the call's own tickets: never expired under it
    for (const QuotaNeed& need : units_needed(event_id, ids, count)) {
        std::int32_t taken = take_from_stripes(event_id, need, need.units);
        if (taken < need.units && lapsed_holds_claimable()) {
            // Lapsed holds still hold their units: take them back, then try again. (Not
            // where a waiting list is open: a lapsed hold goes to the list, not to this
            // call; the call returned the ones it could at its start.)
            if (keep == 0) {
                keep = int8_array(locked != nullptr ? locked : ids,
                                  locked != nullptr ? locked_count : count);
            }
            expire_and_give_back(event_id, need.quota_id, need.units - taken, keep);
            taken += take_from_stripes(event_id, need, need.units - taken);
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

void give_back_quota_units(std::int64_t event_id, const std::int64_t* ids, int count) {
    if (count == 0) {
        return;
    }
    for (const QuotaNeed& need : units_needed(event_id, ids, count)) {
        give_to_stripes(event_id, need);
    }
}

std::int64_t expire_lapsed_holds(std::int64_t event_id, int limit,
                                 std::vector<std::pair<std::int64_t, std::int64_t>>* expired) {
    return expire_and_give_back(event_id, 0, limit, 0, expired);
}

} // namespace ticketing::backend
