// Command flashwatch measures the live feed: commit-to-client latency with many SSE
// clients connected to one service while buyers sell an event out through it.
//
//	flashwatch -url http://127.0.0.1:8080 -event 1 -clients 1000 -buyers 64 -service-pid PID
//
// Each client follows GET /events/{event}/stream and notes when each message arrives. A
// message's id is the last audit id it covers, and the stream is exact, so the message
// brings every change of the event with an id after the client's previous message id up to
// its own. After the sell-out the commit time of every change is read from the database
// (pg_xact_commit_timestamp of the audit row: the server needs track_commit_timestamp =
// on), and each (client, change) pair gives one latency: arrival minus commit, on the same
// machine's clock. Also reports the service's resident memory (VmRSS) before the clients
// connect, once they are connected, and after the sell-out.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"
)

type arrival struct {
	id       int64 // the message's id: the last audit id it covers
	at       int64 // Unix microseconds
	snapshot bool
}

type watcher struct {
	arrivals []arrival // read once the client stopped
	last     int64     // atomic: the id of the last message, for the wait at the end
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the flashsale service")
	event := flag.Int64("event", 0, "the event to sell out")
	clients := flag.Int("clients", 1000, "SSE clients")
	buyers := flag.Int("buyers", 64, "concurrent buyers (claim-any through the service)")
	servicePID := flag.Int("service-pid", 0, "the service's process id, for its memory")
	maxSeconds := flag.Int("max-seconds", 300, "give up selling after this long")
	flag.Parse()
	if *event <= 0 {
		log.Fatal("-event is required")
	}
	ctx := context.Background()
	pool, err := pgxpool.Connect(ctx, "")
	if err != nil {
		log.Fatalf("database: %v", err)
	}
	defer pool.Close()

	rssBefore := rss(*servicePID)
	transport := &http.Transport{MaxIdleConnsPerHost: *buyers + 8, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 30 * time.Second}).DialContext}
	streamClient := &http.Client{Transport: transport}

	// The clients.
	watchers := make([]*watcher, *clients)
	var connected, finished sync.WaitGroup
	var failed int64
	var snapshotBytes int64
	stop := make(chan struct{})
	for i := range watchers {
		watchers[i] = &watcher{}
		connected.Add(1)
		finished.Add(1)
		go func(w *watcher) {
			defer finished.Done()
			if err := follow(streamClient, fmt.Sprintf("%s/events/%d/stream", *base, *event), w, &connected, stop, &snapshotBytes); err != nil {
				atomic.AddInt64(&failed, 1)
				log.Printf("client: %v", err)
			}
		}(watchers[i])
		if i%50 == 49 {
			time.Sleep(20 * time.Millisecond) // do not open 1,000 connections in one burst
		}
	}
	connectStart := time.Now()
	connected.Wait()
	log.Printf("%d clients connected in %.1f s (%d failed)", *clients, time.Since(connectStart).Seconds(), failed)
	time.Sleep(2 * time.Second)
	rssConnected := rss(*servicePID)

	// The sell-out.
	var sold, attempts int64
	sellStart := time.Now()
	var buying sync.WaitGroup
	buyClient := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	deadline := sellStart.Add(time.Duration(*maxSeconds) * time.Second)
	for b := 0; b < *buyers; b++ {
		buying.Add(1)
		go func(b int) {
			defer buying.Done()
			for n := 0; time.Now().Before(deadline); n++ {
				body := fmt.Sprintf(`{"customer":"watch-buyer-%d"}`, b)
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/events/%d/claim-any", *base, *event), strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("watch-%d-%d", b, n))
				resp, err := buyClient.Do(req)
				atomic.AddInt64(&attempts, 1)
				if err != nil {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				var answer struct {
					Outcome string `json:"outcome"`
				}
				json.NewDecoder(resp.Body).Decode(&answer)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch answer.Outcome {
				case "claimed":
					atomic.AddInt64(&sold, 1)
				case "sold_out":
					return
				}
			}
		}(b)
	}
	buying.Wait()
	sellSeconds := time.Since(sellStart).Seconds()
	var lastID int64
	if err := pool.QueryRow(ctx, "SELECT coalesce(max(audit_id), 0) FROM ticketing.audit_log WHERE event_id = $1", *event).Scan(&lastID); err != nil {
		log.Fatal(err)
	}
	// Wait until every client has the last change (or 30 s).
	waitUntil := time.Now().Add(30 * time.Second)
	for time.Now().Before(waitUntil) {
		all := true
		for _, w := range watchers {
			if atomic.LoadInt64(&w.last) < lastID {
				all = false
				break
			}
		}
		if all {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	rssAfter := rss(*servicePID)
	close(stop)
	finished.Wait()

	// Commit times of the event's changes.
	rows, err := pool.Query(ctx, `SELECT audit_id,
	        (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint
	   FROM ticketing.audit_log WHERE event_id = $1 ORDER BY audit_id`, *event)
	if err != nil {
		log.Fatalf("commit times (track_commit_timestamp = on?): %v", err)
	}
	var ids, commits []int64
	for rows.Next() {
		var id int64
		var commit *int64
		if err := rows.Scan(&id, &commit); err != nil {
			log.Fatal(err)
		}
		if commit == nil {
			log.Fatalf("no commit time for audit id %d: set track_commit_timestamp = on", id)
		}
		ids = append(ids, id)
		commits = append(commits, *commit)
	}
	rows.Close()

	// Latencies, in a histogram of 1 ms buckets.
	histogram := make([]int64, 600001)
	var samples, missing, snapshots int64
	for _, w := range watchers {
		next := 0 // first change not yet delivered to this client
		for i, a := range w.arrivals {
			end := sort.Search(len(ids), func(i int) bool { return ids[i] > a.id })
			if i == 0 {
				next = end // the client's first snapshot: what it started from, not measured
				continue
			}
			if a.snapshot {
				snapshots++ // a slow client's catch-up: brings the changes it lacked, measured
			}
			for ; next < end; next++ {
				ms := (a.at - commits[next]) / 1000
				if ms < 0 {
					ms = 0
				}
				if ms > 600000 {
					ms = 600000
				}
				histogram[ms]++
				samples++
			}
		}
		missing += int64(len(ids) - next)
	}
	pct := func(p float64) int64 {
		want := int64(p * float64(samples))
		var seen int64
		for ms, n := range histogram {
			seen += n
			if seen > want {
				return int64(ms)
			}
		}
		return -1
	}
	fmt.Printf("clients %d (failed %d), buyers %d, event %d\n", *clients, failed, *buyers, *event)
	fmt.Printf("sold %d in %.1f s (%.0f claims/s, %d attempts)\n", sold, sellSeconds, float64(sold)/sellSeconds, attempts)
	fmt.Printf("changes %d; latency samples %d (client x change), missing %d, catch-up snapshots to slow clients %d\n",
		len(ids), samples, missing, snapshots)
	fmt.Printf("commit-to-client latency ms: p50 %d, p90 %d, p99 %d, p99.9 %d, max %d\n",
		pct(0.50), pct(0.90), pct(0.99), pct(0.999), pct(1.0-1e-12))
	fmt.Printf("snapshot bytes sent to clients at connect: %d (%.1f MB)\n", snapshotBytes, float64(snapshotBytes)/1e6)
	fmt.Printf("service VmRSS MB: before clients %.1f, %d clients connected %.1f, after the sell-out %.1f\n",
		rssBefore, *clients, rssConnected, rssAfter)
	if missing > 0 || failed > 0 {
		os.Exit(1)
	}
}

// follow reads one stream until stop, noting each message's id and arrival time.
func follow(client *http.Client, url string, w *watcher, connected *sync.WaitGroup, stop chan struct{}, snapshotBytes *int64) error {
	once := sync.Once{}
	defer once.Do(connected.Done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel()
	}()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	r := bufio.NewReaderSize(resp.Body, 64<<10)
	var id int64
	var hasID, snapshot bool
	var size int64
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			size += int64(len(line))
			for err == bufio.ErrBufferFull { // a long data line: skip the rest of it
				line, err = r.ReadSlice('\n')
				size += int64(len(line))
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		size += int64(len(line))
		switch {
		case bytes.HasPrefix(line, []byte("id: ")):
			id, _ = strconv.ParseInt(string(bytes.TrimSpace(line[4:])), 10, 64)
			hasID = true
		case bytes.HasPrefix(line, []byte("event: snapshot")):
			snapshot = true
		case len(line) == 1 && hasID: // the blank line that ends a message
			w.arrivals = append(w.arrivals, arrival{id: id, at: time.Now().UnixMicro(), snapshot: snapshot})
			atomic.StoreInt64(&w.last, id)
			if snapshot && len(w.arrivals) == 1 {
				atomic.AddInt64(snapshotBytes, size)
				once.Do(connected.Done)
			}
			id, hasID, snapshot, size = 0, false, false, 0
		}
	}
}

// rss is a process's resident memory in MB (0 without a pid).
func rss(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}
