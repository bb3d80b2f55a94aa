package service

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The cart routes and a category on any-seat claims (issue 18).

func TestParseCartRoute(t *testing.T) {
	for _, c := range []struct {
		path string
		want cartRoute
		ok   bool
	}{
		{"/events/7/carts", cartRoute{event: 7, action: cartOpen}, true},
		{"/events/7/carts/", cartRoute{event: 7, action: cartOpen}, true},
		{"/events/7/carts/tok-_9", cartRoute{event: 7, token: "tok-_9", action: cartContents}, true},
		{"/events/7/carts/tok/tickets/12", cartRoute{event: 7, token: "tok", ticket: 12, action: cartHold}, true},
		{"/events/7/carts/tok/claim-any", cartRoute{event: 7, token: "tok", action: cartClaimAny}, true},
		{"/events/7/carts/tok/extend", cartRoute{event: 7, token: "tok", action: cartExtend}, true},
		{"/events/7/carts/tok/checkout", cartRoute{event: 7, token: "tok", action: cartCheckout}, true},
		{"/events/7/carts/tok/abandon", cartRoute{event: 7, token: "tok", action: cartAbandon}, true},
		{"/events/7/carts/a%2Fb%20c/checkout", cartRoute{event: 7, token: "a/b c", action: cartCheckout}, true},
		{"/events/7/carts/tok/tickets/x", cartRoute{}, false},
		{"/events/7/carts/tok/refund", cartRoute{}, false},
		{"/events/7/carts/tok/tickets/1/hold", cartRoute{}, false},
		{"/events/x/carts", cartRoute{}, false},
		{"/events/7/claim-any", cartRoute{}, false},
		{"/events/7/tickets/1/claim", cartRoute{}, false},
	} {
		u, err := url.Parse(c.path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseCartRoute(u)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: %+v %v, want %+v %v", c.path, got, ok, c.want, c.ok)
		}
	}
	if (cartRoute{action: cartContents}).method() != "GET" || (cartRoute{action: cartCheckout}).method() != "POST" {
		t.Error("contents is a GET, the other cart routes POSTs")
	}
}

// cartURL is the URL of a cart route: base/events/{event}/carts[/token][/rest].
func cartURL(base string, event int64, token string, rest ...string) string {
	u := fmt.Sprintf("%s/events/%d/carts", base, event)
	if token != "" {
		u += "/" + url.PathEscape(token)
	}
	for _, r := range rest {
		u += "/" + r
	}
	return u
}

func TestCartOpenFillCheckout(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "cart", 6)
	if _, err := pool.Exec(ctx, "SELECT ticketing.add_tickets($1, ARRAY['V-1', 'V-2'], category => 'vip')", event); err != nil {
		t.Fatal(err)
	}
	ts := startService(t, pool, HandlerExtension)
	bob := map[string]interface{}{"customer": "bob"}

	opened := mustCall(t, "POST", cartURL(ts.URL, event, ""), map[string]interface{}{"customer": "bob", "expires_seconds": 600})
	expect(t, opened, http.StatusOK, "opened")
	token := opened.str("token")
	if token == "" || opened.str("expires_at") == "" {
		t.Fatalf("open: %v", opened.body)
	}
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, token, "tickets", "2"), bob, "Idempotency-Key", "h-1"),
		http.StatusOK, "hold_placed")
	vip := mustCall(t, "POST", cartURL(ts.URL, event, token, "claim-any"),
		map[string]interface{}{"customer": "bob", "category": "vip"}, "Idempotency-Key", "a-1")
	expect(t, vip, http.StatusOK, "hold_placed")
	if seats := fmt.Sprint(vip.body["seats"]); !strings.HasPrefix(seats, "[V-") {
		t.Fatalf("claim-any of category vip into the cart gave %s", seats)
	}
	// The seats in the cart are held for bob: another buyer cannot have them.
	expect(t, mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/2/claim", ts.URL, event),
		map[string]string{"customer": "carol"}), http.StatusConflict, "held")

	contents := mustCall(t, "GET", cartURL(ts.URL, event, token)+"?customer=bob", nil)
	expect(t, contents, http.StatusOK, "opened")
	if ids, _ := contents.body["ticket_ids"].([]interface{}); len(ids) != 2 || contents.str("token") != "" {
		t.Fatalf("contents: %v (the token is answered by the opening only)", contents.body)
	}
	expect(t, mustCall(t, "GET", cartURL(ts.URL, event, token)+"?customer=carol", nil), http.StatusNotFound, "cart_not_found")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, token, "checkout"), map[string]string{"customer": "carol"}),
		http.StatusNotFound, "cart_not_found")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, token, "extend"),
		map[string]interface{}{"customer": "bob", "extend_seconds": 60}), http.StatusOK, "extended")

	sold := mustCall(t, "POST", cartURL(ts.URL, event, token, "checkout"), bob, "Idempotency-Key", "co-1")
	expect(t, sold, http.StatusOK, "claimed")
	if ids, _ := sold.body["ticket_ids"].([]interface{}); len(ids) != 2 {
		t.Fatalf("checkout: %v", sold.body)
	}
	again := mustCall(t, "POST", cartURL(ts.URL, event, token, "checkout"), bob, "Idempotency-Key", "co-1")
	expect(t, again, http.StatusOK, "claimed")
	if fmt.Sprint(again.body["ticket_ids"]) != fmt.Sprint(sold.body["ticket_ids"]) {
		t.Fatalf("a retry of the checkout answered %v, the first %v", again.body, sold.body)
	}
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, token, "checkout"), bob, "Idempotency-Key", "co-2"),
		http.StatusOK, "already_owned")
	expect(t, mustCall(t, "GET", cartURL(ts.URL, event, token)+"?customer=bob", nil), http.StatusOK, "already_owned")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, token, "tickets", "3"), bob), http.StatusConflict, "cart_closed")

	var sales int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ticketing.audit_log
	                               WHERE event_id = $1 AND customer = 'bob' AND to_status = 'sold'`, event).Scan(&sales); err != nil {
		t.Fatal(err)
	}
	if sales != 2 {
		t.Fatalf("%d sales to bob, want the cart's 2", sales)
	}
	requireVerified(t, pool, event)
}

func TestCartAbandonAndEmpty(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "cart abandoned", 3)
	ts := startService(t, pool, HandlerExtension)
	dan := map[string]string{"customer": "dan"}

	token := mustCall(t, "POST", cartURL(ts.URL, event, ""), dan).str("token")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, token, "claim-any"),
		map[string]interface{}{"customer": "dan", "quantity": 2}), http.StatusOK, "hold_placed")
	released := mustCall(t, "POST", cartURL(ts.URL, event, token, "abandon"), dan, "Idempotency-Key", "ab-1")
	expect(t, released, http.StatusOK, "released")
	if ids, _ := released.body["ticket_ids"].([]interface{}); len(ids) != 2 {
		t.Fatalf("abandon: %v", released.body)
	}
	expect(t, mustCall(t, "GET", cartURL(ts.URL, event, token)+"?customer=dan", nil), http.StatusOK, "cart_closed")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, token, "abandon"), dan), http.StatusConflict, "cart_closed")
	summary := mustCall(t, "GET", fmt.Sprintf("%s/events/%d", ts.URL, event), nil)
	if summary.body["available"] != float64(3) {
		t.Fatalf("after the abandon: %v", summary.body)
	}

	empty := mustCall(t, "POST", cartURL(ts.URL, event, ""), dan).str("token")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, empty, "checkout"), dan), http.StatusConflict, "empty_cart")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, "no-such-token", "tickets", "1"), dan),
		http.StatusNotFound, "cart_not_found")
	requireVerified(t, pool, event)
}

func TestCartInvalidInput(t *testing.T) {
	pool := testPool(t, 2)
	event := newEvent(t, pool, "cart input", 1)
	ts := startService(t, pool, HandlerExtension)
	long := strings.Repeat("t", 101)
	for _, c := range []struct {
		url      string
		body     interface{}
		sqlstate string
	}{
		{cartURL(ts.URL, event, long, "checkout"), map[string]string{"customer": "x"}, "22023"},
		{cartURL(ts.URL, event, ""), map[string]string{"customer": ""}, "22023"},
		{cartURL(ts.URL, event, "t", "claim-any"), map[string]interface{}{"customer": "x", "category": long}, "22023"},
		{cartURL(ts.URL, event, "t", "extend"), map[string]interface{}{"customer": "x"}, ""},
		{cartURL(ts.URL, event, ""), map[string]interface{}{"customer": "x", "wait": "skip"}, ""},
		{cartURL(ts.URL, event, "t", "checkout"), map[string]interface{}{"customer": "x", "category": "vip"}, ""},
		{cartURL(ts.URL, event, "t", "abandon"), map[string]interface{}{"customer": "x", "colour": "red"}, ""},
	} {
		a := mustCall(t, "POST", c.url, c.body)
		expect(t, a, http.StatusBadRequest, "")
		if a.str("sqlstate") != c.sqlstate {
			t.Fatalf("%s %v: %v, want SQLSTATE %q", c.url, c.body, a.body, c.sqlstate)
		}
	}
	expect(t, mustCall(t, "GET", cartURL(ts.URL, event, "t", "checkout"), nil), http.StatusMethodNotAllowed, "")
	expect(t, mustCall(t, "POST", cartURL(ts.URL, event, "t"), map[string]string{"customer": "x"}),
		http.StatusMethodNotAllowed, "")
}

func TestClaimAnyCategoryAndQuota(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "categories", 4)
	if _, err := pool.Exec(ctx, `SELECT ticketing.add_tickets($1, ARRAY['B-1', 'B-2', 'B-3'], category => 'balcony'),
	                                    ticketing.create_quota($1, 'upstairs', 2, ARRAY['balcony'])`, event); err != nil {
		t.Fatal(err)
	}
	ts := startService(t, pool, HandlerExtension)
	url := fmt.Sprintf("%s/events/%d/claim-any", ts.URL, event)
	two := mustCall(t, "POST", url, map[string]interface{}{"customer": "eve", "quantity": 2, "category": "balcony"})
	expect(t, two, http.StatusOK, "claimed")
	if seats := fmt.Sprint(two.body["seats"]); !strings.HasPrefix(seats, "[B-") || !strings.Contains(seats, " B-") {
		t.Fatalf("two balcony seats: %s", seats)
	}
	refused := mustCall(t, "POST", url, map[string]interface{}{"customer": "fay", "category": "balcony"})
	expect(t, refused, http.StatusConflict, "quota_exhausted")
	if refused.str("quota") != "upstairs" {
		t.Fatalf("quota_exhausted names no quota: %v", refused.body)
	}
	expect(t, mustCall(t, "POST", url, map[string]interface{}{"customer": "fay", "category": "general"}), http.StatusOK, "claimed")
	expect(t, mustCall(t, "POST", url, map[string]interface{}{"customer": "fay", "category": "stalls"}),
		http.StatusConflict, "sold_out")
	requireVerified(t, pool, event)
}
