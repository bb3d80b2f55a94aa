// The rules of the live availability feed, without PostgreSQL: which audit rows a reader
// may be given (the stable bound), which events a transaction changed (kept per
// subtransaction, so a rolled-back savepoint announces nothing), the channel and payload
// of a notification, and the arguments of changes_since.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ticketing {

// changes_since answers at most this many rows per call (max_rows), 1000 by default.
inline constexpr std::int64_t max_changes_rows = 10000;
inline constexpr std::int64_t default_changes_rows = 1000;

struct ChangesRequest {
    std::optional<std::int64_t> event_id;
    std::optional<std::int64_t> after_audit_id;
    std::optional<std::int64_t> max_rows;
    std::optional<std::int64_t> settled_through;
};

struct ValidChangesRequest {
    std::int64_t event_id;
    std::int64_t after_audit_id;
    std::int64_t max_rows;
    // Ids up to here are known settled by the caller (a through_audit_id of feed_snapshot,
    // or an id changes_since handed out): rows up to it are handed out whatever the bound.
    std::int64_t settled_through;
};

// NULLs are null_value errors; a non-positive event, a negative after_audit_id or
// settled_through, or a max_rows outside 1..max_changes_rows are invalid_parameter errors.
ValidChangesRequest validate_changes_request(const ChangesRequest& request);

// The first audit id that is not settled. Audit ids come from one sequence, but rows are
// committed in commit order, not id order. A writer publishes, before it draws its first
// id, a floor: the sequence's value at that moment (every id it draws is larger). A reader
// reads the sequence (`sequence_last`) and then the floors of the writers still running:
// every id below the result that will ever be committed is already committed, so rows
// below it can be handed out in id order and nothing later can slip in behind them.
// `lowest_running_floor` is the smallest floor still held, if any.
std::int64_t first_unsettled_id(std::int64_t sequence_last,
                                std::optional<std::int64_t> lowest_running_floor);

// The bound a read uses: past what the caller already knows to be settled, if further.
std::int64_t read_bound(std::int64_t first_unsettled, std::int64_t settled_through);

// The events one transaction changed and the highest audit id it wrote in each,
// remembered per subtransaction nesting level (1 = the top level).
class TransactionChanges {
  public:
    void record(std::int64_t event_id, std::int64_t audit_id, int nest_level);
    // RELEASE SAVEPOINT: what `nest_level` recorded now belongs to its parent.
    void commit_subtransaction(int nest_level);
    // ROLLBACK TO SAVEPOINT: what `nest_level` (and deeper) recorded never happened.
    void abort_subtransaction(int nest_level);
    // The events changed and the highest audit id of each, one entry per event, sorted.
    std::vector<std::pair<std::int64_t, std::int64_t>> changed_events() const;
    bool empty() const { return entries_.empty(); }
    void clear() { entries_.clear(); }
    // Calls visit(event_id, highest_audit_id) for each event of the top level (after every
    // subtransaction ended: the commit). Allocates nothing: fit for a commit callback.
    template <typename Visit>
    void visit_top_level(Visit&& visit) const {
        for (const Entry& entry : entries_) {
            if (entry.nest_level <= 1) {
                visit(entry.event_id, entry.highest_audit_id);
            }
        }
    }

  private:
    struct Entry {
        std::int64_t event_id;
        std::int64_t highest_audit_id;
        int nest_level;
    };
    std::vector<Entry> entries_; // one per (event, level); a transaction changes few events
};

// LISTEN ticketing_feed_<event_id>: one channel per event. A name PostgreSQL accepts
// without quotes.
std::string feed_channel(std::int64_t event_id);
// The channel told when the notifier lost track of which events changed (its table of
// pending events was full): every event may have changed.
inline constexpr const char* feed_resync_channel = "ticketing_feed";
// {"event_id":42,"audit_id":1017}: the highest audit id of the event among the
// transactions committed when the notification was sent.
std::string feed_payload(std::int64_t event_id, std::int64_t audit_id);

} // namespace ticketing
