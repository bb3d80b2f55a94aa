#include "history_checks.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

namespace loadgen {

namespace {

using Source = Attribution::Source;
using RowIndex = std::map<std::pair<std::uint64_t, std::int64_t>, std::vector<std::size_t>>;

std::string row_text(const AuditRow& row) {
    return "audit row " + std::to_string(row.audit_id) + " (ticket " +
           std::to_string(row.ticket_id) + " " + row.from + " -> " + row.to + " for " +
           row.customer + ", txid " + std::to_string(row.txid) + ")";
}

// The row of `ticket` just before row `before`, if any.
const AuditRow* row_before(const std::vector<AuditRow>& rows,
                           const std::map<std::int64_t, std::vector<std::size_t>>& by_ticket,
                           std::int64_t ticket, std::size_t before) {
    const auto it = by_ticket.find(ticket);
    if (it == by_ticket.end()) {
        return nullptr;
    }
    const auto pos = std::lower_bound(it->second.begin(), it->second.end(), before);
    return pos == it->second.begin() ? nullptr : &rows[*(pos - 1)];
}

// Matches one change with its rows; returns the lowest matched row index (or SIZE_MAX).
std::size_t match_change(const std::vector<AuditRow>& rows, const RowIndex& index,
                         const ChangeEvent& change, Attribution* attribution, Check* check,
                         std::vector<std::int64_t>* unlisted) {
    std::size_t first = std::numeric_limits<std::size_t>::max();
    for (const std::int64_t ticket : change.tickets) {
        const auto it = index.find({change.xid, ticket});
        if (it == index.end()) {
            if (change.may_list_owned) {
                unlisted->push_back(ticket);
            } else {
                check->fail(change.request + " changed ticket " + std::to_string(ticket) + " to " +
                            change.to + " in txid " + std::to_string(change.xid) +
                            ", but no audit row says so");
            }
            continue;
        }
        if (it->second.size() != 1) {
            check->fail(std::to_string(it->second.size()) + " audit rows for ticket " +
                        std::to_string(ticket) + " in txid " + std::to_string(change.xid));
        }
        const std::size_t i = it->second.front();
        const AuditRow& row = rows[i];
        if (row.to != change.to || row.customer != change.customer) {
            check->fail(change.request + " answered a change to " + change.to + " for " +
                        change.customer + ", but " + row_text(row));
        }
        if (attribution->source[i] != Source::None) {
            check->fail(row_text(row) + " is claimed by two answers");
        }
        attribution->source[i] = Source::Change;
        attribution->change[i] = &change;
        first = std::min(first, i);
    }
    return first;
}

} // namespace

std::optional<std::int64_t> Attribution::hold_expires_us(std::size_t row) const {
    return change[row] == nullptr ? std::nullopt : change[row]->hold_expires_us;
}

Check check_attribution(const std::vector<AuditRow>& rows, const ClientLog& log,
                        Attribution* attribution) {
    Check check{"(b) every change a client saw has its audit rows, and every audit row of the "
                "run is a change a client saw or an expire_holds return",
                true,
                {}};
    attribution->source.assign(rows.size(), Source::None);
    attribution->change.assign(rows.size(), nullptr);
    RowIndex index;
    std::map<std::int64_t, std::vector<std::size_t>> by_ticket;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        index[{rows[i].txid, rows[i].ticket_id}].push_back(i);
        by_ticket[rows[i].ticket_id].push_back(i);
    }

    for (const ChangeEvent& change : log.changes) {
        if (change.xid == 0) {
            check.fail(change.request + " answered a change but ran in no transaction");
            continue;
        }
        std::vector<std::int64_t> unlisted;
        const std::size_t first = match_change(rows, index, change, attribution, &check, &unlisted);
        if (unlisted.empty()) {
            continue;
        }
        if (first == std::numeric_limits<std::size_t>::max()) {
            check.fail(change.request + " answered a change but wrote no audit row");
            continue;
        }
        // Tickets of an order without a row must have been the customer's sale already.
        for (const std::int64_t ticket : unlisted) {
            const AuditRow* before = row_before(rows, by_ticket, ticket, first);
            if (before == nullptr || before->to != "sold" || before->customer != change.customer) {
                check.fail(change.request + " lists ticket " + std::to_string(ticket) +
                           " without changing it, but it was not " + change.customer +
                           "'s sale then");
            }
        }
    }

    std::map<std::uint64_t, std::int64_t> expected;
    for (const ExpireCall& call : log.expiries) {
        if (call.xid != 0) {
            expected[call.xid] += call.expired;
        } else if (call.expired != 0) {
            check.fail("expire_holds returned " + std::to_string(call.expired) +
                       " but ran in no transaction");
        }
    }
    std::map<std::uint64_t, std::int64_t> found;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (attribution->source[i] != Source::None) {
            continue;
        }
        const AuditRow& row = rows[i];
        if (expected.count(row.txid) != 0 && row.from == "held" && row.to == "available") {
            attribution->source[i] = Source::Expire;
            ++found[row.txid];
        } else {
            check.fail(row_text(row) + " matches no answer a client saw");
        }
    }
    for (const auto& [xid, count] : expected) {
        if (found[xid] != count) {
            check.fail("expire_holds in txid " + std::to_string(xid) + " returned " +
                       std::to_string(count) + " but wrote " + std::to_string(found[xid]) +
                       " audit rows");
        }
    }
    return check;
}

Check check_final_state(const std::vector<AuditRow>& rows, const Attribution& attribution,
                        const std::map<std::int64_t, TicketState>& taken) {
    Check check{"(c) sold (and held) tickets with their owners == the changes clients saw, "
                "replayed in commit order",
                true,
                {}};
    // The audit rows only give the order; what changed is what the answers said.
    std::map<std::int64_t, TicketState> believed;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const ChangeEvent* change = attribution.change[i];
        if (attribution.source[i] == Source::Expire || (change && change->to == "available")) {
            believed.erase(rows[i].ticket_id);
        } else if (change != nullptr) {
            believed[rows[i].ticket_id] =
                TicketState{change->to, change->customer, change->hold_expires_us};
        }
    }
    auto text = [](const TicketState* state) {
        return state == nullptr ? std::string("available") : state->status + " to " + state->owner;
    };
    std::set<std::int64_t> tickets;
    for (const auto& entry : believed) {
        tickets.insert(entry.first);
    }
    for (const auto& entry : taken) {
        tickets.insert(entry.first);
    }
    for (const std::int64_t ticket : tickets) {
        const auto b = believed.find(ticket);
        const auto d = taken.find(ticket);
        const TicketState* seen = b == believed.end() ? nullptr : &b->second;
        const TicketState* db = d == taken.end() ? nullptr : &d->second;
        if (seen == nullptr || db == nullptr || seen->status != db->status ||
            seen->owner != db->owner) {
            check.fail("ticket " + std::to_string(ticket) + ": the database says " + text(db) +
                       ", the clients' answers say " + text(seen));
        } else if (db->status == "held" && seen->hold_expires_us != db->hold_expires_us) {
            check.fail("ticket " + std::to_string(ticket) + ": held until " +
                       std::to_string(db->hold_expires_us.value_or(0)) +
                       " but the answer said until " +
                       std::to_string(seen->hold_expires_us.value_or(0)));
        }
    }
    return check;
}

Check check_limit_history(const std::vector<AuditRow>& rows, const Attribution& attribution,
                          std::int64_t limit, std::int64_t* peak) {
    Check check{
        "(e) no customer ever exceeded the limit (audit log replayed per customer)", true, {}};
    if (limit <= 0) {
        check.name += " (the event has no limit)";
    }
    *peak = 0;
    std::map<std::int64_t, TicketState> state;
    std::map<std::string, std::set<std::int64_t>> by_owner;
    // The time a change is judged at: the latest transaction start (now()) among the rows
    // committed so far. Each row commits after all of those began, so this is never
    // later than its commit, and holds live at it include every hold live at the commit.
    // A row's own time would step back for a transaction that began long before it
    // committed, and count again holds that lapsed before it.
    std::int64_t judged_at = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const AuditRow& row = rows[i];
        judged_at = std::max(judged_at, row.at_us);
        const auto previous = state.find(row.ticket_id);
        if (previous != state.end()) {
            by_owner[previous->second.owner].erase(row.ticket_id);
            state.erase(previous);
        }
        if (row.to == "available") {
            continue;
        }
        state[row.ticket_id] = TicketState{row.to, row.customer, attribution.hold_expires_us(i)};
        std::set<std::int64_t>& mine = by_owner[row.customer];
        mine.insert(row.ticket_id);
        // Held tickets count while live at judged_at; a hold of unknown expiry counts.
        std::int64_t owned = 0;
        for (const std::int64_t ticket : mine) {
            const TicketState& t = state[ticket];
            owned += t.status == "sold" || !t.hold_expires_us || *t.hold_expires_us > judged_at;
        }
        *peak = std::max(*peak, owned);
        if (limit > 0 && owned > limit) {
            check.fail(row.customer + " had " + std::to_string(owned) +
                       " tickets sold or held after " + row_text(row) + "; the limit is " +
                       std::to_string(limit));
        }
    }
    return check;
}

} // namespace loadgen
