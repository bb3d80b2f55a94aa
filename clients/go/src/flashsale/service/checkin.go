package service

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"flashsale/ticketing"
)

// The check-in and transfer routes (issue 19):
//
//	GET  /events/{event}/codes?customer=...              ticket_codes    -> {"codes": [...]}
//	POST /events/{event}/check-in                        check_in        {"code", "gate"}
//	POST /events/{event}/check-in-batch                  check_in_batch  {"scans": [{"code", "gate", "scanned_at"}]}
//	                                                                     -> {"results": [...]}
//	POST /events/{event}/tickets/{ticket}/transfer       transfer_ticket {"customer", "to_customer"}
//
// A scan answers 200 when it admits and 409 otherwise (already_admitted, revoked,
// not_sold, wrong_event, unknown_code: the body says which, and for already_admitted
// where and when); an upload answers 200 with one result per scan. A transfer is keyed
// by the request's Idempotency-Key like every change.

// Actions of the gate routes.
const (
	gateCodes    = "codes"
	gateCheckIn  = "check-in"
	gateBatch    = "check-in-batch"
	gateTransfer = "transfer"
)

// gateRoute is a parsed check-in or transfer path.
type gateRoute struct {
	event  int64
	ticket int64 // gateTransfer only
	action string
}

// parseGateRoute parses the routes above; ok is false for any other path.
func parseGateRoute(u *url.URL) (r gateRoute, ok bool) {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "events" {
		return gateRoute{}, false
	}
	event, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return gateRoute{}, false
	}
	switch {
	case len(parts) == 3 && (parts[2] == gateCodes || parts[2] == gateCheckIn || parts[2] == gateBatch):
		return gateRoute{event: event, action: parts[2]}, true
	case len(parts) == 5 && parts[2] == "tickets" && parts[4] == gateTransfer:
		ticket, err := strconv.ParseInt(parts[3], 10, 64)
		if err != nil {
			return gateRoute{}, false
		}
		return gateRoute{event: event, ticket: ticket, action: gateTransfer}, true
	}
	return gateRoute{}, false
}

func (r gateRoute) method() string {
	if r.action == gateCodes {
		return "GET"
	}
	return "POST"
}

// scanBody is one scan of an upload; ScannedAt is RFC 3339.
type scanBody struct {
	Code      string    `json:"code"`
	Gate      string    `json:"gate"`
	ScannedAt time.Time `json:"scanned_at"`
}

// gateRequest is the body of the POST gate routes; fits refuses the fields an action
// does not take.
type gateRequest struct {
	Code       string     `json:"code,omitempty"`        // check-in
	Gate       string     `json:"gate,omitempty"`        // check-in
	Scans      []scanBody `json:"scans,omitempty"`       // check-in-batch
	Customer   string     `json:"customer,omitempty"`    // transfer: the owner
	ToCustomer string     `json:"to_customer,omitempty"` // transfer: the receiver
}

func (g gateRequest) fits(action string) error {
	switch {
	case (g.Code != "" || g.Gate != "") && action != gateCheckIn:
		return badRequest("code and gate are for the check-in route only (an upload's are in scans)")
	case g.Scans != nil && action != gateBatch:
		return badRequest("scans are for the check-in-batch route only")
	case (g.Customer != "" || g.ToCustomer != "") && action != gateTransfer:
		return badRequest("customer and to_customer are for the transfer route only")
	}
	return nil
}

// gateOutcomeStatus: an admission and a transfer are 200, then as for every route.
func gateOutcomeStatus(o ticketing.Outcome) int {
	if o == ticketing.Admitted || o == ticketing.Transferred {
		return http.StatusOK
	}
	return outcomeStatus(o)
}

// gateAction serves the check-in and transfer routes.
func (s *Server) gateAction(w http.ResponseWriter, r *http.Request, rt gateRoute) {
	if r.Method != rt.method() {
		w.Header().Set("Allow", rt.method())
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed", Message: rt.method() + " only"})
		return
	}
	var req gateRequest
	if rt.action == gateCodes {
		req.Customer = r.URL.Query().Get("customer")
	} else if err := decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	} else if err := req.fits(rt.action); err != nil {
		writeError(w, err)
		return
	}
	key := requestID(r)
	status := http.StatusOK
	var result interface{}
	call := func(ctx context.Context) error {
		switch rt.action {
		case gateCodes:
			res, err := s.tk.TicketCodes(ctx, rt.event, req.Customer)
			result = map[string]interface{}{"codes": res}
			return err
		case gateCheckIn:
			res, err := s.tk.CheckIn(ctx, rt.event, req.Code, req.Gate)
			status, result = gateOutcomeStatus(res.Outcome), res
			return err
		case gateBatch:
			scans := make([]ticketing.Scan, len(req.Scans))
			for i, sc := range req.Scans {
				scans[i] = ticketing.Scan{Code: sc.Code, Gate: sc.Gate, ScannedAt: sc.ScannedAt}
			}
			res, err := s.tk.CheckInBatch(ctx, rt.event, scans)
			result = map[string]interface{}{"results": res}
			return err
		default: // gateTransfer
			res, err := s.tk.TransferTicket(ctx, rt.event, rt.ticket, req.Customer, req.ToCustomer, key)
			status, result = gateOutcomeStatus(res.Outcome), res
			return err
		}
	}
	// Looking codes up is safe to repeat, and so are scans: a repeated scan answers
	// already_admitted with the first one's gate and time, and an upload's earliest scan
	// wins however often it is sent. A transfer is repeated with its key only.
	repeatKey := key
	if rt.action != gateTransfer {
		repeatKey = "safe to repeat"
	}
	if err := s.failover.Do(r.Context(), repeatKey, call); err != nil {
		writeError(w, unknownOutcome(err, repeatKey))
		return
	}
	writeJSON(w, status, result)
}
