#include "mixed_log.h"

namespace loadgen {

void RetryCounts::merge(const RetryCounts& other) {
    immediate += other.immediate;
    later += other.later;
    replayed += other.replayed;
    ran_anew += other.ran_anew;
}

void ClientLog::merge(const ClientLog& other) {
    for (std::size_t i = 0; i < kCallKindCount; ++i) {
        calls[i].merge(other.calls[i]);
        rolled_back[i].merge(other.rolled_back[i]);
    }
    replays.merge(other.replays);
    retries.merge(other.retries);
    changes.insert(changes.end(), other.changes.begin(), other.changes.end());
    expiries.insert(expiries.end(), other.expiries.begin(), other.expiries.end());
    rolled_back_xids.insert(rolled_back_xids.end(), other.rolled_back_xids.begin(),
                            other.rolled_back_xids.end());
    anomalies.merge(other.anomalies);
    retry_mismatches.merge(other.retry_mismatches);
    rollback_traces.merge(other.rollback_traces);
    failures.merge(other.failures);
}

} // namespace loadgen
