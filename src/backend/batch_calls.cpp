#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "batch_calls.hpp"

#include "call_frame.hpp"
#include "carts.hpp"
#include "customer_limits.hpp"
#include "direct_reads.hpp"
#include "idempotency.hpp"
#include "order_calls.hpp"
#include "quota_units.hpp"
#include "stats.hpp"
#include "subtransaction.hpp"
#include "ticket_codes.hpp"
#include "ticket_store.hpp"
#include "waitlist.hpp"

#include "../core/batch_rules.hpp"
#include "../core/domain_error.hpp"

namespace ticketing::backend {

namespace {

// Everything the batch learned about one ticket.
struct SeenTicket {
    BatchTicket ticket;
    Datum seat;
    ItemPointerData row_version; // the version its lock returned (when ticket.locked)
};

// What a batch writes for one ticket it sells.
struct TicketSale {
    std::int64_t ticket_id;
    ItemPointerData row_version; // the version this transaction's lock returned
    Datum from_status;           // text: its status before the sale, for the audit row
    Datum buyer;                 // text
    TimestampTz hold_until = 0;  // a hold into a cart until then (batch_hold); 0: a sale
};

void validate(const BatchArgs& args) {
    require_id("event_id", args.event_id);
    if (!args.has_requests) {
        throw DomainError(ErrorKind::null_value, "requests must not be NULL");
    }
    if (args.count < 1 || args.count > max_batch_requests) {
        throw DomainError(ErrorKind::invalid_parameter,
                          "requests must hold between 1 and " + std::to_string(max_batch_requests) +
                              " requests, got " + std::to_string(args.count));
    }
    // (customer, key) -> the first request that uses it.
    std::map<std::pair<std::string_view, std::string_view>, int> keys;
    for (int i = 0; i < args.count; ++i) {
        const std::string where = "requests[" + std::to_string(i + 1) + "]";
        if (args.request_null[i]) {
            throw DomainError(ErrorKind::null_value, where + " must not be NULL");
        }
        if (!args.ticket_null[i]) {
            require_id(where + ".ticket_id", args.ticket_ids[i]);
        }
        if (args.customer_null[i]) {
            throw DomainError(ErrorKind::null_value, where + ".customer must not be NULL");
        }
        require_customer(text_view(args.customers[i]), where + ".customer");
        if (!args.category_null[i]) {
            if (!args.ticket_null[i]) {
                throw DomainError(ErrorKind::invalid_parameter,
                                  where + ".category applies to any-seat requests only",
                                  "Leave ticket_id NULL to ask for any seat of a category.");
            }
            const std::string_view category = text_view(args.categories[i]);
            if (category.empty() || category.size() > 100) {
                throw DomainError(ErrorKind::invalid_parameter,
                                  where + ".category must be 1 to 100 bytes long, got " +
                                      std::to_string(category.size()));
            }
        }
        if (!args.cart_null[i]) {
            try {
                require_cart_token(text_view(args.carts[i]));
            } catch (const DomainError& error) {
                throw DomainError(error.kind(), where + ".cart: " + error.what(), error.hint());
            }
        }
        if (!args.key_null[i]) {
            require_idempotency_key(text_view(args.keys[i]), where + ".idempotency_key");
            const auto [first, inserted] = keys.emplace(
                std::make_pair(text_view(args.customers[i]), text_view(args.keys[i])), i);
            if (!inserted) {
                throw DomainError(ErrorKind::invalid_parameter,
                                  where + " repeats the idempotency key of requests[" +
                                      std::to_string(first->second + 1) + "] for the same customer",
                                  "Give each request of a batch its own key: a key stands for "
                                  "one request.");
            }
        }
    }
}

// A request for a given ticket, with no category or cart, is claim_ticket's purchase and
// its key claim_ticket's (same_request).
std::string fingerprint_of(const BatchArgs& args, int i) {
    if (!args.ticket_null[i] && args.category_null[i] && args.cart_null[i]) {
        return Fingerprint("claim_ticket")
            .add("event_id", *args.event_id)
            .add("ticket_id", args.ticket_ids[i])
            .text();
    }
    Fingerprint fingerprint("claim_batch");
    fingerprint.add("event_id", *args.event_id);
    if (args.ticket_null[i]) {
        fingerprint.add_null("ticket_id");
    } else {
        fingerprint.add("ticket_id", args.ticket_ids[i]);
    }
    if (!args.category_null[i]) {
        fingerprint.add("category", text_view(args.categories[i]));
    }
    if (!args.cart_null[i]) {
        fingerprint.add("cart", token_fingerprint(text_view(args.carts[i])));
    }
    return fingerprint.text();
}

// The clock of each customer's slot, in an event with a limit: their holds are judged by
// it (customer_limits.hpp).
using HoldClocks = std::map<std::string_view, TimestampTz>;

// Reads (ticket_id, status, owner, hold_expired, seat, ctid, hold expiry) rows of
// batch_peek/batch_lock. A hold of a customer in `clocks` is judged by their slot's clock
// (batch_lock only: the holds it locks are lapsed already or held by a requester).
void read_batch_rows(std::int64_t event_id, std::uint64_t count, bool locked,
                     std::unordered_map<std::int64_t, SeenTicket>& seen,
                     const HoldClocks* clocks = nullptr) {
    for (std::uint64_t i = 0; i < count; ++i) {
        if (i % 64 == 0) {
            check_for_interrupts();
        }
        SeenTicket entry{};
        pg_call([&] {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            entry.ticket.ticket_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            const auto status = parse_status(text_view(SPI_getbinval(tuple, desc, 2, &is_null)));
            if (!status) {
                unknown_status(event_id, entry.ticket.ticket_id);
            }
            entry.ticket.status = *status;
            const Datum owner = SPI_getbinval(tuple, desc, 3, &is_null);
            entry.ticket.owner =
                is_null ? std::string_view() : text_view(SPI_datumTransfer(owner, false, -1));
            entry.ticket.hold_expired = DatumGetBool(SPI_getbinval(tuple, desc, 4, &is_null));
            entry.ticket.lapse_waits_for_list = !lapsed_holds_claimable();
            entry.ticket.locked = locked;
            entry.seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 5, &is_null), false, -1);
            entry.row_version = *reinterpret_cast<ItemPointer>(
                DatumGetPointer(SPI_getbinval(tuple, desc, 6, &is_null)));
            const Datum expiry = SPI_getbinval(tuple, desc, 7, &is_null);
            if (!is_null && clocks != nullptr && entry.ticket.status == TicketStatus::held) {
                const auto clock = clocks->find(entry.ticket.owner);
                entry.ticket.hold_expired =
                    entry.ticket.hold_expired ||
                    (clock != clocks->end() && DatumGetTimestampTz(expiry) <= clock->second);
            }
        });
        seen[entry.ticket.ticket_id] = entry;
    }
}

Datum tid_array(const std::vector<ItemPointerData>& values) {
    Datum array = 0;
    pg_call([&] {
        Datum* elements =
            static_cast<Datum*>(palloc(sizeof(Datum) * (values.empty() ? 1 : values.size())));
        for (std::size_t i = 0; i < values.size(); ++i) {
            elements[i] = PointerGetDatum(&values[i]);
        }
        array = PointerGetDatum(construct_array(elements, static_cast<int>(values.size()), TIDOID,
                                                sizeof(ItemPointerData), false, TYPALIGN_SHORT));
    });
    return array;
}

// The tickets named by requests (`named`, sorted): SKIP LOCKED locks on those of
// `lockable` (sorted) that a request may take (claimable, or held by a customer whose
// request names it: `requests`, the (ticket, customer) pairs), then a lock-free look at
// the rest (sold, held by someone else, locked by another transaction, or missing).
// Only what a request may take is locked, so the batch keeps no lock on a ticket it
// does not sell.
struct NamedPairs {
    std::vector<std::int64_t> ticket_ids;
    std::vector<Datum> customers; // text
};

std::vector<BatchTicket> load_given(std::int64_t event_id, const std::vector<std::int64_t>& named,
                                    const std::vector<std::int64_t>& lockable,
                                    const NamedPairs& requests,
                                    std::unordered_map<std::int64_t, SeenTicket>& seen,
                                    const HoldClocks* clocks) {
    std::vector<BatchTicket> given;
    if (named.empty()) {
        return given;
    }
    if (!lockable.empty()) {
        Datum lock_args[] = {
            Int64GetDatum(event_id), int8_array(lockable.data(), static_cast<int>(lockable.size())),
            int8_array(requests.ticket_ids.data(), static_cast<int>(requests.ticket_ids.size())),
            text_array(requests.customers)};
        read_batch_rows(event_id, run_plan(PlanId::batch_lock, lock_args, nullptr), true, seen,
                        clocks);
    }
    std::vector<std::int64_t> rest;
    for (std::int64_t id : named) {
        if (seen.count(id) == 0) {
            rest.push_back(id);
        }
    }
    if (!rest.empty()) {
        Datum peek_args[] = {Int64GetDatum(event_id),
                             int8_array(rest.data(), static_cast<int>(rest.size()))};
        read_batch_rows(event_id, run_plan(PlanId::batch_peek, peek_args, nullptr), false, seen);
    }
    for (std::int64_t id : named) {
        const auto it = seen.find(id);
        if (it != seen.end()) {
            given.push_back(it->second.ticket);
        }
    }
    return given;
}

// The pool of `found` locked tickets `rows` (a category, or any: `category` 0), each
// recorded in `seen`.
std::vector<BatchTicket> pool_of(const TicketRow* rows, int found,
                                 std::unordered_map<std::int64_t, SeenTicket>& seen,
                                 Datum category) {
    std::vector<BatchTicket> pool;
    pool.reserve(static_cast<std::size_t>(found));
    const std::string_view pool_name = category != 0 ? text_view(category) : std::string_view();
    for (int i = 0; i < found; ++i) {
        const BatchTicket ticket{rows[i].ticket_id,
                                 rows[i].state.status,
                                 std::string_view(),
                                 rows[i].state.hold_expired,
                                 true,
                                 pool_name,
                                 pool_name};
        pool.push_back(ticket);
        seen[ticket.ticket_id] = SeenTicket{ticket, rows[i].seat, rows[i].row_version};
    }
    return pool;
}

// `wanted` claimable tickets for any-seat requests of one pool (a category, or any:
// `category` 0), from a random start, none of the tickets the requests name (`named`, a
// bigint[]), locked with SKIP LOCKED.
std::vector<BatchTicket> load_pool(std::int64_t event_id, int wanted, Datum named,
                                   std::unordered_map<std::int64_t, SeenTicket>& seen,
                                   Datum category) {
    if (wanted == 0) {
        return {};
    }
    const std::int64_t start = random_walk_start(event_id, category);
    if (start == 0) {
        return {};
    }
    TicketRow* rows = nullptr;
    pg_call([&] { rows = static_cast<TicketRow*>(palloc(sizeof(TicketRow) * wanted)); });
    constexpr std::int64_t past_the_end = std::numeric_limits<std::int64_t>::max();
    int found = lock_claimable(event_id, start, past_the_end, 0, named, wanted, rows, category);
    if (found < wanted) {
        found +=
            lock_claimable(event_id, 1, start, 0, named, wanted - found, rows + found, category);
    }
    return pool_of(rows, found, seen, category);
}

// Tickets `ids` (ascending) of one pool again, locked with SKIP LOCKED: the pass that
// confirms a batch takes exactly the pooled tickets the first pass granted. A new walk
// from a random start would lock others, of categories the quotas never admitted (with
// a quota full, a request answered busy with no other transaction running).
std::vector<BatchTicket> load_exact_pool(std::int64_t event_id,
                                         const std::vector<std::int64_t>& ids,
                                         std::unordered_map<std::int64_t, SeenTicket>& seen,
                                         Datum category) {
    if (ids.empty()) {
        return {};
    }
    TicketRow* rows = nullptr;
    pg_call([&] { rows = static_cast<TicketRow*>(palloc(sizeof(TicketRow) * ids.size())); });
    // One statement per ticket, as the first pass's walk: each is locked only if it is
    // still claimable, with the row version the sale updates.
    int found = 0;
    for (const std::int64_t id : ids) {
        check_for_interrupts();
        found += lock_claimable(event_id, id, id + 1, 0, 0, 1, rows + found);
    }
    return pool_of(rows, found, seen, category);
}

void remember(const BatchArgs& args, int i, const BatchRow& row) {
    CallResult result = empty_result(row.outcome, *args.event_id);
    if (row.ticket_id != 0) {
        result.count = 1;
        result.ticket_ids[0] = row.ticket_id;
        result.seats[0] = row.seat;
    }
    result.has_at = row.has_at;
    result.at = row.at;
    result.quota = row.quota;
    if (remembered_by_idempotency_key(row.outcome)) {
        remember_result(*args.event_id, args.customers[i], args.keys[i], fingerprint_of(args, i),
                        result);
    }
}

struct Sold {
    TimestampTz at;
    Datum seat;
};

// Sells the tickets this batch holds locked, at the row versions the locks returned,
// with their audit rows, in one statement; returns what it sold. Every one of them is
// sold unless a trigger or policy skipped the change (TK003).
std::unordered_map<std::int64_t, Sold>
sell_locked(std::int64_t event_id, const std::vector<TicketSale>& sales, bool holds = false) {
    std::vector<std::int64_t> ids;
    std::vector<Datum> from_statuses;
    std::vector<Datum> buyers;
    std::vector<ItemPointerData> row_versions;
    std::vector<Datum> hold_until;
    for (const TicketSale& sale : sales) {
        ids.push_back(sale.ticket_id);
        from_statuses.push_back(sale.from_status);
        buyers.push_back(sale.buyer);
        row_versions.push_back(sale.row_version);
        hold_until.push_back(TimestampTzGetDatum(sale.hold_until));
    }
    Datum expiries = 0;
    if (holds) {
        pg_call([&] {
            expiries = PointerGetDatum(construct_array(hold_until.data(),
                                                       static_cast<int>(hold_until.size()),
                                                       TIMESTAMPTZOID, 8, true, TYPALIGN_DOUBLE));
        });
    }
    Datum args[] = {Int64GetDatum(event_id),   int8_array(ids.data(), static_cast<int>(ids.size())),
                    text_array(from_statuses), text_array(buyers),
                    tid_array(row_versions),   expiries};
    const std::uint64_t count =
        run_plan(holds ? PlanId::batch_hold : PlanId::batch_transition, args, nullptr);
    if (count != ids.size()) {
        change_skipped(event_id, count, ids.size());
    }
    std::unordered_map<std::int64_t, Sold> sold;
    for (std::uint64_t i = 0; i < count; ++i) {
        std::int64_t id = 0;
        Sold sale{};
        pg_call([&] {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            sale.at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 2, &is_null));
            sale.seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 3, &is_null), false, -1);
        });
        sold.emplace(id, sale);
    }
    return sold;
}

// Locks and sells, in one statement, those of `sales` (ticket, buyer) whose ticket is
// available and not locked by another transaction; returns what it sold. What it did not
// sell is left to the caller's second look (batch_sell_available says why).
std::unordered_map<std::int64_t, Sold>
sell_available(std::int64_t event_id, std::vector<std::pair<std::int64_t, Datum>> sales) {
    std::sort(sales.begin(), sales.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::int64_t> ids;
    std::vector<Datum> buyers;
    for (const auto& [id, buyer] : sales) {
        ids.push_back(id);
        buyers.push_back(buyer);
    }
    Datum args[] = {Int64GetDatum(event_id), int8_array(ids.data(), static_cast<int>(ids.size())),
                    text_array(buyers)};
    const std::uint64_t count = run_plan(PlanId::batch_sell_available, args, nullptr);
    std::unordered_map<std::int64_t, Sold> sold;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (i % 64 == 0) {
            check_for_interrupts();
        }
        std::int64_t id = 0;
        Sold sale{};
        pg_call([&] {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool is_null = false;
            id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            sale.at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 2, &is_null));
            sale.seat = SPI_datumTransfer(SPI_getbinval(tuple, desc, 3, &is_null), false, -1);
        });
        sold.emplace(id, sale);
    }
    return sold;
}

// The requests that need no row lock of the batch's own: those naming a ticket no other
// request names. In an event without a per-customer limit each one's ticket is sold to
// it at once if it is available and nobody holds it locked: one statement for all of
// them, as the hand-written batched UPDATE would. The rest are looked at in one
// statement, and what the look decides is answered (sold, held by someone, yours, no
// such ticket); whatever needs a lock (a ticket locked by someone else, a lapsed hold,
// a limit to count) is left to the locking path with every other request. Returns which
// items it settled; their answers are in `rows`.
std::vector<bool> settle_without_locks(const BatchArgs& args, bool may_sell,
                                       const std::vector<BatchItem>& items,
                                       const std::vector<int>& item_request, BatchRow* rows) {
    const std::int64_t event_id = *args.event_id;
    std::vector<bool> settled(items.size(), false);
    const std::unordered_set<std::int64_t> once = named_once(items);
    if (once.empty()) {
        return settled;
    }
    std::unordered_map<std::int64_t, Sold> sold;
    if (may_sell) {
        std::vector<std::pair<std::int64_t, Datum>> sales;
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (items[k].ticket_id && once.count(*items[k].ticket_id) != 0) {
                sales.emplace_back(*items[k].ticket_id, args.customers[item_request[k]]);
            }
        }
        sold = sell_available(event_id, std::move(sales));
    }
    std::vector<std::int64_t> unsold;
    for (std::int64_t id : once) {
        if (sold.count(id) == 0) {
            unsold.push_back(id);
        }
    }
    std::sort(unsold.begin(), unsold.end());
    std::unordered_map<std::int64_t, SeenTicket> looked;
    if (!unsold.empty()) {
        Datum peek_args[] = {Int64GetDatum(event_id),
                             int8_array(unsold.data(), static_cast<int>(unsold.size()))};
        read_batch_rows(event_id, run_plan(PlanId::batch_peek, peek_args, nullptr), false, looked);
    }
    for (std::size_t k = 0; k < items.size(); ++k) {
        if (!items[k].ticket_id || once.count(*items[k].ticket_id) == 0) {
            continue;
        }
        const std::int64_t id = *items[k].ticket_id;
        if (const auto sale = sold.find(id); sale != sold.end()) {
            rows[item_request[k]] =
                BatchRow{Outcome::claimed, id, sale->second.seat, true, sale->second.at};
            settled[k] = true;
            continue;
        }
        const auto it = looked.find(id);
        const SeenTicket* seen = it != looked.end() ? &it->second : nullptr;
        const Datum seat = seen != nullptr ? seen->seat : Datum(0);
        const LockFreePlan plan = plan_lock_free(seen != nullptr ? &seen->ticket : nullptr,
                                                 items[k].customer, true, !may_sell);
        if (plan.step == LockFreeStep::answer) {
            rows[item_request[k]] = BatchRow{plan.outcome, id, seat, false, 0};
            settled[k] = true;
        }
        // `sell` (available, but the statement could not sell it: locked, or freed since)
        // and `lock` go to the locking path.
    }
    return settled;
}

// Stores the answer of every keyed request that ran (a replayed one has its answer
// stored already).
void remember_keys(const BatchArgs& args, const std::vector<bool>& replayed, const BatchRow* rows) {
    for (int i = 0; i < args.count; ++i) {
        if (!replayed[i] && !args.key_null[i]) {
            check_for_interrupts();
            remember(args, i, rows[i]);
        }
    }
}

// Room under the per-customer limit, per customer of the batch, from their slots (taken
// once, before any ticket lock: try-locks, so the batch never waits for one).
class Rooms {
  public:
    void set(std::string_view customer, const std::optional<CustomerSlot>& slot,
             std::int64_t limit) {
        room_[customer] = slot ? std::optional<std::int64_t>(limit - slot->owned) : std::nullopt;
        if (slot) {
            clocks_[customer] = slot->clock;
        }
    }

    // The clock of every slot taken (HoldClocks).
    const HoldClocks& clocks() const { return clocks_; }

    // No entry: an event without a limit. nullopt: the slot was busy.
    Admission admit(std::string_view customer, bool take) {
        const auto it = room_.find(customer);
        if (it == room_.end()) {
            return Admission::admitted;
        }
        if (!it->second) {
            return Admission::busy;
        }
        if (*it->second <= 0) {
            return Admission::limit_reached;
        }
        *it->second -= take ? 1 : 0;
        return Admission::admitted;
    }

    // How many tickets to lock for any-seat requests of one pool: no more than their
    // customers have room for.
    int pool_size(const std::vector<BatchItem>& items,
                  const std::optional<std::string_view>& category) const {
        std::map<std::string_view, std::int64_t> wanted;
        for (const BatchItem& item : items) {
            if (!item.ticket_id && item.category == category) {
                ++wanted[item.customer];
            }
        }
        std::int64_t size = 0;
        for (const auto& [customer, count] : wanted) {
            const auto it = room_.find(customer);
            const std::int64_t room =
                it == room_.end() ? count
                                  : (it->second ? std::max<std::int64_t>(*it->second, 0) : 0);
            size += std::min(room, count);
        }
        return static_cast<int>(size);
    }

  private:
    std::map<std::string_view, std::optional<std::int64_t>> room_;
    HoldClocks clocks_;
};

// In an event with quotas: the units each quota has left as the batch saw them (its
// budget while it decides) and which quotas cover each category.
class QuotaBudget {
  public:
    static QuotaBudget load(std::int64_t event_id) {
        QuotaBudget budget;
        const std::uint64_t rows = [&] {
            Datum args[] = {Int64GetDatum(event_id)};
            return run_plan(PlanId::event_quotas, args, nullptr);
        }();
        for (std::uint64_t i = 0; i < rows; ++i) {
            std::int64_t quota_id = 0;
            Datum name = 0;
            std::int64_t left = 0;
            Datum category = 0;
            pg_call([&] {
                HeapTuple tuple = SPI_tuptable->vals[i];
                TupleDesc desc = SPI_tuptable->tupdesc;
                bool is_null = false;
                quota_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
                name = SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1);
                left = DatumGetInt64(SPI_getbinval(tuple, desc, 3, &is_null));
                category = SPI_datumTransfer(SPI_getbinval(tuple, desc, 4, &is_null), false, -1);
            });
            if (budget.quotas_.empty() || budget.quotas_.back().quota_id != quota_id) {
                budget.quotas_.push_back(Quota{quota_id, name, left});
            }
            budget.covering_[text_view(category)].push_back(budget.quotas_.size() - 1);
        }
        return budget;
    }

    // Whether a ticket of `category` may take a unit of every quota covering it; with
    // `take`, uses them up. The quota that refused, if one did.
    std::optional<Datum> admit(std::string_view category, bool take) {
        const auto it = covering_.find(category);
        if (it == covering_.end()) {
            return std::nullopt;
        }
        for (std::size_t q : it->second) {
            if (quotas_[q].left <= 0) {
                return quotas_[q].name;
            }
        }
        for (std::size_t q : it->second) {
            quotas_[q].left -= take ? 1 : 0;
        }
        return std::nullopt;
    }

    // Expires the lapsed holds of each quota in `refused` (as many as it refused units),
    // none of the tickets `keep` (an int8[]: the ones the requests name, which the batch
    // may buy as they are), and gives their units back. Returns how many holds it returned.
    std::int64_t give_back_lapsed(std::int64_t event_id, const std::vector<Datum>& refused,
                                  Datum keep) const {
        std::int64_t returned = 0;
        for (const Quota& quota : quotas_) {
            const auto times = std::count_if(refused.begin(), refused.end(), [&](Datum name) {
                return text_view(name) == text_view(quota.name);
            });
            if (times > 0) {
                returned +=
                    expire_lapsed_of_quota(event_id, quota.quota_id, static_cast<int>(times), keep);
            }
        }
        return returned;
    }

    // Whether the quota named `quota` covers `category`.
    bool covers(std::string_view quota, std::string_view category) const {
        const auto it = covering_.find(category);
        if (it == covering_.end()) {
            return false;
        }
        for (std::size_t q : it->second) {
            if (text_view(quotas_[q].name) == quota) {
                return true;
            }
        }
        return false;
    }

  private:
    struct Quota {
        std::int64_t quota_id;
        Datum name;
        std::int64_t left;
    };
    std::vector<Quota> quotas_;
    std::map<std::string_view, std::vector<std::size_t>> covering_;
};

// Takes the slot of every customer with a request left (in customer order, without
// waiting: a slot another transaction holds makes that customer's requests busy) and
// counts their room.
Rooms take_slots(const BatchArgs& args, const EventInfo& event, const std::vector<BatchItem>& items,
                 const std::vector<int>& item_request) {
    std::map<std::string_view, Datum> customers; // sorted: one order for every batch
    for (std::size_t k = 0; k < items.size(); ++k) {
        customers.emplace(items[k].customer, args.customers[item_request[k]]);
    }
    Rooms rooms;
    for (const auto& [customer, datum] : customers) {
        check_for_interrupts();
        rooms.set(customer,
                  lock_and_count_customer(*args.event_id, datum, SlotWait{SlotWait::skip, 0}),
                  event.limit);
    }
    return rooms;
}

// Request `k` named a ticket that the first pass granted it and that it no longer takes
// (the confirming pass found it taken, or a quota could not give its unit). The later
// requests naming that ticket were answered as if `k` had taken it (already_sold, held,
// already_owned): they answer as `k` does now. (A batch's answers must match what it did:
// an already_sold for a ticket nobody bought is a lie the audit log would show.)
void answer_like_dropped_grant(std::vector<BatchDecision>& decisions,
                               const std::vector<BatchItem>& items, std::size_t k) {
    if (!items[k].ticket_id) {
        return;
    }
    decisions[k].ticket_id = *items[k].ticket_id;
    for (std::size_t later = k + 1; later < items.size(); ++later) {
        if (items[later].ticket_id == items[k].ticket_id && !decisions[later].takes) {
            decisions[later] = BatchDecision{decisions[k].outcome, false, *items[k].ticket_id};
        }
    }
}

// Request `k`'s grant is given up (busy: a quota cannot give its unit now), and the
// requests after it that named its ticket answer so too.
void drop_grant(std::vector<BatchDecision>& decisions, const std::vector<BatchItem>& items,
                std::size_t k) {
    decisions[k] = BatchDecision{Outcome::busy, false, 0};
    answer_like_dropped_grant(decisions, items, k);
}

// The pooled tickets a first pass granted, per pool (a category, or any: nullopt).
using ExactPools = std::map<std::optional<std::string_view>, std::vector<std::int64_t>>;

// The decisions of one pass under row locks, with what the batch saw of each ticket.
struct LockedDecisions {
    std::vector<BatchDecision> decisions;
    std::unordered_map<std::int64_t, SeenTicket> seen;
    std::vector<Datum> refused_quotas; // the quota of each quota_exhausted, in order
    int unsold_locks = 0;              // tickets locked but not taken
};

// The pools of a batch: one per category its any-seat requests ask for, one for those
// that ask for any seat (std::nullopt).
std::vector<std::optional<std::string_view>> pools_of(const std::vector<BatchItem>& items) {
    std::vector<std::optional<std::string_view>> pools;
    for (const BatchItem& item : items) {
        if (!item.ticket_id &&
            std::find(pools.begin(), pools.end(), item.category) == pools.end()) {
            pools.push_back(item.category);
        }
    }
    return pools;
}

// Locking and deciding the requests left after the lock-free pass.
struct LockAndDecide {
    std::int64_t event_id;
    const std::vector<BatchItem>& items;
    const std::vector<int>& item_request;
    const BatchArgs& args;
    const std::vector<std::int64_t>& named; // every ticket a request left names, sorted
    const NamedPairs& pairs;
    const std::vector<std::int64_t>& all_named; // every ticket any request names
    Datum named_array;                          // the same as a bigint[]: never in a pool
    bool has_quotas;
    const HoldClocks* clocks; // with a limit: the slots' clocks

    // Locks what `lockable` may give and the pooled tickets (`pool_size` per pool), and
    // decides every request in order (only those `only` marks, when it is not empty).
    // With `exact`, each pool is the tickets it lists (the pass that confirms).
    LockedDecisions run(const std::vector<std::int64_t>& lockable,
                        const std::function<int(const std::optional<std::string_view>&)>& pool_size,
                        const AdmitFunction& admit, const std::vector<bool>& only,
                        const ExactPools* exact = nullptr,
                        const SlotFunction& slot_held = nullptr) const {
        LockedDecisions out;
        std::vector<BatchTicket> given =
            load_given(event_id, named, lockable, pairs, out.seen, clocks);
        std::vector<BatchTicket> pool;
        std::map<std::optional<std::string_view>, int> short_by; // pools that came up short
        // Each pool passes over the tickets requests name and those earlier pools took: the
        // walk would lock a ticket this transaction holds locked already.
        std::vector<std::int64_t> excluded = all_named;
        for (const auto& category : pools_of(items)) {
            const int wanted = pool_size(category);
            const Datum category_datum = category ? make_text(*category) : Datum(0);
            const Datum excluded_array =
                excluded.size() == all_named.size()
                    ? named_array
                    : int8_array(excluded.data(), static_cast<int>(excluded.size()));
            std::vector<BatchTicket> loaded;
            if (exact != nullptr) {
                const auto listed = exact->find(category);
                if (listed != exact->end()) {
                    loaded = load_exact_pool(event_id, listed->second, out.seen, category_datum);
                }
            } else {
                loaded = load_pool(event_id, wanted, excluded_array, out.seen, category_datum);
            }
            for (const BatchTicket& ticket : loaded) {
                excluded.push_back(ticket.ticket_id);
            }
            if (static_cast<int>(loaded.size()) < wanted) {
                short_by[category] = wanted - static_cast<int>(loaded.size());
            }
            pool.insert(pool.end(), loaded.begin(), loaded.end());
        }
        if (has_quotas) {
            fill_categories(given, pool, out.seen);
        }
        // A pool that came up short: claimable tickets beyond the ones this batch holds are
        // locked by concurrent claims (busy), or there are none (sold_out). Only claimable
        // tickets count here (a named ticket held by its requester is locked but not
        // claimable).
        std::map<std::optional<std::string_view>, Outcome> exhausted;
        for (const auto& [category, missing] : short_by) {
            std::int64_t held_here = 0;
            for (const BatchTicket& ticket : pool) {
                held_here += !category || ticket.pool == *category ? 1 : 0;
            }
            for (const BatchTicket& ticket : given) {
                const bool claimable = ticket.status == TicketStatus::available ||
                                       (ticket.status == TicketStatus::held &&
                                        ticket.hold_expired && !ticket.lapse_waits_for_list);
                const bool in_pool = !category || ticket.category == *category;
                held_here += ticket.locked && claimable && in_pool ? 1 : 0;
            }
            const Datum category_datum = category ? make_text(*category) : Datum(0);
            exhausted[category] = count_claimable(event_id, 0, category_datum) > held_here
                                      ? Outcome::busy
                                      : Outcome::sold_out;
        }
        const ExhaustedFunction pool_exhausted = [&](const std::optional<std::string_view>& c) {
            const auto it = exhausted.find(c);
            return it != exhausted.end() ? it->second : Outcome::sold_out;
        };
        if (only.empty()) {
            out.decisions = decide_batch(items, given, pool, pool_exhausted, admit, slot_held);
        } else {
            // Only the requests `only` marks; the others are left with an empty decision.
            std::vector<BatchItem> subset;
            for (std::size_t k = 0; k < items.size(); ++k) {
                if (only[k]) {
                    subset.push_back(items[k]);
                }
            }
            const std::vector<BatchDecision> decided =
                decide_batch(subset, given, pool, pool_exhausted, admit, slot_held);
            out.decisions.assign(items.size(), BatchDecision{Outcome::busy, false, 0});
            for (std::size_t k = 0, j = 0; k < items.size(); ++k) {
                if (only[k]) {
                    out.decisions[k] = decided[j++];
                }
            }
        }
        std::unordered_set<std::int64_t> taken;
        for (const BatchDecision& decision : out.decisions) {
            if (decision.takes) {
                taken.insert(decision.ticket_id);
            }
        }
        for (const auto& [id, ticket] : out.seen) {
            out.unsold_locks += ticket.ticket.locked && taken.count(id) == 0 ? 1 : 0;
        }
        return out;
    }

    // The categories of the tickets a pass saw (quotas count by category).
    void fill_categories(std::vector<BatchTicket>& given, std::vector<BatchTicket>& pool,
                         std::unordered_map<std::int64_t, SeenTicket>& seen) const {
        if (seen.empty()) {
            return;
        }
        std::vector<std::int64_t> ids;
        ids.reserve(seen.size());
        for (const auto& entry : seen) {
            ids.push_back(entry.first);
        }
        Datum query[] = {Int64GetDatum(event_id),
                         int8_array(ids.data(), static_cast<int>(ids.size()))};
        const std::uint64_t rows = run_plan(PlanId::ticket_categories, query, nullptr);
        std::unordered_map<std::int64_t, std::string_view> categories;
        for (std::uint64_t i = 0; i < rows; ++i) {
            pg_call([&] {
                bool is_null = false;
                const std::int64_t id = DatumGetInt64(
                    SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &is_null));
                categories[id] = text_view(SPI_datumTransfer(
                    SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &is_null), false,
                    -1));
            });
        }
        for (auto* tickets : {&given, &pool}) {
            for (BatchTicket& ticket : *tickets) {
                ticket.category = categories[ticket.ticket_id];
                seen[ticket.ticket_id].ticket.category = ticket.category;
            }
        }
    }

    // The second pass: locks again exactly the tickets the first pass granted (named
    // ones, and as many pooled ones per pool as any-seat requests took) and gives them to
    // the same requests. Every other request keeps its first answer. A ticket taken by
    // someone else between the passes answers for itself (sold, or busy).
    LockedDecisions confirm(const LockedDecisions& first) const {
        std::vector<std::int64_t> lockable;
        std::vector<bool> only(items.size(), false);
        ExactPools exact;
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (!first.decisions[k].takes) {
                continue;
            }
            only[k] = true;
            if (items[k].ticket_id) {
                lockable.push_back(*items[k].ticket_id);
            } else {
                exact[items[k].category].push_back(first.decisions[k].ticket_id);
            }
        }
        for (auto& [category, ids] : exact) {
            std::sort(ids.begin(), ids.end()); // the global lock order
        }
        std::sort(lockable.begin(), lockable.end());
        lockable.erase(std::unique(lockable.begin(), lockable.end()), lockable.end());
        const AdmitFunction granted = [](std::string_view, const BatchTicket*, bool) {
            return AdmitAnswer{Admission::admitted};
        };
        LockedDecisions out = run(
            lockable,
            [&](const std::optional<std::string_view>& category) {
                const auto it = exact.find(category);
                return it != exact.end() ? static_cast<int>(it->second.size()) : 0;
            },
            granted, only, &exact);
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (!only[k]) {
                out.decisions[k] = first.decisions[k];
            }
        }
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (only[k] && !out.decisions[k].takes) {
                answer_like_dropped_grant(out.decisions, items, k);
            }
        }
        out.refused_quotas = first.refused_quotas;
        // A refused request's ticket may be in `first.seen` only: keep its seat.
        for (const auto& [id, ticket] : first.seen) {
            if (out.seen.count(id) == 0) {
                SeenTicket unlocked = ticket;
                unlocked.ticket.locked = false;
                out.seen.emplace(id, unlocked);
            }
        }
        return out;
    }
};

// A cart that requests of the batch hold into: the customer's open cart, shared-locked,
// or the answer for every request that names it.
struct BatchCart {
    std::optional<Outcome> refusal;
    CartHold cart;
};

// Looks each (token, customer) of the requests up once, without waiting: a cart another
// transaction is checking out, abandoning or extending makes its requests busy.
std::map<std::pair<std::string_view, std::string_view>, BatchCart>
resolve_carts(const BatchArgs& args) {
    std::map<std::pair<std::string_view, std::string_view>, BatchCart> carts;
    for (int i = 0; i < args.count; ++i) {
        if (args.cart_null[i]) {
            continue;
        }
        const auto key = std::make_pair(text_view(args.carts[i]), text_view(args.customers[i]));
        if (carts.count(key) != 0) {
            continue;
        }
        pg_call([] { lock_table(OwnTable::carts); });
        Datum query[] = {Int64GetDatum(*args.event_id), args.carts[i], args.customers[i]};
        BatchCart found{};
        if (run_plan(PlanId::find_cart_skip, query, nullptr) == 0) {
            const bool exists = run_plan(PlanId::peek_cart, query, nullptr) != 0;
            found.refusal = exists ? Outcome::busy : Outcome::cart_not_found;
        } else {
            pg_call([&] {
                HeapTuple tuple = SPI_tuptable->vals[0];
                TupleDesc desc = SPI_tuptable->tupdesc;
                bool is_null = false;
                found.cart.cart_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
                const std::string_view status = text_view(SPI_getbinval(tuple, desc, 2, &is_null));
                found.cart.expires_at =
                    DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &is_null));
                const bool expired = DatumGetBool(SPI_getbinval(tuple, desc, 4, &is_null));
                if (status != "open") {
                    found.refusal = Outcome::cart_closed;
                } else if (expired) {
                    found.refusal = Outcome::cart_expired;
                }
            });
        }
        carts.emplace(key, found);
    }
    return carts;
}

// The second pass in an event with quotas (or whenever the first kept locks it would not
// use): exactly the granted tickets are locked again and the quota units of those that
// leave inventory are taken, in a subtransaction. When a quota cannot give them (a
// concurrent sale took units since the batch looked, or holds their stripes), the last
// granted request that needs it is answered busy and the pass runs again; after three
// tries every granted request that needs that quota is.
LockedDecisions confirm_with_units(const LockAndDecide& lock_and_decide,
                                   const LockedDecisions& first,
                                   const std::vector<BatchItem>& items, const EventInfo& event) {
    LockedDecisions granted = first;
    for (int attempt = 0;; ++attempt) {
        LockedDecisions out;
        QuotaTake units{QuotaTakeStatus::taken, 0};
        const bool kept = keep_changes_if([&] {
            out = lock_and_decide.confirm(granted);
            if (!event.has_quotas()) {
                return true;
            }
            std::vector<std::int64_t> leaving;
            std::vector<std::int64_t> locked; // every ticket the pass holds locked
            for (const BatchDecision& decision : out.decisions) {
                if (decision.takes && decision.from == TicketStatus::available) {
                    leaving.push_back(decision.ticket_id);
                }
            }
            for (const auto& [id, seen] : out.seen) {
                if (seen.ticket.locked) {
                    locked.push_back(id);
                }
            }
            units = take_quota_units(lock_and_decide.event_id, leaving.data(),
                                     static_cast<int>(leaving.size()), locked.data(),
                                     static_cast<int>(locked.size()));
            return units.status == QuotaTakeStatus::taken;
        });
        if (kept) {
            return out;
        }
        // Which granted requests the refusing quota covers: their tickets' categories.
        const std::string_view refusing = text_view(units.quota);
        const QuotaBudget budget = QuotaBudget::load(lock_and_decide.event_id);
        bool dropped = false;
        for (std::size_t k = items.size(); k-- > 0;) {
            const BatchDecision& decision = granted.decisions[k];
            if (!decision.takes) {
                continue;
            }
            const auto seen = out.seen.find(decision.ticket_id);
            const bool covered =
                seen != out.seen.end() && budget.covers(refusing, seen->second.ticket.category);
            if (covered) {
                drop_grant(granted.decisions, items, k);
                dropped = true;
                if (attempt < 2) {
                    break;
                }
            }
        }
        if (!dropped) {
            // Nothing left to drop for that quota: give up the grants that leave inventory.
            for (std::size_t k = 0; k < items.size(); ++k) {
                const BatchDecision& decision = granted.decisions[k];
                if (decision.takes && decision.from == TicketStatus::available) {
                    drop_grant(granted.decisions, items, k);
                }
            }
        }
    }
}

// A request of any seat and no category that a quota refused searches again past the
// quotas that refuse it, as claim_any does: one call each, in request order, after the
// batch's own sales (the pool it was given came from every category).
template <typename Carts>
void search_past_refusing_quotas(const BatchArgs& args, const EventInfo& event,
                                 const std::vector<BatchItem>& items,
                                 const std::vector<int>& item_request, const Carts& carts,
                                 BatchRow* rows) {
    for (std::size_t k = 0; k < items.size(); ++k) {
        const int i = item_request[k];
        if (items[k].ticket_id || items[k].category ||
            rows[i].outcome != Outcome::quota_exhausted || rows[i].quota == 0) {
            continue;
        }
        check_for_interrupts();
        CallArgs call{};
        call.event_id = *args.event_id;
        call.customer_datum = args.customers[i];
        call.customer = text_view(args.customers[i]);
        const CartHold* cart =
            args.cart_null[i]
                ? nullptr
                : &carts.at(std::make_pair(text_view(args.carts[i]), text_view(args.customers[i])))
                       .cart;
        CallResult refused = empty_result(Outcome::quota_exhausted, *args.event_id);
        refused.quota = rows[i].quota;
        const CallResult result = claim_one_past_quotas(*args.event_id, call, event, cart, refused);
        if (!changes_tickets(result.outcome)) {
            rows[i].quota = result.quota;
            rows[i].outcome = result.outcome;
            continue;
        }
        rows[i] = BatchRow{result.outcome, result.ticket_ids[0], result.seats[0], result.has_at,
                           result.at};
    }
}

void settle_batch(const BatchArgs& args, BatchRow* rows) {
    const std::int64_t event_id = *args.event_id;
    const EventInfo event = read_event(event_id);
    if (!event.exists) {
        for (int i = 0; i < args.count; ++i) {
            rows[i] = BatchRow{Outcome::not_found, args.ticket_null[i] ? 0 : args.ticket_ids[i], 0,
                               false, 0};
        }
        return;
    }
    if (event.waitlist_open) {
        // Lapsed holds go to the waiting list first; a batch never waits (skip).
        std::vector<std::int64_t> given;
        for (int i = 0; i < args.count; ++i) {
            if (!args.ticket_null[i]) {
                given.push_back(args.ticket_ids[i]);
            }
        }
        std::sort(given.begin(), given.end());
        given.erase(std::unique(given.begin(), given.end()), given.end());
        return_lapsed_holds(event_id, event, given.data(), static_cast<int>(given.size()),
                            LockWait{WaitPolicy::skip, 0});
    }

    // Idempotency keys first, in (customer, key) order: batches wait for each other's
    // keys in one direction only.
    std::vector<int> keyed;
    for (int i = 0; i < args.count; ++i) {
        if (!args.key_null[i]) {
            keyed.push_back(i);
        }
    }
    std::sort(keyed.begin(), keyed.end(), [&](int a, int b) {
        const auto ca = text_view(args.customers[a]);
        const auto cb = text_view(args.customers[b]);
        return ca != cb ? ca < cb : text_view(args.keys[a]) < text_view(args.keys[b]);
    });
    std::vector<bool> replayed(args.count, false);
    for (int i : keyed) {
        check_for_interrupts();
        CallResult stored{};
        if (claim_key(args.customers[i], args.keys[i], event_id, fingerprint_of(args, i),
                      &stored) == KeyState::replay) {
            replayed[i] = true;
            rows[i] = BatchRow{stored.outcome, stored.count > 0 ? stored.ticket_ids[0] : 0,
                               stored.count > 0 ? stored.seats[0] : 0, stored.has_at, stored.at};
        }
    }

    // Carts: a request whose cart refuses it is answered now.
    const auto carts = resolve_carts(args);
    bool any_cart = false;
    for (int i = 0; i < args.count; ++i) {
        if (replayed[i] || args.cart_null[i]) {
            continue;
        }
        any_cart = true;
        const BatchCart& cart =
            carts.at(std::make_pair(text_view(args.carts[i]), text_view(args.customers[i])));
        if (cart.refusal) {
            replayed[i] = true; // answered: nothing runs for it
            rows[i] =
                BatchRow{*cart.refusal, args.ticket_null[i] ? 0 : args.ticket_ids[i], 0, false, 0};
            if (!args.key_null[i]) {
                remember(args, i, rows[i]);
            }
        }
    }

    std::vector<BatchItem> requested;
    std::vector<int> requested_index;
    std::unordered_set<std::int64_t> named; // every ticket a request names
    for (int i = 0; i < args.count; ++i) {
        if (replayed[i]) {
            continue;
        }
        BatchItem item{std::nullopt, text_view(args.customers[i]), std::nullopt};
        if (!args.ticket_null[i]) {
            item.ticket_id = args.ticket_ids[i];
            named.insert(args.ticket_ids[i]);
        }
        if (!args.category_null[i]) {
            item.category = text_view(args.categories[i]);
        }
        item.hold = !args.cart_null[i];
        requested.push_back(item);
        requested_index.push_back(i);
    }
    // Plain sales without a lock of the batch's own only where nothing can refuse a
    // ticket once it is locked: no limit, no quotas, no holds into carts.
    const bool may_sell = !event.has_limit && !event.has_quotas() && !any_cart;
    const std::vector<bool> settled =
        settle_without_locks(args, may_sell, requested, requested_index, rows);

    // The rest are decided in order under SKIP LOCKED row locks.
    std::vector<BatchItem> items;
    std::vector<int> item_request;
    for (std::size_t k = 0; k < requested.size(); ++k) {
        if (!settled[k]) {
            items.push_back(requested[k]);
            item_request.push_back(requested_index[k]);
        }
    }
    if (items.empty()) {
        remember_keys(args, replayed, rows);
        return;
    }
    Rooms rooms = event.has_limit ? take_slots(args, event, items, item_request) : Rooms{};
    const std::vector<std::int64_t> named_ids = [&] {
        std::vector<std::int64_t> ids;
        for (const BatchItem& item : items) {
            if (item.ticket_id) {
                ids.push_back(*item.ticket_id);
            }
        }
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        return ids;
    }();
    NamedPairs pairs;
    for (std::size_t k = 0; k < items.size(); ++k) {
        if (items[k].ticket_id) {
            pairs.ticket_ids.push_back(*items[k].ticket_id);
            pairs.customers.push_back(args.customers[item_request[k]]);
        }
    }
    const std::vector<std::int64_t> all_named(named.begin(), named.end());
    const Datum named_array = int8_array(all_named.data(), static_cast<int>(all_named.size()));
    const LockAndDecide lock_and_decide{
        event_id,           items,
        item_request,       args,
        named_ids,          pairs,
        all_named,          named_array,
        event.has_quotas(), event.has_limit ? &rooms.clocks() : nullptr};

    LockedDecisions decided;
    if (!event.has_limit && !event.has_quotas()) {
        // Every ticket locked here is taken: a named ticket by the first request that may
        // take it, a pooled one by an any-seat request (one per request).
        const AdmitFunction admitted = [](std::string_view, const BatchTicket*, bool) {
            return AdmitAnswer{Admission::admitted};
        };
        decided =
            lock_and_decide.run(named_ids,
                                [&](const std::optional<std::string_view>& category) {
                                    return static_cast<int>(std::count_if(
                                        items.begin(), items.end(), [&](const BatchItem& item) {
                                            return !item.ticket_id && item.category == category;
                                        }));
                                },
                                admitted, {});
    } else {
        // A limit or a quota can refuse a request whose ticket is locked already. Decide
        // under the locks in a subtransaction; if any locked ticket would stay unsold (or
        // quota units must be taken), roll the locks back and take again exactly the
        // tickets the requests were granted, so the batch keeps no lock on a ticket it
        // does not sell (the slots are kept: taken before).
        QuotaBudget budget;
        std::vector<Datum> refused;
        // Only a ticket that leaves inventory takes a unit: a lapsed hold keeps its own.
        const AdmitFunction admit = [&](std::string_view customer, const BatchTicket* ticket,
                                        bool take) {
            const bool takes_unit = ticket != nullptr && event.has_quotas() &&
                                    ticket->status == TicketStatus::available;
            if (takes_unit) {
                if (const auto quota = budget.admit(ticket->category, false)) {
                    refused.push_back(*quota);
                    return AdmitAnswer{Admission::limit_reached, Outcome::quota_exhausted};
                }
            }
            const Admission admission = rooms.admit(customer, take);
            if (admission == Admission::admitted && takes_unit) {
                budget.admit(ticket->category, take);
            }
            return AdmitAnswer{admission};
        };
        const SlotFunction slot_held = [&](std::string_view customer) {
            return rooms.admit(customer, false) != Admission::busy;
        };
        const Rooms slots = rooms;
        const auto first_pass = [&] {
            rooms = slots;
            budget = event.has_quotas() ? QuotaBudget::load(event_id) : QuotaBudget{};
            refused.clear();
            return keep_changes_if([&] {
                decided = lock_and_decide.run(
                    named_ids,
                    [&](const std::optional<std::string_view>& category) {
                        return slots.pool_size(items, category);
                    },
                    admit, {}, nullptr, slot_held);
                decided.refused_quotas = refused;
                return decided.unsold_locks == 0 && !event.has_quotas();
            });
        };
        bool exact = first_pass();
        // Units a quota refused may be held by lapsed holds, which claim_ticket and
        // claim_any take back when a quota is short: the batch does too, then decides
        // again. (Not where a waiting list is open: its lapsed holds go to the list,
        // returned at the batch's start.)
        if (!refused.empty() && lapsed_holds_claimable() &&
            budget.give_back_lapsed(event_id, refused, named_array) > 0) {
            exact = first_pass();
        }
        if (!exact) {
            const LockedDecisions granted = decided;
            decided = confirm_with_units(lock_and_decide, granted, items, event);
        }
    }

    // Every ticket the batch hands out under its locks is sold (or, into a cart, held) in
    // one statement each.
    std::vector<TicketSale> sales;
    std::vector<TicketSale> holds;
    std::map<std::int64_t, std::vector<std::int64_t>> cart_items; // cart -> tickets
    for (std::size_t k = 0; k < decided.decisions.size(); ++k) {
        const BatchDecision& decision = decided.decisions[k];
        if (!decision.takes) {
            continue;
        }
        const int i = item_request[k];
        const SeenTicket& ticket = decided.seen.at(decision.ticket_id);
        TicketSale sale{decision.ticket_id, ticket.row_version,
                        make_text(status_name(decision.from)), args.customers[i]};
        if (args.cart_null[i]) {
            sales.push_back(sale);
        } else {
            const CartHold& cart =
                carts.at(std::make_pair(text_view(args.carts[i]), text_view(args.customers[i])))
                    .cart;
            sale.hold_until = cart.expires_at;
            holds.push_back(sale);
            cart_items[cart.cart_id].push_back(decision.ticket_id);
        }
    }
    TimestampTz at = 0;
    if (!sales.empty()) {
        at = sell_locked(event_id, sales).begin()->second.at;
    }
    if (!holds.empty()) {
        at = sell_locked(event_id, holds, true).begin()->second.at;
    }
    for (const auto& [cart_id, ids] : cart_items) {
        add_to_cart(event_id, cart_id, ids.data(), static_cast<int>(ids.size()));
    }
    std::size_t next_refusal = 0;
    for (std::size_t k = 0; k < decided.decisions.size(); ++k) {
        const BatchDecision& decision = decided.decisions[k];
        const int i = item_request[k];
        const auto it = decided.seen.find(decision.ticket_id);
        const bool hold = decision.takes && !args.cart_null[i];
        rows[i] = BatchRow{hold ? Outcome::hold_placed : decision.outcome, decision.ticket_id,
                           it != decided.seen.end() ? it->second.seat : Datum(0), decision.takes,
                           decision.takes ? at : 0};
        if (decision.outcome == Outcome::quota_exhausted &&
            next_refusal < decided.refused_quotas.size()) {
            rows[i].quota = decided.refused_quotas[next_refusal++];
        }
    }
    if (event.has_quotas()) {
        search_past_refusing_quotas(args, event, items, item_request, carts, rows);
    }
    remember_keys(args, replayed, rows);
}

} // namespace

void run_claim_batch(const BatchArgs& args, BatchRow* rows) {
    validate(args);
    in_backend_call("claim_batch()", *args.event_id, [&] {
        settle_batch(args, rows);
        attach_batch_codes(args, rows); // 1.3: the codes of the tickets sold
        return empty_result(Outcome::claimed, *args.event_id);
    });
    for (int i = 0; i < args.count; ++i) {
        count_outcome(*args.event_id, rows[i].outcome);
    }
}

} // namespace ticketing::backend
