package service

import (
	"context"

	"flashsale/ticketing"
)

// Claimer sells one given ticket: the part of the service that the -handler flag
// chooses (the extension's single call, or the article's client-side transaction).
type Claimer interface {
	Claim(ctx context.Context, event, ticket int64, customer string, wait ticketing.Wait,
		requestID string) (ticketing.TicketResult, error)
}

// extensionClaimer makes one call, ticketing.claim_ticket, with the request id as
// its idempotency key.
type extensionClaimer struct {
	tk *ticketing.Client
}

func (c extensionClaimer) Claim(ctx context.Context, event, ticket int64, customer string,
	wait ticketing.Wait, requestID string) (ticketing.TicketResult, error) {
	return c.tk.Claim(ctx, event, ticket, customer, ticketing.ClaimOptions{Wait: wait, IdempotencyKey: requestID})
}
