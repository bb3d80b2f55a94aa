package ticketing

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgconn"
)

// Kind groups the SQLSTATEs a call can raise by what the caller should do.
type Kind int

const (
	// KindOther is any SQLSTATE not in a group below.
	KindOther Kind = iota
	// KindInvalidInput is class 22 (22023 invalid_parameter_value, 22004
	// null_value_not_allowed, ...): fix the request, do not retry it.
	KindInvalidInput
	// KindRetryable is 55P03 (lock_not_available) or 40001 (serialization_failure):
	// nothing changed; the same call may succeed later.
	KindRetryable
	// KindKeyReuse is TK001: an idempotency key reused with different parameters.
	KindKeyReuse
	// KindPrivilege is 42501: the role lacks a grant.
	KindPrivilege
	// KindNotFound is P0002: an unknown event in event_summary (claims answer the
	// not_found outcome instead).
	KindNotFound
)

func (k Kind) String() string {
	switch k {
	case KindInvalidInput:
		return "invalid_input"
	case KindRetryable:
		return "retryable"
	case KindKeyReuse:
		return "idempotency_key_reused"
	case KindPrivilege:
		return "insufficient_privilege"
	case KindNotFound:
		return "not_found"
	default:
		return "database_error"
	}
}

// KindOf maps a SQLSTATE to its group.
func KindOf(sqlstate string) Kind {
	switch {
	case strings.HasPrefix(sqlstate, "22"):
		return KindInvalidInput
	case sqlstate == "55P03", sqlstate == "40001":
		return KindRetryable
	case sqlstate == "TK001":
		return KindKeyReuse
	case sqlstate == "42501":
		return KindPrivilege
	case sqlstate == "P0002":
		return KindNotFound
	default:
		return KindOther
	}
}

// Error is a PostgreSQL error raised by a call, with its group. Errors that carry
// no SQLSTATE (a lost connection, a cancelled context) are returned unwrapped: after
// one of those the call may or may not have committed, so retry it with the same
// idempotency key.
type Error struct {
	Kind     Kind
	SQLState string
	Message  string
	err      *pgconn.PgError
}

func (e *Error) Error() string {
	return fmt.Sprintf("ticketing: %s (SQLSTATE %s): %s", e.Kind, e.SQLState, e.Message)
}

// Unwrap returns the driver's *pgconn.PgError.
func (e *Error) Unwrap() error { return e.err }

// classify wraps a PostgreSQL error in *Error and returns any other error as is.
func classify(err error) error {
	var pgErr *pgconn.PgError
	if err == nil || !errors.As(err, &pgErr) {
		return err
	}
	return &Error{Kind: KindOf(pgErr.Code), SQLState: pgErr.Code, Message: pgErr.Message, err: pgErr}
}

// KindOfError returns the group of err when it is an *Error, and false otherwise.
func KindOfError(err error) (Kind, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, true
	}
	return KindOther, false
}
