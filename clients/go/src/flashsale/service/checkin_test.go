package service

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// The check-in and transfer routes (issue 19).

func TestParseGateRoute(t *testing.T) {
	for _, c := range []struct {
		path string
		want gateRoute
		ok   bool
	}{
		{"/events/7/codes", gateRoute{event: 7, action: gateCodes}, true},
		{"/events/7/check-in", gateRoute{event: 7, action: gateCheckIn}, true},
		{"/events/7/check-in-batch/", gateRoute{event: 7, action: gateBatch}, true},
		{"/events/7/tickets/12/transfer", gateRoute{event: 7, ticket: 12, action: gateTransfer}, true},
		{"/events/7/tickets/x/transfer", gateRoute{}, false},
		{"/events/x/check-in", gateRoute{}, false},
		{"/events/7/check-out", gateRoute{}, false},
		{"/events/7/tickets/12/claim", gateRoute{}, false},
		{"/events/7/carts", gateRoute{}, false},
	} {
		u, err := url.Parse(c.path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseGateRoute(u)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: %+v %v, want %+v %v", c.path, got, ok, c.want, c.ok)
		}
	}
	if (gateRoute{action: gateCodes}).method() != "GET" || (gateRoute{action: gateCheckIn}).method() != "POST" {
		t.Error("codes is a GET, the other gate routes POSTs")
	}
}

func TestCheckInAndTransferRoutes(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "gates", 4)
	ts := startService(t, pool, HandlerExtension)
	base := fmt.Sprintf("%s/events/%d", ts.URL, event)

	sale := mustCall(t, "POST", base+"/tickets/1/claim", map[string]interface{}{"customer": "ann"}, "Idempotency-Key", "c-1")
	expect(t, sale, http.StatusOK, "claimed")
	code := sale.str("code")
	if len(code) < 24 || code[:4] != "TK1." {
		t.Fatalf("the sale's code: %v", sale.body)
	}
	codes := mustCall(t, "GET", base+"/codes?customer=ann", nil)
	list, _ := codes.body["codes"].([]interface{})
	if codes.status != http.StatusOK || len(list) != 1 || list[0].(map[string]interface{})["code"] != code {
		t.Fatalf("codes: %d %v", codes.status, codes.body)
	}

	in := mustCall(t, "POST", base+"/check-in", map[string]interface{}{"code": code, "gate": "north"})
	expect(t, in, http.StatusOK, "admitted")
	again := mustCall(t, "POST", base+"/check-in", map[string]interface{}{"code": code, "gate": "south"})
	expect(t, again, http.StatusConflict, "already_admitted")
	if again.str("gate") != "north" {
		t.Fatalf("already_admitted names the first gate: %v", again.body)
	}
	expect(t, mustCall(t, "POST", base+"/check-in", map[string]interface{}{"code": "junk", "gate": "north"}),
		http.StatusConflict, "unknown_code")
	expect(t, mustCall(t, "POST", base+"/check-in", map[string]interface{}{"code": code, "gate": ""}),
		http.StatusBadRequest, "")
	expect(t, mustCall(t, "POST", base+"/check-in", map[string]interface{}{"code": code, "gate": "g", "customer": "x"}),
		http.StatusBadRequest, "")

	// A transfer, then an offline gate's upload of the old and the new code.
	bob := mustCall(t, "POST", base+"/tickets/2/claim", map[string]interface{}{"customer": "bob"}, "Idempotency-Key", "c-2")
	expect(t, bob, http.StatusOK, "claimed")
	moved := mustCall(t, "POST", base+"/tickets/2/transfer",
		map[string]interface{}{"customer": "bob", "to_customer": "cat"}, "Idempotency-Key", "t-1")
	expect(t, moved, http.StatusOK, "transferred")
	if moved.str("code") == "" || moved.str("code") == bob.str("code") {
		t.Fatalf("the transfer's new code: %v", moved.body)
	}
	expect(t, mustCall(t, "POST", base+"/tickets/2/transfer",
		map[string]interface{}{"customer": "bob", "to_customer": "dan"}, "Idempotency-Key", "t-2"),
		http.StatusConflict, "not_owner")
	now := time.Now().UTC()
	upload := mustCall(t, "POST", base+"/check-in-batch", map[string]interface{}{"scans": []map[string]interface{}{
		{"code": bob.str("code"), "gate": "east", "scanned_at": now.Add(-time.Minute).Format(time.RFC3339Nano)},
		{"code": moved.str("code"), "gate": "east", "scanned_at": now.Add(-time.Minute).Format(time.RFC3339Nano)},
		{"code": moved.str("code"), "gate": "west", "scanned_at": now.Add(-2 * time.Minute).Format(time.RFC3339Nano)},
	}})
	results, _ := upload.body["results"].([]interface{})
	if upload.status != http.StatusOK || len(results) != 3 {
		t.Fatalf("check-in-batch: %d %v", upload.status, upload.body)
	}
	for i, want := range [][2]string{{"revoked", ""}, {"already_admitted", "west"}, {"admitted", "west"}} {
		r := results[i].(map[string]interface{})
		if r["outcome"] != want[0] || (want[1] != "" && r["gate"] != want[1]) {
			t.Fatalf("scan %d: %v, want %v", i+1, r, want)
		}
	}
	expect(t, mustCall(t, "POST", base+"/tickets/2/transfer",
		map[string]interface{}{"customer": "cat", "to_customer": "dan"}, "Idempotency-Key", "t-3"),
		http.StatusConflict, "already_admitted")
	requireVerified(t, pool, event)
}
