package service

// Helpers of the tests that need a database: the usual PG* environment variables
// name a database where the ticketing extension is installed (test/clients/run_clients.sh
// makes one in a throwaway cluster).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v4/pgxpool"
)

var ctx = context.Background()

// testPool connects with the PG* environment variables; size is the pool's maximum.
func testPool(t *testing.T, size int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig("")
	if err != nil {
		t.Fatalf("connection settings from PG* variables: %v", err)
	}
	cfg.MaxConns = size
	pool, err := pgxpool.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting (set PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE): %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newEvent creates an event of n tickets (ids 1..n) and returns its id.
func newEvent(t *testing.T, pool *pgxpool.Pool, name string, n int) int64 {
	t.Helper()
	var event int64
	if err := pool.QueryRow(ctx, "SELECT ticketing.create_event($1)", name).Scan(&event); err != nil {
		t.Fatalf("create_event: %v", err)
	}
	if _, err := pool.Exec(ctx, "SELECT ticketing.add_tickets($1, $2::integer)", event, n); err != nil {
		t.Fatalf("add_tickets: %v", err)
	}
	return event
}

// requireVerified fails the test unless ticketing.verify(event) has no rows.
func requireVerified(t *testing.T, pool *pgxpool.Pool, event int64) {
	t.Helper()
	var problems int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM ticketing.verify($1)", event).Scan(&problems); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if problems != 0 {
		t.Fatalf("verify(%d) reports %d problems", event, problems)
	}
}

// startService serves the service with the given handler on a loopback TCP port.
func startService(t *testing.T, pool *pgxpool.Pool, handler string) *httptest.Server {
	t.Helper()
	return startServiceWith(t, pool, handler, nil)
}

// startServiceWith is startService with setup (when not nil) applied to the service
// before it serves.
func startServiceWith(t *testing.T, pool *pgxpool.Pool, handler string, setup func(*Server)) *httptest.Server {
	t.Helper()
	srv, err := New(pool, handler)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(srv)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// answer is a decoded HTTP answer.
type answer struct {
	status     int
	retryAfter string
	body       map[string]interface{}
}

func (a answer) str(field string) string {
	s, _ := a.body[field].(string)
	return s
}

func (a answer) outcome() string { return a.str("outcome") }

// call sends method to url with body (JSON-encoded unless nil) and headers
// (name, value pairs), and decodes the JSON answer.
func call(client *http.Client, method, url string, body interface{}, headers ...string) (answer, error) {
	var payload bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&payload).Encode(body); err != nil {
			return answer{}, err
		}
	}
	req, err := http.NewRequest(method, url, &payload)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		return a, fmt.Errorf("%s %s: status %d, body not JSON: %v", method, url, resp.StatusCode, err)
	}
	return a, nil
}

// mustCall is call for the test goroutine: any transport or decoding error fails
// the test.
func mustCall(t *testing.T, method, url string, body interface{}, headers ...string) answer {
	t.Helper()
	a, err := call(http.DefaultClient, method, url, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// expect fails the test unless the answer has the status and (when not empty) the
// outcome.
func expect(t *testing.T, a answer, status int, outcome string) {
	t.Helper()
	if a.status != status || (outcome != "" && a.outcome() != outcome) {
		t.Fatalf("got status %d %v, want %d %q", a.status, a.body, status, outcome)
	}
}
