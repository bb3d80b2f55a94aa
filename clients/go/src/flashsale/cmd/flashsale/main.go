// Command flashsale is the flash-sale HTTP service on the ticketing extension.
//
//	flashsale -listen 127.0.0.1:8080 -handler extension -pool 32
//
// It connects with the usual PG* environment variables (or -dsn). With a failover pair,
// name both nodes and ask for the writable one:
//
//	flashsale -dsn 'host=db1,db2 port=5432,5432 dbname=shop target_session_attrs=read-write connect_timeout=2'
//
// A call whose connection is lost is repeated with its Idempotency-Key for up to
// -failover-wait against whichever node is primary now. -handler=article
// claims a given ticket with the article's client-side transaction instead of the
// extension's single call, for comparison. Concurrent claims of one event are sent as
// one claim_batch call (-coalesce=off: one claim_ticket per request); -router and
// -shards send each event's calls straight to its shard; -backend=redis serves claims
// from Redis, only to be measured against (service.RedisBackend).
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"flashsale/service"
)

func main() {
	var o options
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	flag.StringVar(&o.handler, "handler", service.HandlerExtension, "claim handler: extension or article")
	flag.IntVar(&o.poolSize, "pool", 32, "database connections (per shard with -router; Redis connections with -backend=redis)")
	flag.StringVar(&o.dsn, "dsn", "", "connection string (default: PG* environment variables)")
	flag.DurationVar(&o.failoverWait, "failover-wait", service.DefaultFailoverWait,
		"how long a call whose connection was lost is repeated, waiting for a new primary (0: never)")
	o.register()
	o.feedOptions = service.DefaultFeedOptions()
	flag.BoolVar(&o.feed, "feed", true, "serve the live feed: GET /events/{event}/stream and /events/{event}/map (not with -router or -backend=redis)")
	flag.DurationVar(&o.feedOptions.Poll, "feed-poll", o.feedOptions.Poll,
		"how often followed events are read when the server does not announce changes")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, closeAll, describe, err := o.build(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer closeAll()
	if s, ok := srv.(*service.Server); ok {
		s.SetFailoverLog(log.Printf)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	httpServer := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		if o.liveFeed != nil {
			o.liveFeed.Close() // ends the streams, whose clients reconnect with Last-Event-ID
		}
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := httpServer.Shutdown(shutdown); err != nil {
			log.Printf("shutdown: %v", err)
		}
	}()
	// The load generator and scripts wait for this line.
	log.Printf("flashsale: %s, pool %d, listening on %s", describe, o.poolSize, ln.Addr())
	if err := httpServer.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
