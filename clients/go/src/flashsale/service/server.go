// Package service is the flash-sale HTTP service: each route makes one call of the
// ticketing extension and answers its outcome as JSON.
package service

import (
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"

	"flashsale/ticketing"
)

// Handler names for New (the service's -handler flag).
const (
	HandlerExtension = "extension"
	HandlerArticle   = "article"
)

// Server serves:
//
//	GET  /events/{event}                                 event_summary
//	POST /events/{event}/claim-any                       claim_any
//	POST /events/{event}/tickets/{ticket}/claim          claim_ticket (or the article's transaction)
//	POST /events/{event}/tickets/{ticket}/hold           hold_ticket
//	POST /events/{event}/tickets/{ticket}/confirm        confirm_hold
//	POST /events/{event}/tickets/{ticket}/release        release_ticket
//	POST /events/{event}/tickets/{ticket}/release-hold   release_hold
//	GET  /events/{event}/stream, /events/{event}/map     the live feed (feed_routes.go)
//
// the cart routes under /events/{event}/carts (carts.go), the waiting-list routes under
// /events/{event}/waitlist (waitlist.go), and the check-in and transfer routes
// (checkin.go).
type Server struct {
	tk       *ticketing.Client
	claimer  Claimer
	failover ticketing.Failover
	feed     *Feed // the live feed's routes (feed_routes.go); nil: off
}

// DefaultFailoverWait is how long a call whose connection was lost is repeated by
// default, waiting for a new primary (see SetFailoverWait).
const DefaultFailoverWait = 30 * time.Second

// New returns the service on pool. handler chooses how a given ticket is claimed
// (HandlerExtension or HandlerArticle); every other route calls the extension.
func New(pool *pgxpool.Pool, handler string) (*Server, error) {
	tk := ticketing.New(pool)
	s := &Server{tk: tk, failover: ticketing.Failover{Wait: DefaultFailoverWait}}
	switch handler {
	case HandlerExtension:
		s.claimer = extensionClaimer{tk: tk}
	case HandlerArticle:
		s.claimer = articleClaimer{pool: pool}
	default:
		return nil, fmt.Errorf("unknown handler %q (want %q or %q)", handler, HandlerExtension, HandlerArticle)
	}
	return s, nil
}

// SetFailoverWait sets how long a call whose connection was lost (the primary went
// away) is repeated against whichever node is primary now: with the request's
// idempotency key, so that a call that had committed is answered from its key and
// nothing is sold twice. A call without a key is repeated only when it certainly
// was not sent; otherwise its answer is 503 "outcome_unknown". 0 never repeats.
func (s *Server) SetFailoverWait(d time.Duration) { s.failover.Wait = d }

// SetFailoverLog makes the service log each call that needed repeats (log.Printf).
func (s *Server) SetFailoverLog(logf func(format string, args ...interface{})) { s.failover.Log = logf }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveFeed(w, r) {
		return
	}
	if cart, ok := parseCartRoute(r.URL); ok {
		s.cartAction(w, r, cart)
		return
	}
	if gate, ok := parseGateRoute(r.URL); ok {
		s.gateAction(w, r, gate)
		return
	}
	if list, ok := parseWaitlistRoute(r); ok {
		s.waitlistAction(w, r, list)
		return
	}
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no_route", Message: "no such route: " + r.URL.Path})
		return
	}
	if r.Method != rt.method() {
		w.Header().Set("Allow", rt.method())
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed",
			Message: rt.method() + " only"})
		return
	}
	switch rt.action {
	case routeSummary:
		s.summary(w, r, rt)
	case routeClaimAny:
		s.claimAny(w, r, rt)
	default:
		s.ticketAction(w, r, rt)
	}
}
