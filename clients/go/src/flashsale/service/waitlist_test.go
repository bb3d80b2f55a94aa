package service

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The waiting-list routes (issue 19).

func TestParseWaitlistRoute(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         waitlistRoute
		ok           bool
	}{
		{"POST", "/events/7/waitlist", waitlistRoute{event: 7, action: waitlistJoin, method: "POST"}, true},
		{"GET", "/events/7/waitlist/", waitlistRoute{event: 7, action: waitlistPosition, method: "GET"}, true},
		{"PUT", "/events/7/waitlist", waitlistRoute{event: 7, action: waitlistJoin, method: "POST"}, true},
		{"POST", "/events/7/waitlist/leave", waitlistRoute{event: 7, action: waitlistLeave, method: "POST"}, true},
		{"GET", "/events/7/waitlist/entries", waitlistRoute{event: 7, action: waitlistEntries, method: "GET"}, true},
		{"GET", "/events/7/waitlist/offers", waitlistRoute{event: 7, action: waitlistOffers, method: "GET"}, true},
		{"POST", "/events/7/waitlist/open", waitlistRoute{event: 7, action: waitlistOpen, method: "POST"}, true},
		{"GET", "/events/7/waitlist/close", waitlistRoute{event: 7, action: waitlistClose, method: "POST"}, true},
		{"POST", "/events/7/waitlist/join", waitlistRoute{}, false},
		{"POST", "/events/7/waitlist/leave/now", waitlistRoute{}, false},
		{"POST", "/events/x/waitlist", waitlistRoute{}, false},
		{"POST", "/events/7/carts", waitlistRoute{}, false},
		{"POST", "/events/7/tickets/1/claim", waitlistRoute{}, false},
	} {
		got, ok := parseWaitlistRoute(httptest.NewRequest(c.method, c.path, nil))
		if ok != c.ok || got != c.want {
			t.Errorf("%s %s: %+v %v, want %+v %v", c.method, c.path, got, ok, c.want, c.ok)
		}
	}
}

// listAnswer GETs url and decodes its JSON array.
func listAnswer(t *testing.T, url string) []map[string]interface{} {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rows []map[string]interface{}
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", url, resp.StatusCode, err)
	}
	return rows
}

func TestWaitlistJoinOfferLeave(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "waiting list", 2)
	ts := startService(t, pool, HandlerExtension)
	list := fmt.Sprintf("%s/events/%d/waitlist", ts.URL, event)
	ticket := func(id int, action string) string {
		return fmt.Sprintf("%s/events/%d/tickets/%d/%s", ts.URL, event, id, action)
	}

	expect(t, mustCall(t, "POST", list, map[string]string{"customer": "early"}), http.StatusConflict, "waitlist_closed")
	opened := mustCall(t, "POST", list+"/open", nil)
	if opened.status != http.StatusOK || opened.str("waitlist") != "open" {
		t.Fatalf("open: %d %v", opened.status, opened.body)
	}
	for id, buyer := range []string{"ann", "bob"} {
		expect(t, mustCall(t, "POST", ticket(id+1, "claim"), map[string]string{"customer": buyer}), http.StatusOK, "claimed")
	}

	wendy := mustCall(t, "POST", list, map[string]interface{}{"customer": "wendy", "offer_seconds": 300})
	expect(t, wendy, http.StatusOK, "joined")
	if wendy.body["place"] != float64(1) || wendy.str("status") != "waiting" {
		t.Fatalf("join: %v", wendy.body)
	}
	pair := mustCall(t, "POST", list, map[string]interface{}{"customer": "xavier", "quantity": 2, "category": "general",
		"together": true})
	expect(t, pair, http.StatusOK, "joined")
	var quantity int
	var together bool
	var offerFor string
	if err := pool.QueryRow(ctx, `SELECT w.quantity, w.together, o.offer_for::text
	                                FROM ticketing.waitlist_entries w, ticketing.waitlist_entries o
	                               WHERE w.event_id = $1 AND w.customer = 'xavier'
	                                 AND o.event_id = $1 AND o.customer = 'wendy'`, event).Scan(&quantity, &together, &offerFor); err != nil ||
		quantity != 2 || !together || offerFor != "00:05:00" {
		t.Fatalf("the entries' arguments: %d %v %q %v", quantity, together, offerFor, err)
	}
	expect(t, mustCall(t, "POST", list, map[string]string{"customer": "wendy"}), http.StatusOK, "already_waiting")
	position := mustCall(t, "GET", list+"?customer=xavier", nil)
	expect(t, position, http.StatusOK, "waiting")
	if position.body["place"] != float64(2) {
		t.Fatalf("position: %v", position.body)
	}
	expect(t, mustCall(t, "GET", list+"?customer=nobody", nil), http.StatusNotFound, "not_waiting")

	// A refund is offered to wendy; she confirms it with the ticket route.
	expect(t, mustCall(t, "POST", ticket(1, "release"), map[string]string{"customer": "ann"}), http.StatusOK, "released")
	offer := mustCall(t, "GET", list+"?customer=wendy", nil)
	expect(t, offer, http.StatusOK, "offered")
	if fmt.Sprint(offer.body["ticket_ids"]) != "[1]" || offer.str("offer_expires_at") == "" {
		t.Fatalf("the offer: %v", offer.body)
	}
	expect(t, mustCall(t, "POST", ticket(1, "claim"), map[string]string{"customer": "carol"}), http.StatusConflict, "held")
	offers := listAnswer(t, list+"/offers")
	if len(offers) != 1 || offers[0]["customer"] != "wendy" || fmt.Sprint(offers[0]["seats"]) != "[GA-1]" {
		t.Fatalf("offers: %v", offers)
	}
	entries := listAnswer(t, list+"/entries")
	if len(entries) != 2 || entries[0]["status"] != "offered" || entries[1]["customer"] != "xavier" ||
		entries[1]["place"] != float64(1) || entries[1]["quantity"] != float64(2) {
		t.Fatalf("entries: %v", entries)
	}
	expect(t, mustCall(t, "POST", ticket(1, "confirm"), map[string]string{"customer": "wendy"}), http.StatusOK, "claimed")
	if entries := listAnswer(t, list+"/entries"); entries[0]["status"] != "accepted" || entries[0]["bought"] != float64(1) {
		t.Fatalf("entries after the confirmation: %v", entries)
	}

	expect(t, mustCall(t, "POST", list+"/leave", map[string]string{"customer": "xavier"}), http.StatusOK, "left")
	expect(t, mustCall(t, "POST", list+"/leave", map[string]string{"customer": "xavier"}), http.StatusNotFound, "not_waiting")
	expect(t, mustCall(t, "POST", list, map[string]string{"customer": "zed"}), http.StatusOK, "joined")
	closed := mustCall(t, "POST", list+"/close", nil)
	if closed.status != http.StatusOK || closed.body["closed_entries"] != float64(1) {
		t.Fatalf("close: %d %v", closed.status, closed.body)
	}
	expect(t, mustCall(t, "POST", list, map[string]string{"customer": "late"}), http.StatusConflict, "waitlist_closed")
	expect(t, mustCall(t, "GET", fmt.Sprintf("%s/events/%d/waitlist?customer=x", ts.URL, 1<<60), nil),
		http.StatusNotFound, "not_found")
	requireVerified(t, pool, event)
}

func TestWaitlistInvalidInput(t *testing.T) {
	pool := testPool(t, 2)
	event := newEvent(t, pool, "waiting list input", 1)
	ts := startService(t, pool, HandlerExtension)
	list := fmt.Sprintf("%s/events/%d/waitlist", ts.URL, event)
	for _, c := range []struct {
		url      string
		body     interface{}
		sqlstate string
	}{
		{list, map[string]interface{}{"customer": "x", "quantity": 101}, "22023"},
		{list, map[string]interface{}{"customer": "x", "offer_seconds": 30}, "22023"},
		{list, map[string]interface{}{"customer": "x", "category": strings.Repeat("c", 101)}, "22023"},
		{list, map[string]string{"customer": ""}, "22023"},
		{list + "/leave", map[string]interface{}{"customer": "x", "quantity": 2}, ""},
		{list, map[string]interface{}{"customer": "x", "colour": "red"}, ""},
	} {
		a := mustCall(t, "POST", c.url, c.body)
		expect(t, a, http.StatusBadRequest, "")
		if a.str("sqlstate") != c.sqlstate {
			t.Fatalf("%s %v: %v, want SQLSTATE %q", c.url, c.body, a.body, c.sqlstate)
		}
	}
	expect(t, mustCall(t, "GET", list+"/open", nil), http.StatusMethodNotAllowed, "")
	expect(t, mustCall(t, "POST", list+"/entries", nil), http.StatusMethodNotAllowed, "")
	unknown := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/waitlist/open", ts.URL, 1<<60), nil)
	expect(t, unknown, http.StatusNotFound, "")
	if unknown.str("sqlstate") != "P0002" {
		t.Fatalf("open of an unknown event: %v", unknown.body)
	}
}
