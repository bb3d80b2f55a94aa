package ticketing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// TicketsOptions are claim_tickets' optional arguments; zero values mean the
// function's defaults (wait, a sale rather than a hold, no cart).
type TicketsOptions struct {
	Wait           Wait
	HoldFor        time.Duration
	IdempotencyKey string
	Cart           string // hold into this cart (its token)
}

// ClaimTickets buys (or holds, with HoldFor or into a Cart) the given tickets, all or
// nothing (claim_tickets).
func (c *Client) ClaimTickets(ctx context.Context, event int64, tickets []int64, customer string, o TicketsOptions) (OrderResult, error) {
	return c.orderCall(ctx, "claim_tickets",
		named("event_id", "bigint", event),
		named("ticket_ids", "bigint[]", tickets),
		named("customer", "text", customer),
		optionalText("wait", string(o.Wait)),
		arg{name: "hold_for", sqlType: "interval", value: o.HoldFor, omitted: o.HoldFor == 0},
		optionalText("idempotency_key", o.IdempotencyKey),
		optionalText("cart", o.Cart))
}

// BatchRequest is ticketing.batch_request: one request of ClaimBatch. Zero values are
// NULL: TicketID 0 asks for any seat (of Category, if set); Cart holds into that cart.
type BatchRequest struct {
	TicketID       int64
	Customer       string
	IdempotencyKey string
	Category       string
	Cart           string
}

// BatchResult is ticketing.batch_result: the answer to request RequestNo (from 1).
type BatchResult struct {
	RequestNo int32      `json:"request_no"`
	Outcome   Outcome    `json:"outcome"`
	TicketID  *int64     `json:"ticket_id,omitempty"`
	Seat      *string    `json:"seat,omitempty"`
	At        *time.Time `json:"at,omitempty"`
	Quota     *string    `json:"quota,omitempty"`
	Code      *string    `json:"code,omitempty"` // the ticket's code, when the request bought or owns it
}

// The requests travel as parallel arrays and are put together on the server, so that no
// composite literal is built here; the answers come back as one JSON array, in order.
const claimBatchSQL = `SELECT coalesce(json_agg(b ORDER BY b.request_no), '[]')
  FROM ticketing.claim_batch($1::bigint, ARRAY(
         SELECT ROW(u.ticket_id, u.customer, u.idempotency_key, u.category, u.cart)::ticketing.batch_request
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
                WITH ORDINALITY AS u(ticket_id, customer, idempotency_key, category, cart, n)
          ORDER BY u.n)) AS b`

// ClaimBatch makes many claims in one call and one transaction, one answer per request
// in request order (claim_batch with ticketing.batch_request[]). It never waits for a
// lock: a request whose ticket is locked elsewhere answers Busy.
func (c *Client) ClaimBatch(ctx context.Context, event int64, requests []BatchRequest) ([]BatchResult, error) {
	n := len(requests)
	tickets := make([]*int64, n)
	customers := make([]string, n)
	keys, categories, carts := make([]*string, n), make([]*string, n), make([]*string, n)
	for i := range requests {
		r := &requests[i]
		if r.TicketID != 0 {
			tickets[i] = &r.TicketID
		}
		customers[i] = r.Customer
		keys[i], categories[i], carts[i] = nullable(r.IdempotencyKey), nullable(r.Category), nullable(r.Cart)
	}
	var results []BatchResult
	if err := c.jsonRows(ctx, &results, claimBatchSQL, event, tickets, customers, keys, categories, carts); err != nil {
		return nil, err
	}
	// Callers index the answers by request (the service's coalescer does): one each, in order.
	if len(results) != n {
		return nil, fmt.Errorf("ticketing: claim_batch answered %d of %d requests", len(results), n)
	}
	for i := range results {
		if int(results[i].RequestNo) != i+1 {
			return nil, fmt.Errorf("ticketing: claim_batch answered request %d in place %d", results[i].RequestNo, i+1)
		}
	}
	return results, nil
}

// jsonRows runs a statement whose one row is a JSON array of a call's rows and decodes
// it into out.
func (c *Client) jsonRows(ctx context.Context, out interface{}, sql string, values ...interface{}) error {
	var raw []byte
	if err := c.db.QueryRow(ctx, sql, values...).Scan(&raw); err != nil {
		return classify(err)
	}
	return json.Unmarshal(raw, out)
}

// nullable is NULL for an empty string.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
