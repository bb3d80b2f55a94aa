#include "idempotency.hpp"

#include "direct_reads.hpp"
#include "pg_guard.hpp"
#include "schema_shape.hpp"
#include "spi_plans.hpp"
#include "ticket_store.hpp"

extern "C" {
#include "common/hashfn.h"
#include "storage/lock.h"
}

namespace ticketing::backend {

int idempotency_retention_seconds = 24 * 3600;

// Whether a retry is recognised must not be up to the session that retries: on a pooled
// server connection one client's SET would outlive its transaction and decide for the
// next client. So only a superuser (or the configuration file, ALTER SYSTEM, ALTER
// DATABASE/ROLE ... SET by a superuser) sets it, and never to less than a second.
void define_idempotency_settings() {
    DefineCustomIntVariable(
        "ticketing.idempotency_retention", "How long an idempotency key is remembered.",
        "Older keys are treated as unused and removed by ticketing.purge_idempotency_keys().",
        &idempotency_retention_seconds, 24 * 3600, 1, INT_MAX, PGC_SUSET, GUC_UNIT_S, nullptr,
        nullptr, nullptr);
}

namespace {

// Column order of select_key (spi_plans.cpp).
enum KeyColumn {
    key_fingerprint = 1,
    key_outcome,
    key_ticket_ids,
    key_seats,
    key_at,
    key_hold_expires_at,
    key_remaining,
    key_expired
};

struct StoredKey {
    bool fingerprint_matches;
    bool has_outcome;
    bool expired;
};

Outcome outcome_from_name(std::string_view name) {
    for (Outcome outcome : all_outcomes) {
        if (outcome_name(outcome) == name) {
            return outcome;
        }
    }
    throw DomainError(ErrorKind::internal, "an idempotency key stores an unknown outcome");
}

// Reads the locked key row into `stored` (result columns) and returns its flags.
StoredKey read_key_row(const std::string& fingerprint, CallResult* stored) {
    StoredKey key{};
    std::string_view outcome;
    pg_call([&] {
        HeapTuple tuple = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool is_null = false;
        key.fingerprint_matches = same_request(
            text_view(SPI_getbinval(tuple, desc, key_fingerprint, &is_null)), fingerprint);
        key.expired = DatumGetBool(SPI_getbinval(tuple, desc, key_expired, &is_null));
        const Datum outcome_datum = SPI_getbinval(tuple, desc, key_outcome, &is_null);
        key.has_outcome = !is_null;
        if (is_null) {
            return;
        }
        outcome = text_view(outcome_datum);
        const Datum ids = SPI_getbinval(tuple, desc, key_ticket_ids, &is_null);
        stored->count = 0;
        if (!is_null) {
            Datum* elements = nullptr;
            bool* nulls = nullptr;
            int n = 0;
            deconstruct_array(DatumGetArrayTypeP(ids), INT8OID, 8, true, TYPALIGN_DOUBLE, &elements,
                              &nulls, &n);
            Datum seats = SPI_getbinval(tuple, desc, key_seats, &is_null);
            Datum* seat_elements = nullptr;
            bool* seat_nulls = nullptr;
            int seat_count = 0;
            if (!is_null) {
                deconstruct_array(DatumGetArrayTypeP(seats), TEXTOID, -1, false, TYPALIGN_INT,
                                  &seat_elements, &seat_nulls, &seat_count);
            }
            for (int i = 0; i < n && i < max_order_tickets; ++i) {
                stored->ticket_ids[i] = DatumGetInt64(elements[i]);
                stored->seats[i] = i < seat_count && !seat_nulls[i]
                                       ? SPI_datumTransfer(seat_elements[i], false, -1)
                                       : 0;
            }
            stored->count = n < max_order_tickets ? n : max_order_tickets;
        }
        const Datum at = SPI_getbinval(tuple, desc, key_at, &is_null);
        stored->has_at = !is_null;
        stored->at = is_null ? 0 : DatumGetTimestampTz(at);
        const Datum hold = SPI_getbinval(tuple, desc, key_hold_expires_at, &is_null);
        stored->has_hold_expiry = !is_null;
        stored->hold_expires_at = is_null ? 0 : DatumGetTimestampTz(hold);
        const Datum remaining = SPI_getbinval(tuple, desc, key_remaining, &is_null);
        stored->has_remaining = !is_null;
        stored->remaining = is_null ? 0 : DatumGetInt64(remaining);
    });
    if (key.has_outcome) {
        stored->outcome = outcome_from_name(outcome);
    }
    return key;
}

} // namespace

namespace {

// The key statements for the schema's scope of keys (1.2: per event and customer).
PlanId key_plan(PlanId per_event) {
    if (keys_scoped_per_event()) {
        return per_event;
    }
    switch (per_event) {
    case PlanId::select_key:
        return PlanId::select_key_1_1;
    case PlanId::store_key:
        return PlanId::store_key_1_1;
    default:
        return per_event;
    }
}

// The key lock's tag: the database, then 64 bits of a hash of the customer and the key,
// seeded with the event (per-event keys) or not (a 1.1 schema, where a key belongs to the
// customer in every event). Two keys whose hashes collide share a lock: one call waits
// for the other, never a wrong answer.
LOCKTAG key_lock_tag(std::int64_t event_id, std::string_view customer, std::string_view key) {
    const std::uint64_t seed = keys_scoped_per_event() ? static_cast<std::uint64_t>(event_id) : 0;
    const std::uint64_t customer_hash =
        hash_bytes_extended(reinterpret_cast<const unsigned char*>(customer.data()),
                            static_cast<int>(customer.size()), seed);
    const std::uint64_t hash =
        hash_bytes_extended(reinterpret_cast<const unsigned char*>(key.data()),
                            static_cast<int>(key.size()), customer_hash);
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<std::uint32_t>(hash >> 32),
                         static_cast<std::uint32_t>(hash), key_lock_tag_field);
    return tag;
}

// Whether the row select_key returned stands for a remembered answer.
bool read_live_key(const std::string& fingerprint, CallResult* stored, StoredKey* found) {
    *found = read_key_row(fingerprint, stored);
    return !found->expired && found->has_outcome;
}

} // namespace

KeyState claim_key(Datum customer, Datum key, std::int64_t event_id, const std::string& fingerprint,
                   CallResult* stored) {
    pg_call([] { lock_table(OwnTable::idempotency_keys); });
    const LOCKTAG tag = key_lock_tag(event_id, text_view(customer), text_view(key));
    // Until the transaction ends; waits for another transaction holding the same key.
    pg_call([&] { LockAcquire(&tag, ExclusiveLock, false, false); });
    Datum select_args[] = {Int64GetDatum(event_id), customer, key,
                           Float8GetDatum(static_cast<double>(idempotency_retention_seconds))};
    StoredKey found{};
    // Most keys are new (a refusal stores none): one probe of the primary key answers
    // that without the executor; a row it sees is read by the statement.
    const std::optional<bool> exists =
        read_key_exists(keys_scoped_per_event(), event_id, customer, key);
    if ((exists && !*exists) || run_plan(key_plan(PlanId::select_key), select_args, nullptr) == 0 ||
        !read_live_key(fingerprint, stored, &found)) {
        // Under REPEATABLE READ and SERIALIZABLE the read above used the transaction's
        // snapshot: a key stored by a transaction that committed since is a conflict.
        if (IsolationUsesXactSnapshot() &&
            run_plan_latest(key_plan(PlanId::select_key), select_args, nullptr) > 0) {
            CallResult newer{};
            if (read_live_key(fingerprint, &newer, &found)) {
                const std::string shown = quoted(text_view(key));
                pg_call([&] {
                    ereport(ERROR,
                            (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                             errmsg("could not serialize access: idempotency key %s was stored "
                                    "by a transaction that committed after this one began",
                                    shown.c_str()),
                             errhint("Retry the transaction: the retry answers the stored "
                                     "result.")));
                });
            }
        }
        return KeyState::fresh;
    }
    if (!found.fingerprint_matches) {
        throw DomainError(ErrorKind::key_reused,
                          "idempotency key " + quoted(text_view(key)) +
                              " was already used for a different request in event " +
                              std::to_string(event_id),
                          "Use a new key for a new request; reuse a key only to retry the "
                          "identical call.");
    }
    stored->event_id = event_id;
    return KeyState::replay;
}

void remember_result(std::int64_t event_id, Datum customer, Datum key,
                     const std::string& fingerprint, const CallResult& result) {
    Datum ids = 0;
    Datum seats = 0;
    pg_call([&] {
        Datum id_elements[max_order_tickets];
        Datum seat_elements[max_order_tickets];
        bool seat_nulls[max_order_tickets];
        int dims[1] = {result.count};
        int lbs[1] = {1};
        for (int i = 0; i < result.count; ++i) {
            id_elements[i] = Int64GetDatum(result.ticket_ids[i]);
            seat_elements[i] = result.seats[i];
            seat_nulls[i] = result.seats[i] == 0;
        }
        ids = PointerGetDatum(
            construct_array(id_elements, result.count, INT8OID, 8, true, TYPALIGN_DOUBLE));
        seats = PointerGetDatum(construct_md_array(seat_elements, seat_nulls, 1, dims, lbs, TEXTOID,
                                                   -1, false, TYPALIGN_INT));
    });
    const std::string_view outcome = outcome_name(result.outcome);
    Datum args[] = {Int64GetDatum(event_id),
                    customer,
                    key,
                    make_text(fingerprint),
                    make_text(outcome),
                    ids,
                    seats,
                    TimestampTzGetDatum(result.at),
                    TimestampTzGetDatum(result.hold_expires_at),
                    Int64GetDatum(result.remaining),
                    Float8GetDatum(static_cast<double>(idempotency_retention_seconds))};
    const char nulls[] = {' ',
                          ' ',
                          ' ',
                          ' ',
                          ' ',
                          ' ',
                          ' ',
                          result.has_at ? ' ' : 'n',
                          result.has_hold_expiry ? ' ' : 'n',
                          result.has_remaining ? ' ' : 'n',
                          ' '};
    // The key's lock keeps every call of this library away from the row; a row that is
    // not ours to replace was stored by a backend that does not take the lock (a library
    // older than this one, still loaded there): its call came first.
    if (run_plan(key_plan(PlanId::store_key), args, nulls) == 0) {
        const std::string shown = quoted(text_view(key));
        pg_call([&] {
            ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                            errmsg("could not serialize access: idempotency key %s was stored by "
                                   "a concurrent call",
                                   shown.c_str()),
                            errhint("Retry: the retry answers the stored result.")));
        });
    }
}

} // namespace ticketing::backend
