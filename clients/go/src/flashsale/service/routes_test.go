package service

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"
)

// The routes other than the hot claim, against the extension handler unless named.

func TestRetryWithSameRequestIDBuysOnce(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "retry", 10)
	ts := startService(t, pool, HandlerExtension)
	url := fmt.Sprintf("%s/events/%d/claim-any", ts.URL, event)
	body := map[string]interface{}{"customer": "retrier", "quantity": 2}
	first := mustCall(t, "POST", url, body, "Idempotency-Key", "order-1")
	expect(t, first, http.StatusOK, "claimed")
	again := mustCall(t, "POST", url, body, "Idempotency-Key", "order-1")
	expect(t, again, http.StatusOK, "claimed")
	if fmt.Sprint(first.body["ticket_ids"]) != fmt.Sprint(again.body["ticket_ids"]) {
		t.Fatalf("the retry got tickets %v, the first call %v", again.body["ticket_ids"], first.body["ticket_ids"])
	}
	viaRequestID := mustCall(t, "POST", url, body, "X-Request-Id", "order-1")
	if fmt.Sprint(viaRequestID.body["ticket_ids"]) != fmt.Sprint(first.body["ticket_ids"]) {
		t.Fatalf("X-Request-Id is not the idempotency key: got %v", viaRequestID.body)
	}
	var sold int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ticketing.audit_log
	                               WHERE event_id = $1 AND to_status = 'sold'`, event).Scan(&sold); err != nil {
		t.Fatal(err)
	}
	if sold != 2 {
		t.Fatalf("%d sales for three requests with one request id, want 2", sold)
	}
	other := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/9/claim", ts.URL, event),
		map[string]string{"customer": "retrier"}, "Idempotency-Key", "order-1")
	expect(t, other, http.StatusUnprocessableEntity, "")
	if other.str("sqlstate") != "TK001" {
		t.Fatalf("key reuse: %v", other.body)
	}
	requireVerified(t, pool, event)
}

func TestInvalidInputIs400(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "invalid input", 3)
	ts := startService(t, pool, HandlerExtension)
	for _, c := range []struct {
		path string
		body interface{}
	}{
		{fmt.Sprintf("/events/%d/tickets/0/claim", event), map[string]string{"customer": "x"}},
		{fmt.Sprintf("/events/%d/tickets/1/claim", event), map[string]string{"customer": ""}},
		{fmt.Sprintf("/events/%d/tickets/1/claim", event), map[string]string{"customer": "x", "wait": "forever"}},
		{fmt.Sprintf("/events/%d/claim-any", event), map[string]interface{}{"customer": "x", "quantity": 101}},
	} {
		a := mustCall(t, "POST", ts.URL+c.path, c.body)
		expect(t, a, http.StatusBadRequest, "")
		if a.str("sqlstate") != "22023" {
			t.Fatalf("%s %v: %v", c.path, c.body, a.body)
		}
	}
	for _, body := range []interface{}{"not an object", map[string]string{"customer": "x", "colour": "red"}} {
		a := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/1/claim", ts.URL, event), body)
		expect(t, a, http.StatusBadRequest, "")
	}
	a := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/1/confirm", ts.URL, event),
		map[string]interface{}{"customer": "x", "hold_seconds": 5})
	expect(t, a, http.StatusBadRequest, "")
}

func TestLockedTicket(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "locked", 2)
	ts := startService(t, pool, HandlerExtension)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM ticketing.tickets WHERE event_id = $1 AND ticket_id = 1 FOR UPDATE", event); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s/events/%d/tickets/1/claim", ts.URL, event)
	a := mustCall(t, "POST", url, map[string]string{"customer": "x", "wait": "nowait"})
	expect(t, a, http.StatusServiceUnavailable, "")
	if a.str("sqlstate") != "55P03" || a.retryAfter == "" {
		t.Fatalf("nowait on a locked ticket: %v, Retry-After %q", a.body, a.retryAfter)
	}
	a = mustCall(t, "POST", url, map[string]string{"customer": "x", "wait": "skip"})
	expect(t, a, http.StatusConflict, "busy")
	if a.retryAfter == "" {
		t.Fatal("busy without Retry-After")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	expect(t, mustCall(t, "POST", url, map[string]string{"customer": "x", "wait": "nowait"}), http.StatusOK, "claimed")
}

func TestHoldConfirmRelease(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "holds", 3)
	ts := startService(t, pool, HandlerExtension)
	ticket := func(n int, action string) string {
		return fmt.Sprintf("%s/events/%d/tickets/%d/%s", ts.URL, event, n, action)
	}
	bob, carol := map[string]string{"customer": "bob"}, map[string]string{"customer": "carol"}

	placed := mustCall(t, "POST", ticket(1, "hold"), map[string]interface{}{"customer": "bob", "hold_seconds": 600})
	expect(t, placed, http.StatusOK, "hold_placed")
	if placed.str("hold_expires_at") == "" {
		t.Fatalf("hold_placed without hold_expires_at: %v", placed.body)
	}
	expect(t, mustCall(t, "POST", ticket(1, "claim"), carol), http.StatusConflict, "held")
	expect(t, mustCall(t, "POST", ticket(1, "confirm"), carol), http.StatusConflict, "not_owner")
	expect(t, mustCall(t, "POST", ticket(1, "confirm"), bob), http.StatusOK, "claimed")
	expect(t, mustCall(t, "POST", ticket(1, "release"), carol), http.StatusConflict, "not_owner")
	expect(t, mustCall(t, "POST", ticket(1, "release"), bob), http.StatusOK, "released")

	expect(t, mustCall(t, "POST", ticket(2, "hold"), bob), http.StatusOK, "hold_placed")
	expect(t, mustCall(t, "POST", ticket(2, "release-hold"), bob), http.StatusOK, "released")
	expect(t, mustCall(t, "POST", ticket(2, "release-hold"), bob), http.StatusConflict, "not_held")
	expect(t, mustCall(t, "POST", ticket(99, "claim"), bob), http.StatusNotFound, "not_found")

	summary := mustCall(t, "GET", fmt.Sprintf("%s/events/%d", ts.URL, event), nil)
	expect(t, summary, http.StatusOK, "")
	if summary.body["total"] != float64(3) || summary.body["available"] != float64(3) || summary.body["sold"] != float64(0) {
		t.Fatalf("summary after release: %v", summary.body)
	}
	requireVerified(t, pool, event)
}

func TestClaimAnySellsOut(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "claim-any", 2)
	ts := startService(t, pool, HandlerExtension)
	url := fmt.Sprintf("%s/events/%d/claim-any", ts.URL, event)
	expect(t, mustCall(t, "POST", url, map[string]interface{}{"customer": "a", "quantity": 3}), http.StatusConflict, "insufficient")
	expect(t, mustCall(t, "POST", url, map[string]interface{}{"customer": "a", "quantity": 2}), http.StatusOK, "claimed")
	expect(t, mustCall(t, "POST", url, map[string]interface{}{"customer": "b"}), http.StatusConflict, "sold_out")
	requireVerified(t, pool, event)
}

func TestUnknownEventAndRoutes(t *testing.T) {
	pool := testPool(t, 2)
	ts := startService(t, pool, HandlerExtension)
	a := mustCall(t, "GET", ts.URL+"/events/987654321", nil)
	expect(t, a, http.StatusNotFound, "")
	if a.str("sqlstate") != "P0002" {
		t.Fatalf("unknown event: %v", a.body)
	}
	expect(t, mustCall(t, "POST", ts.URL+"/events/987654321/claim-any", map[string]string{"customer": "a"}),
		http.StatusNotFound, "not_found")
	expect(t, mustCall(t, "GET", ts.URL+"/events/1/tickets/1/claim", nil), http.StatusMethodNotAllowed, "")
	expect(t, mustCall(t, "POST", ts.URL+"/events/x/claim-any", nil), http.StatusNotFound, "")
	expect(t, mustCall(t, "POST", ts.URL+"/events/1/tickets/1/refund", nil), http.StatusNotFound, "")
}

// A role with no grants on the extension gets 403 for every call.
func TestPrivilegeIs403(t *testing.T) {
	admin := testPool(t, 2)
	role := fmt.Sprintf("flashsale_nogrants_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" NOLOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(ctx, "DROP ROLE "+role) })
	event := newEvent(t, admin, "privileges", 1)
	cfg := admin.Config()
	cfg.MaxConns = 2
	cfg.AfterConnect = func(c context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(c, "SET ROLE "+role)
		return err
	}
	pool, err := pgxpool.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ts := startService(t, pool, HandlerExtension)
	a := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/1/claim", ts.URL, event), map[string]string{"customer": "a"})
	expect(t, a, http.StatusForbidden, "")
	if a.str("sqlstate") != "42501" {
		t.Fatalf("no grants: %v", a.body)
	}
}

func TestArticleHandlerAnswers(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "article", 2)
	ts := startService(t, pool, HandlerArticle)
	url := func(n int) string { return fmt.Sprintf("%s/events/%d/tickets/%d/claim", ts.URL, event, n) }
	expect(t, mustCall(t, "POST", url(1), map[string]string{"customer": "a"}), http.StatusOK, "claimed")
	expect(t, mustCall(t, "POST", url(1), map[string]string{"customer": "a"}), http.StatusOK, "already_owned")
	expect(t, mustCall(t, "POST", url(1), map[string]string{"customer": "b"}), http.StatusConflict, "already_sold")
	expect(t, mustCall(t, "POST", url(3), map[string]string{"customer": "b"}), http.StatusNotFound, "not_found")
	expect(t, mustCall(t, "POST", url(2), map[string]string{"customer": ""}), http.StatusBadRequest, "")
	expect(t, mustCall(t, "POST", url(2), map[string]string{"customer": "b", "wait": "skip"}), http.StatusNotImplemented, "")
	requireVerified(t, pool, event)

	var limited int64
	if err := pool.QueryRow(ctx, "SELECT ticketing.create_event('limited', per_customer_limit => 1)").Scan(&limited); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "SELECT ticketing.add_tickets($1, 1)", limited); err != nil {
		t.Fatal(err)
	}
	a := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/1/claim", ts.URL, limited), map[string]string{"customer": "a"})
	expect(t, a, http.StatusNotImplemented, "")
}

// Numbers the service cannot pass on: a quantity past 32 bits (the extension's integer;
// it was answered 500 "greater than maximum value for Int4"), seconds past what a
// time.Duration holds (18446744674 s wrapped round to 600 s: a hold of ten minutes,
// answered 200). Each is 400 bad_request naming the field, on every route that takes
// it, and nothing is held or sold; numbers within those bounds reach the extension,
// which answers its own 400 (22023) for what it does not allow.
func TestNumbersOutOfRangeAre400(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "numbers out of range", 5)
	ts := startService(t, pool, HandlerExtension)
	opened := mustCall(t, "POST", cartURL(ts.URL, event, ""), map[string]interface{}{"customer": "c"})
	expect(t, opened, http.StatusOK, "opened")
	cart := opened.str("token")
	const wraps = 18446744674 // * 1e9 ns wraps round to 600 s
	for _, c := range []struct {
		path  string
		field string
		value int64
	}{
		{"/claim-any", "quantity", 3000000000},
		{"/claim-any", "quantity", -3000000000},
		{"/claim-any", "hold_seconds", wraps},
		{"/claim-any", "hold_seconds", -wraps},
		{"/tickets/1/hold", "hold_seconds", wraps},
		{"/tickets/1/hold", "hold_seconds", 9223372037},
		{"/carts", "expires_seconds", wraps},
		{"/carts/" + url.PathEscape(cart) + "/claim-any", "quantity", 3000000000},
		{"/carts/" + url.PathEscape(cart) + "/extend", "extend_seconds", wraps},
		{"/waitlist", "quantity", 3000000000},
		{"/waitlist", "quantity", -3000000000},
		{"/waitlist", "offer_seconds", wraps},
	} {
		a := mustCall(t, "POST", fmt.Sprintf("%s/events/%d%s", ts.URL, event, c.path),
			map[string]interface{}{"customer": "c", c.field: c.value})
		if a.status != http.StatusBadRequest || a.str("error") != "bad_request" ||
			!strings.HasPrefix(a.str("message"), c.field+" is out of range: ") {
			t.Errorf("%s %s %d: %d %v", c.path, c.field, c.value, a.status, a.body)
		}
	}
	// At the bounds: the extension's own answer.
	for _, c := range []struct {
		path  string
		field string
		value int64
	}{
		{"/claim-any", "quantity", 2147483647},
		{"/claim-any", "quantity", -2147483648},
		{"/tickets/1/hold", "hold_seconds", 9223372036},
		{"/tickets/1/hold", "hold_seconds", -9223372036},
		{"/waitlist", "quantity", 2147483647},
	} {
		a := mustCall(t, "POST", fmt.Sprintf("%s/events/%d%s", ts.URL, event, c.path),
			map[string]interface{}{"customer": "c", c.field: c.value})
		if a.status != http.StatusBadRequest || a.str("sqlstate") != "22023" {
			t.Errorf("%s %s %d: %d %v, want the extension's 22023", c.path, c.field, c.value, a.status, a.body)
		}
	}
	var available int
	if err := pool.QueryRow(ctx, "SELECT available FROM ticketing.event_summary($1)", event).Scan(&available); err != nil {
		t.Fatal(err)
	}
	if available != 5 {
		t.Fatalf("%d of 5 tickets available after refused requests", available)
	}
	requireVerified(t, pool, event)
}
