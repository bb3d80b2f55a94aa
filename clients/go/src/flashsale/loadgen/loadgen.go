// Package loadgen drives the flash-sale service over HTTP: concurrent buyers, each
// claiming random tickets of one event back to back, with latencies and answers
// counted.
package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Config is one load run.
type Config struct {
	URL         string        // the service, e.g. http://127.0.0.1:8080
	Event       int64         // the event whose tickets are claimed
	Tickets     int64         // buyers pick ticket ids uniformly from 1..Tickets
	Concurrency int           // buyers, each with one request in flight
	Duration    time.Duration // measured time
	Warmup      time.Duration // load before the measured time, not counted
	RequestIDs  bool          // send a unique Idempotency-Key with every request
	Seed        int64
}

// Result is what one run measured. Requests counts claim requests answered during
// the measured time, whatever the answer.
type Result struct {
	Requests       int64            `json:"requests"`
	Sales          int64            `json:"sales"` // answers 200 claimed
	Seconds        float64          `json:"seconds"`
	RequestsPerSec float64          `json:"requests_per_sec"`
	SalesPerSec    float64          `json:"sales_per_sec"`
	P50Ms          float64          `json:"p50_ms"`
	P99Ms          float64          `json:"p99_ms"`
	ByStatus       map[string]int64 `json:"by_status"`
	ByOutcome      map[string]int64 `json:"by_outcome"`
	TransportErrs  int64            `json:"transport_errors"`
	FirstError     string           `json:"first_error,omitempty"`
}

// Unexpected counts answers other than 200 and 409, plus transport errors.
func (r Result) Unexpected() int64 {
	n := r.TransportErrs
	for status, count := range r.ByStatus {
		if status != "200" && status != "409" {
			n += count
		}
	}
	return n
}

// tally is one buyer's counts.
type tally struct {
	latencies []time.Duration
	byStatus  map[string]int64
	byOutcome map[string]int64
	errs      int64
	firstErr  string
}

// Run drives the load and returns what the measured time saw.
func Run(cfg Config) (Result, error) {
	if cfg.Concurrency < 1 || cfg.Tickets < 1 || cfg.Duration <= 0 {
		return Result{}, fmt.Errorf("need concurrency, tickets and duration above 0")
	}
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: cfg.Concurrency, MaxIdleConnsPerHost: cfg.Concurrency},
	}
	defer client.CloseIdleConnections()
	begin := time.Now().Add(cfg.Warmup)
	end := begin.Add(cfg.Duration)
	tallies := make([]tally, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range tallies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b := buyer{cfg: cfg, client: client, id: i, rng: rand.New(rand.NewSource(cfg.Seed + int64(i)))}
			tallies[i] = b.run(begin, end)
		}(i)
	}
	wg.Wait()
	return summarize(tallies, cfg.Duration), nil
}

func summarize(tallies []tally, measured time.Duration) Result {
	r := Result{Seconds: measured.Seconds(), ByStatus: map[string]int64{}, ByOutcome: map[string]int64{}}
	perWorker := make([][]time.Duration, len(tallies))
	for i, t := range tallies {
		perWorker[i] = t.latencies
		r.Requests += int64(len(t.latencies))
		for k, v := range t.byStatus {
			r.ByStatus[k] += v
		}
		for k, v := range t.byOutcome {
			r.ByOutcome[k] += v
		}
		r.TransportErrs += t.errs
		if r.FirstError == "" {
			r.FirstError = t.firstErr
		}
	}
	r.Sales = r.ByOutcome["claimed"]
	all := merged(perWorker)
	r.P50Ms, r.P99Ms = milliseconds(percentile(all, 50)), milliseconds(percentile(all, 99))
	r.RequestsPerSec = float64(r.Requests) / r.Seconds
	r.SalesPerSec = float64(r.Sales) / r.Seconds
	return r
}

// buyer is one concurrent client.
type buyer struct {
	cfg    Config
	client *http.Client
	id     int
	rng    *rand.Rand
}

// run claims until end; answers that start before begin are not counted.
func (b buyer) run(begin, end time.Time) tally {
	t := tally{byStatus: map[string]int64{}, byOutcome: map[string]int64{}}
	customer := fmt.Sprintf("buyer-%d-%d", b.cfg.Seed, b.id)
	body := fmt.Sprintf(`{"customer":%q}`, customer)
	for n := 0; ; n++ {
		start := time.Now()
		if !start.Before(end) {
			return t
		}
		status, outcome, err := b.claim(body, fmt.Sprintf("%s-%d", customer, n))
		if start.Before(begin) {
			continue
		}
		if err != nil {
			t.errs++
			if t.firstErr == "" {
				t.firstErr = err.Error()
			}
			continue
		}
		t.latencies = append(t.latencies, time.Since(start))
		t.byStatus[fmt.Sprint(status)]++
		t.byOutcome[outcome]++
	}
}

// claim posts one claim of a random ticket and returns the status and outcome.
func (b buyer) claim(body, requestID string) (int, string, error) {
	ticket := b.rng.Int63n(b.cfg.Tickets) + 1
	url := fmt.Sprintf("%s/events/%d/tickets/%d/claim", b.cfg.URL, b.cfg.Event, ticket)
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if b.cfg.RequestIDs {
		req.Header.Set("Idempotency-Key", requestID)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var answer struct {
		Outcome string `json:"outcome"`
		Error   string `json:"error"`
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return resp.StatusCode, "", fmt.Errorf("status %d, body not JSON: %q", resp.StatusCode, raw)
	}
	if answer.Outcome == "" {
		return resp.StatusCode, "error:" + answer.Error, nil
	}
	return resp.StatusCode, answer.Outcome, nil
}
