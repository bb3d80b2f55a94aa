package ticketing

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v4"
)

// Rower runs a statement that answers several rows: a *pgxpool.Pool, a *pgx.Conn or a
// pgx.Tx (and the service's shard router). ClaimBatch needs it.
type Rower interface {
	Query(ctx context.Context, sql string, args ...interface{}) (pgx.Rows, error)
}

// BatchRequest is one ticketing.claim_request: a given ticket (TicketID > 0) or any
// seat (TicketID 0), for a customer, with an optional idempotency key.
type BatchRequest struct {
	TicketID       int64
	Customer       string
	IdempotencyKey string
}

// BatchResult is one row of ticketing.batch_result, the answer to the request of the
// same index.
type BatchResult struct {
	Outcome  Outcome
	TicketID *int64
	Seat     *string
	At       *time.Time
}

// The requests travel as three arrays, zipped back into claim_request values in their
// order, so that no composite literal is built in Go.
const claimBatchSQL = `SELECT request_no, outcome, ticket_id, seat, at FROM ticketing.claim_batch($1::bigint,
 ARRAY(SELECT ROW(u.t, u.c, u.k)::ticketing.claim_request
         FROM ROWS FROM (pg_catalog.unnest($2::bigint[]), pg_catalog.unnest($3::text[]),
                         pg_catalog.unnest($4::text[])) WITH ORDINALITY AS u(t, c, k, n)
        ORDER BY u.n))`

// ClaimBatch claims many tickets of one event in one call and one transaction
// (claim_batch): one answer per request, in request order. The call never waits for a
// row lock (a ticket locked elsewhere answers Busy). An error fails every request: the
// transaction rolled back.
func (c *Client) ClaimBatch(ctx context.Context, event int64, requests []BatchRequest) ([]BatchResult, error) {
	db, ok := c.db.(Rower)
	if !ok {
		return nil, fmt.Errorf("ticketing: ClaimBatch needs a Querier that also runs Query (a pool, connection or transaction)")
	}
	tickets := make([]*int64, len(requests))
	customers := make([]string, len(requests))
	keys := make([]*string, len(requests))
	for i := range requests {
		if requests[i].TicketID != 0 {
			tickets[i] = &requests[i].TicketID
		}
		customers[i] = requests[i].Customer
		if requests[i].IdempotencyKey != "" {
			keys[i] = &requests[i].IdempotencyKey
		}
	}
	rows, err := db.Query(ctx, claimBatchSQL, event, tickets, customers, keys)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	results := make([]BatchResult, len(requests))
	seen := 0
	for rows.Next() {
		var n int32
		var outcome string
		var r BatchResult
		if err := rows.Scan(&n, &outcome, &r.TicketID, &r.Seat, &r.At); err != nil {
			return nil, classify(err)
		}
		if n < 1 || int(n) > len(requests) {
			return nil, fmt.Errorf("ticketing: claim_batch answered request %d of %d", n, len(requests))
		}
		r.Outcome = Outcome(outcome)
		results[n-1] = r
		seen++
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	if seen != len(requests) {
		return nil, fmt.Errorf("ticketing: claim_batch answered %d of %d requests", seen, len(requests))
	}
	return results, nil
}
