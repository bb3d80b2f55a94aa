#include "pg_guard.hpp"

namespace ticketing::backend {

int sqlstate_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::null_value:
        return ERRCODE_NULL_VALUE_NOT_ALLOWED;
    case ErrorKind::invalid_parameter:
        return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorKind::no_such_event:
        return ERRCODE_NO_DATA_FOUND;
    case ErrorKind::key_reused:
        return MAKE_SQLSTATE('T', 'K', '0', '0', '1');
    case ErrorKind::table_altered:
        return MAKE_SQLSTATE('T', 'K', '0', '0', '2');
    case ErrorKind::change_skipped:
        return MAKE_SQLSTATE('T', 'K', '0', '0', '3');
    case ErrorKind::lock_not_available:
        return ERRCODE_LOCK_NOT_AVAILABLE;
    case ErrorKind::internal:
        return ERRCODE_INTERNAL_ERROR;
    }
    return ERRCODE_INTERNAL_ERROR;
}

} // namespace ticketing::backend
