// Command flashload drives the flash-sale service: -concurrency buyers claim random
// tickets of one event over HTTP for -duration, then it prints one JSON record
// (loadgen.Record) on stdout and a summary on stderr.
//
//	flashload -url http://127.0.0.1:8080 -event 1 -tickets 100000 -concurrency 64 -duration 10s
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
	"time"

	"flashsale/loadgen"
)

func main() {
	var cfg loadgen.Config
	var handler, workload string
	flag.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "the service")
	flag.Int64Var(&cfg.Event, "event", 1, "event id")
	flag.Int64Var(&cfg.Tickets, "tickets", 1000, "claim ticket ids 1..tickets at random")
	flag.IntVar(&cfg.Concurrency, "concurrency", 16, "concurrent buyers")
	flag.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured time")
	flag.DurationVar(&cfg.Warmup, "warmup", time.Second, "load before the measured time")
	flag.BoolVar(&cfg.RequestIDs, "request-ids", false, "send an Idempotency-Key with every request")
	flag.Int64Var(&cfg.Seed, "seed", time.Now().UnixNano()%1000000, "random seed (also names the buyers)")
	flag.StringVar(&handler, "handler", "", "label: the service's handler")
	flag.StringVar(&workload, "workload", "", "label: the workload")
	flag.Parse()

	res, err := loadgen.Run(cfg)
	if err != nil {
		log.Fatal(err)
	}
	rec := loadgen.Record{Handler: handler, Workload: workload, Concurrency: cfg.Concurrency,
		Tickets: cfg.Tickets, RequestIDs: cfg.RequestIDs, Result: res}
	log.Printf("%s %s c=%d: %.0f requests/s, %.0f sales/s, p50 %.2f ms, p99 %.2f ms, %d unexpected answers",
		workload, handler, cfg.Concurrency, res.RequestsPerSec, res.SalesPerSec, res.P50Ms, res.P99Ms, res.Unexpected())
	if err := json.NewEncoder(os.Stdout).Encode(rec); err != nil {
		log.Fatal(err)
	}
	if res.Unexpected() > 0 {
		log.Printf("first error: %s; answers by status: %v", res.FirstError, res.ByStatus)
		os.Exit(1)
	}
}
