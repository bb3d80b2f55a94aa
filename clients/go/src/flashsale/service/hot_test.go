package service

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"
)

const (
	hotRequests = 1000
	hotTickets  = 50
)

// TestHotTicketsExtension and TestHotTicketsArticle: 1,000 concurrent HTTP requests
// from distinct buyers for 50 tickets end with exactly 50 sales, one per ticket, each
// answered 200 claimed to the buyer the audit log names; every other answer is 409
// already_sold; verify() is clean.
func TestHotTicketsExtension(t *testing.T) { testHotTickets(t, HandlerExtension, nil) }
func TestHotTicketsArticle(t *testing.T)   { testHotTickets(t, HandlerArticle, nil) }

// TestHotTicketsCoalesced: the same through the coalescer (claim_batch), which must
// have gathered the claims into far fewer calls than requests.
func TestHotTicketsCoalesced(t *testing.T) {
	var c *coalescer
	testHotTickets(t, HandlerExtension, func(s *Server) {
		if err := s.Coalesce(DefaultCoalesceConfig); err != nil {
			t.Fatal(err)
		}
		c = s.claimer.(*coalescer)
	})
	batches, claims := c.counts()
	t.Logf("%d claims in %d batches", claims, batches)
	if claims != hotRequests || batches >= claims/2 || c.failures() != 0 {
		t.Fatalf("%d claims in %d batches, %d failed: the coalescer did not gather them", claims, batches, c.failures())
	}
}

func testHotTickets(t *testing.T, handler string, setup func(*Server)) {
	pool := testPool(t, 16)
	event := newEvent(t, pool, "hot tickets, "+handler, hotTickets)
	ts := startServiceWith(t, pool, handler, setup)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: hotRequests}}
	defer client.CloseIdleConnections()

	answers := make([]answer, hotRequests)
	errs := make([]error, hotRequests)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < hotRequests; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			url := fmt.Sprintf("%s/events/%d/tickets/%d/claim", ts.URL, event, i%hotTickets+1)
			<-start
			answers[i], errs[i] = call(client, "POST", url, map[string]string{"customer": buyer(i)})
		}(i)
	}
	began := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%s: %d requests in %v", handler, hotRequests, time.Since(began))

	buyers := map[int64]string{} // ticket -> the customer answered claimed
	for i, a := range answers {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		ticket := int64(i%hotTickets + 1)
		switch {
		case a.status == http.StatusOK && a.outcome() == "claimed":
			if previous, sold := buyers[ticket]; sold {
				t.Fatalf("ticket %d claimed by %s and %s", ticket, previous, buyer(i))
			}
			buyers[ticket] = buyer(i)
		case a.status == http.StatusConflict && a.outcome() == "already_sold":
		default:
			t.Fatalf("request %d (ticket %d): status %d %v", i, ticket, a.status, a.body)
		}
	}
	if len(buyers) != hotTickets {
		t.Fatalf("%d tickets claimed, want %d", len(buyers), hotTickets)
	}
	requireSalesMatch(t, pool, event, buyers)
	summary := mustCall(t, "GET", fmt.Sprintf("%s/events/%d", ts.URL, event), nil)
	if summary.status != http.StatusOK || summary.body["sold"] != float64(hotTickets) {
		t.Fatalf("event summary: %d %v", summary.status, summary.body)
	}
	requireVerified(t, pool, event)
}

func buyer(i int) string { return fmt.Sprintf("buyer-%d", i) }

// requireSalesMatch fails the test unless the audit log holds exactly one sale per
// ticket in buyers, to that buyer, and no other sale.
func requireSalesMatch(t *testing.T, pool *pgxpool.Pool, event int64, buyers map[int64]string) {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT ticket_id, customer FROM ticketing.audit_log
	                               WHERE event_id = $1 AND to_status = 'sold'`, event)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sales := 0
	for rows.Next() {
		var ticket int64
		var customer string
		if err := rows.Scan(&ticket, &customer); err != nil {
			t.Fatal(err)
		}
		sales++
		if buyers[ticket] != customer {
			t.Fatalf("the audit log sold ticket %d to %s; the answers say %q", ticket, customer, buyers[ticket])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if sales != len(buyers) {
		t.Fatalf("%d sales in the audit log, %d claimed answers", sales, len(buyers))
	}
}
