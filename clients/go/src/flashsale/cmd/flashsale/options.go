package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"

	"flashsale/service"
	"flashsale/shards"
)

// options are the flags beyond the database connection: the backend, coalescing and
// routing by the service.
type options struct {
	backend      string
	redisAddr    string
	coalesce     string
	window       time.Duration
	batch        int
	inFlight     int
	router       string
	shardFile    string
	shardRefresh time.Duration
	handler      string
	poolSize     int
	dsn          string
	failoverWait time.Duration
	feed         bool
	feedOptions  service.FeedOptions
	liveFeed     *service.Feed // started by build when feed is on, on the direct pool
}

func (o *options) register() {
	flag.StringVar(&o.backend, "backend", "postgres", "postgres (the extension) or redis (only to be measured against)")
	flag.StringVar(&o.redisAddr, "redis", "127.0.0.1:6379", "the Redis server of -backend=redis")
	flag.StringVar(&o.coalesce, "coalesce", "on", "gather concurrent claims of an event into one claim_batch call: on or off")
	flag.DurationVar(&o.window, "coalesce-window", service.DefaultCoalesceConfig.Window, "longest a claim waits for its batch")
	flag.IntVar(&o.batch, "coalesce-batch", service.DefaultCoalesceConfig.MaxBatch, "claims per batch at most")
	flag.IntVar(&o.inFlight, "coalesce-inflight", service.DefaultCoalesceConfig.InFlight, "batches of one event running at once")
	flag.StringVar(&o.router, "router", "", "a ticketing_router node: route each event's calls straight to its shard (needs -shards)")
	flag.StringVar(&o.shardFile, "shards", "", "file of the shards' connection strings, one per line, shard 0 first (with -router)")
	flag.DurationVar(&o.shardRefresh, "shard-refresh", 5*time.Second, "how often the router's shard count is checked (0: never)")
}

// build returns the HTTP handler the options ask for, and what closes its connections.
func (o *options) build(ctx context.Context) (http.Handler, func(), string, error) {
	switch o.backend {
	case "redis":
		b := service.NewRedisBackend(o.redisAddr, o.poolSize)
		return b, func() { b.Close() }, "redis " + o.redisAddr, nil
	case "postgres":
	default:
		return nil, nil, "", fmt.Errorf("unknown backend %q (want postgres or redis)", o.backend)
	}
	var srv *service.Server
	var closeAll func()
	describe := "handler " + o.handler
	if o.router != "" {
		if o.shardFile == "" || o.handler != service.HandlerExtension {
			return nil, nil, "", fmt.Errorf("-router needs -shards and the extension handler")
		}
		m, err := shards.Open(ctx, o.router, o.shardFile, int32(o.poolSize))
		if err != nil {
			return nil, nil, "", err
		}
		m.Refresh = o.shardRefresh
		m.Start()
		srv, closeAll = service.NewRouted(m), m.Close
		describe += fmt.Sprintf(", routed to %d shards", m.Shards())
	} else {
		cfg, err := pgxpool.ParseConfig(o.dsn)
		if err != nil {
			return nil, nil, "", fmt.Errorf("connection settings: %w", err)
		}
		cfg.MaxConns = int32(o.poolSize)
		cfg.MinConns = int32(o.poolSize)
		pool, err := pgxpool.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, nil, "", fmt.Errorf("connecting: %w", err)
		}
		if srv, err = service.New(pool, o.handler); err != nil {
			pool.Close()
			return nil, nil, "", err
		}
		closeAll = pool.Close
		if o.feed {
			o.feedOptions.Log = log.Printf
			o.liveFeed = service.StartFeed(pool, o.feedOptions)
			srv.SetFeed(o.liveFeed)
			closeAll = func() {
				o.liveFeed.Close()
				pool.Close()
			}
			describe += ", live feed"
		}
	}
	switch {
	case o.coalesce == "on" && o.handler == service.HandlerExtension:
		cfg := service.CoalesceConfig{Window: o.window, MaxBatch: o.batch, InFlight: o.inFlight}
		if err := srv.Coalesce(cfg); err != nil {
			closeAll()
			return nil, nil, "", err
		}
		describe += fmt.Sprintf(", coalescing (window %v, batch %d, %d in flight)", o.window, o.batch, o.inFlight)
	case o.coalesce == "on", o.coalesce == "off":
	default:
		closeAll()
		return nil, nil, "", fmt.Errorf("-coalesce must be on or off, got %q", o.coalesce)
	}
	srv.SetFailoverWait(o.failoverWait)
	return srv, closeAll, describe, nil
}
