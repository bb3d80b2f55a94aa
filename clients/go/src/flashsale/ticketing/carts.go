package ticketing

import (
	"context"
	"time"
)

// The outcomes of carts.
const (
	// Opened: open_cart made a cart (its token is in the answer, and only there); from
	// cart_contents, the cart is open.
	Opened Outcome = "opened"
	// Extended: the cart and every hold in it last longer now.
	Extended Outcome = "extended"
	// Capped: extended, but only to the ceiling of a cart's lifetime.
	Capped Outcome = "capped"
	// CartExpired: the cart lapsed; nothing was done (its items return to inventory).
	CartExpired Outcome = "cart_expired"
	// CartClosed: the cart was abandoned (or, for a hold into it, checked out); nothing
	// was done. A checked-out cart answers AlreadyOwned to checkout_cart and cart_contents.
	CartClosed Outcome = "cart_closed"
	// CartNotFound: no cart of this customer in this event has that token (another
	// customer's token answers the same).
	CartNotFound Outcome = "cart_not_found"
	// EmptyCart: a checkout of a cart that holds nothing.
	EmptyCart Outcome = "empty_cart"
)

// CartResult is ticketing.cart_result: the answer of open_cart, extend_cart and
// cart_contents. Token is set by OpenCart only.
type CartResult struct {
	Outcome   Outcome    `json:"outcome"`
	EventID   *int64     `json:"event_id,omitempty"`
	Token     *string    `json:"token,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	TicketIDs []int64    `json:"ticket_ids,omitempty"`
	Seats     []string   `json:"seats,omitempty"`
}

// CartOptions are open_cart's optional arguments; zero values mean the function's
// defaults (15 minutes).
type CartOptions struct {
	ExpiresIn time.Duration
}

const cartColumns = "outcome, event_id, token, expires_at, ticket_ids, seats"

func (c *Client) cartCall(ctx context.Context, fn string, args ...arg) (CartResult, error) {
	sql, values := statement(fn, cartColumns, args...)
	var r CartResult
	var outcome string
	err := c.db.QueryRow(ctx, sql, values...).Scan(&outcome, &r.EventID, &r.Token, &r.ExpiresAt,
		&r.TicketIDs, &r.Seats)
	if err != nil {
		return CartResult{}, classify(err)
	}
	r.Outcome = Outcome(outcome)
	return r, nil
}

// cartArgs are the three leading arguments of the calls on an existing cart.
func cartArgs(event int64, token, customer string) []arg {
	return []arg{
		named("event_id", "bigint", event),
		named("token", "text", token),
		named("customer", "text", customer),
	}
}

// OpenCart opens a cart for the customer in the event (open_cart). Put tickets in it
// with Cart in HoldOptions, TicketsOptions, AnyOptions or a BatchRequest. It takes no
// idempotency key: a repeat opens another cart, and an empty cart costs nothing and
// expires.
func (c *Client) OpenCart(ctx context.Context, event int64, customer string, o CartOptions) (CartResult, error) {
	return c.cartCall(ctx, "open_cart",
		named("event_id", "bigint", event),
		named("customer", "text", customer),
		arg{name: "expires_in", sqlType: "interval", value: o.ExpiresIn, omitted: o.ExpiresIn == 0})
}

// ExtendCart moves the cart's expiry (and its holds') by the given time, up to the
// ceiling of a cart's lifetime: Capped when the ceiling cut it (extend_cart).
func (c *Client) ExtendCart(ctx context.Context, event int64, token, customer string, by time.Duration) (CartResult, error) {
	return c.cartCall(ctx, "extend_cart", append(cartArgs(event, token, customer),
		named("extend_by", "interval", by))...)
}

// CartContents says what the cart holds and whether it is open (cart_contents).
func (c *Client) CartContents(ctx context.Context, event int64, token, customer string) (CartResult, error) {
	return c.cartCall(ctx, "cart_contents", cartArgs(event, token, customer)...)
}

// CheckoutCart sells every item of the cart in one step, or nothing (checkout_cart):
// Claimed with every item; CartExpired, HoldExpired (with the lapsed items that another
// buyer has), EmptyCart, CartClosed, CartNotFound and AlreadyOwned (checked out before)
// sell nothing.
func (c *Client) CheckoutCart(ctx context.Context, event int64, token, customer, idempotencyKey string) (OrderResult, error) {
	return c.orderCall(ctx, "checkout_cart", append(cartArgs(event, token, customer),
		optionalText("idempotency_key", idempotencyKey))...)
}

// AbandonCart releases every item of the cart (abandon_cart).
func (c *Client) AbandonCart(ctx context.Context, event int64, token, customer, idempotencyKey string) (OrderResult, error) {
	return c.orderCall(ctx, "abandon_cart", append(cartArgs(event, token, customer),
		optionalText("idempotency_key", idempotencyKey))...)
}
