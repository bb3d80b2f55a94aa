"""A typed wrapper of the ticketing extension for psycopg 3."""

from .client import Ticketing
from .errors import (DatabaseError, IdempotencyKeyReusedError, InvalidInputError,
                     PrivilegeError, RetryableError, TicketingError, error_for)
from .failover import Failover, OutcomeUnknownError
from .results import (SUCCESSES, BatchRequest, BatchResult, CartResult, CategorySummary,
                      EventSummary, OrderResult, QuotaSummary, TicketResult)
from .results import CheckInResult, Scan, ScanResult, TicketCode
from .waitlist import WAITLIST_SUCCESSES, PendingOffer, WaitlistEntry, WaitlistResult

__all__ = [
    "Ticketing", "TicketResult", "OrderResult", "EventSummary", "SUCCESSES", "CartResult",
    "BatchRequest", "BatchResult", "QuotaSummary", "CategorySummary",
    "TicketingError", "InvalidInputError", "RetryableError", "IdempotencyKeyReusedError",
    "PrivilegeError", "DatabaseError", "error_for", "Failover", "OutcomeUnknownError",
    "CheckInResult", "Scan", "ScanResult", "TicketCode",
    "WaitlistResult", "WaitlistEntry", "PendingOffer", "WAITLIST_SUCCESSES",
]
