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
// extension's single call, for comparison.
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

	"github.com/jackc/pgx/v4/pgxpool"

	"flashsale/service"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	handler := flag.String("handler", service.HandlerExtension, "claim handler: extension or article")
	poolSize := flag.Int("pool", 32, "database connections")
	dsn := flag.String("dsn", "", "connection string (default: PG* environment variables)")
	failoverWait := flag.Duration("failover-wait", service.DefaultFailoverWait,
		"how long a call whose connection was lost is repeated, waiting for a new primary (0: never)")
	feedOptions := service.DefaultFeedOptions()
	feed := flag.Bool("feed", true, "serve the live feed: GET /events/{event}/stream and /events/{event}/map")
	flag.DurationVar(&feedOptions.Poll, "feed-poll", feedOptions.Poll,
		"how often followed events are read when the server does not announce changes")
	flag.Parse()

	cfg, err := pgxpool.ParseConfig(*dsn)
	if err != nil {
		log.Fatalf("connection settings: %v", err)
	}
	cfg.MaxConns = int32(*poolSize)
	cfg.MinConns = int32(*poolSize)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pool, err := pgxpool.ConnectConfig(ctx, cfg)
	if err != nil {
		log.Fatalf("connecting: %v", err)
	}
	defer pool.Close()
	srv, err := service.New(pool, *handler)
	if err != nil {
		log.Fatal(err)
	}
	srv.SetFailoverWait(*failoverWait)
	srv.SetFailoverLog(log.Printf)
	var liveFeed *service.Feed
	if *feed {
		feedOptions.Log = log.Printf
		liveFeed = service.StartFeed(pool, feedOptions)
		srv.SetFeed(liveFeed)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	httpServer := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		if liveFeed != nil {
			liveFeed.Close() // ends the streams, whose clients reconnect with Last-Event-ID
		}
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := httpServer.Shutdown(shutdown); err != nil {
			log.Printf("shutdown: %v", err)
		}
	}()
	// The load generator and scripts wait for this line.
	log.Printf("flashsale: handler %s, pool %d, listening on %s", *handler, *poolSize, ln.Addr())
	if err := httpServer.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
