package service

// Idempotency keys across claim_batch and claim_ticket: the coalescer sends a keyed
// claim as claim_batch, and the same claim as claim_ticket when its batch fails as a
// whole (another request's bad input), when it waits with a duration, or through
// -coalesce=off. Whichever stored the key, a retry of the same request must be
// answered from it (200 claimed, sold once), as a single call's retry is.

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"
)

// A sale made by a batch under a key, retried with the key: in a batch that another
// request makes fail (asked again as claim_ticket), through -coalesce=off, and with a
// wait duration (a single call in the coalescing service); and a sale made by
// claim_ticket retried through the coalescer. Each retry is 200 claimed, sold once.
func TestCoalescedKeyedRetryOfABatchSale(t *testing.T) {
	pool := testPool(t, 8)
	event := newEvent(t, pool, "keyed retry of a batch sale", 10)
	c, url := gathered(t, pool, 2)
	single := startService(t, pool, HandlerExtension).URL
	claimURL := func(base string, ticket int) string {
		return fmt.Sprintf("%s/events/%d/tickets/%d/claim", base, event, ticket)
	}
	alice := map[string]string{"customer": "alice"}
	expect(t, mustCall(t, "POST", claimURL(url, 5), alice, "Idempotency-Key", "order-1"), http.StatusOK, "claimed")
	// The client never saw that answer and retries, while another buyer's bad request
	// rides in the same batch.
	busy(c, event)
	failedBefore := c.failures()
	answers := claimAll(t, url, event, []claimRequest{
		{ticket: 5, customer: "alice", key: "order-1"},
		{ticket: 6, customer: strings.Repeat("x", 201)},
	})
	if c.failures() != failedBefore+1 {
		t.Fatalf("the retry's batch did not fail (%d failed batches before, %d after)", failedBefore, c.failures())
	}
	expect(t, answers[1], http.StatusBadRequest, "")
	for _, retry := range []struct {
		name string
		a    answer
	}{
		{"in a failed batch", answers[0]},
		{"through -coalesce=off", mustCall(t, "POST", claimURL(single, 5), alice, "Idempotency-Key", "order-1")},
		{"with a wait duration", mustCall(t, "POST", claimURL(url, 5), map[string]string{"customer": "alice", "wait": "2s"},
			"Idempotency-Key", "order-1")},
	} {
		if retry.a.status != http.StatusOK || retry.a.outcome() != "claimed" {
			t.Errorf("the retry of a batch's keyed sale %s: %d %v, want 200 claimed", retry.name, retry.a.status, retry.a.body)
		}
	}
	// The other way round: a sale made by claim_ticket, retried through the coalescer.
	bob := map[string]string{"customer": "bob"}
	expect(t, mustCall(t, "POST", claimURL(single, 7), bob, "Idempotency-Key", "order-2"), http.StatusOK, "claimed")
	if a := mustCall(t, "POST", claimURL(url, 7), bob, "Idempotency-Key", "order-2"); a.status != http.StatusOK ||
		a.outcome() != "claimed" {
		t.Errorf("the coalesced retry of claim_ticket's keyed sale: %d %v, want 200 claimed", a.status, a.body)
	}
	if sales := fmt.Sprint(soldTo(t, pool, event)); sales != "map[5:alice 7:bob]" {
		t.Errorf("sales %s, want ticket 5 to alice and 7 to bob, once each", sales)
	}
	requireVerified(t, pool, event)
}

// Two requests with one key in the requests that make one batch: the same request
// twice (a retry that overtook its original: it waits for the next batch and is
// answered from the key) and one key for two tickets (the second is a reuse: 422
// TK001); alone, and in single calls for comparison. The overtaking retry is 200
// claimed whatever the batch it lands in.
func TestCoalescedSameKeyTwiceInOneBatch(t *testing.T) {
	pool := testPool(t, 8)
	event := newEvent(t, pool, "same key in a batch", 10)
	want := []struct {
		status  int
		outcome string
	}{{200, "claimed"}, {200, "claimed"}, {200, "claimed"}, {422, ""}}
	check := func(mode string, ans []answer) {
		t.Helper()
		for i, a := range ans {
			if a.status != want[i].status || a.outcome() != want[i].outcome ||
				(a.status == http.StatusUnprocessableEntity && a.str("sqlstate") != "TK001") {
				t.Errorf("%s, request %d: %d %v, want %d %q", mode, i, a.status, a.body, want[i].status, want[i].outcome)
			}
		}
	}
	c, url := gathered(t, pool, 4)
	busy(c, event)
	check("coalesced", sendOrdered(t, url, event, []claimRequest{
		{ticket: 1, customer: "a", key: "K"},
		{ticket: 1, customer: "a", key: "K"},
		{ticket: 2, customer: "b", key: "J"},
		{ticket: 3, customer: "b", key: "J"},
	}, 5*time.Millisecond))
	c, url = gathered(t, pool, 2)
	busy(c, event)
	check("coalesced, the retry alone", sendOrdered(t, url, event, []claimRequest{
		{ticket: 5, customer: "a", key: "K5"},
		{ticket: 5, customer: "a", key: "K5"},
	}, 5*time.Millisecond))
	check("single calls", sendOrdered(t, startService(t, pool, HandlerExtension).URL, event, []claimRequest{
		{ticket: 7, customer: "c", key: "K7"},
		{ticket: 7, customer: "c", key: "K7"},
		{ticket: 8, customer: "d", key: "J8"},
		{ticket: 9, customer: "d", key: "J8"},
	}, 5*time.Millisecond))
	if sales := fmt.Sprint(soldTo(t, pool, event)); sales != "map[1:a 2:b 5:a 7:c 8:d]" {
		t.Errorf("sales %s", sales)
	}
	requireVerified(t, pool, event)
}

// dropProxy forwards TCP connections to the PG* server; once armed, it swallows the
// next answer from the server that carries a batch's rows ("request_no") and closes
// both sides of that connection a moment later: the batch committed, its answer was
// lost on the way back.
type dropProxy struct {
	ln    net.Listener
	armed int32
}

func startDropProxy(t *testing.T) *dropProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host, port := os.Getenv("PGHOST"), os.Getenv("PGPORT")
	if host == "" || strings.HasPrefix(host, "/") {
		host = "127.0.0.1" // a socket directory: the server listens on loopback too
	}
	if port == "" {
		port = "5432"
	}
	p := &dropProxy{ln: ln}
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", net.JoinHostPort(host, port))
			if err != nil {
				client.Close()
				continue
			}
			go func() { io.Copy(server, client); server.Close() }()
			go func() {
				defer client.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := server.Read(buf)
					if n > 0 {
						if strings.Contains(string(buf[:n]), "request_no") && atomic.CompareAndSwapInt32(&p.armed, 1, 0) {
							time.Sleep(100 * time.Millisecond) // the server commits meanwhile
							server.Close()
							return
						}
						if _, err := client.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

// pool is a pool of size connections through the proxy.
func (p *dropProxy) pool(t *testing.T, size int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(fmt.Sprintf("host=127.0.0.1 port=%d", p.ln.Addr().(*net.TCPAddr).Port))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = size
	pool, err := pgxpool.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// A batch commits and its answer is lost; the failover repeats its keyed request, which
// lands in a batch with another buyer's bad request: that batch fails as a whole and
// the request is asked again as claim_ticket, with the key the lost batch stored. The
// buyer owns the ticket and is answered 200 claimed; the request without a key, 503
// outcome_unknown; each ticket sold once.
func TestCoalescedLostAnswerRetriedInAFailedBatch(t *testing.T) {
	direct := testPool(t, 4)
	event := newEvent(t, direct, "lost answer retried in a failed batch", 10)
	p := startDropProxy(t)
	c, url := gathered(t, p.pool(t, 2), 2)
	busy(c, event)
	res := make(chan []answer)
	go func() {
		res <- sendOrdered(t, url, event, []claimRequest{
			{ticket: 1, customer: "keyed", key: "k1"},
			{ticket: 2, customer: "plain"},
		}, 10*time.Millisecond)
	}()
	time.Sleep(5 * time.Millisecond)
	atomic.StoreInt32(&p.armed, 1) // the first batch's answer is lost
	// The batch commits; the failover repeats the keyed request 200 ms after the lost
	// connection, and it waits up to the window (300 ms) for others, as the event's last
	// batch was full: the bad request comes meanwhile and the two make one batch.
	for i := 0; i < 100 && soldTo(t, direct, event)[2] != "plain"; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(270 * time.Millisecond)
	bad := mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/3/claim", url, event),
		map[string]string{"customer": strings.Repeat("x", 201)})
	ans := <-res
	expect(t, bad, http.StatusBadRequest, "")
	if batches, _ := c.counts(); batches != 2 || c.failures() != 2 {
		t.Fatalf("%d batch calls, %d failed; want 2, both failed: the lost one, and the keyed repeat's with the bad request",
			batches, c.failures())
	}
	if ans[1].status != http.StatusServiceUnavailable || ans[1].str("error") != "outcome_unknown" {
		t.Errorf("the request without a key: %d %v, want 503 outcome_unknown", ans[1].status, ans[1].body)
	}
	if ans[0].status != http.StatusOK || ans[0].outcome() != "claimed" {
		t.Errorf("the keyed request, sold by the lost batch: %d %v, want 200 claimed", ans[0].status, ans[0].body)
	}
	if sales := fmt.Sprint(soldTo(t, direct, event)); sales != "map[1:keyed 2:plain]" {
		t.Errorf("sales %s, want ticket 1 to keyed and 2 to plain, once each", sales)
	}
	requireVerified(t, direct, event)
}
