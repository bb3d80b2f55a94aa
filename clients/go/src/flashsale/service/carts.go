package service

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"flashsale/ticketing"
)

// The cart routes (issue 18). A cart is opened for a customer in an event and answered
// with its token; the token names the cart in the path of every other route:
//
//	POST /events/{event}/carts                           open_cart      {"customer", "expires_seconds"}
//	GET  /events/{event}/carts/{token}?customer=...      cart_contents
//	POST /events/{event}/carts/{token}/tickets/{ticket}  hold_ticket into the cart {"customer", "wait"}
//	POST /events/{event}/carts/{token}/claim-any         claim_any into the cart   {"customer", "quantity", "section",
//	                                                                                "seat_prefix", "adjacent", "category"}
//	POST /events/{event}/carts/{token}/extend            extend_cart    {"customer", "extend_seconds"}
//	POST /events/{event}/carts/{token}/checkout          checkout_cart  {"customer"}
//	POST /events/{event}/carts/{token}/abandon           abandon_cart   {"customer"}
//
// A token is bound to its customer: another customer's token answers cart_not_found, as
// an unknown one does. The token is a path segment as open_cart returned it (base64url,
// nothing to escape); an escaped one is unescaped.

// Actions on a cart.
const (
	cartOpen     = "open"
	cartContents = "contents"
	cartHold     = "hold"
	cartClaimAny = "claim-any"
	cartExtend   = "extend"
	cartCheckout = "checkout"
	cartAbandon  = "abandon"
)

// cartRoute is a parsed cart path.
type cartRoute struct {
	event  int64
	token  string // empty for cartOpen
	ticket int64  // cartHold only
	action string
}

// parseCartRoute parses the cart routes from the request's escaped path (so that an
// escaped "/" in a token stays in its segment); ok is false for any other path.
func parseCartRoute(u *url.URL) (r cartRoute, ok bool) {
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if len(parts) < 3 || parts[0] != "events" || parts[2] != "carts" {
		return cartRoute{}, false
	}
	event, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return cartRoute{}, false
	}
	if len(parts) == 3 {
		return cartRoute{event: event, action: cartOpen}, true
	}
	token, err := url.PathUnescape(parts[3])
	if err != nil || token == "" {
		return cartRoute{}, false
	}
	r = cartRoute{event: event, token: token}
	switch {
	case len(parts) == 4:
		r.action = cartContents
	case len(parts) == 5 && (parts[4] == cartClaimAny || parts[4] == cartExtend ||
		parts[4] == cartCheckout || parts[4] == cartAbandon):
		r.action = parts[4]
	case len(parts) == 6 && parts[4] == "tickets":
		if r.ticket, err = strconv.ParseInt(parts[5], 10, 64); err != nil {
			return cartRoute{}, false
		}
		r.action = cartHold
	default:
		return cartRoute{}, false
	}
	return r, true
}

// method is the HTTP method a cart route answers.
func (r cartRoute) method() string {
	if r.action == cartContents {
		return "GET"
	}
	return "POST"
}

// cartRequest is the body of the cart routes; fits refuses the fields an action does
// not take, and numbers out of range.
type cartRequest struct {
	Customer       string `json:"customer"`
	ExpiresSeconds int64  `json:"expires_seconds,omitempty"` // open: 0 means the default, 15 minutes
	ExtendSeconds  int64  `json:"extend_seconds,omitempty"`  // extend
	Wait           string `json:"wait,omitempty"`            // tickets/{ticket}
	Quantity       int    `json:"quantity,omitempty"`        // claim-any
	Section        string `json:"section,omitempty"`
	SeatPrefix     string `json:"seat_prefix,omitempty"`
	Adjacent       bool   `json:"adjacent,omitempty"`
	Category       string `json:"category,omitempty"`
}

func (c cartRequest) fits(action string) error {
	only := func(set bool, field, route string) error {
		if set {
			return badRequest(field + " is for the " + route + " route only")
		}
		return nil
	}
	claimAny := c.Quantity != 0 || c.Section != "" || c.SeatPrefix != "" || c.Adjacent || c.Category != ""
	for _, err := range []error{
		inRange(secondsField("expires_seconds", c.ExpiresSeconds), secondsField("extend_seconds", c.ExtendSeconds),
			integerField("quantity", c.Quantity)),
		only(c.ExpiresSeconds != 0 && action != cartOpen, "expires_seconds", "cart opening"),
		only(c.ExtendSeconds != 0 && action != cartExtend, "extend_seconds", "extend"),
		only(c.Wait != "" && action != cartHold, "wait", "cart's tickets/{ticket}"),
		only(claimAny && action != cartClaimAny, "quantity, section, seat_prefix, adjacent and category", "cart's claim-any"),
	} {
		if err != nil {
			return err
		}
	}
	if action == cartExtend && c.ExtendSeconds == 0 {
		return badRequest("extend_seconds is required")
	}
	return nil
}

// cartOutcomeStatus: the cart routes' own successes are 200 (a cart opened, extended
// or capped: the body says which), no such cart (of this customer) is 404, then as for
// every route. A cart's contents are 200 whatever state the cart is in.
func cartOutcomeStatus(action string, o ticketing.Outcome) int {
	switch {
	case o == ticketing.Opened, o == ticketing.Extended, o == ticketing.Capped:
		return http.StatusOK
	case o == ticketing.CartNotFound:
		return http.StatusNotFound
	case action == cartContents:
		return http.StatusOK
	}
	return outcomeStatus(o)
}

func writeCartOutcome(w http.ResponseWriter, action string, outcome ticketing.Outcome, result interface{}) {
	if outcomeRetryable(outcome) {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	writeJSON(w, cartOutcomeStatus(action, outcome), result)
}

// cartAction serves the cart routes.
func (s *Server) cartAction(w http.ResponseWriter, r *http.Request, rt cartRoute) {
	if r.Method != rt.method() {
		w.Header().Set("Allow", rt.method())
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed", Message: rt.method() + " only"})
		return
	}
	var req cartRequest
	if rt.action == cartContents {
		req.Customer = r.URL.Query().Get("customer")
	} else if err := decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := req.fits(rt.action); err != nil {
		writeError(w, err)
		return
	}
	key := requestID(r)
	var outcome ticketing.Outcome
	var result interface{}
	call := func(ctx context.Context) error {
		switch rt.action {
		case cartOpen:
			res, err := s.tk.OpenCart(ctx, rt.event, req.Customer, ticketing.CartOptions{
				ExpiresIn: seconds(req.ExpiresSeconds)})
			outcome, result = res.Outcome, res
			return err
		case cartContents:
			res, err := s.tk.CartContents(ctx, rt.event, rt.token, req.Customer)
			outcome, result = res.Outcome, res
			return err
		case cartExtend:
			res, err := s.tk.ExtendCart(ctx, rt.event, rt.token, req.Customer, seconds(req.ExtendSeconds))
			outcome, result = res.Outcome, res
			return err
		case cartHold:
			res, err := s.tk.Hold(ctx, rt.event, rt.ticket, req.Customer, ticketing.HoldOptions{
				Wait: ticketing.Wait(req.Wait), IdempotencyKey: key, Cart: rt.token})
			outcome, result = res.Outcome, res
			return err
		case cartClaimAny:
			res, err := s.tk.ClaimAny(ctx, rt.event, req.Customer, ticketing.AnyOptions{
				Quantity: req.Quantity, Section: req.Section, SeatPrefix: req.SeatPrefix,
				Adjacent: req.Adjacent, Category: req.Category, IdempotencyKey: key, Cart: rt.token})
			outcome, result = res.Outcome, res
			return err
		case cartCheckout:
			res, err := s.tk.CheckoutCart(ctx, rt.event, rt.token, req.Customer, key)
			outcome, result = res.Outcome, res
			return err
		default: // cartAbandon
			res, err := s.tk.AbandonCart(ctx, rt.event, rt.token, req.Customer, key)
			outcome, result = res.Outcome, res
			return err
		}
	}
	// Reading a cart is always safe to repeat, and so is opening one (a repeat opens another,
	// empty cart, which expires); extend_cart takes no key, so it is repeated only when it
	// certainly was not sent.
	repeatKey := key
	switch rt.action {
	case cartContents, cartOpen:
		repeatKey = "safe to repeat"
	case cartExtend:
		repeatKey = ""
	}
	if err := s.failover.Do(r.Context(), repeatKey, call); err != nil {
		writeError(w, unknownOutcome(err, repeatKey))
		return
	}
	writeCartOutcome(w, rt.action, outcome, result)
}
