package service

import (
	"encoding/json"
	"fmt"
	"io"
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

// fits refuses fields that the action does not take.
func (t ticketRequest) fits(action string) error {
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

func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }
