#include "ticket_api.h"

namespace loadgen {

namespace {

constexpr const char* kClaim = "ticketing_load_claim";
constexpr const char* kRelease = "ticketing_load_release";

constexpr const char* kClaimSql =
    "SELECT outcome FROM ticketing.claim_ticket($1::bigint, $2::bigint, $3::text, $4::text)";
constexpr const char* kReleaseSql =
    "SELECT outcome FROM ticketing.release_ticket($1::bigint, $2::bigint, $3::text)";

} // namespace

const char* const kLockNotAvailable = "lock_not_available";

const char* wait_policy_name(WaitPolicy policy) {
    switch (policy) {
    case WaitPolicy::Wait:
        return "wait";
    case WaitPolicy::NoWait:
        return "nowait";
    case WaitPolicy::Skip:
        return "skip";
    }
    return "wait";
}

bool TicketApi::prepare(std::string* error) {
    return conn_.prepare(kClaim, kClaimSql, 4, error) &&
           conn_.prepare(kRelease, kReleaseSql, 3, error);
}

CallResult TicketApi::claim(std::int64_t event_id, std::int64_t ticket_id,
                            const std::string& customer, WaitPolicy policy) {
    const std::string event = std::to_string(event_id);
    const std::string ticket = std::to_string(ticket_id);
    const char* values[] = {event.c_str(), ticket.c_str(), customer.c_str(),
                            wait_policy_name(policy)};
    return run(kClaim, values, 4);
}

CallResult TicketApi::release(std::int64_t event_id, std::int64_t ticket_id,
                              const std::string& customer) {
    const std::string event = std::to_string(event_id);
    const std::string ticket = std::to_string(ticket_id);
    const char* values[] = {event.c_str(), ticket.c_str(), customer.c_str()};
    return run(kRelease, values, 3);
}

CallResult TicketApi::run(const char* statement, const char* const* values, int count) {
    CallResult result;
    const auto start = std::chrono::steady_clock::now();
    Result res = conn_.exec_prepared(statement, values, count);
    result.latency = std::chrono::steady_clock::now() - start;

    if (res.ok() && res.rows() == 1) {
        result.outcome = res.is_null(0, 0) ? "(null)" : res.text(0, 0);
        return result;
    }
    if (res.ok()) {
        result.outcome = "(" + std::to_string(res.rows()) + " rows)";
        return result;
    }
    const std::string state = res.sqlstate();
    if (state == "55P03") {
        result.outcome = kLockNotAvailable;
        return result;
    }
    result.connection_lost = conn_.is_broken();
    result.sqlstate = state.empty() ? "connection" : state;
    result.message = res.error_message();
    return result;
}

} // namespace loadgen
