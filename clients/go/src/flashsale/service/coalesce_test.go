package service

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"
)

// The coalescer against a database: a batch one request makes fail, a database error
// in the middle of a batch, a connection lost in the middle of a batch. Each batch is
// gathered by a long window, so that the requests of a test share one call.

// gathered is a coalescing service whose window gathers up to n concurrent claims (a
// batch goes when n have come, or after 300 ms).
func gathered(t *testing.T, pool *pgxpool.Pool, n int) (*coalescer, string) {
	t.Helper()
	var c *coalescer
	ts := startServiceWith(t, pool, HandlerExtension, func(s *Server) {
		if err := s.Coalesce(CoalesceConfig{Window: 300 * time.Millisecond, MaxBatch: n, InFlight: 1}); err != nil {
			t.Fatal(err)
		}
		s.SetFailoverWait(20 * time.Second)
		c = s.claimer.(*coalescer)
	})
	return c, ts.URL
}

// busy makes the event's queue look loaded (its last batch was full), so that the next
// claims wait for the window instead of the first going alone as at low load.
func busy(c *coalescer, event int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events[event] = &eventQueue{lastSize: c.cfg.MaxBatch}
}

// claimRequest is one HTTP claim of a test.
type claimRequest struct {
	ticket   int
	customer string
	key      string
}

// claimAll sends the claims at once and returns their answers in order.
func claimAll(t *testing.T, url string, event int64, reqs []claimRequest) []answer {
	t.Helper()
	answers, err := sendAll(url, event, reqs)
	if err != nil {
		t.Fatal(err)
	}
	return answers
}

// sendAll is claimAll for any goroutine: the first transport or decoding error.
func sendAll(url string, event int64, reqs []claimRequest) ([]answer, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(reqs)}}
	defer client.CloseIdleConnections()
	answers := make([]answer, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func(i int, r claimRequest) {
			defer wg.Done()
			var headers []string
			if r.key != "" {
				headers = []string{"Idempotency-Key", r.key}
			}
			answers[i], errs[i] = call(client, "POST", fmt.Sprintf("%s/events/%d/tickets/%d/claim", url, event, r.ticket),
				map[string]string{"customer": r.customer}, headers...)
		}(i, r)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("request %d: %v", i, err)
		}
	}
	return answers, nil
}

// soldTo is the audit log's sales of the event: ticket -> customer.
func soldTo(t *testing.T, pool *pgxpool.Pool, event int64) map[int64]string {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT ticket_id, customer FROM ticketing.audit_log
	                               WHERE event_id = $1 AND to_status = 'sold'`, event)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sales := map[int64]string{}
	for rows.Next() {
		var ticket int64
		var customer string
		if err := rows.Scan(&ticket, &customer); err != nil {
			t.Fatal(err)
		}
		if previous, twice := sales[ticket]; twice {
			t.Fatalf("ticket %d sold twice: to %s and %s", ticket, previous, customer)
		}
		sales[ticket] = customer
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sales
}

// One request of a batch makes the whole claim_batch fail (a key reused for another
// ticket: TK001; a customer of 201 bytes: 22023): every other request is still sold,
// and the bad ones get what a single call answers.
func TestCoalescedBadRequestInBatch(t *testing.T) {
	pool := testPool(t, 8)
	event := newEvent(t, pool, "coalesced bad request", 30)
	c, url := gathered(t, pool, 20)
	expect(t, mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/30/claim", url, event),
		map[string]string{"customer": "reuser"}, "Idempotency-Key", "used"), http.StatusOK, "claimed")
	var reqs []claimRequest
	for i := 1; i <= 18; i++ {
		reqs = append(reqs, claimRequest{ticket: i, customer: buyer(i), key: fmt.Sprintf("good-%d", i)})
	}
	reqs = append(reqs, claimRequest{ticket: 19, customer: "reuser", key: "used"},
		claimRequest{ticket: 20, customer: strings.Repeat("x", 201)})
	before, _ := c.counts()
	busy(c, event)
	answers := claimAll(t, url, event, reqs)
	for i := 0; i < 18; i++ {
		expect(t, answers[i], http.StatusOK, "claimed")
	}
	expect(t, answers[18], http.StatusUnprocessableEntity, "")
	if answers[18].str("sqlstate") != "TK001" {
		t.Fatalf("the reused key: %v", answers[18].body)
	}
	expect(t, answers[19], http.StatusBadRequest, "")
	if answers[19].str("sqlstate") != "22023" {
		t.Fatalf("the long customer: %v", answers[19].body)
	}
	if after, _ := c.counts(); after-before != 1 || c.failures() != 1 {
		t.Fatalf("%d batch calls for 20 gathered claims, %d failed; want 1, failed (then single calls)",
			after-before, c.failures())
	}
	sales := soldTo(t, pool, event)
	if len(sales) != 19 || sales[30] != "reuser" {
		t.Fatalf("sales %v, want tickets 1..18 and 30", sales)
	}
	for i := 1; i <= 18; i++ {
		if sales[int64(i)] != buyer(i) {
			t.Fatalf("ticket %d sold to %q, want %s", i, sales[int64(i)], buyer(i))
		}
	}
	requireVerified(t, pool, event)
}

// A database error in the middle of a batch (a trigger on the audit log refuses one
// customer's sale): the batch rolls back as one, each request is then answered on its
// own: the poisoned one 500 with the trigger's error, the others sold once.
func TestCoalescedDatabaseErrorMidBatch(t *testing.T) {
	pool := testPool(t, 8)
	event := newEvent(t, pool, "coalesced database error", 20)
	poison := fmt.Sprintf("poison-%d", event)
	for _, stmt := range []string{
		fmt.Sprintf(`CREATE FUNCTION public.refuse_%d() RETURNS trigger LANGUAGE plpgsql AS $$
		   BEGIN IF NEW.customer = %s THEN RAISE EXCEPTION 'refused by a trigger'; END IF; RETURN NEW; END $$`,
			event, quoteLiteral(poison)),
		fmt.Sprintf(`CREATE TRIGGER refuse_%d BEFORE INSERT ON ticketing.audit_log FOR EACH ROW
		   EXECUTE FUNCTION public.refuse_%d()`, event, event),
	} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		pool.Exec(ctx, fmt.Sprintf("DROP TRIGGER refuse_%d ON ticketing.audit_log", event))
		pool.Exec(ctx, fmt.Sprintf("DROP FUNCTION public.refuse_%d()", event))
	})
	c, url := gathered(t, pool, 12)
	var reqs []claimRequest
	for i := 1; i <= 11; i++ {
		key := ""
		if i%2 == 0 {
			key = fmt.Sprintf("k-%d", i)
		}
		reqs = append(reqs, claimRequest{ticket: i, customer: buyer(i), key: key})
	}
	reqs = append(reqs, claimRequest{ticket: 12, customer: poison})
	busy(c, event)
	answers := claimAll(t, url, event, reqs)
	for i := 0; i < 11; i++ {
		expect(t, answers[i], http.StatusOK, "claimed")
	}
	expect(t, answers[11], http.StatusInternalServerError, "")
	if answers[11].str("sqlstate") != "P0001" {
		t.Fatalf("the poisoned request: %v", answers[11].body)
	}
	if batches, _ := c.counts(); batches != 1 || c.failures() != 1 {
		t.Fatalf("%d batch calls, %d failed; want 1, failed", batches, c.failures())
	}
	sales := soldTo(t, pool, event)
	if len(sales) != 11 {
		t.Fatalf("%d sales, want 11: %v", len(sales), sales)
	}
	for i := 1; i <= 11; i++ {
		if sales[int64(i)] != buyer(i) {
			t.Fatalf("ticket %d sold to %q, want %s", i, sales[int64(i)], buyer(i))
		}
	}
	requireVerified(t, pool, event)
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// A connection lost in the middle of a batch: the batch waits for a key another
// transaction holds, and its backend is terminated there. Every request is answered:
// those with a key are repeated in a new batch with the same keys and sold once;
// those without one get 503 outcome_unknown (their batch was sent and may have
// committed); the audit log holds exactly the sales answered claimed.
func TestCoalescedConnectionLostMidBatch(t *testing.T) {
	pool := testPool(t, 8)
	event := newEvent(t, pool, "coalesced connection lost", 20)
	c, url := gathered(t, pool, 10)
	blocker, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(ctx)
	var outcome string
	if err := blocker.QueryRow(ctx, `SELECT outcome FROM ticketing.claim_ticket($1, 20, 'held-up', idempotency_key => 'kb')`,
		event).Scan(&outcome); err != nil || outcome != "claimed" {
		t.Fatalf("the blocker's claim: %s %v", outcome, err)
	}
	var reqs []claimRequest
	for i := 1; i <= 9; i++ {
		key := ""
		if i%3 != 0 {
			key = fmt.Sprintf("k-%d", i)
		}
		reqs = append(reqs, claimRequest{ticket: i, customer: buyer(i), key: key})
	}
	reqs = append(reqs, claimRequest{ticket: 20, customer: "held-up", key: "kb"})
	type sent struct {
		answers []answer
		err     error
	}
	done := make(chan sent)
	busy(c, event)
	go func() {
		answers, err := sendAll(url, event, reqs)
		done <- sent{answers, err}
	}()
	// The batch's backend, waiting for the blocker's key lock: terminate it.
	var terminated bool
	for tries := 0; tries < 100 && !terminated; tries++ {
		time.Sleep(50 * time.Millisecond)
		if err := pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity
		                               WHERE query LIKE '%claim_batch%' AND wait_event_type = 'Lock'
		                                 AND pid <> pg_backend_pid()`).Scan(&terminated); err != nil {
			t.Fatal(err)
		}
	}
	if !terminated {
		rows, _ := pool.Query(ctx, `SELECT pid, state, coalesce(wait_event_type, ''), left(query, 80) FROM pg_stat_activity
		                             WHERE datname = current_database()`)
		for rows.Next() {
			var pid int
			var state, wait, query string
			rows.Scan(&pid, &state, &wait, &query)
			t.Logf("%d %s %s %s", pid, state, wait, query)
		}
		rows.Close()
		t.Fatal("no batch waited for the held key")
	}
	if err := blocker.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	result := <-done
	if result.err != nil {
		t.Fatal(result.err)
	}
	answers := result.answers
	claimed := map[int64]string{}
	for i, a := range answers {
		r := reqs[i]
		switch {
		case r.key != "":
			expect(t, a, http.StatusOK, "claimed")
			claimed[int64(r.ticket)] = r.customer
		default:
			expect(t, a, http.StatusServiceUnavailable, "")
			if a.str("error") != "outcome_unknown" {
				t.Fatalf("request %d without a key: %v", i, a.body)
			}
		}
	}
	if batches, _ := c.counts(); batches < 2 {
		t.Fatalf("%d batch calls: the keyed requests were not repeated as a batch", batches)
	}
	sales := soldTo(t, pool, event)
	if fmt.Sprint(sales) != fmt.Sprint(claimed) {
		t.Fatalf("the audit log sold %v; the answers say %v", sales, claimed)
	}
	requireVerified(t, pool, event)
}

// A ticket locked by another transaction: a batch answers busy for it, and the
// coalescer asks again on its own as the request's wait policy says, so the answers are
// today's: nowait 503 55P03, skip 409 busy, wait queues and buys once the lock goes.
func TestCoalescedWaitPolicies(t *testing.T) {
	pool := testPool(t, 4)
	event := newEvent(t, pool, "coalesced locked", 2)
	ts := startServiceWith(t, pool, HandlerExtension, func(s *Server) {
		if err := s.Coalesce(DefaultCoalesceConfig); err != nil {
			t.Fatal(err)
		}
	})
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
	waited := make(chan answer)
	go func() {
		a, _ := call(http.DefaultClient, "POST", url, map[string]string{"customer": "y"})
		waited <- a
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case a := <-waited:
		t.Fatalf("the default policy did not wait for the lock: %v", a.body)
	default:
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	expect(t, <-waited, http.StatusOK, "claimed")
	expect(t, mustCall(t, "POST", url, map[string]string{"customer": "x"}), http.StatusConflict, "already_sold")
	requireVerified(t, pool, event)
}

// comparable is an answer with what may differ between two events set up alike
// replaced: the event id (in the body and in messages), a code's value, a time's value.
// With refusal set, "at" and "hold_expires_at" are left out (a batch's refusal does not
// have them, as documented).
func comparable(a answer, event int64, refusal bool) string {
	b := map[string]interface{}{}
	for k, v := range a.body {
		b[k] = v
	}
	if b["event_id"] != nil {
		if id, ok := b["event_id"].(float64); !ok || int64(id) != event {
			b["event_id"] = fmt.Sprintf("wrong event %v", b["event_id"])
		} else {
			b["event_id"] = "(event)"
		}
	}
	for _, k := range []string{"at", "hold_expires_at", "code"} {
		if _, ok := b[k]; ok {
			b[k] = "(" + k + ")"
		}
	}
	if refusal {
		delete(b, "at")
		delete(b, "hold_expires_at")
	}
	if m, ok := b["message"].(string); ok && event != 0 {
		b["message"] = strings.ReplaceAll(m, fmt.Sprint(event), "(event)")
	}
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var s strings.Builder
	fmt.Fprintf(&s, "%d", a.status)
	for _, k := range keys {
		v, _ := json.Marshal(b[k])
		fmt.Fprintf(&s, " %s=%s", k, v)
	}
	if a.retryAfter != "" {
		s.WriteString(" Retry-After")
	}
	return s.String()
}

// The same claim from the same state, one claim_ticket call per request (-coalesce=off)
// and through the coalescer (a claim_batch call), for every outcome a claim has and
// for the errors: the same status, the same fields with the same values (the event's
// id, codes and times compared for presence), the same Retry-After. The one documented
// difference: a refusal from a batch has no "at" or "hold_expires_at".
func TestCoalescedAnswersMatchSingleCalls(t *testing.T) {
	pool := testPool(t, 16)
	single := startService(t, pool, HandlerExtension).URL
	var c *coalescer
	coalesced := startServiceWith(t, pool, HandlerExtension, func(s *Server) {
		if err := s.Coalesce(DefaultCoalesceConfig); err != nil {
			t.Fatal(err)
		}
		c = s.claimer.(*coalescer)
	}).URL
	type scenario struct {
		name    string
		limit   int      // the event's per-customer limit (0: none)
		prep    []string // statements run first, $1 the event
		event   int64    // the event to ask (0: the one made; -1: event 0)
		ticket  int64
		body    map[string]string
		headers []string
		lock    bool // ticket 1 locked by another transaction during the call
		status  int
		outcome string // "" for an error
	}
	me := map[string]string{"customer": "me"}
	scenarios := []scenario{
		{name: "claimed", ticket: 1, body: me, status: 200, outcome: "claimed"},
		{name: "claimed with a key", ticket: 1, body: me, headers: []string{"Idempotency-Key", "k1"}, status: 200, outcome: "claimed"},
		{name: "a keyed retry of a sale", prep: []string{"SELECT ticketing.claim_ticket($1, 1, 'me', idempotency_key => 'k1')"},
			ticket: 1, body: me, headers: []string{"Idempotency-Key", "k1"}, status: 200, outcome: "claimed"},
		{name: "own hold", prep: []string{"SELECT ticketing.hold_ticket($1, 1, 'me')"}, ticket: 1, body: me, status: 200, outcome: "claimed"},
		{name: "already_owned", prep: []string{"SELECT ticketing.claim_ticket($1, 1, 'me')"}, ticket: 1, body: me, status: 200, outcome: "already_owned"},
		{name: "already_owned with a new key", prep: []string{"SELECT ticketing.claim_ticket($1, 1, 'me')"}, ticket: 1, body: me,
			headers: []string{"Idempotency-Key", "k2"}, status: 200, outcome: "already_owned"},
		{name: "already_sold", prep: []string{"SELECT ticketing.claim_ticket($1, 1, 'other')"}, ticket: 1, body: me, status: 409, outcome: "already_sold"},
		{name: "held", prep: []string{"SELECT ticketing.hold_ticket($1, 1, 'other')"}, ticket: 1, body: me, status: 409, outcome: "held"},
		{name: "not_found ticket", ticket: 999, body: me, status: 404, outcome: "not_found"},
		{name: "not_found event", event: 1 << 50, ticket: 1, body: me, status: 404, outcome: "not_found"},
		{name: "limit_reached", limit: 1, prep: []string{"SELECT ticketing.claim_ticket($1, 2, 'me')"}, ticket: 1, body: me, status: 409, outcome: "limit_reached"},
		{name: "quota_exhausted", prep: []string{"SELECT ticketing.create_quota($1, 'q', 0, ARRAY['general'])"}, ticket: 1, body: me, status: 409, outcome: "quota_exhausted"},
		{name: "busy (skip)", lock: true, ticket: 1, body: map[string]string{"customer": "me", "wait": "skip"}, status: 409, outcome: "busy"},
		{name: "locked (nowait)", lock: true, ticket: 1, body: map[string]string{"customer": "me", "wait": "nowait"}, status: 503},
		{name: "empty customer", ticket: 1, body: map[string]string{"customer": ""}, status: 400},
		{name: "a key too long", ticket: 1, body: me, headers: []string{"Idempotency-Key", strings.Repeat("k", 201)}, status: 400},
		{name: "a key reused", prep: []string{"SELECT ticketing.claim_ticket($1, 2, 'me', idempotency_key => 'k1')"},
			ticket: 1, body: me, headers: []string{"Idempotency-Key", "k1"}, status: 422},
		{name: "event 0", event: -1, ticket: 1, body: me, status: 400},
	}
	for _, sc := range scenarios {
		var got [2]string
		for mode, url := range []string{single, coalesced} {
			event := sc.event
			if event == 0 {
				q, args := "SELECT ticketing.create_event($1)", []interface{}{sc.name}
				if sc.limit > 0 {
					q, args = "SELECT ticketing.create_event($1, per_customer_limit => $2)", append(args, sc.limit)
				}
				if err := pool.QueryRow(ctx, q, args...).Scan(&event); err != nil {
					t.Fatal(err)
				}
				if _, err := pool.Exec(ctx, "SELECT ticketing.add_tickets($1, 3)", event); err != nil {
					t.Fatal(err)
				}
			} else if event == -1 {
				event = 0
			}
			for _, stmt := range sc.prep {
				if _, err := pool.Exec(ctx, stmt, event); err != nil {
					t.Fatalf("%s: %s: %v", sc.name, stmt, err)
				}
			}
			var locker pgx.Tx
			if sc.lock {
				var err error
				if locker, err = pool.Begin(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := locker.Exec(ctx, "SELECT 1 FROM ticketing.tickets WHERE event_id = $1 AND ticket_id = 1 FOR UPDATE", event); err != nil {
					t.Fatal(err)
				}
			}
			batches, _ := c.counts()
			a := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/%d/claim", url, event, sc.ticket), sc.body, sc.headers...)
			if locker != nil {
				locker.Rollback(ctx)
			}
			if a.status != sc.status || a.outcome() != sc.outcome {
				t.Errorf("%s (%s): %d %v, want %d %q", sc.name, []string{"single", "coalesced"}[mode], a.status, a.body,
					sc.status, sc.outcome)
			}
			if after, _ := c.counts(); mode == 1 && after != batches+1 {
				t.Errorf("%s: %d batch calls for the coalesced request, want 1", sc.name, after-batches)
			}
			got[mode] = comparable(a, event, sc.status == http.StatusConflict)
			if mode == 0 && sc.status == http.StatusConflict {
				if _, ok := a.body["at"]; !ok {
					t.Errorf("%s: the single call's refusal has no \"at\": %v", sc.name, a.body)
				}
			}
		}
		if got[0] != got[1] {
			t.Errorf("%s:\n  single:    %s\n  coalesced: %s", sc.name, got[0], got[1])
		} else {
			t.Logf("%-28s %s", sc.name, got[0])
		}
	}
}

// sendOrdered sends the claims one after another, gap apart, without waiting for the
// answers (so that they arrive in this order), and returns the answers in order.
func sendOrdered(t *testing.T, url string, event int64, reqs []claimRequest, gap time.Duration) []answer {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(reqs)}}
	defer client.CloseIdleConnections()
	answers := make([]answer, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func(i int, r claimRequest) {
			defer wg.Done()
			var headers []string
			if r.key != "" {
				headers = []string{"Idempotency-Key", r.key}
			}
			answers[i], errs[i] = call(client, "POST", fmt.Sprintf("%s/events/%d/tickets/%d/claim", url, event, r.ticket),
				map[string]string{"customer": r.customer}, headers...)
		}(i, r)
		time.Sleep(gap)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	return answers
}

// lockTicket locks the event's ticket in a transaction of its own; the returned
// function ends it.
func lockTicket(t *testing.T, pool *pgxpool.Pool, event int64, ticket int) func() {
	t.Helper()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT 1 FROM ticketing.tickets WHERE event_id = $1 AND ticket_id = $2 FOR UPDATE",
		event, ticket); err != nil {
		t.Fatal(err)
	}
	return func() { tx.Rollback(ctx) }
}

// First come, first served when a batch's claims are asked again one by one: two
// claims of one ticket, 20 ms apart, in a batch that a third request's bad input makes
// fail, and in a batch that finds the ticket locked (both busy, both asked again with
// their wait policy once the lock goes): the earlier arrival gets the ticket every
// round, the later one already_sold.
func TestCoalescedReRunsKeepArrivalOrder(t *testing.T) {
	pool := testPool(t, 16)
	const failedRounds, busyRounds = 20, 10
	event := newEvent(t, pool, "coalesced re-run order", failedRounds+busyRounds)
	check := func(round int, ans []answer) {
		t.Helper()
		if ans[0].status != http.StatusOK || ans[0].outcome() != "claimed" ||
			ans[1].status != http.StatusConflict || ans[1].outcome() != "already_sold" {
			t.Errorf("round %d: the earlier arrival got %d %v, the later %d %v", round,
				ans[0].status, ans[0].body, ans[1].status, ans[1].body)
		}
	}
	c, url := gathered(t, pool, 3)
	for r := 1; r <= failedRounds; r++ {
		busy(c, event)
		ans := sendOrdered(t, url, event, []claimRequest{
			{ticket: r, customer: "first"},
			{ticket: r, customer: "second"},
			{ticket: r, customer: strings.Repeat("x", 201)},
		}, 20*time.Millisecond)
		check(r, ans)
		expect(t, ans[2], http.StatusBadRequest, "")
	}
	if batches, _ := c.counts(); batches != failedRounds || c.failures() != failedRounds {
		t.Fatalf("%d batch calls, %d failed; want %d, all failed", batches, c.failures(), failedRounds)
	}
	c, url = gathered(t, pool, 2)
	for r := failedRounds + 1; r <= failedRounds+busyRounds; r++ {
		busy(c, event)
		unlock := lockTicket(t, pool, event, r)
		res := make(chan []answer)
		go func() {
			res <- sendOrdered(t, url, event, []claimRequest{{ticket: r, customer: "first"}, {ticket: r, customer: "second"}},
				20*time.Millisecond)
		}()
		time.Sleep(250 * time.Millisecond)
		unlock()
		check(r, <-res)
	}
	if batches, _ := c.counts(); batches != busyRounds {
		t.Fatalf("%d batch calls for %d rounds", batches, busyRounds)
	}
	sales := soldTo(t, pool, event)
	for r := 1; r <= failedRounds+busyRounds; r++ {
		if sales[int64(r)] != "first" {
			t.Errorf("ticket %d sold to %q", r, sales[int64(r)])
		}
	}
	requireVerified(t, pool, event)
}

// The lanes of a batch's one-by-one re-runs: claims sharing a ticket or a customer
// (directly or through others) in one lane, in batch order; lanes in the order of their
// first claim; claims not chosen left out.
func TestReRunLanes(t *testing.T) {
	batch := []*pendingClaim{
		{ticket: 1, customer: "a"}, // 0
		{ticket: 2, customer: "b"}, // 1
		{ticket: 1, customer: "c"}, // 2: ticket 1, with 0
		{ticket: 3, customer: "d"}, // 3
		{ticket: 4, customer: "b"}, // 4: customer b, with 1
		{ticket: 3, customer: "e"}, // 5: not chosen
		{ticket: 5, customer: "c"}, // 6: customer c, with 2 and so 0
		{ticket: 6, customer: "f"}, // 7
		{ticket: 2, customer: "f"}, // 8: ticket 2 (1, 4) and customer f (7): one lane
	}
	got := fmt.Sprint(lanes(batch, func(i int) bool { return i != 5 }))
	if want := "[[0 2 6] [1 4 7 8] [3]]"; got != want {
		t.Fatalf("lanes %s, want %s", got, want)
	}
	if got := lanes(batch, func(int) bool { return false }); len(got) != 0 {
		t.Fatalf("lanes of nothing: %v", got)
	}
}

// queueOf is the event's queue in the coalescer (nil when it has none) and the size of
// its previous batch.
func queueOf(c *coalescer, event int64) (exists bool, lastSize int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.events[event]
	if q == nil {
		return false, 0
	}
	return true, q.lastSize
}

// timedClaim claims the ticket alone and returns how long the answer took.
func timedClaim(t *testing.T, url string, event int64, ticket int, customer string) time.Duration {
	t.Helper()
	start := time.Now()
	expect(t, mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/%d/claim", url, event, ticket),
		map[string]string{"customer": customer}), http.StatusOK, "claimed")
	return time.Since(start)
}

// The window adapts as documented: after a batch of more than one, an event's next
// claim waits for the window (300 ms here) even when nothing is running, as that batch
// said the event is loaded; after a lone claim the next one goes at once, and so does
// one after IdleMemory without claims (the queue is then dropped).
func TestCoalescedWindowRemembersTheLastBatch(t *testing.T) {
	pool := testPool(t, 8)
	event := newEvent(t, pool, "coalesced window", 10)
	c, url := gathered(t, pool, 3)
	c.mu.Lock()
	c.idleMemory = 5 * time.Second
	c.mu.Unlock()
	const window, atOnce = 300 * time.Millisecond, 150 * time.Millisecond
	full := func(first int) {
		t.Helper()
		busy(c, event)
		for _, a := range claimAll(t, url, event, []claimRequest{
			{ticket: first, customer: "a"}, {ticket: first + 1, customer: "b"}, {ticket: first + 2, customer: "c"}}) {
			expect(t, a, http.StatusOK, "claimed")
		}
		if exists, size := queueOf(c, event); !exists || size != 3 {
			t.Fatalf("after a batch of 3 the event's queue: %v, last batch %d", exists, size)
		}
	}
	full(1)
	if took := timedClaim(t, url, event, 4, "d"); took < window {
		t.Fatalf("the claim after a batch of 3 went at once (%v), not after the window (%v)", took, window)
	}
	time.Sleep(50 * time.Millisecond) // the lone claim's batch has ended
	if exists, _ := queueOf(c, event); exists {
		t.Fatal("the queue of an idle event after a lone claim is kept")
	}
	if took := timedClaim(t, url, event, 5, "e"); took >= atOnce {
		t.Fatalf("the claim after a lone claim took %v, want it sent at once", took)
	}
	// Idle for longer than IdleMemory: the load is forgotten.
	c.mu.Lock()
	c.idleMemory = 200 * time.Millisecond
	c.mu.Unlock()
	full(6)
	time.Sleep(500 * time.Millisecond)
	if exists, _ := queueOf(c, event); exists {
		t.Fatal("the queue of an event idle for longer than IdleMemory is kept")
	}
	if took := timedClaim(t, url, event, 9, "f"); took >= atOnce {
		t.Fatalf("the claim after a long idle took %v, want it sent at once", took)
	}
	requireVerified(t, pool, event)
}
