#include "pg_guard.hpp"

namespace ticketing::backend {

int sqlstate_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::null_value:
        return ERRCODE_NULL_VALUE_NOT_ALLOWED;
    case ErrorKind::invalid_parameter:
        return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorKind::internal:
        return ERRCODE_INTERNAL_ERROR;
    }
    return ERRCODE_INTERNAL_ERROR;
}

} // namespace ticketing::backend
