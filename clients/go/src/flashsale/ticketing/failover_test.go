package ticketing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgconn"
)

func TestConnectionLost(t *testing.T) {
	for _, c := range []struct {
		name         string
		err          error
		lost, unsent bool
	}{
		{"nil", nil, false, false},
		{"server closed (57P01)", &pgconn.PgError{Code: "57P01"}, true, false},
		{"crash shutdown (57P02)", classify(&pgconn.PgError{Code: "57P02"}), true, false},
		{"connection failure (08006)", classify(&pgconn.PgError{Code: "08006"}), true, false},
		{"read-only node (25006)", classify(&pgconn.PgError{Code: "25006"}), true, true},
		{"EOF mid-call", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true, false},
		{"reset", &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, true, false},
		{"no host would take writes", errors.New("failed to connect to `host=db1 user=app database=shop`: ValidateConnect failed"), true, true},
		{"lock not available (55P03)", classify(&pgconn.PgError{Code: "55P03"}), false, false},
		{"invalid input (22023)", classify(&pgconn.PgError{Code: "22023"}), false, false},
		{"caller cancelled", fmt.Errorf("acquire: %w", context.Canceled), false, false},
	} {
		if got := ConnectionLost(c.err); got != c.lost {
			t.Errorf("%s: ConnectionLost = %v, want %v", c.name, got, c.lost)
		}
		if c.err != nil {
			if got := NothingSent(c.err); got != c.unsent {
				t.Errorf("%s: NothingSent = %v, want %v", c.name, got, c.unsent)
			}
		}
	}
}

func TestRepeatable(t *testing.T) {
	lost := classify(&pgconn.PgError{Code: "57P01"})
	if !Repeatable(lost, "order-1") {
		t.Error("a keyed call whose connection was lost must be repeatable")
	}
	if Repeatable(lost, "") {
		t.Error("an unkeyed call that may have committed must not be repeated")
	}
	if !Repeatable(classify(&pgconn.PgError{Code: "25006"}), "") {
		t.Error("a call a read-only node refused changed nothing: repeatable without a key")
	}
	if Repeatable(classify(&pgconn.PgError{Code: "TK001"}), "order-1") {
		t.Error("an answer of the server is not a lost connection")
	}
}

func TestFailoverDo(t *testing.T) {
	lost := classify(&pgconn.PgError{Code: "57P01"})
	calls := 0
	err := Failover{Wait: time.Second, Pause: time.Millisecond}.Do(context.Background(), "k",
		func(context.Context) error {
			calls++
			if calls < 3 {
				return lost
			}
			return nil
		})
	if err != nil || calls != 3 {
		t.Fatalf("keyed call: err %v after %d calls, want success on the third", err, calls)
	}
	calls = 0
	err = Failover{Wait: time.Second, Pause: time.Millisecond}.Do(context.Background(), "",
		func(context.Context) error { calls++; return lost })
	if err != lost || calls != 1 {
		t.Fatalf("unkeyed call: %d calls (%v), want one", calls, err)
	}
	calls = 0
	start := time.Now()
	err = Failover{Wait: 50 * time.Millisecond, Pause: 5 * time.Millisecond}.Do(context.Background(), "k",
		func(context.Context) error { calls++; return lost })
	if err != lost || calls < 2 || time.Since(start) > time.Second {
		t.Fatalf("a primary that never comes back: %d calls in %v (%v)", calls, time.Since(start), err)
	}
	if err := (Failover{}).Do(context.Background(), "k", func(context.Context) error { return lost }); err != lost {
		t.Fatalf("Wait 0 must not repeat: %v", err)
	}
}
