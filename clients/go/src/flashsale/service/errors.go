package service

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/jackc/pgconn"

	"flashsale/ticketing"
)

// requestError is a request the service refuses before or instead of a database
// call.
type requestError struct {
	status  int
	code    string
	message string
}

func (e *requestError) Error() string { return e.message }

func badRequest(message string) error {
	return &requestError{status: http.StatusBadRequest, code: "bad_request", message: message}
}

func notSupported(message string) error {
	return &requestError{status: http.StatusNotImplemented, code: "not_supported", message: message}
}

// errorBody is the JSON answer for a request that got no outcome.
type errorBody struct {
	Error    string `json:"error"`
	SQLState string `json:"sqlstate,omitempty"`
	Message  string `json:"message"`
}

// failure is an HTTP answer for an error.
type failure struct {
	status     int
	retryAfter bool
	body       errorBody
}

// errorAnswer maps an error to its HTTP answer: by SQLSTATE group for database
// errors (22xxx 400, 55P03/40001 503 + Retry-After, TK001 422, 42501 403, P0002 404,
// a server shutting down 503, others 500); a lost or unreachable database, or a
// request cancelled on the way, is 503 + Retry-After (the call may have committed: a
// retry with the same Idempotency-Key returns its answer).
func errorAnswer(err error) failure {
	var reqErr *requestError
	if errors.As(err, &reqErr) {
		return failure{status: reqErr.status, body: errorBody{Error: reqErr.code, Message: reqErr.message}}
	}
	var tkErr *ticketing.Error
	if errors.As(err, &tkErr) {
		f := failure{body: errorBody{Error: tkErr.Kind.String(), SQLState: tkErr.SQLState, Message: tkErr.Message}}
		switch tkErr.Kind {
		case ticketing.KindInvalidInput:
			f.status = http.StatusBadRequest
		case ticketing.KindRetryable:
			f.status, f.retryAfter = http.StatusServiceUnavailable, true
		case ticketing.KindKeyReuse:
			f.status = http.StatusUnprocessableEntity
		case ticketing.KindPrivilege:
			f.status = http.StatusForbidden
		case ticketing.KindNotFound:
			f.status = http.StatusNotFound
		default:
			f.status = http.StatusInternalServerError
			if serverGone(tkErr.SQLState) {
				f.status, f.retryAfter = http.StatusServiceUnavailable, true
			}
		}
		return f
	}
	if unavailable(err) {
		return failure{status: http.StatusServiceUnavailable, retryAfter: true,
			body: errorBody{Error: "database_unavailable", Message: err.Error()}}
	}
	return failure{status: http.StatusInternalServerError, body: errorBody{Error: "internal", Message: err.Error()}}
}

// unknownOutcome turns the lost connection of a call without an idempotency key,
// whose request may have been sent, into a 503 "outcome_unknown" (no Retry-After): it
// may have committed, and repeating it without a key could buy a second time. The
// caller finds out from the ticket or the customer's tickets, or repeats with a key.
func unknownOutcome(err error, key string) error {
	if key == "" && ticketing.ConnectionLost(err) && !ticketing.NothingSent(err) {
		return &requestError{status: http.StatusServiceUnavailable, code: "outcome_unknown",
			message: "the connection to the database was lost during a call without an Idempotency-Key: " +
				"it may have committed; send an Idempotency-Key to let the service repeat it safely (" +
				err.Error() + ")"}
	}
	return err
}

// serverGone reports SQLSTATEs of a connection the server closed or lost: class 08
// and 57P01..57P03 (admin_shutdown, crash_shutdown, cannot_connect_now).
func serverGone(sqlstate string) bool {
	return strings.HasPrefix(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03"
}

// unavailable reports errors of reaching the database rather than of the request.
func unavailable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}
