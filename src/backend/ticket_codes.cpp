#include <map>
#include <optional>
#include <vector>

#include "ticket_codes.hpp"

#include "call_frame.hpp"
#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "ticket_store.hpp"

#include "../core/domain_error.hpp"
#include "../core/hmac_sha256.hpp"
#include "../core/validation.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/inval.h"
#include "utils/snapmgr.h"
}

namespace ticketing::backend {

namespace {

constexpr std::size_t new_secret_bytes = 32; // 256 bits
constexpr std::size_t max_secret_bytes = 1024;

// This backend's copy of the secret, forgotten when ticketing.code_secret changes.
struct SecretCache {
    bool valid;
    Oid relid;
    std::size_t length;
    std::uint8_t key[max_secret_bytes];
};
SecretCache secret{};
// The MACs' HMAC under the secret: its key blocks hashed once per secret, not per code.
// Emptied when the secret is read again; require_secret makes it from the copy (outside
// pg_call, since making it may throw).
std::optional<HmacSha256> secret_hmac;

void forget_secret(Datum, Oid relid) {
    if (relid == InvalidOid || relid == secret.relid) {
        secret.valid = false;
    }
}

// Whether secret `a` (created at `a_at`) comes before `b`: the oldest one is used, and
// among equally old ones the smallest, so every backend picks the same.
bool comes_first(TimestampTz a_at, const bytea* a, TimestampTz b_at, const bytea* b) {
    if (a_at != b_at) {
        return a_at < b_at;
    }
    const std::size_t a_length = VARSIZE_ANY_EXHDR(a);
    const std::size_t b_length = VARSIZE_ANY_EXHDR(b);
    const int order = std::memcmp(VARDATA_ANY(a), VARDATA_ANY(b), std::min(a_length, b_length));
    return order != 0 ? order < 0 : a_length < b_length;
}

// Reads the secret the calls use (the oldest row) with the newest snapshot, so that a
// transaction whose snapshot predates a rotation never caches the old secret. False when
// the table holds none. Inside pg_call, with the table locked.
bool load_secret(Oid relid) {
    Relation relation = table_open(relid, NoLock);
    const AttrNumber secret_column = get_attnum(relid, "secret");
    const AttrNumber created_column = get_attnum(relid, "created_at");
    Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
    TableScanDesc scan = table_beginscan(relation, snapshot, 0, nullptr);
    TupleTableSlot* slot = table_slot_create(relation, nullptr);
    bytea* chosen = nullptr;
    TimestampTz chosen_at = 0;
    while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
        CHECK_FOR_INTERRUPTS();
        slot_getallattrs(slot);
        if (slot->tts_isnull[secret_column - 1] || slot->tts_isnull[created_column - 1]) {
            continue;
        }
        bytea* value = DatumGetByteaPCopy(slot->tts_values[secret_column - 1]);
        const TimestampTz created = DatumGetTimestampTz(slot->tts_values[created_column - 1]);
        if (chosen == nullptr || comes_first(created, value, chosen_at, chosen)) {
            chosen = value;
            chosen_at = created;
        }
    }
    ExecDropSingleTupleTableSlot(slot);
    table_endscan(scan);
    UnregisterSnapshot(snapshot);
    table_close(relation, NoLock);
    if (chosen == nullptr) {
        return false;
    }
    const std::size_t length = VARSIZE_ANY_EXHDR(chosen);
    if (length == 0 || length > max_secret_bytes) {
        ereport(ERROR,
                (errcode(MAKE_SQLSTATE('T', 'K', '0', '0', '2')),
                 errmsg("ticketing: the secret in ticketing.code_secret is %zu bytes long", length),
                 errhint("Make a new one: SELECT ticketing.rotate_code_secret();")));
    }
    std::memcpy(secret.key, VARDATA_ANY(chosen), length);
    secret.length = length;
    secret.relid = relid;
    secret.valid = true;
    secret_hmac.reset();
    return true;
}

// Makes sure this backend holds the current secret: locks ticketing.code_secret (which
// delivers news of a rotation) and reads it again if it changed.
void require_secret() {
    bool present = true;
    pg_call([&] {
        lock_table(OwnTable::code_secret);
        const Oid relid = locked_table_relid(OwnTable::code_secret);
        if (!secret.valid || secret.relid != relid) {
            present = load_secret(relid);
        }
    });
    if (!present) {
        throw DomainError(ErrorKind::table_altered,
                          "ticketing: ticketing.code_secret holds no secret",
                          "Make one (every ticket then has a new code): SELECT "
                          "ticketing.rotate_code_secret(); as a superuser.");
    }
    if (!secret_hmac) {
        secret_hmac.emplace(secret.key, secret.length);
    }
}

// HMAC-SHA256 of `message` under the secret, truncated to the code's 128 bits. After
// require_secret().
CodeMac mac_of(const std::string& message) {
    const Sha256Digest digest = secret_hmac->mac(message);
    CodeMac mac{};
    std::memcpy(mac.data(), digest.data(), mac.size());
    return mac;
}

CodeMac sale_mac(std::int64_t event_id, std::int64_t ticket_id, std::string_view owner,
                 TimestampTz sold_at) {
    return mac_of(mac_message(event_id, ticket_id, owner, sold_at));
}

// code_for once the secret is loaded. The text is made in the call's memory context: it
// is part of the answer, which outlives the call's SPI connection.
Datum make_code(std::int64_t event_id, std::int64_t ticket_id, std::string_view owner,
                TimestampTz sold_at) {
    const std::string code =
        encode_code(CodeFields{event_id, ticket_id, sale_mac(event_id, ticket_id, owner, sold_at)});
    return text_for_call(code);
}

struct SoldTo {
    Datum owner; // text
    TimestampTz at;
};

// Owner and sale time of those of `ids` that are sold (a statement: the caller's view,
// its own changes included).
std::map<std::int64_t, SoldTo> read_sold(std::int64_t event_id,
                                         const std::vector<std::int64_t>& ids) {
    Datum args[] = {Int64GetDatum(event_id), int8_array(ids.data(), static_cast<int>(ids.size()))};
    const std::uint64_t count = run_plan(PlanId::sold_tickets_of, args, nullptr);
    std::map<std::int64_t, SoldTo> sold;
    pg_call([&] {
        for (std::uint64_t i = 0; i < count; ++i) {
            HeapTuple tuple = SPI_tuptable->vals[i];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool owner_null = false;
            bool is_null = false;
            const std::int64_t id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
            const Datum owner = SPI_getbinval(tuple, desc, 2, &owner_null);
            if (owner_null) {
                continue;
            }
            sold[id] = SoldTo{SPI_datumTransfer(owner, false, -1),
                              DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &is_null))};
        }
    });
    return sold;
}

} // namespace

void register_code_secret_reset() {
    CacheRegisterRelcacheCallback(forget_secret, 0);
}

bool codes_in_schema() {
    return core_layout().tickets.has_check_in();
}

Datum code_for(std::int64_t event_id, std::int64_t ticket_id, std::string_view owner,
               TimestampTz sold_at) {
    require_secret();
    return make_code(event_id, ticket_id, owner, sold_at);
}

CodeMatch match_code(const CodeFields& fields, const CodedTicket& ticket) {
    require_secret();
    if (ticket.owner != 0 &&
        same_mac(fields.mac, sale_mac(fields.event_id, fields.ticket_id, text_view(ticket.owner),
                                      ticket.updated_at))) {
        return CodeMatch::current;
    }
    // An earlier sale or transfer of the ticket, as its audit trail records it (an audit
    // row into sold carries the buyer and the sale's time).
    Datum args[] = {Int64GetDatum(fields.event_id), Int64GetDatum(fields.ticket_id)};
    const std::uint64_t count = run_plan(PlanId::past_sales, args, nullptr);
    std::vector<std::pair<Datum, TimestampTz>> sales;
    sales.reserve(count);
    pg_call([&] {
        for (std::uint64_t i = 0; i < count; ++i) {
            bool is_null = false;
            const Datum customer =
                SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &is_null);
            const TimestampTz at = DatumGetTimestampTz(
                SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &is_null));
            sales.emplace_back(SPI_datumTransfer(customer, false, -1), at);
        }
    });
    for (const auto& [customer, at] : sales) {
        check_for_interrupts();
        if (same_mac(fields.mac,
                     sale_mac(fields.event_id, fields.ticket_id, text_view(customer), at))) {
            return CodeMatch::past;
        }
    }
    return CodeMatch::none;
}

void attach_ticket_code(CallResult& result, std::int64_t ticket_id, Datum customer) {
    if (!codes_in_schema() || !gives_sold_tickets(result.outcome) || !result.has_at) {
        return;
    }
    result.has_codes = true;
    result.codes[0] = code_for(result.event_id, ticket_id, text_view(customer), result.at);
}

void attach_order_codes(CallResult& result, Datum customer, bool sold_now) {
    if (!codes_in_schema() || !gives_sold_tickets(result.outcome) || result.count == 0) {
        return;
    }
    require_secret();
    result.has_codes = true;
    const std::string_view buyer = text_view(customer);
    if (sold_now && result.outcome == Outcome::claimed && result.has_at) {
        for (int i = 0; i < result.count; ++i) {
            result.codes[i] = make_code(result.event_id, result.ticket_ids[i], buyer, result.at);
        }
        return;
    }
    const std::vector<std::int64_t> ids(result.ticket_ids, result.ticket_ids + result.count);
    const auto sold = read_sold(result.event_id, ids);
    for (int i = 0; i < result.count; ++i) {
        const auto it = sold.find(result.ticket_ids[i]);
        result.codes[i] =
            it != sold.end() && text_view(it->second.owner) == buyer
                ? make_code(result.event_id, result.ticket_ids[i], buyer, it->second.at)
                : Datum(0);
    }
}

void attach_batch_codes(const BatchArgs& args, BatchRow* rows) {
    if (!codes_in_schema()) {
        return;
    }
    const std::int64_t event_id = *args.event_id;
    std::vector<std::int64_t> unknown_times; // tickets whose sale time must be read
    bool any = false;
    for (int i = 0; i < args.count; ++i) {
        if (gives_sold_tickets(rows[i].outcome) && rows[i].ticket_id != 0) {
            any = true;
            if (rows[i].outcome != Outcome::claimed || !rows[i].has_at) {
                unknown_times.push_back(rows[i].ticket_id);
            }
        }
    }
    if (!any) {
        return;
    }
    require_secret();
    const auto sold = unknown_times.empty() ? std::map<std::int64_t, SoldTo>{}
                                            : read_sold(event_id, unknown_times);
    for (int i = 0; i < args.count; ++i) {
        check_for_interrupts();
        BatchRow& row = rows[i];
        if (!gives_sold_tickets(row.outcome) || row.ticket_id == 0) {
            continue;
        }
        const std::string_view buyer = text_view(args.customers[i]);
        if (row.outcome == Outcome::claimed && row.has_at) {
            row.code = make_code(event_id, row.ticket_id, buyer, row.at);
            continue;
        }
        const auto it = sold.find(row.ticket_id);
        if (it != sold.end() && text_view(it->second.owner) == buyer) {
            row.code = make_code(event_id, row.ticket_id, buyer, it->second.at);
        }
    }
}

std::vector<OwnedCode> run_ticket_codes(const CallArgs& args) {
    require_id("event_id", args.event_id);
    require_customer(args.customer);
    std::vector<OwnedCode> codes;
    // A read: no lock on the tickets beyond the statement's own, so it also answers on a
    // hot standby.
    const CallFrame outer = begin_call_frame();
    std::exception_ptr failure;
    try {
        require_secret();
        Datum statement_args[] = {Int64GetDatum(*args.event_id), args.customer_datum};
        const std::uint64_t count = run_plan(PlanId::owned_sold, statement_args, nullptr);
        std::vector<std::pair<std::int64_t, TimestampTz>> sold;
        std::vector<Datum> seats;
        pg_call([&] {
            for (std::uint64_t i = 0; i < count; ++i) {
                HeapTuple tuple = SPI_tuptable->vals[i];
                TupleDesc desc = SPI_tuptable->tupdesc;
                bool is_null = false;
                sold.emplace_back(DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null)),
                                  DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &is_null)));
                seats.push_back(
                    SPI_datumTransfer(SPI_getbinval(tuple, desc, 2, &is_null), false, -1));
            }
        });
        codes.reserve(sold.size());
        for (std::size_t i = 0; i < sold.size(); ++i) {
            check_for_interrupts();
            codes.push_back(OwnedCode{
                sold[i].first, seats[i],
                make_code(*args.event_id, sold[i].first, *args.customer, sold[i].second)});
        }
        end_call_frame(outer);
        return codes;
    } catch (...) {
        failure = std::current_exception();
    }
    abandon_call_frame(outer);
    std::rethrow_exception(failure);
}

void code_secret_changed(Oid relid) {
    pg_call([&] { CacheInvalidateRelcacheByRelid(relid); });
    secret.valid = false;
}

TimestampTz run_rotate_code_secret() {
    pg_call([] {
        if (!superuser()) {
            ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                            errmsg("only a superuser may rotate the secret of ticket codes"),
                            errhint("Every code made before the rotation stops working.")));
        }
        PreventCommandIfReadOnly("rotate_code_secret()");
    });
    const CallFrame outer = begin_call_frame();
    std::exception_ptr failure;
    try {
        std::uint8_t random_bytes[new_secret_bytes];
        Datum new_secret = 0;
        pg_call([&] {
            // The strongest lock first (two rotations must not both hold a weaker one and
            // wait to upgrade): calls that compute codes hold ACCESS SHARE until they end,
            // so none returns a code under the secret this replaces.
            RangeVar* name =
                makeRangeVar(const_cast<char*>("ticketing"), const_cast<char*>("code_secret"), -1);
            (void)RangeVarGetRelid(name, AccessExclusiveLock, false);
            lock_table(OwnTable::code_secret);
            if (!pg_strong_random(random_bytes, sizeof random_bytes)) {
                ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                errmsg("ticketing: could not generate a random secret")));
            }
            bytea* value = static_cast<bytea*>(palloc(VARHDRSZ + sizeof random_bytes));
            SET_VARSIZE(value, VARHDRSZ + sizeof random_bytes);
            std::memcpy(VARDATA(value), random_bytes, sizeof random_bytes);
            new_secret = PointerGetDatum(value);
        });
        run_plan(PlanId::delete_secrets, nullptr, nullptr);
        Datum args[] = {new_secret};
        run_plan(PlanId::insert_secret, args, nullptr);
        const TimestampTz created = first_timestamp();
        // The table's trigger (code_secret_changed) makes every backend read it again.
        pg_call([&] { explicit_bzero(random_bytes, sizeof random_bytes); });
        secret.valid = false;
        end_call_frame(outer);
        return created;
    } catch (...) {
        failure = std::current_exception();
    }
    abandon_call_frame(outer);
    std::rethrow_exception(failure);
}

} // namespace ticketing::backend
