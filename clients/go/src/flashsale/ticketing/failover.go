package ticketing

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgconn"
)

// Connect with a multi-host connection string so that a call finds the primary after
// a failover, e.g.
//
//	host=db1,db2 port=5432,5432 dbname=shop target_session_attrs=read-write connect_timeout=2
//
// pgx tries the hosts in order and keeps the first that accepts writes.

// ConnectionLost reports whether err means that the call's connection failed rather
// than that the server answered: a connection closed or reset (the primary went away:
// class 08, 57P01..57P03, an EOF, a network error), a connection that could not be
// made, or a node that no longer accepts writes (25006: a demoted primary). After such
// an error the call may or may not have committed; only a call with an idempotency key
// can be repeated safely (see Repeatable).
func ConnectionLost(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the caller gave up, not the server
	}
	if code, ok := sqlstate(err); ok {
		return serverGone(code) || code == "25006"
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed") ||
		strings.Contains(err.Error(), "failed to connect")
}

// NothingSent reports whether a failed call certainly changed nothing: no connection
// was made (pgconn.SafeToRetry), or the node refused to write (25006 rolls the call
// back). Such a call may be repeated even without an idempotency key.
func NothingSent(err error) bool {
	if code, ok := sqlstate(err); ok {
		return code == "25006"
	}
	if strings.HasPrefix(err.Error(), "failed to connect") {
		return true // pgconn could not connect to any host: the call was never sent
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if pgconn.SafeToRetry(e) {
			return true
		}
	}
	return false
}

// Repeatable reports whether a call that failed with err may be repeated: its
// connection was lost and either it carries an idempotency key (a repeat that finds
// the key returns the first answer and sells nothing twice) or nothing was sent.
func Repeatable(err error, idempotencyKey string) bool {
	return ConnectionLost(err) && (idempotencyKey != "" || NothingSent(err))
}

// Failover is how long a call whose connection was lost is repeated, waiting for a
// new primary: pg_auto_failover replaces a dead primary in seconds (see
// docs/high-availability.md).
type Failover struct {
	Wait  time.Duration // give up after this long (0: never repeat)
	Pause time.Duration // between tries (default 200 ms)
	// Log, when set, is told of each call that needed repeats once it ends.
	Log func(format string, args ...interface{})
}

// Do runs call, and repeats it while it fails Repeatable(err, idempotencyKey) and
// Wait has not passed (or ctx ends). It returns the last error, or nil.
func (f Failover) Do(ctx context.Context, idempotencyKey string, call func(context.Context) error) error {
	pause := f.Pause
	if pause <= 0 {
		pause = 200 * time.Millisecond
	}
	start := time.Now()
	deadline := start.Add(f.Wait)
	var first, previous error
	for tries := 1; ; tries++ {
		err := call(ctx)
		if err == nil || !Repeatable(err, idempotencyKey) || !time.Now().Add(pause).Before(deadline) {
			if tries > 1 && f.Log != nil {
				f.Log("failover: a call (key %q) took %d tries in %v; first error: %v; the one before the last: %v; last: %v",
					idempotencyKey, tries, time.Since(start).Round(time.Millisecond), first, previous, err)
			}
			return err
		}
		if first == nil {
			first = err
		}
		previous = err
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// sqlstate is the SQLSTATE of a server's error (an *Error, or the driver's
// *pgconn.PgError), if err is one.
func sqlstate(err error) (string, bool) {
	var tkErr *Error
	if errors.As(err, &tkErr) {
		return tkErr.SQLState, true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr != nil {
		return pgErr.Code, true
	}
	return "", false
}

// serverGone reports SQLSTATEs of a connection the server closed or lost: class 08
// and 57P01..57P03 (admin_shutdown, crash_shutdown, cannot_connect_now).
func serverGone(sqlstate string) bool {
	return strings.HasPrefix(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03"
}
