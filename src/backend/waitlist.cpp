#include "waitlist.hpp"

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "call_frame.hpp"
#include "customer_limits.hpp"
#include "direct_reads.hpp"
#include "order_calls.hpp"
#include "quota_units.hpp"
#include "stats.hpp"
#include "subtransaction.hpp"

#include "../core/domain_error.hpp"
#include "../core/order_rules.hpp"

extern "C" {
#include "commands/async.h"
#include "common/hashfn.h"
#include "storage/lock.h"
}

namespace ticketing::backend {

namespace {

// The stripes' lock tags: the database, the event's 64 bits, and a class of the
// extension's own per stripe (0x5700 + stripe; the slot lock uses 0x544B).
constexpr std::uint16_t stripe_lock_tag_field = 0x5700;

LOCKTAG stripe_tag(std::int64_t event_id, int stripe) {
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId,
                         static_cast<std::uint32_t>(static_cast<std::uint64_t>(event_id) >> 32),
                         static_cast<std::uint32_t>(event_id),
                         static_cast<std::uint16_t>(stripe_lock_tag_field + stripe));
    return tag;
}

[[noreturn]] void list_lock_not_available(std::int64_t event_id) {
    throw DomainError(ErrorKind::lock_not_available,
                      "could not obtain the lock on the waiting list of event " +
                          std::to_string(event_id),
                      "A customer is joining the list at this moment. Retry, or use wait => "
                      "'skip' to be answered busy instead.");
}

// Takes stripes [first, last] in order, in `mode`, as `wait` says (bounded waits are the
// caller's: it runs this under within_wait_bound with `wait`). False when one was not
// available and the policy is skip; nowait raises 55P03.
bool lock_stripes(std::int64_t event_id, int first, int last, LOCKMODE mode, LockWait wait) {
    const bool dont_wait = wait.policy == WaitPolicy::skip || wait.policy == WaitPolicy::nowait;
    for (int stripe = first; stripe <= last; ++stripe) {
        const LOCKTAG tag = stripe_tag(event_id, stripe);
        bool taken = false;
        pg_call(
            [&] { taken = LockAcquire(&tag, mode, false, dont_wait) != LOCKACQUIRE_NOT_AVAIL; });
        if (!taken) {
            if (wait.policy == WaitPolicy::nowait) {
                list_lock_not_available(event_id);
            }
            return false;
        }
    }
    return true;
}

constexpr LockWait waiting{WaitPolicy::wait, 0};

[[noreturn]] void serialization_failure(std::int64_t event_id, const char* detail) {
    pg_call([&] {
        ereport(ERROR,
                (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                 errmsg("could not serialize access due to a concurrent change of event "
                        "%lld's waiting list",
                        static_cast<long long>(event_id)),
                 errdetail("%s", detail), errhint("The transaction might succeed if retried.")));
    });
    throw DomainError(ErrorKind::internal, "unreachable");
}

// One waiting entry as the offer walk reads it (Datums in the call's memory).
struct EntryRow {
    std::int64_t entry_id;
    Datum customer; // text
    int quantity;
    Datum category; // text; 0: any
    bool together;
    Datum offer_for; // interval
};

// What a walk may offer, per category: the available tickets the quotas have room for,
// up to 100 per category (free_by_category), with this transaction's snapshot or the
// newest one when `latest`.
using OfferableCounts = std::vector<std::pair<std::string, int>>;

OfferableCounts offerable_counts(std::int64_t event_id, bool latest) {
    Datum args[] = {Int64GetDatum(event_id)};
    const std::uint64_t rows = latest ? run_plan_latest(PlanId::free_by_category, args, nullptr)
                                      : run_plan(PlanId::free_by_category, args, nullptr);
    OfferableCounts counts;
    counts.reserve(rows);
    pg_call([&] {
        for (std::uint64_t i = 0; i < rows; ++i) {
            HeapTuple tuple = SPI_tuptable->vals[i];
            bool is_null = false;
            counts.emplace_back(
                std::string(text_view(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 1, &is_null))),
                DatumGetInt32(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &is_null)));
        }
    });
    return counts;
}

// What is free now, by count: every category together (up to 100 per category) and each
// category's own, as the arrays waiting_entries takes (in the call's memory).
struct FreeTickets {
    int total;
    Datum categories;               // text[]
    Datum counts;                   // int4[]
    std::vector<std::string> names; // the categories with tickets free
};

FreeTickets free_tickets(std::int64_t event_id) {
    const OfferableCounts offerable = offerable_counts(event_id, false);
    FreeTickets free{0, 0, 0, {}};
    for (const auto& [name, count] : offerable) {
        if (count > 0) {
            free.names.push_back(name);
        }
    }
    pg_call([&] {
        const int n = static_cast<int>(offerable.size());
        Datum* names = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
        Datum* counts = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
        for (int i = 0; i < n; ++i) {
            const std::string& name = offerable[static_cast<std::size_t>(i)].first;
            names[i] = PointerGetDatum(
                cstring_to_text_with_len(name.data(), static_cast<int>(name.size())));
            counts[i] = Int32GetDatum(offerable[static_cast<std::size_t>(i)].second);
            free.total += offerable[static_cast<std::size_t>(i)].second;
        }
        free.categories =
            PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
        free.counts = PointerGetDatum(construct_array(counts, n, INT4OID, 4, true, TYPALIGN_INT));
    });
    return free;
}

std::vector<EntryRow> waiting_page(std::int64_t event_id, std::int64_t after,
                                   const FreeTickets& free, Datum freed, int size) {
    char nulls[] = "       ";
    nulls[3] = freed == 0 ? 'n' : ' ';
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(after), Int32GetDatum(free.total), freed,
                    free.categories,         free.counts,          Int32GetDatum(size)};
    const std::uint64_t rows = run_plan_latest(PlanId::waiting_entries, args, nulls);
    std::vector<EntryRow> page;
    page.reserve(rows);
    pg_call([&] {
        for (std::uint64_t i = 0; i < rows; ++i) {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            EntryRow entry{};
            entry.entry_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            entry.customer = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
            entry.quantity = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &is_null));
            const Datum category = SPI_getbinval(tuple, desc, 4, &is_null);
            entry.category = is_null ? Datum(0) : SPI_datumTransfer(category, false, -1);
            entry.together = DatumGetBool(SPI_getbinval(tuple, desc, 5, &is_null));
            entry.offer_for =
                SPI_datumTransfer(SPI_getbinval(tuple, desc, 6, &is_null), false, sizeof(Interval));
            page.push_back(entry);
        }
    });
    return page;
}

enum class EntryLock { locked, gone, busy };

// Locks entry `entry_id` if it is still waiting, as `wait` says.
EntryLock lock_entry(std::int64_t event_id, std::int64_t entry_id, LockWait wait) {
    PlanId plan = PlanId::lock_entry_wait;
    if (wait.policy == WaitPolicy::skip) {
        plan = PlanId::lock_entry_skip;
    } else if (wait.policy == WaitPolicy::nowait) {
        plan = PlanId::lock_entry_nowait;
    }
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(entry_id)};
    if (run_plan(plan, args, nullptr) == 1) {
        return EntryLock::locked;
    }
    if (wait.policy == WaitPolicy::skip) {
        return EntryLock::busy; // locked by another offer, or changed: either way, not now
    }
    bool snapshot_is_old = false;
    pg_call([&] { snapshot_is_old = IsolationUsesXactSnapshot(); });
    if (snapshot_is_old) {
        // The newest snapshot showed it waiting; this transaction's does not.
        serialization_failure(event_id, "A waiting-list entry was added or changed after this "
                                        "transaction began.");
    }
    return EntryLock::gone; // offered or left since the page was read
}

void notify_offer(std::int64_t event_id, std::int64_t entry_id, int tickets) {
    const std::string channel = waitlist_channel(event_id);
    const std::string payload = offer_payload(event_id, entry_id, tickets);
    pg_call([&] { Async_Notify(channel.c_str(), payload.c_str()); });
}

// CallArgs of a hold for the entry's customer, for its offer_for.
CallArgs offer_args(std::int64_t event_id, Datum customer, Datum offer_for) {
    CallArgs args{};
    args.event_id = event_id;
    args.customer_datum = customer;
    args.customer = text_view(customer);
    args.has_hold_for = true;
    args.hold_for = offer_for;
    return args;
}

// Tries to hold tickets for one entry. Offered: the holds, the entry marked offered and
// a notification, kept. Passed over for a limit or a quota: only the reason is kept.
// Otherwise nothing is kept (the entry's lock neither).
AttemptVerdict offer_to_entry(std::int64_t event_id, const EventInfo& event, const EntryRow& entry,
                              LockWait wait, const BlockedCategories& barred, Datum* busy_quota) {
    AttemptVerdict verdict = AttemptVerdict::does_not_fit;
    keep_changes_if([&] {
        switch (lock_entry(event_id, entry.entry_id, wait)) {
        case EntryLock::gone:
            return false;
        case EntryLock::busy:
            verdict = AttemptVerdict::busy;
            return false;
        case EntryLock::locked:
            break;
        }
        const CallArgs args = offer_args(event_id, entry.customer, entry.offer_for);
        const CallResult held =
            hold_any_as_offer(event_id, args, entry.quantity, entry.together, entry.category, event,
                              slot_wait_for(wait), barred);
        verdict = judge_attempt(held.outcome);
        if (held.outcome == Outcome::busy) {
            *busy_quota = held.quota;
        }
        if (verdict == AttemptVerdict::busy && wait.policy == WaitPolicy::wait) {
            // Tickets or quota stripes other calls hold locked: theirs to offer when freed.
            verdict = AttemptVerdict::does_not_fit;
        }
        switch (verdict) {
        case AttemptVerdict::offered: {
            Datum args_offered[] = {Int64GetDatum(event_id), Int64GetDatum(entry.entry_id),
                                    TimestampTzGetDatum(held.hold_expires_at),
                                    int8_array(held.ticket_ids, held.count)};
            run_plan(PlanId::mark_entry_offered, args_offered, nullptr);
            notify_offer(event_id, entry.entry_id, held.count);
            return true;
        }
        case AttemptVerdict::skip_limit:
        case AttemptVerdict::skip_quota: {
            Datum args_skipped[] = {Int64GetDatum(event_id), Int64GetDatum(entry.entry_id),
                                    make_text(skip_reason_name(verdict))};
            run_plan(PlanId::mark_entry_skipped, args_skipped, nullptr);
            return true;
        }
        case AttemptVerdict::does_not_fit:
        case AttemptVerdict::busy:
            break;
        }
        return false;
    });
    return verdict;
}

// Pages of waiting_entries: the first entry that fits usually gets the offer, so the
// first page is small (each of its probes reads that many entries), and a walk that
// passes entries over reads larger ones.
constexpr int first_page_size = 4;
constexpr int last_page_size = 64;

// Ticket ids in column `column` of the last statement's rows.
std::vector<std::int64_t> id_column(std::uint64_t rows, int column) {
    std::vector<std::int64_t> ids;
    ids.reserve(rows);
    pg_call([&] {
        for (std::uint64_t i = 0; i < rows; ++i) {
            bool is_null = false;
            ids.push_back(DatumGetInt64(
                SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, column, &is_null)));
        }
    });
    return ids;
}

constexpr int sweep_limit = 16; // other lapsed holds a claiming call returns

} // namespace

OfferRun offer_free_tickets(std::int64_t event_id, const EventInfo& event, Datum freed,
                            LockWait wait, int* offers) {
    set_lapsed_holds_claimable(false);
    // Offers of one event run one at a time: each sees what the ones before it left free
    // (committed when it gets the stripes), so tickets freed side by side that fit an
    // entry only together are offered to it, not left on sale.
    if (!lock_stripes(event_id, 0, waitlist_lock_stripes - 1, ExclusiveLock, wait)) {
        return OfferRun::busy;
    }
    bool snapshot_is_old = false;
    pg_call([&] { snapshot_is_old = IsolationUsesXactSnapshot(); });
    if (snapshot_is_old && offerable_counts(event_id, false) != offerable_counts(event_id, true)) {
        // Tickets another transaction freed, offered or sold, or quota units it gave
        // back or took, since this one's snapshot: its walks cannot see what is free now.
        serialization_failure(event_id, "Tickets of the event came free or were taken after "
                                        "this transaction began.");
    }
    std::int64_t after = 0;
    int page_size = first_page_size;
    // Entries of a category no freed ticket has are left out of a page: what was freed
    // cannot fit them. Not with quotas: a unit given back to a quota that covers other
    // categories too can make their tickets offerable (a refunded B ticket gives a unit
    // back to the quota of A and B, and the A tickets that quota held back are on sale).
    const bool quotas_share = event.has_quotas();
    BlockedCategories blocked;
    std::set<std::string, std::less<>> busy_quotas;
    for (;;) {
        check_for_interrupts();
        const FreeTickets free = free_tickets(event_id);
        if (free.total == 0 || (!blocked.empty() && blocked.blocks(std::nullopt, free.names))) {
            return OfferRun::done;
        }
        // Only entries that what is free fits by count: the page skips the rest in SQL.
        const std::vector<EntryRow> page =
            waiting_page(event_id, after, free, quotas_share ? Datum(0) : freed, page_size);
        bool offered = false;
        for (const EntryRow& entry : page) {
            check_for_interrupts();
            after = entry.entry_id;
            const std::optional<std::string_view> category =
                entry.category != 0 ? std::optional(text_view(entry.category)) : std::nullopt;
            if (!blocked.empty() && blocked.blocks(category, free.names)) {
                continue; // it would find the quota busy, and must not go before the entry that did
            }
            // An entry of any category is offered none of the blocked categories either.
            Datum busy_quota = 0;
            const AttemptVerdict verdict =
                offer_to_entry(event_id, event, entry, wait, blocked, &busy_quota);
            if (busy_quota != 0 && busy_quotas.emplace(text_view(busy_quota)).second) {
                for (const Datum covered : quota_categories(event_id, busy_quota)) {
                    blocked.block(text_view(covered));
                }
            }
            if (verdict == AttemptVerdict::busy) {
                return OfferRun::busy;
            }
            if (verdict == AttemptVerdict::offered) {
                if (offers != nullptr) {
                    ++*offers;
                }
                offered = true;
                break; // count what is left before the next entry
            }
        }
        if (!offered && page.size() < static_cast<std::size_t>(page_size)) {
            return OfferRun::done;
        }
        if (!offered) {
            page_size = std::min(page_size * 4, last_page_size);
        }
    }
}

void return_lapsed_holds(std::int64_t event_id, const EventInfo& event, const std::int64_t* ids,
                         int count, LockWait wait) {
    set_lapsed_holds_claimable(false);
    const auto body = [&](LockWait policy) {
        return keep_changes_if([&] {
            std::vector<std::int64_t> freed;
            const Datum given = int8_array(ids, count);
            if (count > 0) {
                PlanId plan = PlanId::expire_given_wait;
                if (policy.policy == WaitPolicy::skip) {
                    plan = PlanId::expire_given_skip;
                } else if (policy.policy == WaitPolicy::nowait) {
                    plan = PlanId::expire_given_nowait;
                }
                Datum args[] = {Int64GetDatum(event_id), given};
                freed = id_column(run_plan(plan, args, nullptr), 2);
            }
            char nulls[] = "  n ";
            Datum args[] = {Int64GetDatum(event_id), Int32GetDatum(sweep_limit), 0, given};
            const std::vector<std::int64_t> swept =
                id_column(run_plan(PlanId::expire_lapsed, args, nulls), 2);
            freed.insert(freed.end(), swept.begin(), swept.end());
            if (freed.empty()) {
                return true;
            }
            if (event.has_quotas()) {
                give_back_quota_units(event_id, freed.data(), static_cast<int>(freed.size()));
            }
            const Datum freed_ids = int8_array(freed.data(), static_cast<int>(freed.size()));
            return offer_free_tickets(event_id, event, freed_ids, policy) == OfferRun::done;
        });
    };
    if (wait.policy == WaitPolicy::bounded) {
        within_wait_bound(wait.bound_ms, [&] { body(waiting); });
    } else {
        body(wait);
    }
}

bool lock_offers_for_sender(std::int64_t event_id, Datum sender) {
    lock_stripes(event_id, 0, waitlist_lock_stripes - 1, ExclusiveLock, waiting);
    bool snapshot_is_old = false;
    pg_call([&] { snapshot_is_old = IsolationUsesXactSnapshot(); });
    if (snapshot_is_old) {
        // A walk that skipped the sender since this snapshot is not visible here: walk
        // anyway (the walk fails with 40001 when tickets came free since the snapshot).
        return true;
    }
    Datum args[] = {Int64GetDatum(event_id), sender};
    return run_plan(PlanId::waiting_at_limit, args, nullptr) != 0;
}

void return_lapsed_holds_if_listed(std::int64_t event_id, const std::int64_t* ids, int count,
                                   LockWait wait) {
    if (core_layout().events.waitlist_open == InvalidAttrNumber) {
        return; // a schema before 1.3
    }
    const EventInfo event = read_event(event_id);
    if (event.exists && event.waitlist_open) {
        return_lapsed_holds(event_id, event, ids, count, wait);
    }
}

void offer_to_open_lists(std::int64_t event_id) {
    char nulls[] = " ";
    nulls[0] = event_id == 0 ? 'n' : ' ';
    Datum args[] = {Int64GetDatum(event_id)};
    const std::uint64_t rows = run_plan(PlanId::open_list_events, args, nulls);
    const std::vector<std::int64_t> events = id_column(rows, 1);
    for (const std::int64_t listed : events) {
        check_for_interrupts();
        const EventInfo event = read_event(listed);
        if (event.exists && event.waitlist_open) {
            offer_free_tickets(listed, event, Datum(0), waiting);
        }
    }
}

// ---------------------------------------------------------------- the calls

namespace {

// A customer's open entry (customer_entry or customer_entry_peek).
struct CustomerEntry {
    bool found;
    std::int64_t entry_id;
    EntryStatus status;
    int count; // offered tickets
    std::int64_t ticket_ids[max_order_tickets];
    bool has_offer_expiry;
    TimestampTz offer_expires_at;
    Datum skipped_for; // text; 0: none
    std::int64_t live_holds;
};

CustomerEntry customer_entry(std::int64_t event_id, Datum customer, bool lock) {
    Datum args[] = {Int64GetDatum(event_id), customer};
    CustomerEntry entry{};
    if (run_plan(lock ? PlanId::customer_entry : PlanId::customer_entry_peek, args, nullptr) == 0) {
        return entry;
    }
    std::string status;
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        entry.found = true;
        entry.entry_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
        status = TextDatumGetCString(SPI_getbinval(tuple, desc, 2, &is_null));
        const Datum tickets = SPI_getbinval(tuple, desc, 3, &is_null);
        if (!is_null) {
            ArrayType* array = DatumGetArrayTypeP(tickets);
            Datum* values = nullptr;
            bool* nulls = nullptr;
            int count = 0;
            deconstruct_array(array, INT8OID, 8, true, TYPALIGN_DOUBLE, &values, &nulls, &count);
            for (int i = 0; i < count && i < max_order_tickets; ++i) {
                entry.ticket_ids[entry.count++] = DatumGetInt64(values[i]);
            }
        }
        const Datum expiry = SPI_getbinval(tuple, desc, 4, &is_null);
        entry.has_offer_expiry = !is_null;
        entry.offer_expires_at = is_null ? 0 : DatumGetTimestampTz(expiry);
        const Datum skipped = SPI_getbinval(tuple, desc, 5, &is_null);
        entry.skipped_for = is_null ? Datum(0) : SPI_datumTransfer(skipped, false, -1);
        entry.live_holds = DatumGetInt64(SPI_getbinval(tuple, desc, 6, &is_null));
    });
    const auto parsed = parse_entry_status(status);
    if (!parsed) {
        throw DomainError(ErrorKind::internal,
                          "a waiting-list entry has an unknown status " + quoted(status));
    }
    entry.status = *parsed;
    return entry;
}

std::int64_t position_of(std::int64_t event_id, std::int64_t entry_id) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(entry_id)};
    run_plan(PlanId::entry_position, args, nullptr);
    std::int64_t position = 0;
    pg_call([&] {
        bool is_null = false;
        position =
            DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    });
    return position;
}

void close_entry(std::int64_t event_id, std::int64_t entry_id, EntryStatus status) {
    Datum args[] = {Int64GetDatum(event_id), Int64GetDatum(entry_id),
                    make_text(entry_status_name(status))};
    run_plan(PlanId::close_entry, args, nullptr);
}

WaitlistAnswer empty_answer(Outcome outcome, std::int64_t event_id) {
    WaitlistAnswer answer{};
    answer.outcome = outcome;
    answer.event_id = event_id;
    return answer;
}

// The answer for the customer's entry as it stands: waiting (with its position) or an
// open offer.
WaitlistAnswer answer_for(Outcome outcome, std::int64_t event_id, const CustomerEntry& entry) {
    WaitlistAnswer answer = empty_answer(outcome, event_id);
    answer.entry_id = entry.entry_id;
    answer.status = entry.status;
    answer.skipped_for = entry.skipped_for;
    if (entry.status == EntryStatus::waiting) {
        answer.position = position_of(event_id, entry.entry_id);
    } else {
        answer.count = entry.count;
        std::copy(entry.ticket_ids, entry.ticket_ids + entry.count, answer.ticket_ids);
        answer.has_offer_expiry = entry.has_offer_expiry;
        answer.offer_expires_at = entry.offer_expires_at;
    }
    return answer;
}

// Free tickets of the kind the request wants that the quotas have room for, counted up
// to 100 per category as a walk counts them (the newest snapshot when `latest`).
std::int64_t free_for(std::int64_t event_id, Datum category, bool latest) {
    const OfferableCounts offerable = offerable_counts(event_id, latest);
    std::string wanted;
    if (category != 0) {
        pg_call([&] { wanted = std::string(text_view(category)); });
    }
    std::int64_t count = 0;
    for (const auto& [name, n] : offerable) {
        if (category == 0 || name == wanted) {
            count += n;
        }
    }
    return count;
}

// The stripe a customer's join takes: a hash of the customer seeded with the event, so
// joins spread over the stripes (two meet on one stripe one time in
// waitlist_lock_stripes) and a customer's joins always meet each other.
int stripe_of(std::int64_t event_id, std::string_view customer) {
    const std::uint64_t hash = hash_bytes_extended(
        reinterpret_cast<const unsigned char*>(customer.data()), static_cast<int>(customer.size()),
        static_cast<std::uint64_t>(event_id));
    return static_cast<int>(hash % waitlist_lock_stripes);
}

} // namespace

WaitlistAnswer run_join_waitlist(const CallArgs& args, std::optional<bool> together) {
    JoinRequest request{args.event_id, args.customer, args.quantity,
                        args.category, together,      std::nullopt};
    if (args.has_hold_for) {
        request.offer_for_micros = hold_length_micros(args);
    }
    const ValidJoin join = validate_join(request);
    const std::int64_t event_id = join.event_id;
    const WaitlistAnswer answer = in_backend_call("join_waitlist()", event_id, [&] {
        const EventInfo event = read_event(event_id);
        if (!event.exists) {
            return empty_answer(Outcome::not_found, event_id);
        }
        if (!event.waitlist_open) {
            return empty_answer(Outcome::waitlist_closed, event_id);
        }
        set_lapsed_holds_claimable(false);
        const Datum category = join.category ? args.category_datum : Datum(0);
        // The customer's open entry answers for itself; a finished offer is closed.
        const CustomerEntry existing = customer_entry(event_id, args.customer_datum, true);
        if (existing.found) {
            if (existing.status == EntryStatus::waiting || offer_still_open(existing.live_holds)) {
                return answer_for(Outcome::already_waiting, event_id, existing);
            }
            close_entry(event_id, existing.entry_id, EntryStatus::closed);
        }
        // A join that finds nothing free takes one stripe: joins run side by side (they
        // wait for each other only when they hash to the same stripe). One
        // that finds tickets it fits takes every stripe, waiting for the offers in flight
        // (what they leave free, it may take) and for other such joins (the earlier one
        // is offered first).
        bool free_fits = free_for(event_id, category, true) >= join.quantity;
        if (!free_fits) {
            const int stripe = stripe_of(event_id, join.customer);
            lock_stripes(event_id, stripe, stripe, ExclusiveLock, waiting);
            if (free_for(event_id, category, true) >= join.quantity) {
                // Freed by an offer that committed meanwhile: start again with every stripe.
                const LOCKTAG tag = stripe_tag(event_id, stripe);
                pg_call([&] { LockRelease(&tag, ExclusiveLock, false); });
                free_fits = true;
            }
        }
        if (free_fits) {
            lock_stripes(event_id, 0, waitlist_lock_stripes - 1, ExclusiveLock, waiting);
            bool snapshot_is_old = false;
            pg_call([&] { snapshot_is_old = IsolationUsesXactSnapshot(); });
            if (snapshot_is_old &&
                free_for(event_id, category, false) != free_for(event_id, category, true)) {
                serialization_failure(event_id, "Tickets came free after this transaction "
                                                "began.");
            }
        }
        char nulls[] = "      ";
        nulls[3] = join.category ? ' ' : 'n';
        Datum values[] = {Int64GetDatum(event_id),      args.customer_datum,
                          Int32GetDatum(join.quantity), category,
                          BoolGetDatum(join.together),  args.hold_for};
        if (run_plan(PlanId::insert_entry, values, nulls) == 0) {
            // The same customer joined in a concurrent call, which committed first.
            return answer_for(Outcome::already_waiting, event_id,
                              customer_entry(event_id, args.customer_datum, false));
        }
        if (free_fits) {
            // A walk from the head of the list, not an offer to the newcomer: what is free
            // can fit an earlier entry too. A walk passes over an entry whose tickets
            // others hold locked, and if those others do not take them (their statement
            // fails and rolls back), they are free again without a walk of their own.
            offer_free_tickets(event_id, event, Datum(0), waiting, nullptr);
        }
        const CustomerEntry mine = customer_entry(event_id, args.customer_datum, false);
        return answer_for(mine.status == EntryStatus::offered ? Outcome::offered : Outcome::joined,
                          event_id, mine);
    });
    count_outcome(event_id, answer.outcome);
    return answer;
}

WaitlistAnswer run_leave_waitlist(const CallArgs& args) {
    require_id("event_id", args.event_id);
    require_customer(args.customer);
    const std::int64_t event_id = *args.event_id;
    const WaitlistAnswer answer = in_backend_call("leave_waitlist()", event_id, [&] {
        const EventInfo event = read_event(event_id);
        if (!event.exists) {
            return empty_answer(Outcome::not_found, event_id);
        }
        set_lapsed_holds_claimable(!event.waitlist_open);
        const CustomerEntry entry = customer_entry(event_id, args.customer_datum, true);
        if (!entry.found) {
            return empty_answer(Outcome::not_waiting, event_id);
        }
        if (entry.status == EntryStatus::offered && !offer_still_open(entry.live_holds)) {
            close_entry(event_id, entry.entry_id, EntryStatus::closed);
            return empty_answer(Outcome::not_waiting, event_id);
        }
        WaitlistAnswer left = empty_answer(Outcome::left, event_id);
        left.entry_id = entry.entry_id;
        left.status = EntryStatus::left;
        close_entry(event_id, entry.entry_id, EntryStatus::left);
        if (entry.status == EntryStatus::offered) {
            // The offer given up: its tickets come free, and go on down the list.
            Datum values[] = {Int64GetDatum(event_id), int8_array(entry.ticket_ids, entry.count),
                              args.customer_datum};
            const std::vector<std::int64_t> freed =
                id_column(run_plan(PlanId::release_offered_holds, values, nullptr), 1);
            left.count = static_cast<int>(freed.size());
            std::copy(freed.begin(), freed.end(), left.ticket_ids);
            if (!freed.empty()) {
                if (event.has_quotas()) {
                    give_back_quota_units(event_id, freed.data(), left.count);
                }
                if (event.waitlist_open) {
                    offer_free_tickets(event_id, event, int8_array(freed.data(), left.count),
                                       waiting);
                }
            }
        }
        return left;
    });
    count_outcome(event_id, answer.outcome);
    return answer;
}

WaitlistAnswer run_waitlist_position(const CallArgs& args) {
    require_id("event_id", args.event_id);
    require_customer(args.customer);
    const std::int64_t event_id = *args.event_id;
    // A read: it runs in read-only transactions and on standbys, and is not counted.
    return in_call_frame(CallKind::read, "waitlist_position()", event_id, [&] {
        const EventInfo event = read_event(event_id);
        if (!event.exists) {
            return empty_answer(Outcome::not_found, event_id);
        }
        const CustomerEntry entry = customer_entry(event_id, args.customer_datum, false);
        if (!entry.found ||
            (entry.status == EntryStatus::offered && !offer_still_open(entry.live_holds))) {
            return empty_answer(Outcome::not_waiting, event_id);
        }
        return answer_for(entry.status == EntryStatus::waiting ? Outcome::waiting
                                                               : Outcome::offered,
                          event_id, entry);
    });
}

int run_offer_waitlist(const CallArgs& args) {
    require_id("event_id", args.event_id);
    const std::int64_t event_id = *args.event_id;
    // Maintenance, as expire_holds: not counted in ticketing.stats.
    return in_call_frame(CallKind::maintenance, "offer_waitlist()", event_id, [&] {
        const EventInfo event = read_event(event_id);
        if (!event.exists) {
            throw DomainError(ErrorKind::no_such_event,
                              "event " + std::to_string(event_id) + " does not exist");
        }
        int offers = 0;
        if (event.waitlist_open) {
            offer_free_tickets(event_id, event, 0, waiting, &offers);
        }
        return offers;
    });
}

} // namespace ticketing::backend
