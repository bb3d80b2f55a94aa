package service

// The live feed through HTTP: snapshot then changes, resuming with Last-Event-ID from
// memory and (after a restart) from the database with nothing missed or repeated, a
// change committed out of audit-id order, slow clients, the routes. Against the database
// the PG* variables name; with the library preloaded, also the notifications.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"

	"flashsale/ticketing"
)

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	id, event, data string
}

type sseStream struct {
	resp   *http.Response
	events chan sseEvent
	done   chan error
}

// openStream GETs url as an event stream, resuming from lastID when it is not empty.
func openStream(t *testing.T, url, lastID string) *sseStream {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		t.Fatalf("GET %s: status %d, %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sseStream{resp: resp, events: make(chan sseEvent, 1024), done: make(chan error, 1)}
	go func() {
		r := bufio.NewReader(resp.Body)
		var ev sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				s.done <- err
				close(s.events)
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				if ev.event != "" || ev.data != "" {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) close() { s.resp.Body.Close() }

func (s *sseStream) next(t *testing.T, within time.Duration) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatalf("the stream ended: %v", <-s.done)
		}
		return ev
	case <-time.After(within):
		t.Fatalf("no event within %v", within)
	}
	return sseEvent{}
}

type snapshotData struct {
	Event   int64             `json:"event"`
	Through int64             `json:"through"`
	Seats   [][]interface{}   `json:"seats"`
	Changes [][]interface{}   `json:"changes"`
	Extra   map[string]string `json:"-"`
}

func decode(t *testing.T, ev sseEvent) snapshotData {
	t.Helper()
	var d snapshotData
	if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
		t.Fatalf("event %q: %v: %s", ev.event, err, ev.data)
	}
	return d
}

// seenChange is one change as a client saw it.
type seenChange struct {
	id, ticket int64
	status     string
}

func changesOf(t *testing.T, ev sseEvent) []seenChange {
	t.Helper()
	if ev.event != "changes" {
		t.Fatalf("expected a changes event, got %q: %s", ev.event, ev.data)
	}
	var out []seenChange
	for _, c := range decode(t, ev).Changes {
		out = append(out, seenChange{id: int64(c[0].(float64)), ticket: int64(c[1].(float64)), status: c[2].(string)})
	}
	if len(out) == 0 {
		t.Fatalf("an empty changes event: %s", ev.data)
	}
	// The id is the position after the message: its last change's audit id, or further
	// when the service has read further (a replay ends at the service's own position, e.g.
	// its snapshot's through, which other events' changes or other tests may have moved
	// past this event's last change). The callers compare the changes with the audit log.
	if id, _ := strconv.ParseInt(ev.id, 10, 64); id < out[len(out)-1].id {
		t.Fatalf("a changes event's id %s is before its last change's %d", ev.id, out[len(out)-1].id)
	}
	return out
}

// collect reads changes until one with id >= through arrived.
func (s *sseStream) collect(t *testing.T, through int64) []seenChange {
	t.Helper()
	var seen []seenChange
	for len(seen) == 0 || seen[len(seen)-1].id < through {
		seen = append(seen, changesOf(t, s.next(t, 10*time.Second))...)
	}
	return seen
}

// startFeedService serves the service with a live feed that polls every 20 ms (and
// listens, where the server announces changes).
func startFeedService(t *testing.T, pool *pgxpool.Pool, opts FeedOptions) (*httptest.Server, *Feed) {
	t.Helper()
	srv, err := New(pool, HandlerExtension)
	if err != nil {
		t.Fatal(err)
	}
	feed := StartFeed(pool, opts)
	srv.SetFeed(feed)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		feed.Close()
		ts.Close()
	})
	return ts, feed
}

func fastFeed() FeedOptions {
	opts := DefaultFeedOptions()
	opts.Poll = 20 * time.Millisecond
	return opts
}

// seatedEvent creates an event with these seat labels (ticket ids 1..n).
func seatedEvent(t *testing.T, pool *pgxpool.Pool, name string, labels []string) int64 {
	t.Helper()
	var event int64
	if err := pool.QueryRow(ctx, "SELECT ticketing.create_event($1)", name).Scan(&event); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "SELECT ticketing.add_tickets($1, $2::text[])", event, labels); err != nil {
		t.Fatal(err)
	}
	return event
}

func sqlClaim(t *testing.T, pool *pgxpool.Pool, event, ticket int64, customer string) {
	t.Helper()
	var outcome string
	if err := pool.QueryRow(ctx, "SELECT outcome FROM ticketing.claim_ticket($1, $2, $3)",
		event, ticket, customer).Scan(&outcome); err != nil || outcome != "claimed" {
		t.Fatalf("claim %d/%d: %s %v", event, ticket, outcome, err)
	}
}

// auditAfter is what the audit log says changed in the event after `after`.
func auditAfter(t *testing.T, pool *pgxpool.Pool, event, after int64) []seenChange {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT audit_id, ticket_id, to_status FROM ticketing.audit_log
	                               WHERE event_id = $1 AND audit_id > $2 ORDER BY audit_id`, event, after)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []seenChange
	for rows.Next() {
		var c seenChange
		if err := rows.Scan(&c.id, &c.ticket, &c.status); err != nil {
			t.Fatal(err)
		}
		c.status = string(statusCode(c.status))
		out = append(out, c)
	}
	return out
}

func sameChanges(t *testing.T, what string, got, want []seenChange) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s:\n got  %v\n want %v (the audit log)", what, got, want)
	}
}

func TestFeedStreamsSnapshotThenChanges(t *testing.T) {
	pool := testPool(t, 8)
	event := seatedEvent(t, pool, "feed stream", []string{"A-1-1", "A-1-2", "A-2-1", "B-1-1", "GA-1"})
	sqlClaim(t, pool, event, 5, "early bird")
	ts, _ := startFeedService(t, pool, fastFeed())
	stream := openStream(t, fmt.Sprintf("%s/events/%d/stream", ts.URL, event), "")
	first := stream.next(t, 10*time.Second)
	snap := decode(t, first)
	if first.event != "snapshot" || snap.Event != event || len(snap.Seats) != 5 ||
		first.id != strconv.FormatInt(snap.Through, 10) {
		t.Fatalf("first event: %+v", first)
	}
	statuses := map[string]string{}
	for _, s := range snap.Seats {
		statuses[s[1].(string)] = s[3].(string)
		if s[2].(string) != "general" {
			t.Fatalf("category of %v", s)
		}
	}
	if statuses["GA-1"] != "s" || statuses["A-1-1"] != "a" {
		t.Fatalf("snapshot statuses %v", statuses)
	}
	// A claim through the API, a hold and a release by SQL: each arrives, in order.
	answer := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/2/claim", ts.URL, event),
		map[string]string{"customer": "alice"}, "Idempotency-Key", "feed-1")
	expect(t, answer, http.StatusOK, "claimed")
	if _, err := pool.Exec(ctx, "SELECT ticketing.hold_ticket($1, 3, 'bob')", event); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "SELECT ticketing.release_ticket($1, 5, 'early bird')", event); err != nil {
		t.Fatal(err)
	}
	want := auditAfter(t, pool, event, snap.Through)
	sameChanges(t, "changes after the snapshot", stream.collect(t, want[len(want)-1].id), want)
}

func TestFeedResumesExactlyWithLastEventID(t *testing.T) {
	pool := testPool(t, 8)
	labels := make([]string, 40)
	for i := range labels {
		labels[i] = fmt.Sprintf("C-%d-%d", i/10+1, i%10+1)
	}
	event := seatedEvent(t, pool, "feed resume", labels)
	ts, _ := startFeedService(t, pool, fastFeed())
	url := fmt.Sprintf("%s/events/%d/stream", ts.URL, event)
	stream := openStream(t, url, "")
	snap := decode(t, stream.next(t, 10*time.Second))
	for ticket := int64(1); ticket <= 5; ticket++ {
		sqlClaim(t, pool, event, ticket, "first wave")
	}
	seen := stream.collect(t, auditAfter(t, pool, event, snap.Through)[4].id)
	stream.close()
	lastID := seen[2].id // resume from the middle of what it saw: 4 and 5 come again

	// Meanwhile: more sales, and two committed out of audit-id order.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var outcome string
	if err := tx.QueryRow(ctx, "SELECT outcome FROM ticketing.claim_ticket($1, 10, 'early')", event).Scan(&outcome); err != nil {
		t.Fatal(err)
	}
	for ticket := int64(11); ticket <= 20; ticket++ {
		sqlClaim(t, pool, event, ticket, "second wave")
	}
	resumed := openStream(t, url, strconv.FormatInt(lastID, 10))
	// Nothing past ticket 10's id is handed out while its transaction is open.
	early := auditAfter(t, pool, event, lastID)
	got := resumed.collect(t, early[1].id)
	select {
	case ev := <-resumed.events:
		got = append(got, changesOf(t, ev)...)
	case <-time.After(300 * time.Millisecond): // 15 polls
	}
	for _, c := range got {
		if c.ticket >= 11 {
			t.Fatalf("a sale committed after an open one with a smaller id was handed out first: %v", got)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want := auditAfter(t, pool, event, lastID)
	got = append(got, resumed.collect(t, want[len(want)-1].id)...)
	sameChanges(t, "resumed from "+strconv.FormatInt(lastID, 10), got, want)
}

func TestFeedResumesAfterARestartFromTheDatabase(t *testing.T) {
	pool := testPool(t, 8)
	event := newEvent(t, pool, "feed restart", 30)
	ts, feed := startFeedService(t, pool, fastFeed())
	url := fmt.Sprintf("%s/events/%d/stream", ts.URL, event)
	stream := openStream(t, url, "")
	snap := decode(t, stream.next(t, 10*time.Second))
	sqlClaim(t, pool, event, 1, "before")
	seen := stream.collect(t, auditAfter(t, pool, event, snap.Through)[0].id)
	feed.Close() // the service goes away: the stream ends
	ts.Close()
	if _, ok := <-stream.events; ok {
		t.Fatal("the stream went on after the service stopped")
	}
	for ticket := int64(2); ticket <= 12; ticket++ {
		sqlClaim(t, pool, event, ticket, "while down")
	}
	if _, err := pool.Exec(ctx, "SELECT ticketing.release_ticket($1, 1, 'before')", event); err != nil {
		t.Fatal(err)
	}
	// A new instance: its history starts after those changes, so it reads them back.
	ts2, _ := startFeedService(t, pool, fastFeed())
	lastID := seen[len(seen)-1].id
	resumed := openStream(t, fmt.Sprintf("%s/events/%d/stream", ts2.URL, event), strconv.FormatInt(lastID, 10))
	want := auditAfter(t, pool, event, lastID)
	sameChanges(t, "resumed after a restart", resumed.collect(t, want[len(want)-1].id), want)
	// And it goes on live.
	sqlClaim(t, pool, event, 20, "after")
	after := auditAfter(t, pool, event, want[len(want)-1].id)
	sameChanges(t, "live after the resume", resumed.collect(t, after[0].id), after)
}

func TestFeedSlowClientGetsTheNewestStateNotAnUnboundedQueue(t *testing.T) {
	f := &Feed{opts: DefaultFeedOptions(), ctx: context.Background()}
	f.opts.ClientBuffer = 4
	ef := newEventFeed(f, 7)
	ef.seats = []seatState{{ticket: 1, label: "A-1-1", category: "general", status: 'a'},
		{ticket: 2, label: "A-1-2", category: "general", status: 'a'}}
	ef.index = map[int64]int{1: 0, 2: 1}
	ef.cursor, ef.histFloor = 100, 100
	close(ef.loaded)
	first, slow, err := ef.subscribe(ctx, nil)
	if err != nil || !strings.Contains(string(first), "event: snapshot") {
		t.Fatalf("subscribe: %v %s", err, first)
	}
	_, fast, _ := ef.subscribe(ctx, nil)
	// 50 reads, one change each; the slow client reads nothing, the fast one everything.
	var fastSeen int
	for i := 0; i < 50; i++ {
		status := "sold"
		if i%2 == 1 {
			status = "available"
		}
		ef.apply([]ticketing.Change{{AuditID: int64(101 + i), TicketID: 1, Seat: "A-1-1", Status: status}})
		select {
		case <-fast.queue:
			fastSeen++
		default:
			t.Fatal("the fast client's message was not queued")
		}
	}
	if fastSeen != 50 {
		t.Fatalf("the fast client got %d of 50 messages", fastSeen)
	}
	if len(slow.queue) != 4 {
		t.Fatalf("the slow client's queue holds %d messages, its bound is 4", len(slow.queue))
	}
	select {
	case <-slow.lagging:
	default:
		t.Fatal("the slow client was not told it fell behind")
	}
	newest := string(ef.newest(slow))
	if !strings.HasPrefix(newest, "id: 150\nevent: snapshot\n") || !strings.Contains(newest, `[1,"A-1-1","general","a",0]`) {
		t.Fatalf("the slow client's catch-up: %s", newest)
	}
	if len(slow.queue) != 0 {
		t.Fatalf("%d stale messages left after the catch-up", len(slow.queue))
	}
	// From there it gets each change again.
	ef.apply([]ticketing.Change{{AuditID: 151, TicketID: 2, Seat: "A-1-2", Status: "sold"}})
	if msg := string(<-slow.queue); !strings.HasPrefix(msg, "id: 151\nevent: changes\n") {
		t.Fatalf("after the catch-up: %s", msg)
	}
	// Resuming from memory: exactly the changes after the id, in one message.
	replay, _, _ := ef.subscribe(ctx, int64Ptr(148))
	if string(replay) != "id: 151\nevent: changes\ndata: {\"changes\":[[149,1,\"s\",0],[150,1,\"a\",0],[151,2,\"s\",0]]}\n\n" {
		t.Fatalf("replay from 148: %q", replay)
	}
}

func int64Ptr(v int64) *int64 { return &v }

func TestFeedRoutes(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "feed routes", 3)
	ts, _ := startFeedService(t, pool, fastFeed())
	get := func(path string, headers ...string) *http.Response {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if resp := get("/events/987654321/stream"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown event's stream: %d", resp.StatusCode)
	}
	if resp := get(fmt.Sprintf("/events/%d/stream", event), "Last-Event-ID", "yesterday"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a Last-Event-ID that is no id: %d", resp.StatusCode)
	}
	page := get(fmt.Sprintf("/events/%d/map", event))
	csp := page.Header.Get("Content-Security-Policy")
	if page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Fatalf("the map page: %d %v", page.StatusCode, page.Header)
	}
	for _, asset := range []string{"/feed-assets/map.js", "/feed-assets/map.css"} {
		if resp := get(asset); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", asset, resp.StatusCode)
		}
	}
	if resp := get("/feed-assets/other.js"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown asset: %d", resp.StatusCode)
	}
	post := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/stream", ts.URL, event), nil)
	if post.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST to a stream: %d", post.status)
	}
	// Without a feed the stream is off; the other routes are as before.
	plain := startService(t, pool, HandlerExtension)
	off := mustCall(t, "GET", fmt.Sprintf("%s/events/%d/stream", plain.URL, event), nil)
	if off.status != http.StatusNotFound || off.str("error") != "feed_off" {
		t.Fatalf("a stream without the feed: %d %v", off.status, off.body)
	}
	expect(t, mustCall(t, "GET", fmt.Sprintf("%s/events/%d", plain.URL, event), nil), http.StatusOK, "")
}

func TestFeedNotificationsWakeTheReads(t *testing.T) {
	pool := testPool(t, 4)
	on, err := ticketing.FeedNotificationsOn(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if !on {
		t.Skip("the server does not announce changes (ticketing is not preloaded): the browser suite runs this")
	}
	event := newEvent(t, pool, "feed notifications", 5)
	opts := DefaultFeedOptions()
	opts.Poll, opts.SafetyPoll = time.Hour, time.Hour // only a notification can wake a read
	ts, _ := startFeedService(t, pool, opts)
	stream := openStream(t, fmt.Sprintf("%s/events/%d/stream", ts.URL, event), "")
	snap := decode(t, stream.next(t, 10*time.Second))
	time.Sleep(300 * time.Millisecond) // the listener LISTENs and reads once
	for ticket := int64(1); ticket <= 3; ticket++ {
		sqlClaim(t, pool, event, ticket, "notified")
	}
	want := auditAfter(t, pool, event, snap.Through)
	sameChanges(t, "changes woken by notifications", stream.collect(t, want[len(want)-1].id), want)
}
