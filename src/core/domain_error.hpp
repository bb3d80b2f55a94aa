// The one exception type of the domain core. The backend maps ErrorKind to a SQLSTATE;
// the core itself knows nothing of PostgreSQL.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ticketing {

enum class ErrorKind {
    null_value,         // 22004 null_value_not_allowed
    invalid_parameter,  // 22023 invalid_parameter_value
    no_such_event,      // P0002 no_data_found (administrative calls only)
    key_reused,         // TK001 an idempotency key reused with other parameters
    table_altered,      // TK002 a table of the extension altered into a shape it cannot use
    change_skipped,     // TK003 a trigger or row security policy skipped a ticket's change
    lock_not_available, // 55P03 lock_not_available (wait => 'nowait')
    internal,           // XX000 internal_error
};

// Whether an error of this kind refuses bad input: a NULL, an argument out of range, an
// unknown event. The rest (key reuse, an altered table, a lock not available, ...) fail
// a call whose arguments were good.
inline bool is_bad_input(ErrorKind kind) {
    return kind == ErrorKind::null_value || kind == ErrorKind::invalid_parameter ||
           kind == ErrorKind::no_such_event;
}

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

// An argument's text for an error message, in double quotes: at most
// `max_quoted_bytes` of it (cut at a UTF-8 character boundary) followed by "..." when
// longer, so a multi-megabyte argument never ends up in a message or the server log.
inline constexpr std::size_t max_quoted_bytes = 40;
std::string quoted(std::string_view text);

} // namespace ticketing
