package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"flashsale/ticketing"
)

// Database errors reach the service as *ticketing.Error (ticketing's tests check
// that wrapping); the status depends on the group and, for "other", the SQLSTATE.
func TestErrorStatus(t *testing.T) {
	for _, c := range []struct {
		sqlstate   string
		status     int
		retryAfter bool
	}{
		{"22023", http.StatusBadRequest, false},
		{"22004", http.StatusBadRequest, false},
		{"22P02", http.StatusBadRequest, false},
		{"55P03", http.StatusServiceUnavailable, true},
		{"40001", http.StatusServiceUnavailable, true},
		{"TK001", http.StatusUnprocessableEntity, false},
		{"42501", http.StatusForbidden, false},
		{"P0002", http.StatusNotFound, false},
		{"57P01", http.StatusServiceUnavailable, true},
		{"08006", http.StatusServiceUnavailable, true},
		{"23505", http.StatusInternalServerError, false},
		{"XX000", http.StatusInternalServerError, false},
	} {
		err := fmt.Errorf("call: %w", &ticketing.Error{Kind: ticketing.KindOf(c.sqlstate), SQLState: c.sqlstate, Message: "m"})
		f := errorAnswer(err)
		if f.status != c.status || f.retryAfter != c.retryAfter || f.body.SQLState != c.sqlstate {
			t.Errorf("%s: got %d retry=%v %+v, want %d retry=%v", c.sqlstate, f.status, f.retryAfter,
				f.body, c.status, c.retryAfter)
		}
	}
	if f := errorAnswer(badRequest("b")); f.status != http.StatusBadRequest {
		t.Errorf("bad request: %d", f.status)
	}
	if f := errorAnswer(fmt.Errorf("acquire: %w", context.Canceled)); f.status != http.StatusServiceUnavailable || !f.retryAfter {
		t.Errorf("a cancelled request: %d", f.status)
	}
	if f := errorAnswer(errors.New("scan failed")); f.status != http.StatusInternalServerError {
		t.Errorf("unknown error: %d", f.status)
	}
}

func TestOutcomeStatus(t *testing.T) {
	for outcome, status := range map[ticketing.Outcome]int{
		ticketing.Claimed:      http.StatusOK,
		ticketing.AlreadyOwned: http.StatusOK,
		ticketing.HoldPlaced:   http.StatusOK,
		ticketing.Released:     http.StatusOK,
		ticketing.NotFound:     http.StatusNotFound,
		ticketing.AlreadySold:  http.StatusConflict,
		ticketing.Held:         http.StatusConflict,
		ticketing.Busy:         http.StatusConflict,
		ticketing.LimitReached: http.StatusConflict,
		ticketing.NotOwner:     http.StatusConflict,
		ticketing.HoldExpired:  http.StatusConflict,
		ticketing.NotHeld:      http.StatusConflict,
		ticketing.Insufficient: http.StatusConflict,
		ticketing.SoldOut:      http.StatusConflict,
		"waitlisted":           http.StatusConflict, // an outcome this service does not know
	} {
		if got := outcomeStatus(outcome); got != status {
			t.Errorf("%s: %d, want %d", outcome, got, status)
		}
	}
}

func TestParseRoute(t *testing.T) {
	for path, want := range map[string]route{
		"/events/7":                         {event: 7, action: routeSummary},
		"/events/7/":                        {event: 7, action: routeSummary},
		"/events/7/claim-any":               {event: 7, action: routeClaimAny},
		"/events/7/tickets/12/claim":        {event: 7, ticket: 12, action: actionClaim},
		"/events/7/tickets/12/release-hold": {event: 7, ticket: 12, action: actionReleaseHold},
		"/events/-1/tickets/0/hold":         {event: -1, ticket: 0, action: actionHold},
	} {
		got, ok := parseRoute(path)
		if !ok || got != want {
			t.Errorf("%s: %+v %v, want %+v", path, got, ok, want)
		}
	}
	for _, path := range []string{"/", "/events", "/events/x", "/events/7/tickets/12", "/events/7/tickets/x/claim",
		"/events/7/tickets/12/refund", "/shows/7", "/events/7/claim-any/now"} {
		if r, ok := parseRoute(path); ok {
			t.Errorf("%s parsed as %+v", path, r)
		}
	}
}

// A lost connection during a call without an idempotency key is 503 outcome_unknown
// (no Retry-After: repeating it could buy twice); with a key, or when nothing was sent,
// it stays 503 database_unavailable with Retry-After.
func TestUnknownOutcome(t *testing.T) {
	lost := fmt.Errorf("query: %w", io.ErrUnexpectedEOF)
	if f := errorAnswer(unknownOutcome(lost, "")); f.status != http.StatusServiceUnavailable || f.retryAfter ||
		f.body.Error != "outcome_unknown" {
		t.Errorf("unkeyed lost call: %d retry=%v %+v", f.status, f.retryAfter, f.body)
	}
	if f := errorAnswer(unknownOutcome(lost, "order-1")); f.body.Error != "database_unavailable" || !f.retryAfter {
		t.Errorf("keyed lost call: %d retry=%v %+v", f.status, f.retryAfter, f.body)
	}
	refused := errors.New("failed to connect to `host=db1 user=app database=shop`: dial error")
	if f := errorAnswer(unknownOutcome(refused, "")); f.body.Error == "outcome_unknown" {
		t.Errorf("a call never sent is not in doubt: %+v", f.body)
	}
	if f := errorAnswer(unknownOutcome(&ticketing.Error{Kind: ticketing.KindInvalidInput, SQLState: "22023"}, "")); f.status != http.StatusBadRequest {
		t.Errorf("an answer of the server is unchanged: %d", f.status)
	}
}
