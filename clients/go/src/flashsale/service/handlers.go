package service

import (
	"context"
	"net/http"

	"flashsale/ticketing"
)

func (s *Server) summary(w http.ResponseWriter, r *http.Request, rt route) {
	var counts ticketing.EventCounts
	// A read: repeating it is always safe (the key only says so to Failover.Do).
	err := s.failover.Do(r.Context(), "read-only", func(ctx context.Context) (err error) {
		counts, err = s.tk.EventSummary(ctx, rt.event)
		return err
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, counts)
}

func (s *Server) claimAny(w http.ResponseWriter, r *http.Request, rt route) {
	var req claimAnyRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := req.check(); err != nil {
		writeError(w, err)
		return
	}
	key := requestID(r)
	var res ticketing.OrderResult
	err := s.failover.Do(r.Context(), key, func(ctx context.Context) (err error) {
		res, err = s.tk.ClaimAny(ctx, rt.event, req.Customer, ticketing.AnyOptions{
			Quantity:       req.Quantity,
			Section:        req.Section,
			SeatPrefix:     req.SeatPrefix,
			Adjacent:       req.Adjacent,
			HoldFor:        seconds(req.HoldSeconds),
			IdempotencyKey: key,
			Category:       req.Category,
		})
		return err
	})
	if err != nil {
		writeError(w, unknownOutcome(err, key))
		return
	}
	writeOutcome(w, res.Outcome, res)
}

// ticketAction serves the routes on one ticket.
func (s *Server) ticketAction(w http.ResponseWriter, r *http.Request, rt route) {
	var req ticketRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := req.fits(rt.action); err != nil {
		writeError(w, err)
		return
	}
	key := requestID(r)
	var res ticketing.TicketResult
	err := s.failover.Do(r.Context(), key, func(ctx context.Context) (err error) {
		switch rt.action {
		case actionClaim:
			res, err = s.claimer.Claim(ctx, rt.event, rt.ticket, req.Customer, ticketing.Wait(req.Wait), key)
		case actionHold:
			res, err = s.tk.Hold(ctx, rt.event, rt.ticket, req.Customer, ticketing.HoldOptions{
				HoldFor: seconds(req.HoldSeconds), Wait: ticketing.Wait(req.Wait), IdempotencyKey: key})
		case actionConfirm:
			res, err = s.tk.Confirm(ctx, rt.event, rt.ticket, req.Customer, key)
		case actionRelease:
			res, err = s.tk.Release(ctx, rt.event, rt.ticket, req.Customer, key)
		case actionReleaseHold:
			res, err = s.tk.ReleaseHold(ctx, rt.event, rt.ticket, req.Customer, key)
		}
		return err
	})
	if err != nil {
		writeError(w, unknownOutcome(err, key))
		return
	}
	writeOutcome(w, res.Outcome, res)
}
