#include "stress_checks.h"

#include "check.h"
#include "format.h"
#include "queries.h"

namespace loadgen {

namespace {

std::string str(std::int64_t v) {
    return with_commas(v);
}
std::string str(std::uint64_t v) {
    return with_commas(v);
}

std::optional<OwnedSet> fetch_sold(Connection& conn, std::int64_t event_id, std::string* error) {
    Result res = conn.exec("SELECT ticket_id, owner FROM ticketing.tickets "
                           "WHERE event_id = $1::bigint AND status = 'sold'",
                           {std::to_string(event_id)});
    if (!res.ok()) {
        *error = "reading sold tickets: " + res.error_message();
        return std::nullopt;
    }
    OwnedSet sold;
    for (int row = 0; row < res.rows(); ++row) {
        sold.emplace(res.int64(row, 0), res.is_null(row, 1) ? "(null)" : res.text(row, 1));
    }
    return sold;
}

Check check_sold_count(Connection& conn, const StressObservation& obs, const OwnedSet& sold) {
    Check check{"(b) claimed - released == sold tickets", true, {}};
    const std::uint64_t claimed = obs.claims.outcome("claimed");
    const std::uint64_t released = obs.releases.outcome("released");
    const auto expected = static_cast<std::int64_t>(claimed) - static_cast<std::int64_t>(released);
    const auto actual = static_cast<std::int64_t>(sold.size());
    if (expected != actual) {
        check.fail("claimed " + str(claimed) + " - released " + str(released) + " = " +
                   str(expected) + ", but " + str(actual) + " tickets are sold");
    }
    std::string error;
    const auto summary = fetch_summary(conn, obs.event_id, &error);
    if (!summary) {
        check.fail(error);
    } else if (summary->sold != actual) {
        check.fail("event_summary says " + str(summary->sold) + " sold, tickets table has " +
                   str(actual));
    }
    return check;
}

Check check_audit_counts(Connection& conn, const StressObservation& obs) {
    Check check{"(c) audit rows match claimed/released outcomes", true, {}};
    std::string error;
    const auto now = fetch_audit_counts(conn, obs.event_id, &error);
    if (!now) {
        check.fail(error);
        return check;
    }
    const std::int64_t sales = now->sales - obs.baseline.sales;
    const std::int64_t releases = now->releases - obs.baseline.releases;
    const auto claimed = static_cast<std::int64_t>(obs.claims.outcome("claimed"));
    const auto released = static_cast<std::int64_t>(obs.releases.outcome("released"));
    if (sales != claimed) {
        check.fail(str(sales) + " audit rows to 'sold' but " + str(claimed) + " claimed outcomes");
    }
    if (releases != released) {
        check.fail(str(releases) + " audit rows back to 'available' but " + str(released) +
                   " released outcomes");
    }
    return check;
}

Check check_owners(const StressObservation& obs, const OwnedSet& sold) {
    Check check{"(d) sold (ticket, owner) pairs == what clients believe they own", true, {}};
    for (const auto& [ticket, owner] : sold) {
        if (obs.believed_owned.count({ticket, owner}) == 0) {
            check.fail("ticket " + std::to_string(ticket) + " is sold to " + owner +
                       ", but no client believes it owns it");
        }
    }
    for (const auto& [ticket, owner] : obs.believed_owned) {
        if (sold.count({ticket, owner}) == 0) {
            check.fail(owner + " believes it owns ticket " + std::to_string(ticket) +
                       ", but the database disagrees");
        }
    }
    return check;
}

// Per ticket, in audit order: +1 per sale, -1 per return to 'available'. The running balance
// must stay in {0, 1} (never two sales without a release between) and end at 1 iff sold.
constexpr const char* kSaleBalanceSql = R"SQL(
WITH moves AS (
    SELECT ticket_id, audit_id,
           CASE WHEN to_status = 'sold' THEN 1
                WHEN to_status = 'available' AND from_status IS NOT NULL THEN -1
                ELSE 0 END AS delta
    FROM ticketing.audit_log
    WHERE event_id = $1::bigint
),
running AS (
    SELECT ticket_id,
           sum(delta) OVER (PARTITION BY ticket_id ORDER BY audit_id) AS balance,
           sum(delta) OVER (PARTITION BY ticket_id) AS final_balance,
           sum(delta) FILTER (WHERE delta = 1) OVER (PARTITION BY ticket_id) AS sales
    FROM moves
),
per_ticket AS (
    SELECT ticket_id, min(balance) AS low, max(balance) AS high,
           max(final_balance) AS final_balance, coalesce(max(sales), 0) AS sales
    FROM running
    GROUP BY ticket_id
)
SELECT coalesce(t.ticket_id, p.ticket_id), coalesce(p.low, 0), coalesce(p.high, 0),
       coalesce(p.final_balance, 0), coalesce(p.sales, 0), t.status
FROM per_ticket p
FULL JOIN (SELECT ticket_id, status FROM ticketing.tickets WHERE event_id = $1::bigint) t
    USING (ticket_id)
WHERE coalesce(p.low, 0) < 0 OR coalesce(p.high, 0) > 1
   OR (coalesce(p.final_balance, 0) = 1) IS DISTINCT FROM (t.status = 'sold')
ORDER BY 1
LIMIT 20
)SQL";

Check check_sale_balance(Connection& conn, const StressObservation& obs) {
    Check check{"(e) per ticket, sales - releases stays in {0,1} and is 1 iff sold", true, {}};
    Result res = conn.exec(kSaleBalanceSql, {std::to_string(obs.event_id)});
    if (!res.ok()) {
        check.fail("audit balance query: " + res.error_message());
        return check;
    }
    for (int row = 0; row < res.rows(); ++row) {
        const std::string status = res.is_null(row, 5) ? "missing" : res.text(row, 5);
        check.fail("ticket " + res.text(row, 0) + ": balance ranged " + res.text(row, 1) + ".." +
                   res.text(row, 2) + ", ends at " + res.text(row, 3) + " after " +
                   res.text(row, 4) + " sales, status " + status);
    }
    return check;
}

Check check_errors(const StressObservation& obs) {
    Check check{"(f) no unexpected errors (only 55P03 allowed)", true, {}};
    for (const CallStats* stats : {&obs.claims, &obs.releases}) {
        for (const auto& [state, count] : stats->errors) {
            const auto example = stats->error_examples.find(state);
            check.fail(str(count) + " x " + state + ": " +
                       (example == stats->error_examples.end() ? "" : example->second));
        }
    }
    for (const std::string& error : obs.worker_errors) {
        check.fail(error);
    }
    return check;
}

Check check_anomalies(const StressObservation& obs) {
    Check check{"(g) every outcome agrees with the client's own view", true, {}};
    if (obs.anomalies > 0) {
        check.fail(str(obs.anomalies) + " contradictory outcomes");
        for (const std::string& example : obs.anomaly_examples) {
            check.fail(example);
        }
    }
    return check;
}

} // namespace

std::optional<AuditCounts> fetch_audit_counts(Connection& conn, std::int64_t event_id,
                                              std::string* error) {
    Result res = conn.exec(
        "SELECT count(*) FILTER (WHERE to_status = 'sold'), "
        "       count(*) FILTER (WHERE to_status = 'available' AND from_status IS NOT NULL) "
        "FROM ticketing.audit_log WHERE event_id = $1::bigint",
        {std::to_string(event_id)});
    if (!res.ok() || res.rows() != 1) {
        *error = "reading audit_log: " + res.error_message();
        return std::nullopt;
    }
    return AuditCounts{res.int64(0, 0), res.int64(0, 1)};
}

bool run_stress_checks(Connection& conn, const StressObservation& obs) {
    std::vector<Check> checks;
    checks.push_back(check_verify(conn, obs.event_id));

    std::string error;
    const auto sold = fetch_sold(conn, obs.event_id, &error);
    if (sold) {
        checks.push_back(check_sold_count(conn, obs, *sold));
    } else {
        checks.push_back(Check{"(b)/(d) read sold tickets", false, {error}});
    }
    checks.push_back(check_audit_counts(conn, obs));
    if (sold) {
        checks.push_back(check_owners(obs, *sold));
    }
    checks.push_back(check_sale_balance(conn, obs));
    checks.push_back(check_errors(obs));
    checks.push_back(check_anomalies(obs));

    return report_all(checks);
}

} // namespace loadgen
