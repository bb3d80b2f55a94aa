package service

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// maxBody bounds a request body.
const maxBody = 64 << 10

// ticketRequest is the body of the single-ticket routes. Customer identifies the
// buyer (a real deployment takes it from its authentication instead).
type ticketRequest struct {
	Customer    string `json:"customer"`
	Wait        string `json:"wait,omitempty"`         // claim, hold: wait, nowait or skip
	HoldSeconds int64  `json:"hold_seconds,omitempty"` // hold: 0 means the default, 10 minutes
}

// fits refuses fields that the action does not take, and numbers out of range.
func (t ticketRequest) fits(action string) error {
	if err := inRange(secondsField("hold_seconds", t.HoldSeconds)); err != nil {
		return err
	}
	if t.HoldSeconds != 0 && action != actionHold {
		return badRequest("hold_seconds is for the hold route only")
	}
	if t.Wait != "" && action != actionClaim && action != actionHold {
		return badRequest("wait is for the claim and hold routes only")
	}
	return nil
}

// claimAnyRequest is the body of POST /events/{event}/claim-any.
type claimAnyRequest struct {
	Customer    string `json:"customer"`
	Quantity    int    `json:"quantity,omitempty"`
	Section     string `json:"section,omitempty"`
	SeatPrefix  string `json:"seat_prefix,omitempty"`
	Adjacent    bool   `json:"adjacent,omitempty"`
	HoldSeconds int64  `json:"hold_seconds,omitempty"` // 0: buy; otherwise hold this long
	Category    string `json:"category,omitempty"`     // only tickets of this category
}

// check refuses numbers out of range.
func (c claimAnyRequest) check() error {
	return inRange(integerField("quantity", c.Quantity), secondsField("hold_seconds", c.HoldSeconds))
}

// decodeBody reads one JSON object with only known fields into v.
func decodeBody(w http.ResponseWriter, r *http.Request, v interface{}) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(fmt.Sprintf("request body: %v", err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("request body: more than one JSON value")
	}
	return nil
}

// requestID is the client's id for this request, used as the idempotency key so
// that a retry of the same request never buys twice: the Idempotency-Key header,
// else X-Request-Id, else none.
func requestID(r *http.Request) string {
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		return key
	}
	return r.Header.Get("X-Request-Id")
}

// seconds is n seconds; n must be within ±maxSeconds (secondsField), or it overflows.
func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }

// maxSeconds is the most seconds a time.Duration holds (about 292 years).
const maxSeconds = math.MaxInt64 / int64(time.Second)

// field is a number of a request body and the range the service can pass on: what the
// extension allows is its own to check (22023), but a number past its SQL type (an
// integer is 32 bits) or past time.Duration (seconds) never reaches it.
type field struct {
	name     string
	value    int64
	min, max int64
}

func integerField(name string, n int) field {
	return field{name, int64(n), math.MinInt32, math.MaxInt32}
}

func secondsField(name string, n int64) field { return field{name, n, -maxSeconds, maxSeconds} }

// inRange refuses the first field out of its range: 400 bad_request, as every other
// request the service refuses before a call (the extension's own range checks answer
// 400 invalid_input with SQLSTATE 22023).
func inRange(fields ...field) error {
	for _, f := range fields {
		switch {
		case f.value > f.max:
			return badRequest(fmt.Sprintf("%s is out of range: %d (at most %d)", f.name, f.value, f.max))
		case f.value < f.min:
			return badRequest(fmt.Sprintf("%s is out of range: %d (at least %d)", f.name, f.value, f.min))
		}
	}
	return nil
}
