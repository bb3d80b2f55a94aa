// The one exception type of the domain core. The backend maps ErrorKind to a SQLSTATE;
// the core itself knows nothing of PostgreSQL.
#pragma once

#include <stdexcept>
#include <string>

namespace ticketing {

enum class ErrorKind {
    null_value,        // 22004 null_value_not_allowed
    invalid_parameter, // 22023 invalid_parameter_value
    no_such_event,     // P0002 no_data_found (administrative calls only)
    key_reused,        // TK001 an idempotency key reused with other parameters
    internal,          // XX000 internal_error
};

class DomainError : public std::runtime_error {
  public:
    DomainError(ErrorKind kind, const std::string& message, std::string hint = {})
        : std::runtime_error(message), kind_(kind), hint_(std::move(hint)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string& hint() const noexcept { return hint_; }

  private:
    ErrorKind kind_;
    std::string hint_;
};

} // namespace ticketing
