package ticketing

import (
	"context"
	"time"

	"github.com/jackc/pgx/v4"
)

// Querier runs one statement: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx. With a pool
// or a connection each call is its own transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...interface{}) pgx.Row
}

// Wait is the wait policy for a locked ticket.
type Wait string

const (
	// WaitQueue queues behind the lock holder (honours lock_timeout: 55P03).
	WaitQueue Wait = "wait"
	// WaitNoWait raises 55P03 at once.
	WaitNoWait Wait = "nowait"
	// WaitSkip answers Busy at once.
	WaitSkip Wait = "skip"
)

// ClaimOptions are claim_ticket's optional arguments; zero values mean the
// function's defaults (wait, no idempotency key).
type ClaimOptions struct {
	Wait           Wait
	IdempotencyKey string
}

// AnyOptions are claim_any's optional arguments; zero values mean the function's
// defaults (one ticket of any category, anywhere, not adjacent, a sale rather than a
// hold, no cart).
type AnyOptions struct {
	Quantity       int
	Section        string
	SeatPrefix     string
	Adjacent       bool
	HoldFor        time.Duration
	IdempotencyKey string
	Category       string // only tickets of this category
	Cart           string // hold into this cart (its token)
}

// HoldOptions are hold_ticket's optional arguments; zero values mean the function's
// defaults (10 minutes, wait, no cart).
type HoldOptions struct {
	HoldFor        time.Duration
	Wait           Wait
	IdempotencyKey string
	Cart           string // hold into this cart (its token): the hold lasts as long as the cart
}

// Client calls the extension's functions through a Querier.
type Client struct {
	db Querier
}

// New returns a Client that runs its calls on db.
func New(db Querier) *Client { return &Client{db: db} }

const ticketColumns = "outcome, event_id, ticket_id, seat, owner_is_you, at, hold_expires_at, quota, code"
const orderColumns = "outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at, quota, codes"

// ticketArgs are the three leading arguments of every single-ticket call.
func ticketArgs(event, ticket int64, customer string) []arg {
	return []arg{
		named("event_id", "bigint", event),
		named("ticket_id", "bigint", ticket),
		named("customer", "text", customer),
	}
}

func (c *Client) ticketCall(ctx context.Context, fn string, args []arg) (TicketResult, error) {
	sql, values := statement(fn, ticketColumns, args...)
	var r TicketResult
	var outcome string
	err := c.db.QueryRow(ctx, sql, values...).Scan(&outcome, &r.EventID, &r.TicketID, &r.Seat,
		&r.OwnerIsYou, &r.At, &r.HoldExpiresAt, &r.Quota, &r.Code)
	if err != nil {
		return TicketResult{}, classify(err)
	}
	r.Outcome = Outcome(outcome)
	return r, nil
}

// Claim buys one ticket (claim_ticket).
func (c *Client) Claim(ctx context.Context, event, ticket int64, customer string, o ClaimOptions) (TicketResult, error) {
	args := append(ticketArgs(event, ticket, customer),
		optionalText("wait", string(o.Wait)),
		optionalText("idempotency_key", o.IdempotencyKey))
	return c.ticketCall(ctx, "claim_ticket", args)
}

// Hold holds one ticket for the customer (hold_ticket).
func (c *Client) Hold(ctx context.Context, event, ticket int64, customer string, o HoldOptions) (TicketResult, error) {
	args := append(ticketArgs(event, ticket, customer),
		arg{name: "hold_for", sqlType: "interval", value: o.HoldFor, omitted: o.HoldFor == 0},
		optionalText("wait", string(o.Wait)),
		optionalText("idempotency_key", o.IdempotencyKey),
		optionalText("cart", o.Cart))
	return c.ticketCall(ctx, "hold_ticket", args)
}

// Confirm turns the customer's live hold into a sale (confirm_hold).
func (c *Client) Confirm(ctx context.Context, event, ticket int64, customer, idempotencyKey string) (TicketResult, error) {
	args := append(ticketArgs(event, ticket, customer), optionalText("idempotency_key", idempotencyKey))
	return c.ticketCall(ctx, "confirm_hold", args)
}

// Release returns the customer's sale or live hold to inventory (release_ticket).
func (c *Client) Release(ctx context.Context, event, ticket int64, customer, idempotencyKey string) (TicketResult, error) {
	args := append(ticketArgs(event, ticket, customer), optionalText("idempotency_key", idempotencyKey))
	return c.ticketCall(ctx, "release_ticket", args)
}

// ReleaseHold gives up the customer's live hold (release_hold).
func (c *Client) ReleaseHold(ctx context.Context, event, ticket int64, customer, idempotencyKey string) (TicketResult, error) {
	args := append(ticketArgs(event, ticket, customer), optionalText("idempotency_key", idempotencyKey))
	return c.ticketCall(ctx, "release_hold", args)
}

func (c *Client) orderCall(ctx context.Context, fn string, args ...arg) (OrderResult, error) {
	sql, values := statement(fn, orderColumns, args...)
	var r OrderResult
	var outcome string
	err := c.db.QueryRow(ctx, sql, values...).Scan(&outcome, &r.EventID, &r.TicketIDs, &r.Seats,
		&r.Remaining, &r.At, &r.HoldExpiresAt, &r.Quota, &r.Codes)
	if err != nil {
		return OrderResult{}, classify(err)
	}
	r.Outcome = Outcome(outcome)
	return r, nil
}

// ClaimAny buys (or holds, with HoldFor or into a Cart) any claimable tickets of the
// event (claim_any).
func (c *Client) ClaimAny(ctx context.Context, event int64, customer string, o AnyOptions) (OrderResult, error) {
	return c.orderCall(ctx, "claim_any",
		named("event_id", "bigint", event),
		named("customer", "text", customer),
		arg{name: "quantity", sqlType: "integer", value: o.Quantity, omitted: o.Quantity == 0},
		optionalText("section", o.Section),
		optionalText("seat_prefix", o.SeatPrefix),
		arg{name: "adjacent", sqlType: "boolean", value: o.Adjacent, omitted: !o.Adjacent},
		arg{name: "hold_for", sqlType: "interval", value: o.HoldFor, omitted: o.HoldFor == 0},
		optionalText("idempotency_key", o.IdempotencyKey),
		optionalText("category", o.Category),
		optionalText("cart", o.Cart))
}

// EventSummary counts the event's tickets by status (event_summary). An unknown
// event is an *Error of KindNotFound.
func (c *Client) EventSummary(ctx context.Context, event int64) (EventCounts, error) {
	sql, values := statement("event_summary", "event_id, total, available, held, sold",
		named("event_id", "bigint", event))
	var s EventCounts
	if err := c.db.QueryRow(ctx, sql, values...).Scan(&s.EventID, &s.Total, &s.Available, &s.Held, &s.Sold); err != nil {
		return EventCounts{}, classify(err)
	}
	return s, nil
}
