package ticketing

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v4"
)

// The calls against a database with the extension (PG* environment variables).

func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), "")
	if err != nil {
		t.Fatalf("connecting (set PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE): %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestCallsPassOptionalArguments(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	var event int64
	err := conn.QueryRow(ctx, `SELECT ticketing.create_event('calls')`).Scan(&event)
	if err == nil {
		_, err = conn.Exec(ctx, `SELECT ticketing.add_tickets($1, ARRAY['A-1-1','A-1-2','A-1-3','B-1-1'])`, event)
	}
	if err != nil {
		t.Fatal(err)
	}
	tk := New(conn)

	held, err := tk.ClaimAny(ctx, event, "ann", AnyOptions{Quantity: 2, Section: "A", Adjacent: true, HoldFor: 90 * time.Second})
	if err != nil || held.Outcome != HoldPlaced || len(held.TicketIDs) != 2 || held.HoldExpiresAt == nil {
		t.Fatalf("claim_any hold: %+v %v", held, err)
	}
	if left := time.Until(*held.HoldExpiresAt); left < 60*time.Second || left > 120*time.Second {
		t.Fatalf("a 90 s hold ends in %v", left)
	}
	for _, seat := range held.Seats {
		if seat[:2] != "A-" {
			t.Fatalf("section A gave seat %s", seat)
		}
	}
	confirmed, err := tk.Confirm(ctx, event, held.TicketIDs[0], "ann", "")
	if err != nil || confirmed.Outcome != Claimed || confirmed.OwnerIsYou == nil || !*confirmed.OwnerIsYou {
		t.Fatalf("confirm_hold: %+v %v", confirmed, err)
	}
	hold, err := tk.Hold(ctx, event, 4, "bo", HoldOptions{HoldFor: time.Hour, Wait: WaitNoWait, IdempotencyKey: "h-1"})
	if err != nil || hold.Outcome != HoldPlaced || time.Until(*hold.HoldExpiresAt) < 59*time.Minute {
		t.Fatalf("hold_ticket: %+v %v", hold, err)
	}
	counts, err := tk.EventSummary(ctx, event)
	if err != nil || counts != (EventCounts{EventID: event, Total: 4, Available: 1, Held: 2, Sold: 1}) {
		t.Fatalf("event_summary: %+v %v", counts, err)
	}
	_, err = tk.EventSummary(ctx, 1<<40)
	if kind, ok := KindOfError(err); !ok || kind != KindNotFound {
		t.Fatalf("event_summary of an unknown event: %v", err)
	}
	_, err = tk.Claim(ctx, event, 1, "", ClaimOptions{})
	if kind, ok := KindOfError(err); !ok || kind != KindInvalidInput {
		t.Fatalf("an empty customer: %v", err)
	}
}
