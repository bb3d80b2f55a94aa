package service

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"

	"flashsale/ticketing"
)

// articleClaimer is the handler of the article this project grew from, kept as the
// baseline: BEGIN; SELECT ... FOR UPDATE; check the status in Go; UPDATE; INSERT the
// audit row; COMMIT. Five round trips with the row lock held from the second to the
// last. It is correct (the lock serializes buyers of one ticket) but knows only a
// ticket's status: it does not keep idempotency keys (a retry still cannot buy a
// ticket twice: it answers already_owned) and refuses events with a per-customer
// limit, which it cannot enforce.
type articleClaimer struct {
	pool *pgxpool.Pool
}

// ticketRow is what the article's handler reads under the row lock.
type ticketRow struct {
	status   string
	seat     string
	owner    *string
	holdLive bool
	limit    *int32
}

const articleSelect = `SELECT t.status, t.seat, t.owner, coalesce(t.hold_expires_at > now(), false),
       e.per_customer_limit
  FROM ticketing.tickets t JOIN ticketing.events e ON e.event_id = t.event_id
 WHERE t.event_id = $1 AND t.ticket_id = $2
   FOR UPDATE OF t`

const articleUpdate = `UPDATE ticketing.tickets
   SET status = 'sold', owner = $3, hold_expires_at = NULL, updated_at = now()
 WHERE event_id = $1 AND ticket_id = $2
RETURNING updated_at`

const articleAudit = `INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES ($1, $2, $3, 'sold', $4)`

func (a articleClaimer) Claim(ctx context.Context, event, ticket int64, customer string,
	wait ticketing.Wait, _ string) (ticketing.TicketResult, error) {
	if wait != "" && wait != ticketing.WaitQueue {
		return ticketing.TicketResult{}, notSupported("the article's handler only waits for a locked ticket")
	}
	if err := validateCustomer(customer); err != nil {
		return ticketing.TicketResult{}, err
	}
	tx, err := a.pool.Begin(ctx)
	if err != nil {
		return ticketing.TicketResult{}, err
	}
	defer tx.Rollback(ctx) // after Commit, a no-op
	var row ticketRow
	err = tx.QueryRow(ctx, articleSelect, event, ticket).Scan(&row.status, &row.seat, &row.owner, &row.holdLive, &row.limit)
	if errors.Is(err, pgx.ErrNoRows) {
		return ticketing.TicketResult{Outcome: ticketing.NotFound, EventID: &event, TicketID: &ticket}, nil
	}
	if err != nil {
		return ticketing.TicketResult{}, err
	}
	if row.limit != nil {
		return ticketing.TicketResult{}, notSupported("the article's handler cannot enforce per-customer limits")
	}
	result := ticketing.TicketResult{EventID: &event, TicketID: &ticket, Seat: &row.seat}
	if outcome, sell := decide(row, customer); !sell {
		result.Outcome = outcome
		ownerIsYou := outcome == ticketing.AlreadyOwned
		result.OwnerIsYou = &ownerIsYou
		return result, nil
	}
	var at time.Time
	if err := tx.QueryRow(ctx, articleUpdate, event, ticket, customer).Scan(&at); err != nil {
		return ticketing.TicketResult{}, err
	}
	if _, err := tx.Exec(ctx, articleAudit, event, ticket, row.status, customer); err != nil {
		return ticketing.TicketResult{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return ticketing.TicketResult{}, err
	}
	yes := true
	result.Outcome, result.OwnerIsYou, result.At = ticketing.Claimed, &yes, &at
	return result, nil
}

// decide is the article's status check: whether to sell, and the outcome if not. A
// live hold of the customer's own may be bought; a lapsed hold counts as available.
func decide(row ticketRow, customer string) (outcome ticketing.Outcome, sell bool) {
	mine := row.owner != nil && *row.owner == customer
	switch {
	case row.status == "sold" && mine:
		return ticketing.AlreadyOwned, false
	case row.status == "sold":
		return ticketing.AlreadySold, false
	case row.status == "held" && row.holdLive && !mine:
		return ticketing.Held, false
	default:
		return ticketing.Claimed, true
	}
}

// validateCustomer applies the extension's rule (1 to 200 bytes) that the article's
// handler would otherwise not check.
func validateCustomer(customer string) error {
	if customer == "" || len(customer) > 200 {
		return badRequest("customer must be 1 to 200 bytes")
	}
	return nil
}
