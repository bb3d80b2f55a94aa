package ticketing

import (
	"context"
	"time"
)

// The outcomes of the waiting list (issue 19).
const (
	// Joined: the customer is in the list, waiting; Place says where.
	Joined Outcome = "joined"
	// Offered: tickets are held for the customer (TicketIDs) until OfferExpiresAt: from
	// JoinWaitlist when tickets that fit were free at once, from WaitlistPosition while an
	// offer is open. The customer buys them with Confirm (or a cart checkout).
	Offered Outcome = "offered"
	// Waiting: WaitlistPosition of an entry still in line (Place).
	Waiting Outcome = "waiting"
	// AlreadyWaiting: the customer has an open entry in the event's list; the answer is
	// that entry as it stands (a customer waits once per event).
	AlreadyWaiting Outcome = "already_waiting"
	// Left: the customer left the list; an open offer was given up, and its tickets
	// (TicketIDs) went on to the next entries.
	Left Outcome = "left"
	// NotWaiting: the customer has no open entry in the event's list.
	NotWaiting Outcome = "not_waiting"
	// WaitlistClosed: the event's list is not open (OpenWaitlist opens it).
	WaitlistClosed Outcome = "waitlist_closed"
)

// WaitlistResult is ticketing.waitlist_result: the answer of join_waitlist,
// leave_waitlist and waitlist_position. Place is the entry's place in line (1 is the
// next to be offered tickets) while it waits; SkippedFor says why the last offer that
// fitted went past it (limit_reached or quota_exhausted).
type WaitlistResult struct {
	Outcome        Outcome    `json:"outcome"`
	EventID        *int64     `json:"event_id,omitempty"`
	EntryID        *int64     `json:"entry_id,omitempty"`
	Place          *int64     `json:"place,omitempty"`
	Status         *string    `json:"status,omitempty"`
	TicketIDs      []int64    `json:"ticket_ids,omitempty"`
	OfferExpiresAt *time.Time `json:"offer_expires_at,omitempty"`
	SkippedFor     *string    `json:"skipped_for,omitempty"`
}

// WaitlistOptions are join_waitlist's optional arguments; zero values mean the
// function's defaults (one ticket of any category, not together, offers held for 15
// minutes).
type WaitlistOptions struct {
	Quantity int
	Category string        // only tickets of this category
	Together bool          // adjacent seats only
	OfferFor time.Duration // how long an offer is held for the customer (1 minute to 7 days)
}

// WaitlistEntry is one row of ticketing.waitlist(): an entry in list order. Status is
// waiting, left or closed, or for an entry that got an offer what became of it:
// offered (still held), accepted, lapsed or declined; Bought counts the offer's tickets
// the customer bought.
type WaitlistEntry struct {
	EntryID        int64      `json:"entry_id"`
	Customer       string     `json:"customer"`
	Place          *int64     `json:"place"`
	Quantity       int32      `json:"quantity"`
	Category       *string    `json:"category"`
	Together       bool       `json:"together"`
	Status         string     `json:"status"`
	JoinedAt       time.Time  `json:"joined_at"`
	OfferedAt      *time.Time `json:"offered_at"`
	OfferExpiresAt *time.Time `json:"offer_expires_at"`
	TicketIDs      []int64    `json:"ticket_ids"`
	Bought         *int32     `json:"bought"`
	SkippedFor     *string    `json:"skipped_for"`
	SkippedAt      *time.Time `json:"skipped_at"`
}

// PendingOffer is one row of ticketing.pending_offers(): an offer still open, with the
// tickets held for the customer and until when (what a mailer sends).
type PendingOffer struct {
	EntryID        int64     `json:"entry_id"`
	Customer       string    `json:"customer"`
	TicketIDs      []int64   `json:"ticket_ids"`
	Seats          []string  `json:"seats"`
	OfferExpiresAt time.Time `json:"offer_expires_at"`
}

const waitlistColumns = "outcome, event_id, entry_id, place, status, ticket_ids, offer_expires_at, skipped_for"

func (c *Client) waitlistCall(ctx context.Context, fn string, args ...arg) (WaitlistResult, error) {
	sql, values := statement(fn, waitlistColumns, args...)
	var r WaitlistResult
	var outcome string
	err := c.db.QueryRow(ctx, sql, values...).Scan(&outcome, &r.EventID, &r.EntryID, &r.Place,
		&r.Status, &r.TicketIDs, &r.OfferExpiresAt, &r.SkippedFor)
	if err != nil {
		return WaitlistResult{}, classify(err)
	}
	r.Outcome = Outcome(outcome)
	return r, nil
}

// JoinWaitlist puts the customer in the event's waiting list (join_waitlist): Joined
// with the place in line, Offered when tickets that fit were free at once,
// AlreadyWaiting (the customer's entry as it stands), WaitlistClosed, NotFound.
func (c *Client) JoinWaitlist(ctx context.Context, event int64, customer string, o WaitlistOptions) (WaitlistResult, error) {
	return c.waitlistCall(ctx, "join_waitlist",
		named("event_id", "bigint", event),
		named("customer", "text", customer),
		arg{name: "quantity", sqlType: "integer", value: o.Quantity, omitted: o.Quantity == 0},
		optionalText("category", o.Category),
		arg{name: "together", sqlType: "boolean", value: o.Together, omitted: !o.Together},
		arg{name: "offer_for", sqlType: "interval", value: o.OfferFor, omitted: o.OfferFor == 0})
}

// LeaveWaitlist takes the customer out of the list (leave_waitlist): Left (an open
// offer is given up and passed on), NotWaiting.
func (c *Client) LeaveWaitlist(ctx context.Context, event int64, customer string) (WaitlistResult, error) {
	return c.waitlistCall(ctx, "leave_waitlist", named("event_id", "bigint", event), named("customer", "text", customer))
}

// WaitlistPosition says where the customer stands (waitlist_position): Waiting with the
// place in line, Offered with the tickets held, NotWaiting.
func (c *Client) WaitlistPosition(ctx context.Context, event int64, customer string) (WaitlistResult, error) {
	return c.waitlistCall(ctx, "waitlist_position", named("event_id", "bigint", event), named("customer", "text", customer))
}

// The staff's calls run with the caller's rights: the extension's owner, or a role with
// the grants the README lists.

// Waitlist is every entry of the event's list, in list order (waitlist).
func (c *Client) Waitlist(ctx context.Context, event int64) ([]WaitlistEntry, error) {
	var rows []WaitlistEntry
	err := c.jsonRows(ctx, &rows, `SELECT coalesce(json_agg(w ORDER BY w.entry_id), '[]')
	                                 FROM ticketing.waitlist($1::bigint) AS w`, event)
	return rows, err
}

// PendingOffers is every offer of the event still open, by entry (pending_offers). A
// mailer calls it when LISTEN ticketing_waitlist_<event> says an offer was made.
func (c *Client) PendingOffers(ctx context.Context, event int64) ([]PendingOffer, error) {
	var rows []PendingOffer
	err := c.jsonRows(ctx, &rows, `SELECT coalesce(json_agg(p ORDER BY p.entry_id), '[]')
	                                 FROM ticketing.pending_offers($1::bigint) AS p`, event)
	return rows, err
}

// OpenWaitlist opens the event's list (open_waitlist): from then on every ticket that
// comes free is offered to the waiting entries it fits. P0002 (KindNotFound) for an
// unknown event.
func (c *Client) OpenWaitlist(ctx context.Context, event int64) error {
	return c.done(ctx, "open_waitlist", named("event_id", "bigint", event))
}

// CloseWaitlist closes the event's list (close_waitlist) and returns how many waiting
// entries it closed; offers already made stand.
func (c *Client) CloseWaitlist(ctx context.Context, event int64) (int64, error) {
	return c.count(ctx, "close_waitlist", named("event_id", "bigint", event))
}
