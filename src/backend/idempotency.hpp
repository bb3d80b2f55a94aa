// Idempotency keys, scoped per (event, customer): the same key means the same thing
// wherever the event lives (one node, or the shard that owns it).
//
// What a key remembers: the answer of a call that changed tickets (claimed, released,
// hold_placed), stored in the call's transaction with the change. A retry finds it and
// gets that answer, whatever happened since; a rolled-back call leaves nothing. An answer
// that changed nothing (already_sold, held, busy, not_found, sold_out, limit_reached,
// ...) is not remembered: a retry runs again, and may succeed where the first try did
// not. So a refusal under a key writes nothing at all (no row, no WAL, no transaction id).
//
// How same-key calls meet: a call with a key first takes the key's lock, a heavyweight
// lock on a hash of (event, customer, key) held until its transaction ends (an advisory
// lock tag of the extension's own, field key_lock_tag_field), then reads the key row. A
// second call with the same key waits for the first to commit or roll back (honouring
// lock_timeout and the deadlock detector), then reads what it left. Under REPEATABLE
// READ or SERIALIZABLE a key stored by a transaction that committed after this one began
// raises 40001, as a write of the same row would. (A single-ticket claim or hold under
// READ COMMITTED may answer a refusal before all this, when one snapshot shows the
// ticket refused and no key: refuse_before_key in single_ticket_calls.cpp.)
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

// Seconds a key is remembered: the ticketing.idempotency_retention setting.
extern int idempotency_retention_seconds;
void define_idempotency_settings();

enum class KeyState {
    fresh,  // the key is ours now: run the request, then remember_result if it changed tickets
    replay, // the key answered before: `stored` holds the original result
};

// Takes the key's lock and reads the key. Throws DomainError(key_reused) when the key
// was used with another fingerprint.
KeyState claim_key(Datum customer, Datum key, std::int64_t event_id, const std::string& fingerprint,
                   CallResult* stored);

// Stores the key with its request's fingerprint and result, under the lock claim_key
// took; only for outcomes remembered_by_idempotency_key.
void remember_result(std::int64_t event_id, Datum customer, Datum key,
                     const std::string& fingerprint, const CallResult& result);

// The lock tag's fourth field: the SQL advisory-lock functions use 1 and 2, customer
// slots slot_lock_tag_field (customer_limits.hpp).
inline constexpr std::uint16_t key_lock_tag_field = 0x4B59; // "KY"

// claim_key + run + remember, for calls that have an optional key.
template <typename Run>
CallResult with_idempotency(const CallArgs& args, std::int64_t event_id,
                            const std::string& fingerprint, Run&& run) {
    if (!args.idempotency_key) {
        return run();
    }
    CallResult result{};
    if (claim_key(args.customer_datum, args.idempotency_key_datum, event_id, fingerprint,
                  &result) == KeyState::replay) {
        return result;
    }
    result = run();
    if (remembered_by_idempotency_key(result.outcome)) {
        remember_result(event_id, args.customer_datum, args.idempotency_key_datum, fingerprint,
                        result);
    }
    return result;
}

} // namespace ticketing::backend
