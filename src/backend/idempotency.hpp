// Idempotency keys, scoped per (event, customer): the same key means the same thing
// wherever the event lives (one node, or the shard that owns it). The key row is
// inserted before the request runs and carries its result, all in the caller's transaction: a
// rolled-back request leaves no key, a committed one answers every retry with the original result.
// A second request with the same key waits on the first's insert (unique index), then finds the
// committed row.
#pragma once

#include "call_types.hpp"

namespace ticketing::backend {

// Seconds a key is remembered: the ticketing.idempotency_retention setting.
extern int idempotency_retention_seconds;
void define_idempotency_settings();

enum class KeyState {
    fresh,  // the key is ours now: run the request, then remember_result or forget_key
    replay, // the key answered before: `stored` holds the original result
};

// Throws DomainError(key_reused) when the key was used with another fingerprint.
KeyState claim_key(Datum customer, Datum key, std::int64_t event_id, const std::string& fingerprint,
                   CallResult* stored);

void remember_result(std::int64_t event_id, Datum customer, Datum key, const CallResult& result);
void forget_key(std::int64_t event_id, Datum customer, Datum key);

// claim_key + run + remember/forget, for calls that have an optional key.
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
        remember_result(event_id, args.customer_datum, args.idempotency_key_datum, result);
    } else {
        forget_key(event_id, args.customer_datum, args.idempotency_key_datum);
    }
    return result;
}

} // namespace ticketing::backend
