package service

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"flashsale/ticketing"
)

// The waiting-list routes (issue 19). A customer joins, asks where they stand and
// leaves; the shop's staff open and close the list and read it and its open offers:
//
//	POST /events/{event}/waitlist                      join_waitlist      {"customer", "quantity", "category",
//	                                                                       "together", "offer_seconds"}
//	GET  /events/{event}/waitlist?customer=...         waitlist_position
//	POST /events/{event}/waitlist/leave                leave_waitlist     {"customer"}
//	GET  /events/{event}/waitlist/entries              waitlist           (staff)
//	GET  /events/{event}/waitlist/offers               pending_offers     (staff, a mailer)
//	POST /events/{event}/waitlist/open                 open_waitlist      (staff)
//	POST /events/{event}/waitlist/close                close_waitlist     (staff)
//
// An offer is taken with the ticket routes (confirm, release-hold): it is a hold in the
// customer's name. The staff routes answer whoever asks here, as every route takes the
// customer from the body: a real deployment puts them behind its staff's authentication.

// Actions on a waiting list.
const (
	waitlistJoin     = "join"
	waitlistPosition = "position"
	waitlistLeave    = "leave"
	waitlistEntries  = "entries"
	waitlistOffers   = "offers"
	waitlistOpen     = "open"
	waitlistClose    = "close"
)

// waitlistRoute is a parsed waiting-list path; method is the HTTP method it answers.
type waitlistRoute struct {
	event  int64
	action string
	method string
}

// parseWaitlistRoute parses the waiting-list routes; ok is false for any other path.
// The bare list is joined (POST) or asked for a position (GET).
func parseWaitlistRoute(r *http.Request) (rt waitlistRoute, ok bool) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "events" || parts[2] != "waitlist" {
		return waitlistRoute{}, false
	}
	event, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return waitlistRoute{}, false
	}
	rt = waitlistRoute{event: event}
	if len(parts) == 3 {
		rt.action, rt.method = waitlistJoin, "POST"
		if r.Method == "GET" {
			rt.action, rt.method = waitlistPosition, "GET"
		}
		return rt, true
	}
	switch parts[3] {
	case waitlistEntries, waitlistOffers:
		rt.action, rt.method = parts[3], "GET"
	case waitlistLeave, waitlistOpen, waitlistClose:
		rt.action, rt.method = parts[3], "POST"
	default:
		return waitlistRoute{}, false
	}
	return rt, true
}

// waitlistRequest is the body of the join and leave routes; fits refuses the fields an
// action does not take, and numbers out of range.
type waitlistRequest struct {
	Customer     string `json:"customer"`
	Quantity     int    `json:"quantity,omitempty"`      // join: 0 means the default, 1
	Category     string `json:"category,omitempty"`      // join: only tickets of this category
	Together     bool   `json:"together,omitempty"`      // join: adjacent seats only
	OfferSeconds int64  `json:"offer_seconds,omitempty"` // join: 0 means the default, 15 minutes
}

func (q waitlistRequest) fits(action string) error {
	if err := inRange(integerField("quantity", q.Quantity), secondsField("offer_seconds", q.OfferSeconds)); err != nil {
		return err
	}
	if action != waitlistJoin && (q.Quantity != 0 || q.Category != "" || q.Together || q.OfferSeconds != 0) {
		return badRequest("quantity, category, together and offer_seconds are for joining only")
	}
	return nil
}

// waitlistOutcomeStatus: a customer in the list (joined, offered, waiting, or already
// waiting, the entry as it stands) and a customer who left are 200; no such event, or
// no open entry of this customer, 404; a closed list 409, as every other outcome.
func waitlistOutcomeStatus(o ticketing.Outcome) int {
	switch o {
	case ticketing.Joined, ticketing.Offered, ticketing.Waiting, ticketing.AlreadyWaiting, ticketing.Left:
		return http.StatusOK
	case ticketing.NotFound, ticketing.NotWaiting:
		return http.StatusNotFound
	}
	return outcomeStatus(o)
}

// waitlistAction serves the waiting-list routes.
func (s *Server) waitlistAction(w http.ResponseWriter, r *http.Request, rt waitlistRoute) {
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed", Message: rt.method + " only"})
		return
	}
	var req waitlistRequest
	switch rt.action {
	case waitlistJoin, waitlistLeave:
		if err := decodeBody(w, r, &req); err != nil {
			writeError(w, err)
			return
		}
		if err := req.fits(rt.action); err != nil {
			writeError(w, err)
			return
		}
	case waitlistPosition:
		req.Customer = r.URL.Query().Get("customer")
	}
	var outcome ticketing.Outcome
	var result interface{}
	call := func(ctx context.Context) error {
		var res ticketing.WaitlistResult
		var err error
		switch rt.action {
		case waitlistJoin:
			res, err = s.tk.JoinWaitlist(ctx, rt.event, req.Customer, ticketing.WaitlistOptions{
				Quantity: req.Quantity, Category: req.Category, Together: req.Together,
				OfferFor: seconds(req.OfferSeconds)})
		case waitlistPosition:
			res, err = s.tk.WaitlistPosition(ctx, rt.event, req.Customer)
		case waitlistLeave:
			res, err = s.tk.LeaveWaitlist(ctx, rt.event, req.Customer)
		case waitlistEntries:
			result, err = s.tk.Waitlist(ctx, rt.event)
			return err
		case waitlistOffers:
			result, err = s.tk.PendingOffers(ctx, rt.event)
			return err
		case waitlistOpen:
			err = s.tk.OpenWaitlist(ctx, rt.event)
			result = map[string]interface{}{"event_id": rt.event, "waitlist": "open"}
			return err
		default: // waitlistClose
			var closed int64
			closed, err = s.tk.CloseWaitlist(ctx, rt.event)
			result = map[string]interface{}{"event_id": rt.event, "waitlist": "closed", "closed_entries": closed}
			return err
		}
		outcome, result = res.Outcome, res
		return err
	}
	// Reads, a join (a repeat answers already_waiting) and opening are safe to repeat;
	// leaving and closing take no key, and a repeat would answer not_waiting or 0 closed
	// for a call that did its work, so they are repeated only when certainly not sent.
	repeatKey := "safe to repeat"
	if rt.action == waitlistLeave || rt.action == waitlistClose {
		repeatKey = ""
	}
	if err := s.failover.Do(r.Context(), repeatKey, call); err != nil {
		writeError(w, unknownOutcome(err, repeatKey))
		return
	}
	if outcome == "" {
		writeJSON(w, http.StatusOK, result)
		return
	}
	writeJSON(w, waitlistOutcomeStatus(outcome), result)
}
