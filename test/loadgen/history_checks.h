// Checks that put the changes clients saw in commit order through the audit log: each
// answer is matched with its audit rows by transaction id and ticket, which also orders
// answers that arrived in another order than they committed.
#pragma once

#include "audit_trail.h"
#include "check.h"
#include "mixed_log.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

// Per audit row (same index as the rows): the answer that explains it.
struct Attribution {
    enum class Source { None, Change, Expire };
    std::vector<Source> source;
    std::vector<const ChangeEvent*> change; // for Source::Change

    std::optional<std::int64_t> hold_expires_us(std::size_t row) const;
};

// Every change a client saw has its audit rows (same transaction, ticket, new status and
// customer), and every audit row of the run is such a change or an expire_holds return.
Check check_attribution(const std::vector<AuditRow>& rows, const ClientLog& log,
                        Attribution* attribution);

// The tickets the database says are sold or held, with owner and expiry, are exactly what
// the clients' changes leave when replayed in commit order.
Check check_final_state(const std::vector<AuditRow>& rows, const Attribution& attribution,
                        const std::map<std::int64_t, TicketState>& taken);

// Replaying the audit log, no customer ever had more than `limit` tickets sold or held
// (holds counted while live at the time of each acquisition). Sets *peak to the most any
// customer had.
Check check_limit_history(const std::vector<AuditRow>& rows, const Attribution& attribution,
                          std::int64_t limit, std::int64_t* peak);

} // namespace loadgen
