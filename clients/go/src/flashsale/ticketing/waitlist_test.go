package ticketing

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// The waiting list's calls against a database with the extension, and (no database)
// the statements they send.

func TestWaitlist(t *testing.T) {
	ctx := context.Background()
	tk := New(connect(t))
	var event int64
	if err := tk.db.QueryRow(ctx, `SELECT ticketing.create_event('waiting list')`).Scan(&event); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.AddTickets(ctx, event, 3, "", ""); err != nil {
		t.Fatal(err)
	}
	closed, err := tk.JoinWaitlist(ctx, event, "early", WaitlistOptions{})
	if err != nil || closed.Outcome != WaitlistClosed || closed.EntryID != nil {
		t.Fatalf("join before the list is open: %+v %v", closed, err)
	}
	if err := tk.OpenWaitlist(ctx, event); err != nil {
		t.Fatalf("open_waitlist: %v", err)
	}
	if sold, err := tk.ClaimAny(ctx, event, "buyer", AnyOptions{Quantity: 3}); err != nil || sold.Outcome != Claimed {
		t.Fatalf("selling out: %+v %v", sold, err)
	}

	wendy, err := tk.JoinWaitlist(ctx, event, "wendy", WaitlistOptions{})
	if err != nil || wendy.Outcome != Joined || wendy.EntryID == nil || wendy.Place == nil || *wendy.Place != 1 ||
		wendy.Status == nil || *wendy.Status != "waiting" {
		t.Fatalf("join: %+v %v", wendy, err)
	}
	pair, err := tk.JoinWaitlist(ctx, event, "xavier", WaitlistOptions{Quantity: 2, Category: "general",
		Together: true, OfferFor: 5 * time.Minute})
	if err != nil || pair.Outcome != Joined || *pair.Place != 2 {
		t.Fatalf("join with every option: %+v %v", pair, err)
	}
	var quantity int
	var category string
	var together bool
	var offerFor time.Duration
	if err := tk.db.QueryRow(ctx, `SELECT quantity, category, together, offer_for FROM ticketing.waitlist_entries
	                                WHERE entry_id = $1`, *pair.EntryID).Scan(&quantity, &category, &together, &offerFor); err != nil ||
		quantity != 2 || category != "general" || !together || offerFor != 5*time.Minute {
		t.Fatalf("the entry's arguments: %d %q %v %v %v", quantity, category, together, offerFor, err)
	}
	again, err := tk.JoinWaitlist(ctx, event, "wendy", WaitlistOptions{Quantity: 2})
	if err != nil || again.Outcome != AlreadyWaiting || *again.EntryID != *wendy.EntryID {
		t.Fatalf("joining twice: %+v %v", again, err)
	}
	if pos, err := tk.WaitlistPosition(ctx, event, "xavier"); err != nil || pos.Outcome != Waiting || *pos.Place != 2 {
		t.Fatalf("position: %+v %v", pos, err)
	}

	// A refund is offered to wendy in its own transaction.
	if r, err := tk.Release(ctx, event, 1, "buyer", ""); err != nil || r.Outcome != Released {
		t.Fatalf("refund: %+v %v", r, err)
	}
	offer, err := tk.WaitlistPosition(ctx, event, "wendy")
	if err != nil || offer.Outcome != Offered || !reflect.DeepEqual(offer.TicketIDs, []int64{1}) ||
		offer.OfferExpiresAt == nil || time.Until(*offer.OfferExpiresAt) < 14*time.Minute {
		t.Fatalf("the offer: %+v %v", offer, err)
	}
	if r, err := tk.Claim(ctx, event, 1, "sneaky", ClaimOptions{}); err != nil || r.Outcome != Held {
		t.Fatalf("an offered ticket is held: %+v %v", r, err)
	}
	offers, err := tk.PendingOffers(ctx, event)
	if err != nil || len(offers) != 1 || offers[0].Customer != "wendy" || offers[0].EntryID != *wendy.EntryID ||
		!reflect.DeepEqual(offers[0].TicketIDs, []int64{1}) || !reflect.DeepEqual(offers[0].Seats, []string{"GA-1"}) ||
		!offers[0].OfferExpiresAt.Equal(*offer.OfferExpiresAt) {
		t.Fatalf("pending_offers: %+v %v", offers, err)
	}
	list, err := tk.Waitlist(ctx, event)
	if err != nil || len(list) != 2 || list[0].Customer != "wendy" || list[0].Status != "offered" || list[0].Place != nil ||
		list[0].OfferedAt == nil || list[1].Customer != "xavier" || list[1].Status != "waiting" ||
		list[1].Place == nil || *list[1].Place != 1 || list[1].Quantity != 2 || !list[1].Together ||
		list[1].Category == nil || *list[1].Category != "general" || list[1].JoinedAt.IsZero() {
		t.Fatalf("waitlist: %+v %v", list, err)
	}
	if r, err := tk.Confirm(ctx, event, 1, "wendy", ""); err != nil || r.Outcome != Claimed {
		t.Fatalf("confirming the offer: %+v %v", r, err)
	}
	if list, err := tk.Waitlist(ctx, event); err != nil || list[0].Status != "accepted" || list[0].Bought == nil || *list[0].Bought != 1 {
		t.Fatalf("waitlist after the confirmation: %+v %v", list, err)
	}

	left, err := tk.LeaveWaitlist(ctx, event, "xavier")
	if err != nil || left.Outcome != Left || *left.EntryID != *pair.EntryID {
		t.Fatalf("leave: %+v %v", left, err)
	}
	if gone, err := tk.LeaveWaitlist(ctx, event, "xavier"); err != nil || gone.Outcome != NotWaiting {
		t.Fatalf("leaving twice: %+v %v", gone, err)
	}
	if _, err := tk.JoinWaitlist(ctx, event, "zed", WaitlistOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, err := tk.CloseWaitlist(ctx, event); err != nil || n != 1 {
		t.Fatalf("close_waitlist: %d %v", n, err)
	}
	if late, err := tk.JoinWaitlist(ctx, event, "late", WaitlistOptions{}); err != nil || late.Outcome != WaitlistClosed {
		t.Fatalf("joining a closed list: %+v %v", late, err)
	}

	// Bad input and an unknown event are errors of their kind.
	_, err = tk.JoinWaitlist(ctx, event, "x", WaitlistOptions{OfferFor: time.Second})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindInvalidInput || e.SQLState != "22023" {
		t.Fatalf("an offer of one second: %v", err)
	}
	err = tk.OpenWaitlist(ctx, 1<<60)
	if !errors.As(err, &e) || e.Kind != KindNotFound {
		t.Fatalf("open_waitlist of an unknown event: %v", err)
	}
	if none, err := tk.WaitlistPosition(ctx, 1<<60, "x"); err != nil || none.Outcome != NotFound {
		t.Fatalf("position in an unknown event: %+v %v", none, err)
	}
}

func TestStatementsOfWaitlist(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	tk := New(rec)
	for _, c := range []struct {
		call func()
		sql  string
		args []interface{}
	}{
		{func() { tk.JoinWaitlist(ctx, 1, "ann", WaitlistOptions{}) },
			"SELECT " + waitlistColumns + " FROM ticketing.join_waitlist(event_id => $1::bigint, customer => $2::text)",
			[]interface{}{int64(1), "ann"}},
		{func() {
			tk.JoinWaitlist(ctx, 1, "ann", WaitlistOptions{Quantity: 2, Category: "vip", Together: true, OfferFor: time.Hour})
		},
			"SELECT " + waitlistColumns + " FROM ticketing.join_waitlist(event_id => $1::bigint, customer => $2::text, " +
				"quantity => $3::integer, category => $4::text, together => $5::boolean, offer_for => $6::interval)",
			[]interface{}{int64(1), "ann", 2, "vip", true, time.Hour}},
		{func() { tk.LeaveWaitlist(ctx, 1, "ann") },
			"SELECT " + waitlistColumns + " FROM ticketing.leave_waitlist(event_id => $1::bigint, customer => $2::text)",
			[]interface{}{int64(1), "ann"}},
		{func() { tk.WaitlistPosition(ctx, 1, "ann") },
			"SELECT " + waitlistColumns + " FROM ticketing.waitlist_position(event_id => $1::bigint, customer => $2::text)",
			[]interface{}{int64(1), "ann"}},
		{func() { tk.OpenWaitlist(ctx, 1) },
			"SELECT true FROM ticketing.open_waitlist(event_id => $1::bigint)", []interface{}{int64(1)}},
		{func() { tk.CloseWaitlist(ctx, 1) },
			"SELECT close_waitlist FROM ticketing.close_waitlist(event_id => $1::bigint)", []interface{}{int64(1)}},
	} {
		c.call()
		if rec.sql != c.sql || !reflect.DeepEqual(rec.args, c.args) {
			t.Errorf("sent %s %#v\nwant %s %#v", rec.sql, rec.args, c.sql, c.args)
		}
	}
}
