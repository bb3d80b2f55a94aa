package ticketing

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v4"
)

// No database: the statements the calls of issue 18 send, and their arguments.

type recorder struct {
	sql  string
	args []interface{}
}

func (r *recorder) QueryRow(_ context.Context, sql string, args ...interface{}) pgx.Row {
	r.sql, r.args = sql, args
	return failedRow{}
}

type failedRow struct{}

func (failedRow) Scan(...interface{}) error { return errors.New("not sent") }

func TestStatementsOfCartsAndQuotas(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	tk := New(rec)
	for _, c := range []struct {
		call func()
		sql  string
		args []interface{}
	}{
		{func() { tk.Hold(ctx, 1, 2, "ann", HoldOptions{Cart: "tok"}) },
			"SELECT " + ticketColumns + " FROM ticketing.hold_ticket(event_id => $1::bigint, ticket_id => $2::bigint, " +
				"customer => $3::text, cart => $4::text)",
			[]interface{}{int64(1), int64(2), "ann", "tok"}},
		{func() { tk.ClaimAny(ctx, 1, "ann", AnyOptions{Category: "vip", Cart: "tok", IdempotencyKey: "k"}) },
			"SELECT " + orderColumns + " FROM ticketing.claim_any(event_id => $1::bigint, customer => $2::text, " +
				"idempotency_key => $3::text, category => $4::text, cart => $5::text)",
			[]interface{}{int64(1), "ann", "k", "vip", "tok"}},
		{func() { tk.ClaimTickets(ctx, 1, []int64{3, 4}, "ann", TicketsOptions{Cart: "tok"}) },
			"SELECT " + orderColumns + " FROM ticketing.claim_tickets(event_id => $1::bigint, ticket_ids => $2::bigint[], " +
				"customer => $3::text, cart => $4::text)",
			[]interface{}{int64(1), []int64{3, 4}, "ann", "tok"}},
		{func() { tk.OpenCart(ctx, 1, "ann", CartOptions{}) },
			"SELECT " + cartColumns + " FROM ticketing.open_cart(event_id => $1::bigint, customer => $2::text)",
			[]interface{}{int64(1), "ann"}},
		{func() { tk.OpenCart(ctx, 1, "ann", CartOptions{ExpiresIn: time.Minute}) },
			"SELECT " + cartColumns + " FROM ticketing.open_cart(event_id => $1::bigint, customer => $2::text, " +
				"expires_in => $3::interval)",
			[]interface{}{int64(1), "ann", time.Minute}},
		{func() { tk.ExtendCart(ctx, 1, "tok", "ann", time.Minute) },
			"SELECT " + cartColumns + " FROM ticketing.extend_cart(event_id => $1::bigint, token => $2::text, " +
				"customer => $3::text, extend_by => $4::interval)",
			[]interface{}{int64(1), "tok", "ann", time.Minute}},
		{func() { tk.CheckoutCart(ctx, 1, "tok", "ann", "") },
			"SELECT " + orderColumns + " FROM ticketing.checkout_cart(event_id => $1::bigint, token => $2::text, " +
				"customer => $3::text)",
			[]interface{}{int64(1), "tok", "ann"}},
		{func() { tk.AbandonCart(ctx, 1, "tok", "ann", "k") },
			"SELECT " + orderColumns + " FROM ticketing.abandon_cart(event_id => $1::bigint, token => $2::text, " +
				"customer => $3::text, idempotency_key => $4::text)",
			[]interface{}{int64(1), "tok", "ann", "k"}},
		{func() { tk.CartContents(ctx, 1, "tok", "ann") },
			"SELECT " + cartColumns + " FROM ticketing.cart_contents(event_id => $1::bigint, token => $2::text, " +
				"customer => $3::text)",
			[]interface{}{int64(1), "tok", "ann"}},
		{func() { tk.AddTickets(ctx, 1, 10, "", "vip") },
			"SELECT add_tickets FROM ticketing.add_tickets(event_id => $1::bigint, quantity => $2::integer, category => $3::text)",
			[]interface{}{int64(1), 10, "vip"}},
		{func() { tk.CreateQuota(ctx, 1, "hall", 5, []string{"vip"}, 0) },
			"SELECT create_quota FROM ticketing.create_quota(event_id => $1::bigint, name => $2::text, size => $3::integer, " +
				"categories => $4::text[])",
			[]interface{}{int64(1), "hall", 5, []string{"vip"}}},
		{func() { tk.DropQuota(ctx, 1, "hall") },
			"SELECT true FROM ticketing.drop_quota(event_id => $1::bigint, name => $2::text)",
			[]interface{}{int64(1), "hall"}},
	} {
		c.call()
		if rec.sql != c.sql || !reflect.DeepEqual(rec.args, c.args) {
			t.Errorf("sent %s %#v\nwant %s %#v", rec.sql, rec.args, c.sql, c.args)
		}
	}
}

func TestClaimBatchSendsNullForZeroValues(t *testing.T) {
	rec := &recorder{}
	_, err := New(rec).ClaimBatch(context.Background(), 7, []BatchRequest{
		{TicketID: 5, Customer: "ann", IdempotencyKey: "k"},
		{Customer: "bob", Category: "vip", Cart: "tok"},
	})
	if err == nil || !strings.Contains(rec.sql, "ticketing.claim_batch($1::bigint") {
		t.Fatalf("sent %s (%v)", rec.sql, err)
	}
	five, k, vip, tok := int64(5), "k", "vip", "tok"
	want := []interface{}{int64(7), []*int64{&five, nil}, []string{"ann", "bob"},
		[]*string{&k, nil}, []*string{nil, &vip}, []*string{nil, &tok}}
	if !reflect.DeepEqual(rec.args, want) {
		t.Fatalf("arguments %#v, want %#v", rec.args, want)
	}
}
