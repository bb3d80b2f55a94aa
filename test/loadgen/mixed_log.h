// What one mixed-mode client saw; written only by its own thread, merged after the run.
#pragma once

#include "mixed_request.h"
#include "problems.h"
#include "stats.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

// A committed change a client was told about: the answer's tickets went to `to`
// ("sold", "held" or "available") for `customer`, in transaction `xid`.
struct ChangeEvent {
    std::uint64_t xid = 0;
    std::string customer;
    CallKind kind = CallKind::ClaimTicket;
    std::string to;
    std::vector<std::int64_t> tickets;
    std::optional<std::int64_t> hold_expires_us;
    // claim_tickets lists every requested ticket, also those the customer had bought before
    // (they get no audit row).
    bool may_list_owned = false;
    std::string request; // describe(request), for messages
};

// A committed expire_holds call and the count it returned.
struct ExpireCall {
    std::uint64_t xid = 0;
    std::int64_t expired = 0;
};

struct RetryCounts {
    std::uint64_t immediate = 0; // re-sent right after the first answer, same connection
    std::uint64_t later = 0;     // re-sent later, from whichever client picked it up
    std::uint64_t replayed = 0;  // answered exactly as the first time
    std::uint64_t ran_anew = 0;  // no remembered answer yet (rolled back, busy, 55P03): ran
    void merge(const RetryCounts& other);
};

struct ClientLog {
    std::array<CallStats, kCallKindCount> calls;       // every committed call that ran
    std::array<CallStats, kCallKindCount> rolled_back; // calls rolled back on purpose
    CallStats replays;                                 // retries answered from a key
    RetryCounts retries;
    std::vector<ChangeEvent> changes;
    std::vector<ExpireCall> expiries;
    std::vector<std::uint64_t> rolled_back_xids;
    Problems anomalies;        // answers that contradict their own request
    Problems retry_mismatches; // retries whose answer differs from the first one
    Problems rollback_traces;  // retries after a rollback that answered the rolled-back result
    Problems failures;         // BEGIN/ROLLBACK failures, lost connections

    void merge(const ClientLog& other);
};

} // namespace loadgen
