package ticketing

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgconn"
)

func TestClassify(t *testing.T) {
	for sqlstate, kind := range map[string]Kind{
		"22023": KindInvalidInput,
		"22004": KindInvalidInput,
		"22P02": KindInvalidInput,
		"55P03": KindRetryable,
		"40001": KindRetryable,
		"TK001": KindKeyReuse,
		"42501": KindPrivilege,
		"P0002": KindNotFound,
		"23505": KindOther,
		"57P01": KindOther,
	} {
		pgErr := &pgconn.PgError{Code: sqlstate, Message: "m"}
		err := classify(fmt.Errorf("driver: %w", pgErr))
		var e *Error
		if !errors.As(err, &e) || e.Kind != kind || e.SQLState != sqlstate {
			t.Errorf("%s: %#v, want kind %v", sqlstate, err, kind)
			continue
		}
		if !errors.Is(err, pgErr) {
			t.Errorf("%s: the driver's error is not reachable with errors.Is", sqlstate)
		}
		if got, ok := KindOfError(err); !ok || got != kind {
			t.Errorf("%s: KindOfError %v %v", sqlstate, got, ok)
		}
	}
	// An error without a SQLSTATE is returned as it came.
	if err := classify(io.ErrUnexpectedEOF); err != io.ErrUnexpectedEOF {
		t.Errorf("a lost connection came back as %#v", err)
	}
	if _, ok := KindOfError(io.ErrUnexpectedEOF); ok {
		t.Error("KindOfError claims a lost connection")
	}
}

func TestStatementLeavesOutOmittedArguments(t *testing.T) {
	sql, values := statement("claim_any", "outcome",
		named("event_id", "bigint", int64(1)),
		optionalText("section", ""),
		optionalText("idempotency_key", "k"))
	want := "SELECT outcome FROM ticketing.claim_any(event_id => $1::bigint, idempotency_key => $2::text)"
	if sql != want || len(values) != 2 || values[1] != "k" {
		t.Errorf("got %q %v, want %q", sql, values, want)
	}
}
