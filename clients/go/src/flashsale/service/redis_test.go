package service

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
)

// startRedis runs a redis-server of its own (Debian's redis-server package) with the
// append-only file flushed on every write, on a free port; stopped at the end of the
// test.
func startRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", t.TempDir(),
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server (Debian's redis-server package): %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; i < 100; i++ {
		if conn, err := redis.Dial("tcp", addr); err == nil {
			_, err = conn.Do("PING")
			conn.Close()
			if err == nil {
				return addr
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("redis-server did not answer")
	return ""
}

// TestRedisBackendSellOut: 1,000 concurrent HTTP requests from distinct buyers for 50
// tickets through the Redis backend end with exactly 50 sales, one per ticket, each
// answered 200 claimed to the buyer the Redis audit list names; every other answer is
// 409 already_sold. Then any-seat claims sell what is left and answer sold_out.
func TestRedisBackendSellOut(t *testing.T) {
	addr := startRedis(t)
	backend := NewRedisBackend(addr, 32)
	defer backend.Close()
	conn, err := redis.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const event = 7
	if err := LoadRedisEvent(conn, event, hotTickets+5); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(backend)
	defer ts.Close()
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
	close(start)
	wg.Wait()
	buyers := map[int64]string{}
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
	_, _, auditKey := RedisKeys(event)
	audit, err := redis.Strings(conn.Do("LRANGE", auditKey, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != hotTickets {
		t.Fatalf("%d audit records, %d sales", len(audit), hotTickets)
	}
	for _, record := range audit {
		fields := strings.Fields(record)
		ticket, _ := strconv.ParseInt(fields[0], 10, 64)
		if len(fields) != 3 || buyers[ticket] != fields[1] {
			t.Fatalf("audit record %q; the answers sold ticket %d to %q", record, ticket, buyers[ticket])
		}
	}
	// Any seat: the five left, then sold_out.
	anyURL := fmt.Sprintf("%s/events/%d/claim-any", ts.URL, event)
	got := map[float64]bool{}
	for i := 0; i < 5; i++ {
		a := mustCall(t, "POST", anyURL, map[string]string{"customer": fmt.Sprintf("late-%d", i)})
		expect(t, a, http.StatusOK, "claimed")
		ids, _ := a.body["ticket_ids"].([]interface{})
		if len(ids) != 1 || ids[0].(float64) <= hotTickets || got[ids[0].(float64)] {
			t.Fatalf("any seat: %v", a.body)
		}
		got[ids[0].(float64)] = true
	}
	expect(t, mustCall(t, "POST", anyURL, map[string]string{"customer": "later"}), http.StatusConflict, "sold_out")
	summary := mustCall(t, "GET", fmt.Sprintf("%s/events/%d", ts.URL, event), nil)
	if summary.body["sold"] != float64(hotTickets+5) || summary.body["available"] != float64(0) {
		t.Fatalf("summary: %v", summary.body)
	}
	expect(t, mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/99/claim", ts.URL, event),
		map[string]string{"customer": "x"}), http.StatusNotFound, "not_found")
	expect(t, mustCall(t, "POST", fmt.Sprintf("%s/events/%d/tickets/1/hold", ts.URL, event),
		map[string]string{"customer": "x"}), http.StatusNotImplemented, "")
}
