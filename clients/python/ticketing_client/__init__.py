"""A typed wrapper of the ticketing extension for psycopg 3."""

from .client import Ticketing
from .errors import (DatabaseError, IdempotencyKeyReusedError, InvalidInputError,
                     PrivilegeError, RetryableError, TicketingError, error_for)
from .failover import Failover, OutcomeUnknownError
from .results import SUCCESSES, EventSummary, OrderResult, TicketResult

__all__ = [
    "Ticketing", "TicketResult", "OrderResult", "EventSummary", "SUCCESSES",
    "TicketingError", "InvalidInputError", "RetryableError", "IdempotencyKeyReusedError",
    "PrivilegeError", "DatabaseError", "error_for", "Failover", "OutcomeUnknownError",
]
