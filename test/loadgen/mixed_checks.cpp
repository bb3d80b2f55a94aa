#include "mixed_checks.h"

#include "audit_trail.h"
#include "check.h"
#include "format.h"
#include "history_checks.h"
#include "queries.h"

#include <map>
#include <set>

namespace loadgen {

namespace {

Check check_limit_now(Connection& conn, const MixedObservation& obs) {
    Check check{"(d) no customer has more than the limit sold or held now", true, {}};
    if (obs.limit <= 0) {
        check.name += " (the event has no limit)";
        return check;
    }
    Result res =
        conn.exec("SELECT owner, count(*) FROM ticketing.tickets "
                  "WHERE event_id = $1::bigint AND owner IS NOT NULL "
                  "  AND (status = 'sold' OR (status = 'held' AND hold_expires_at > now())) "
                  "GROUP BY owner HAVING count(*) > $2::bigint ORDER BY owner",
                  {std::to_string(obs.event_id), std::to_string(obs.limit)});
    if (!res.ok()) {
        check.fail("counting tickets per customer: " + res.error_message());
        return check;
    }
    for (int row = 0; row < res.rows(); ++row) {
        check.fail(res.text(row, 0) + " has " + res.text(row, 1) +
                   " tickets sold or held; the limit is " + std::to_string(obs.limit));
    }
    return check;
}

void add_problems(Check& check, const Problems& problems, const std::string& what) {
    if (problems.count == 0) {
        return;
    }
    check.fail(with_commas(problems.count) + " " + what);
    for (const std::string& example : problems.examples) {
        check.fail(example);
    }
}

// A stored key agrees with the first answer the client got for it.
std::string stored_key_problem(const KeyRecord& record, const StoredKey& stored) {
    const Answer& first = *record.first;
    std::string ids;
    for (std::size_t i = 0; i < first.tickets.size(); ++i) {
        ids += (i == 0 ? "" : ",") + std::to_string(first.tickets[i]);
    }
    const bool order = !record.request.single_ticket();
    if (stored.outcome != first.outcome || (order && stored.ticket_ids != ids) ||
        stored.at_us != first.at_us || stored.hold_expires_us != first.hold_expires_us ||
        stored.remaining != first.remaining) {
        return "key " + record.request.key + " of " + record.request.customer + " stores " +
               stored.outcome + " [" + stored.ticket_ids + "], the first answer was " +
               describe(first);
    }
    return "";
}

Check check_retries(const MixedObservation& obs,
                    const std::map<std::pair<std::string, std::string>, StoredKey>& stored) {
    Check check{"(f) idempotent retries got the first answer again, and idempotency_keys "
                "holds exactly the remembered answers",
                true,
                {}};
    add_problems(check, obs.log.retry_mismatches, "retries answered differently");
    std::set<std::pair<std::string, std::string>> known;
    for (const KeyRecord& record : obs.keys) {
        const std::pair<std::string, std::string> id{record.request.customer, record.request.key};
        known.insert(id);
        const auto it = stored.find(id);
        if (!record.first) {
            if (it != stored.end() && record.rolled_back.empty()) {
                check.fail("key " + id.second + " of " + id.first +
                           " is stored although no answer was remembered (" + it->second.outcome +
                           ")");
            }
            continue; // rolled-back keys: (g)
        }
        if (it == stored.end()) {
            check.fail("key " + id.second + " of " + id.first + " answered " +
                       record.first->outcome + " but is not stored");
            continue;
        }
        const std::string problem = stored_key_problem(record, it->second);
        if (!problem.empty()) {
            check.fail(problem);
        }
    }
    for (const auto& entry : stored) {
        if (known.count(entry.first) == 0) {
            check.fail("key " + entry.first.second + " of " + entry.first.first +
                       " is stored but no client used it");
        }
    }
    return check;
}

Check check_rollbacks(const MixedObservation& obs, const std::vector<AuditRow>& rows,
                      const std::map<std::pair<std::string, std::string>, StoredKey>& stored) {
    Check check{"(g) calls rolled back on purpose left no trace (no audit rows, no key; a "
                "retry ran anew)",
                true,
                {}};
    add_problems(check, obs.log.rollback_traces, "retries replayed a rolled-back answer");
    const std::set<std::uint64_t> undone(obs.log.rolled_back_xids.begin(),
                                         obs.log.rolled_back_xids.end());
    for (const AuditRow& row : rows) {
        if (undone.count(row.txid) != 0) {
            check.fail("audit row " + std::to_string(row.audit_id) +
                       " was written by rolled-back txid " + std::to_string(row.txid));
        }
    }
    for (const KeyRecord& record : obs.keys) {
        if (record.first || record.rolled_back.empty()) {
            continue;
        }
        const auto it = stored.find({record.request.customer, record.request.key});
        if (it != stored.end()) {
            check.fail("key " + record.request.key + " of " + record.request.customer +
                       " was rolled back (and no retry committed an answer to remember) but "
                       "stores " +
                       it->second.outcome);
        }
    }
    return check;
}

Check check_errors(const MixedObservation& obs) {
    Check check{"(h) no unexpected errors (55P03 only from wait => 'nowait'; no deadlock, no "
                "serialization failure)",
                true,
                {}};
    auto add = [&](const CallStats& stats, const std::string& what) {
        for (const auto& [state, count] : stats.errors) {
            const auto example = stats.error_examples.find(state);
            const std::string label = state == "40P01"   ? " (deadlock)"
                                      : state == "40001" ? " (serialization failure)"
                                                         : "";
            check.fail(with_commas(count) + " x " + state + label + " in " + what + ": " +
                       (example == stats.error_examples.end() ? "" : example->second));
        }
    };
    for (const CallKind kind : kAllCallKinds) {
        add(obs.log.calls[kind_index(kind)], call_kind_name(kind));
        add(obs.log.rolled_back[kind_index(kind)],
            std::string(call_kind_name(kind)) + " (rolled back)");
    }
    add(obs.log.replays, "retries");
    add_problems(check, obs.log.failures, "client failures");
    for (const std::string& error : obs.worker_errors) {
        check.fail(error);
    }
    return check;
}

Check check_answers(const MixedObservation& obs) {
    Check check{"(i) every answer fits its request (outcome, tickets, seats, adjacency, "
                "section, hold length)",
                true,
                {}};
    add_problems(check, obs.log.anomalies, "answers contradict their request");
    return check;
}

// Lapsed holds that another customer claimed or held, and holds expire_holds returned.
void count_hold_endings(const std::vector<AuditRow>& rows, const Attribution& attribution,
                        MixedFindings* findings) {
    std::map<std::int64_t, std::string> holder; // ticket -> customer of its latest row
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const AuditRow& row = rows[i];
        const auto previous = holder.find(row.ticket_id);
        if (row.from == "held" && row.to != "available" && previous != holder.end() &&
            previous->second != row.customer) {
            ++findings->holds_taken_over;
        }
        if (attribution.source[i] == Attribution::Source::Expire) {
            ++findings->holds_expired;
        }
        holder[row.ticket_id] = row.customer;
    }
}

} // namespace

bool run_mixed_checks(Connection& conn, const MixedObservation& obs, MixedFindings* findings) {
    std::vector<Check> checks;
    checks.push_back(check_verify(conn, obs.event_id));

    std::string error;
    const auto rows = fetch_audit_rows(conn, obs.event_id, obs.baseline_audit_id, &error);
    const auto taken = rows ? fetch_taken_tickets(conn, obs.event_id, &error) : std::nullopt;
    if (rows && taken) {
        findings->audit_rows = rows->size();
        for (const auto& entry : *taken) {
            ++(entry.second.status == "sold" ? findings->sold : findings->held);
        }
        Attribution attribution;
        checks.push_back(check_attribution(*rows, obs.log, &attribution));
        count_hold_endings(*rows, attribution, findings);
        checks.push_back(check_final_state(*rows, attribution, *taken));
        checks.push_back(check_limit_now(conn, obs));
        checks.push_back(check_limit_history(*rows, attribution, obs.limit, &findings->peak_owned));
    } else {
        checks.push_back(Check{"(b)-(e) read the audit log and tickets", false, {error}});
    }

    const auto stored = fetch_stored_keys(conn, obs.key_prefix, &error);
    if (stored) {
        checks.push_back(check_retries(obs, *stored));
        checks.push_back(check_rollbacks(obs, rows ? *rows : std::vector<AuditRow>{}, *stored));
    } else {
        checks.push_back(Check{"(f)/(g) read idempotency keys", false, {error}});
    }
    checks.push_back(check_errors(obs));
    checks.push_back(check_answers(obs));
    return report_all(checks);
}

} // namespace loadgen
