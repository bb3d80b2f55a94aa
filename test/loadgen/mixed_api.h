// Prepared-statement access to every ticketing call the mixed mode makes. Each answer also
// carries the transaction id the call ran in, so it can be matched with its audit rows.
#pragma once

#include "mixed_request.h"
#include "pg.h"

#include <cstdint>
#include <string>

namespace loadgen {

class MixedApi {
  public:
    MixedApi(Connection& conn, std::int64_t event_id) : conn_(conn), event_id_(event_id) {}

    // Prepares the statements on this connection.
    bool prepare(std::string* error);

    // Runs the request (in the current transaction, if one is open).
    Answer call(const Request& request);

    // BEGIN / ROLLBACK; false with *error set if the command failed.
    bool begin(std::string* error);
    bool rollback(std::string* error);

  private:
    Answer run(const char* statement, const char* const* values, int count);

    Connection& conn_;
    const std::int64_t event_id_;
};

} // namespace loadgen
