"""One exception class per SQLSTATE group. A connection that fails (no SQLSTATE, or
class 08 / 57P01..57P03: the server closed it) is the driver's own error, re-raised
unchanged: the call may or may not have committed, so retry it with the same
idempotency key."""

from __future__ import annotations


class TicketingError(Exception):
    """A call of the extension raised a PostgreSQL error."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(f"{message} (SQLSTATE {sqlstate})")
        self.sqlstate = sqlstate
        self.message = message


class InvalidInputError(TicketingError):
    """Class 22 (22023 invalid_parameter_value, 22004 null_value_not_allowed, ...):
    fix the request; retrying it cannot help."""


class RetryableError(TicketingError):
    """55P03 lock_not_available or 40001 serialization_failure: nothing changed; the
    same call may succeed later."""


class IdempotencyKeyReusedError(TicketingError):
    """TK001: an idempotency key reused with different parameters."""


class PrivilegeError(TicketingError):
    """42501: the role lacks a grant (see the README's "Privileges")."""


class DatabaseError(TicketingError):
    """Any other SQLSTATE, e.g. P0002 for event_summary of an unknown event."""


def connection_lost(sqlstate: str) -> bool:
    """True for SQLSTATEs of a connection the server closed or lost."""
    return sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03")


def error_for(sqlstate: str, message: str) -> TicketingError:
    """The exception of the SQLSTATE's group."""
    cls: type[TicketingError]
    if sqlstate.startswith("22"):
        cls = InvalidInputError
    elif sqlstate in ("55P03", "40001"):
        cls = RetryableError
    elif sqlstate == "TK001":
        cls = IdempotencyKeyReusedError
    elif sqlstate == "42501":
        cls = PrivilegeError
    else:
        cls = DatabaseError
    return cls(sqlstate, message)
