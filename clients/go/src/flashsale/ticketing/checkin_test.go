package ticketing

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Check-in and transfer (issue 19) against a database with the extension.

// newGateEvent creates an event of n GA tickets with a per-customer limit of 3.
func newGateEvent(t *testing.T, tk *Client, name string, n int) int64 {
	t.Helper()
	ctx := context.Background()
	var event int64
	if err := tk.db.QueryRow(ctx, `SELECT ticketing.create_event($1, per_customer_limit => 3)`, name).Scan(&event); err != nil {
		t.Fatal(err)
	}
	if added, err := tk.AddTickets(ctx, event, n, "", ""); err != nil || added != int64(n) {
		t.Fatalf("add_tickets: %d %v", added, err)
	}
	return event
}

func isCode(c *string) bool { return c != nil && strings.HasPrefix(*c, "TK1.") && len(*c) >= 24 }

func TestCodesAndCheckIn(t *testing.T) {
	ctx := context.Background()
	tk := New(connect(t))
	event := newGateEvent(t, tk, "gates", 6)
	sale, err := tk.Claim(ctx, event, 1, "ann", ClaimOptions{})
	if err != nil || sale.Outcome != Claimed || !isCode(sale.Code) {
		t.Fatalf("claim_ticket answers the code: %+v %v", sale, err)
	}
	order, err := tk.ClaimTickets(ctx, event, []int64{2, 3}, "bob", TicketsOptions{})
	if err != nil || order.Outcome != Claimed || len(order.Codes) != 2 || !isCode(&order.Codes[0]) {
		t.Fatalf("claim_tickets answers a code per ticket: %+v %v", order, err)
	}
	batch, err := tk.ClaimBatch(ctx, event, []BatchRequest{{TicketID: 4, Customer: "cat"}})
	if err != nil || len(batch) != 1 || !isCode(batch[0].Code) {
		t.Fatalf("claim_batch answers the code: %+v %v", batch, err)
	}
	held, err := tk.Hold(ctx, event, 5, "dan", HoldOptions{})
	if err != nil || held.Code != nil {
		t.Fatalf("a hold has no code: %+v %v", held, err)
	}
	codes, err := tk.TicketCodes(ctx, event, "bob")
	if err != nil || len(codes) != 2 || codes[0].TicketID != 2 || codes[0].Code != order.Codes[0] || codes[1].Code != order.Codes[1] {
		t.Fatalf("ticket_codes: %+v %v (sale: %v)", codes, err, order.Codes)
	}

	in, err := tk.CheckIn(ctx, event, *sale.Code, "north")
	if err != nil || in.Outcome != Admitted || in.TicketID == nil || *in.TicketID != 1 || *in.Gate != "north" {
		t.Fatalf("check_in: %+v %v", in, err)
	}
	again, err := tk.CheckIn(ctx, event, *sale.Code, "south")
	if err != nil || again.Outcome != AlreadyAdmitted || *again.Gate != "north" || !again.AdmittedAt.Equal(*in.AdmittedAt) {
		t.Fatalf("a second scan: %+v %v", again, err)
	}
	if r, err := tk.Release(ctx, event, 1, "ann", ""); err != nil || r.Outcome != AlreadyAdmitted {
		t.Fatalf("a checked-in ticket's refund: %+v %v", r, err)
	}
	if r, err := tk.CheckIn(ctx, event, "TK1.forged", "north"); err != nil || r.Outcome != UnknownCode || r.TicketID != nil {
		t.Fatalf("a forged code: %+v %v", r, err)
	}
	other := newGateEvent(t, tk, "gates, another event", 1)
	if r, err := tk.CheckIn(ctx, other, order.Codes[0], "north"); err != nil || r.Outcome != WrongEvent {
		t.Fatalf("a code of another event: %+v %v", r, err)
	}

	// An offline gate: the earliest scan of ticket 2 wins, whatever the order.
	now := time.Now()
	scans, err := tk.CheckInBatch(ctx, event, []Scan{
		{Code: order.Codes[0], Gate: "east", ScannedAt: now.Add(-time.Minute)},
		{Code: order.Codes[0], Gate: "west", ScannedAt: now.Add(-2 * time.Minute)},
		{Code: order.Codes[1], Gate: "east", ScannedAt: now.Add(-3 * time.Minute)},
		{Code: "junk", Gate: "east", ScannedAt: now},
	})
	want := []struct {
		outcome Outcome
		gate    string
	}{{AlreadyAdmitted, "west"}, {Admitted, "west"}, {Admitted, "east"}, {UnknownCode, ""}}
	if err != nil || len(scans) != len(want) {
		t.Fatalf("check_in_batch: %+v %v", scans, err)
	}
	for i, w := range want {
		s := scans[i]
		if s.ScanNo != int32(i+1) || s.Outcome != w.outcome || (w.gate != "" && (s.Gate == nil || *s.Gate != w.gate)) {
			t.Fatalf("check_in_batch scan %d: %+v, want %v at %q", i+1, s, w.outcome, w.gate)
		}
	}

	// Bad input is an error with its SQLSTATE, not an outcome.
	var tkErr *Error
	if _, err := tk.CheckIn(ctx, event, "x", ""); !errors.As(err, &tkErr) || tkErr.SQLState != "22023" {
		t.Fatalf("an empty gate: %v", err)
	}
	if _, err := tk.CheckInBatch(ctx, event, nil); !errors.As(err, &tkErr) || tkErr.SQLState != "22023" {
		t.Fatalf("no scans: %v", err)
	}
}

func TestTransferTicket(t *testing.T) {
	ctx := context.Background()
	tk := New(connect(t))
	event := newGateEvent(t, tk, "transfers", 6)
	sale, err := tk.Claim(ctx, event, 1, "ann", ClaimOptions{})
	if err != nil || !isCode(sale.Code) {
		t.Fatalf("claim: %+v %v", sale, err)
	}
	moved, err := tk.TransferTicket(ctx, event, 1, "ann", "eve", "tr-1")
	if err != nil || moved.Outcome != Transferred || !isCode(moved.Code) || *moved.Code == *sale.Code {
		t.Fatalf("transfer_ticket: %+v %v", moved, err)
	}
	replay, err := tk.TransferTicket(ctx, event, 1, "ann", "eve", "tr-1")
	if err != nil || replay.Outcome != Transferred || *replay.Code != *moved.Code {
		t.Fatalf("a retry with the key: %+v %v", replay, err)
	}
	if r, err := tk.CheckIn(ctx, event, *sale.Code, "north"); err != nil || r.Outcome != Revoked {
		t.Fatalf("the old code: %+v %v", r, err)
	}
	if r, err := tk.TransferTicket(ctx, event, 1, "ann", "fay", ""); err != nil || r.Outcome != NotOwner {
		t.Fatalf("a transfer by the former owner: %+v %v", r, err)
	}
	if r, err := tk.TransferTicket(ctx, event, 2, "ann", "fay", ""); err != nil || r.Outcome != NotSold {
		t.Fatalf("a transfer of an unsold ticket: %+v %v", r, err)
	}
	if _, err := tk.ClaimTickets(ctx, event, []int64{2, 3}, "eve", TicketsOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Claim(ctx, event, 4, "gus", ClaimOptions{}); err != nil {
		t.Fatal(err)
	}
	if r, err := tk.TransferTicket(ctx, event, 4, "gus", "eve", ""); err != nil || r.Outcome != LimitReached {
		t.Fatalf("the receiver's limit: %+v %v", r, err)
	}
	if r, err := tk.CheckIn(ctx, event, *moved.Code, "north"); err != nil || r.Outcome != Admitted {
		t.Fatalf("the new code admits: %+v %v", r, err)
	}
	if r, err := tk.TransferTicket(ctx, event, 1, "eve", "fay", ""); err != nil || r.Outcome != AlreadyAdmitted {
		t.Fatalf("a checked-in ticket's transfer: %+v %v", r, err)
	}
	var tkErr *Error
	if _, err := tk.TransferTicket(ctx, event, 4, "gus", "gus", ""); !errors.As(err, &tkErr) || tkErr.SQLState != "22023" {
		t.Fatalf("a transfer to oneself: %v", err)
	}
}
