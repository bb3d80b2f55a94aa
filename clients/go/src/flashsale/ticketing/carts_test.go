package ticketing

import (
	"context"
	"testing"
	"time"
)

// The calls of categories, quotas and carts against a database with the extension.

// newCategoryEvent creates an event with four GA tickets of category vip (ids 1-4) and
// seats S-1..S-4 of category standard (ids 5-8).
func newCategoryEvent(t *testing.T, tk *Client, name string) int64 {
	t.Helper()
	ctx := context.Background()
	var event int64
	conn := tk.db
	if err := conn.QueryRow(ctx, `SELECT ticketing.create_event($1)`, name).Scan(&event); err != nil {
		t.Fatal(err)
	}
	if n, err := tk.AddTickets(ctx, event, 4, "", "vip"); err != nil || n != 4 {
		t.Fatalf("add_tickets with a category: %d %v", n, err)
	}
	if n, err := tk.AddSeats(ctx, event, []string{"S-1", "S-2", "S-3", "S-4"}, "standard"); err != nil || n != 4 {
		t.Fatalf("add_tickets of seats with a category: %d %v", n, err)
	}
	return event
}

func TestQuotasAndCategories(t *testing.T) {
	ctx := context.Background()
	tk := New(connect(t))
	event := newCategoryEvent(t, tk, "quotas")
	if id, err := tk.CreateQuota(ctx, event, "hall", 5, []string{"vip", "standard"}, 4); err != nil || id <= 0 {
		t.Fatalf("create_quota: %d %v", id, err)
	}
	if _, err := tk.CreateQuota(ctx, event, "vip-only", 2, []string{"vip"}, 0); err != nil {
		t.Fatalf("create_quota with the default stripes: %v", err)
	}
	two, err := tk.ClaimAny(ctx, event, "ann", AnyOptions{Quantity: 2, Category: "vip"})
	if err != nil || two.Outcome != Claimed || len(two.TicketIDs) != 2 || two.Quota != nil {
		t.Fatalf("claim_any of a category: %+v %v", two, err)
	}
	for _, id := range two.TicketIDs {
		if id > 4 {
			t.Fatalf("claim_any of vip sold ticket %d, a standard seat", id)
		}
	}
	refused, err := tk.ClaimAny(ctx, event, "bob", AnyOptions{Category: "vip"})
	if err != nil || refused.Outcome != QuotaExhausted || refused.Quota == nil || *refused.Quota != "vip-only" {
		t.Fatalf("quota_exhausted of claim_any: %+v %v", refused, err)
	}
	held, err := tk.Hold(ctx, event, 5, "bob", HoldOptions{})
	if err != nil || held.Outcome != HoldPlaced || held.Quota != nil {
		t.Fatalf("hold of a standard seat: %+v %v", held, err)
	}
	quotas, err := tk.QuotaSummary(ctx, event)
	want := []QuotaCounts{
		{EventID: event, Quota: "hall", Categories: []string{"standard", "vip"}, Size: 5, Sold: 2, Held: 1, Available: 2},
		{EventID: event, Quota: "vip-only", Categories: []string{"vip"}, Size: 2, Sold: 2, Held: 0, Available: 0},
	}
	if err != nil || len(quotas) != 2 || !sameQuota(quotas[0], want[0]) || !sameQuota(quotas[1], want[1]) {
		t.Fatalf("quota_summary: %+v %v, want %+v", quotas, err, want)
	}
	categories, err := tk.CategorySummary(ctx, event)
	if err != nil || len(categories) != 2 ||
		categories[0] != (CategoryCounts{EventID: event, Category: "standard", Total: 4, Available: 3, Held: 1, Sold: 0}) ||
		categories[1] != (CategoryCounts{EventID: event, Category: "vip", Total: 4, Available: 2, Held: 0, Sold: 2}) {
		t.Fatalf("category_summary: %+v %v", categories, err)
	}
	err = tk.ResizeQuota(ctx, event, "hall", 2)
	if e, ok := err.(*Error); !ok || e.SQLState != "23514" {
		t.Fatalf("resize_quota below what is sold and held: %v", err)
	}
	if err := tk.ResizeQuota(ctx, event, "hall", 3); err != nil {
		t.Fatalf("resize_quota: %v", err)
	}
	full, err := tk.Claim(ctx, event, 6, "cy", ClaimOptions{})
	if err != nil || full.Outcome != QuotaExhausted || full.Quota == nil || *full.Quota != "hall" {
		t.Fatalf("quota_exhausted of claim_ticket: %+v %v", full, err)
	}
	if err := tk.DropQuota(ctx, event, "hall"); err != nil {
		t.Fatalf("drop_quota: %v", err)
	}
	if r, err := tk.Claim(ctx, event, 6, "cy", ClaimOptions{}); err != nil || r.Outcome != Claimed {
		t.Fatalf("a claim once the quota is gone: %+v %v", r, err)
	}
	_, err = tk.CreateQuota(ctx, event, "", 1, []string{"vip"}, 0)
	if kind, ok := KindOfError(err); !ok || kind != KindInvalidInput {
		t.Fatalf("a quota without a name: %v", err)
	}
}

func sameQuota(a, b QuotaCounts) bool {
	if len(a.Categories) != len(b.Categories) {
		return false
	}
	for i := range a.Categories {
		if a.Categories[i] != b.Categories[i] {
			return false
		}
	}
	a.Categories, b.Categories = nil, nil
	return a.EventID == b.EventID && a.Quota == b.Quota && a.Size == b.Size && a.Sold == b.Sold &&
		a.Held == b.Held && a.Available == b.Available
}

func TestCartLifecycle(t *testing.T) {
	ctx := context.Background()
	tk := New(connect(t))
	event := newCategoryEvent(t, tk, "carts")
	cart, err := tk.OpenCart(ctx, event, "dee", CartOptions{ExpiresIn: 5 * time.Minute})
	if err != nil || cart.Outcome != Opened || cart.Token == nil || cart.ExpiresAt == nil {
		t.Fatalf("open_cart: %+v %v", cart, err)
	}
	if left := time.Until(*cart.ExpiresAt); left < 4*time.Minute || left > 6*time.Minute {
		t.Fatalf("a 5-minute cart ends in %v", left)
	}
	token := *cart.Token
	if r, err := tk.Hold(ctx, event, 1, "dee", HoldOptions{Cart: token}); err != nil || r.Outcome != HoldPlaced {
		t.Fatalf("hold_ticket into the cart: %+v %v", r, err)
	}
	if r, err := tk.ClaimTickets(ctx, event, []int64{2, 3}, "dee", TicketsOptions{Cart: token, IdempotencyKey: "t-1"}); err != nil ||
		r.Outcome != HoldPlaced || len(r.TicketIDs) != 2 {
		t.Fatalf("claim_tickets into the cart: %+v %v", r, err)
	}
	if r, err := tk.ClaimAny(ctx, event, "dee", AnyOptions{Category: "standard", Cart: token}); err != nil || r.Outcome != HoldPlaced {
		t.Fatalf("claim_any into the cart: %+v %v", r, err)
	}
	batch, err := tk.ClaimBatch(ctx, event, []BatchRequest{
		{Customer: "dee", Category: "standard", Cart: token, IdempotencyKey: "b-1"},
		{TicketID: 1, Customer: "eli"},
		{TicketID: 99, Customer: "eli"},
	})
	if err != nil || len(batch) != 3 || batch[0].RequestNo != 1 || batch[0].Outcome != HoldPlaced ||
		batch[1].Outcome != Held || batch[2].Outcome != NotFound || batch[0].Seat == nil || batch[0].At == nil {
		t.Fatalf("claim_batch: %+v %v", batch, err)
	}
	contents, err := tk.CartContents(ctx, event, token, "dee")
	if err != nil || contents.Outcome != Opened || len(contents.TicketIDs) != 5 || len(contents.Seats) != 5 || contents.Token != nil {
		t.Fatalf("cart_contents: %+v %v", contents, err)
	}
	if r, err := tk.CartContents(ctx, event, token, "eli"); err != nil || r.Outcome != CartNotFound || len(r.TicketIDs) != 0 {
		t.Fatalf("another customer's token: %+v %v", r, err)
	}
	extended, err := tk.ExtendCart(ctx, event, token, "dee", time.Minute)
	if err != nil || extended.Outcome != Extended || !extended.ExpiresAt.After(*cart.ExpiresAt) {
		t.Fatalf("extend_cart: %+v %v", extended, err)
	}
	if r, err := tk.ExtendCart(ctx, event, token, "dee", 2*time.Hour); err != nil || r.Outcome != Capped {
		t.Fatalf("extend_cart past the ceiling: %+v %v", r, err)
	}
	_, err = tk.ExtendCart(ctx, event, token, "dee", 24*time.Hour)
	if kind, ok := KindOfError(err); !ok || kind != KindInvalidInput {
		t.Fatalf("extend_by beyond the ceiling itself: %v", err)
	}
	sold, err := tk.CheckoutCart(ctx, event, token, "dee", "co-1")
	if err != nil || sold.Outcome != Claimed || len(sold.TicketIDs) != 5 {
		t.Fatalf("checkout_cart: %+v %v", sold, err)
	}
	if r, err := tk.CheckoutCart(ctx, event, token, "dee", "co-1"); err != nil || r.Outcome != Claimed || len(r.TicketIDs) != 5 {
		t.Fatalf("a retry of the checkout: %+v %v", r, err)
	}
	if r, err := tk.CheckoutCart(ctx, event, token, "dee", "co-2"); err != nil || r.Outcome != AlreadyOwned {
		t.Fatalf("a second checkout: %+v %v", r, err)
	}
	if r, err := tk.CartContents(ctx, event, token, "dee"); err != nil || r.Outcome != AlreadyOwned {
		t.Fatalf("cart_contents after the checkout: %+v %v", r, err)
	}

	other, err := tk.OpenCart(ctx, event, "fin", CartOptions{})
	if err != nil || other.Outcome != Opened {
		t.Fatalf("open_cart with the defaults: %+v %v", other, err)
	}
	if r, err := tk.CheckoutCart(ctx, event, *other.Token, "fin", ""); err != nil || r.Outcome != EmptyCart {
		t.Fatalf("checkout of an empty cart: %+v %v", r, err)
	}
	if _, err := tk.Hold(ctx, event, 4, "fin", HoldOptions{Cart: *other.Token}); err != nil {
		t.Fatal(err)
	}
	released, err := tk.AbandonCart(ctx, event, *other.Token, "fin", "ab-1")
	if err != nil || released.Outcome != Released || len(released.TicketIDs) != 1 || released.TicketIDs[0] != 4 {
		t.Fatalf("abandon_cart: %+v %v", released, err)
	}
	if r, err := tk.CartContents(ctx, event, *other.Token, "fin"); err != nil || r.Outcome != CartClosed {
		t.Fatalf("cart_contents after the abandon: %+v %v", r, err)
	}
	_, err = tk.CheckoutCart(ctx, event, "", "fin", "")
	if kind, ok := KindOfError(err); !ok || kind != KindInvalidInput {
		t.Fatalf("an empty token: %v", err)
	}
	_, err = tk.ClaimBatch(ctx, event, nil)
	if kind, ok := KindOfError(err); !ok || kind != KindInvalidInput {
		t.Fatalf("an empty batch: %v", err)
	}
}
