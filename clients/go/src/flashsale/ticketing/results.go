// Package ticketing calls the ticketing extension's functions through pgx: one SQL
// statement per call, the outcome returned as a value, errors classified by SQLSTATE.
package ticketing

import "time"

// Outcome is what a call answered. It is a plain string: the extension may add
// outcomes, and an unknown one is still a value, never an error.
type Outcome string

// The outcomes the extension answers today (README, "API"); those of quotas and carts
// are in quotas.go and carts.go.
const (
	Claimed      Outcome = "claimed"
	AlreadyOwned Outcome = "already_owned"
	AlreadySold  Outcome = "already_sold"
	Held         Outcome = "held"
	NotFound     Outcome = "not_found"
	Busy         Outcome = "busy"
	LimitReached Outcome = "limit_reached"
	Released     Outcome = "released"
	NotOwner     Outcome = "not_owner"
	HoldPlaced   Outcome = "hold_placed"
	HoldExpired  Outcome = "hold_expired"
	NotHeld      Outcome = "not_held"
	Insufficient Outcome = "insufficient"
	SoldOut      Outcome = "sold_out"
)

// TicketResult is ticketing.ticket_result: the answer of a single-ticket call.
// Columns the extension leaves NULL are nil.
type TicketResult struct {
	Outcome       Outcome    `json:"outcome"`
	EventID       *int64     `json:"event_id,omitempty"`
	TicketID      *int64     `json:"ticket_id,omitempty"`
	Seat          *string    `json:"seat,omitempty"`
	OwnerIsYou    *bool      `json:"owner_is_you,omitempty"`
	At            *time.Time `json:"at,omitempty"`
	HoldExpiresAt *time.Time `json:"hold_expires_at,omitempty"`
	// Quota is the quota that has no unit left (QuotaExhausted).
	Quota *string `json:"quota,omitempty"`
	// Code is the ticket's code for the gate when the answer gives the customer a sold
	// ticket (Claimed, AlreadyOwned, Transferred: the receiver's).
	Code *string `json:"code,omitempty"`
}

// OrderResult is ticketing.order_result: the answer of claim_any, claim_tickets,
// checkout_cart and abandon_cart.
// On success TicketIDs and Seats are the customer's tickets; when blocked, the
// tickets in the way; Remaining is set when there were not enough.
type OrderResult struct {
	Outcome       Outcome    `json:"outcome"`
	EventID       *int64     `json:"event_id,omitempty"`
	TicketIDs     []int64    `json:"ticket_ids,omitempty"`
	Seats         []string   `json:"seats,omitempty"`
	Remaining     *int64     `json:"remaining,omitempty"`
	At            *time.Time `json:"at,omitempty"`
	HoldExpiresAt *time.Time `json:"hold_expires_at,omitempty"`
	Quota         *string    `json:"quota,omitempty"`
	// Codes are the tickets' codes for the gate, in TicketIDs' order, for a sale.
	Codes []string `json:"codes,omitempty"`
}

// EventCounts is ticketing.event_counts (event_summary): a lapsed hold counts as
// available.
type EventCounts struct {
	EventID   int64 `json:"event_id"`
	Total     int64 `json:"total"`
	Available int64 `json:"available"`
	Held      int64 `json:"held"`
	Sold      int64 `json:"sold"`
}
