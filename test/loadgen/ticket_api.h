// Prepared-statement access to ticketing.claim_ticket / ticketing.release_ticket.
#pragma once

#include "pg.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace loadgen {

enum class WaitPolicy { Wait, NoWait, Skip };

const char* wait_policy_name(WaitPolicy policy);

// The outcome of one timed call. SQLSTATE 55P03 (lock_not_available, from wait => 'nowait')
// is an expected outcome named "lock_not_available", not an error.
struct CallResult {
    std::string outcome;  // set when the call succeeded
    std::string sqlstate; // set when it failed ("connection" if no SQLSTATE was sent)
    std::string message;
    bool connection_lost = false;
    std::chrono::nanoseconds latency{0};

    bool is_error() const { return !sqlstate.empty(); }
};

extern const char* const kLockNotAvailable;

class TicketApi {
  public:
    explicit TicketApi(Connection& conn) : conn_(conn) {}

    // Prepares the statements on this connection.
    bool prepare(std::string* error);

    CallResult claim(std::int64_t event_id, std::int64_t ticket_id, const std::string& customer,
                     WaitPolicy policy);
    CallResult release(std::int64_t event_id, std::int64_t ticket_id, const std::string& customer);

  private:
    CallResult run(const char* statement, const char* const* values, int count);

    Connection& conn_;
};

} // namespace loadgen
