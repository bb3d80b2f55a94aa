package shards

// Routing by the service across two shards behind a ticketing_router node, all in the
// cluster the PG* variables name (a superuser; the ticketing extension and Debian's
// postgresql-15-plproxy installed on the server): claims reach each event's shard, and
// when shard 1 moves to another node (its old address goes dark) the service re-reads
// the map, repeats the keyed call on the new node, and sells nothing twice.

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v4"

	"flashsale/service"
)

var ctx = context.Background()

func TestHashInt8MatchesPostgres(t *testing.T) {
	conn := connect(t, "")
	values := []int64{0, 1, -1, 1 << 31, -(1 << 31), 1<<63 - 1, -1 << 63}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		values = append(values, rng.Int63()-rng.Int63())
	}
	rows, err := conn.Query(ctx, "SELECT v, hashint8(v) FROM unnest($1::bigint[]) AS v", values)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v int64
		var h int32
		if err := rows.Scan(&v, &h); err != nil {
			t.Fatal(err)
		}
		if HashInt8(v) != uint32(h) {
			t.Fatalf("hashint8(%d) = %d, HashInt8 = %d", v, h, int32(HashInt8(v)))
		}
		n++
	}
	if n != len(values) {
		t.Fatalf("%d of %d values compared", n, len(values))
	}
}

// connect opens a connection to dbname ("" for the PG* default).
func connect(t *testing.T, dbname string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn(dbname))
	if err != nil {
		t.Fatalf("connecting to %q (PG* variables): %v", dbname, err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// dsn names a database of the PG* cluster (the rest from the PG* variables).
func dsn(dbname string) string {
	if dbname == "" {
		return ""
	}
	return "dbname=" + dbname
}

// serverDSN is a connection string the server itself can use (PL/Proxy on the router).
func serverDSN(dbname string) string {
	host := os.Getenv("PGHOST")
	if host == "" {
		host = "localhost"
	}
	port := os.Getenv("PGPORT")
	if port == "" {
		port = "5432"
	}
	return fmt.Sprintf("host=%s port=%s dbname=%s", host, port, dbname)
}

func exec(t *testing.T, conn *pgx.Conn, sql string, args ...interface{}) {
	t.Helper()
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// proxy forwards TCP connections to the PG* server until closed; closing drops every
// connection it carries and refuses new ones: a node that went away.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T) *proxy {
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
	target := net.JoinHostPort(host, port)
	p := &proxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// cluster makes the databases of a router and two shards (and shard 1's next home);
// returns the router connection and the connection strings the service uses.
func cluster(t *testing.T) (router *pgx.Conn, names []string) {
	t.Helper()
	admin := connect(t, "")
	names = []string{"flashsale_shard0", "flashsale_shard1", "flashsale_shard1_moved", "flashsale_router"}
	for _, db := range names {
		exec(t, admin, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
	}
	for _, db := range names[:2] {
		exec(t, admin, "CREATE DATABASE "+db)
	}
	exec(t, admin, "CREATE DATABASE flashsale_router")
	t.Cleanup(func() {
		admin := connect(t, "")
		for _, db := range names {
			admin.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
		}
	})
	for i, db := range names[:2] {
		shard := connect(t, db)
		exec(t, shard, "CREATE EXTENSION ticketing")
		exec(t, shard, "SELECT ticketing.set_shard($1, 2)", i)
		shard.Close(ctx)
	}
	router = connect(t, "flashsale_router")
	exec(t, router, "CREATE EXTENSION ticketing_router CASCADE")
	exec(t, router, "SELECT ticketing.define_shards($1, check_shards => false)",
		[]string{serverDSN(names[0]), serverDSN(names[1])})
	mapping := "user " + quote(os.Getenv("PGUSER"))
	if pw := os.Getenv("PGPASSWORD"); pw != "" {
		mapping += ", password " + quote(pw)
	}
	exec(t, router, "CREATE USER MAPPING FOR CURRENT_USER SERVER ticketing_shards OPTIONS ("+mapping+")")
	var problems int
	if err := router.QueryRow(ctx, "SELECT count(*) FROM ticketing.cluster_status() WHERE problem IS NOT NULL").
		Scan(&problems); err != nil || problems != 0 {
		t.Fatalf("cluster_status(): %d problems, %v", problems, err)
	}
	return router, names
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func writeShards(t *testing.T, path string, dsns ...string) {
	t.Helper()
	text := "# shard 0 first\n" + strings.Join(dsns, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// sales is the audit log's sales of an event in one database: ticket -> customer.
func sales(t *testing.T, db string, event int64) map[int64]string {
	t.Helper()
	conn := connect(t, db)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT ticket_id, customer FROM ticketing.audit_log WHERE event_id = $1 AND to_status = 'sold'", event)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var ticket int64
		var customer string
		if err := rows.Scan(&ticket, &customer); err != nil {
			t.Fatal(err)
		}
		if _, twice := out[ticket]; twice {
			t.Fatalf("ticket %d of event %d sold twice in %s", ticket, event, db)
		}
		out[ticket] = customer
	}
	return out
}

func TestRoutingAcrossShardsWithAMapChange(t *testing.T) {
	router, names := cluster(t)
	// One event on each shard, created through the router.
	events := [2]int64{}
	for n := 0; events[0] == 0 || events[1] == 0; n++ {
		var event int64
		if err := router.QueryRow(ctx, "SELECT ticketing.create_event($1)", fmt.Sprintf("routed %d", n)).Scan(&event); err != nil {
			t.Fatal(err)
		}
		exec(t, router, "SELECT ticketing.add_tickets($1, 10)", event)
		if shard := ShardOf(event, 2); events[shard] == 0 {
			events[shard] = event
		}
	}
	// Shard 1 through a proxy: the node that will go away.
	p := startProxy(t)
	file := filepath.Join(t.TempDir(), "shards")
	writeShards(t, file, dsn(names[0]), fmt.Sprintf("host=127.0.0.1 port=%d dbname=%s", p.port(), names[1]))
	routerDSN := "dbname=flashsale_router"
	m, err := Open(ctx, routerDSN, file, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.Logf = t.Logf
	srv := service.NewRouted(m)
	srv.SetFailoverWait(15 * time.Second)
	if err := srv.Coalesce(service.DefaultCoalesceConfig); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	claim := func(event, ticket int64, customer, key string) (int, string) {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/events/%d/tickets/%d/claim", ts.URL, event, ticket),
			strings.NewReader(fmt.Sprintf(`{"customer":%q}`, customer)))
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for shard, event := range events {
		for ticket := int64(1); ticket <= 3; ticket++ {
			if status, body := claim(event, ticket, fmt.Sprintf("c%d", ticket), fmt.Sprintf("k%d", ticket)); status != 200 ||
				!strings.Contains(body, `"claimed"`) {
				t.Fatalf("event %d (shard %d) ticket %d: %d %s", event, shard, ticket, status, body)
			}
		}
		if got := sales(t, names[shard], event); len(got) != 3 {
			t.Fatalf("shard %d holds sales %v of event %d", shard, got, event)
		}
		if other := sales(t, names[1-shard], event); len(other) != 0 {
			t.Fatalf("shard %d holds sales %v of event %d, which is not its own", 1-shard, other, event)
		}
	}
	// The map changes: shard 1 moves to a new node (a copy of its database), the router
	// is told, the service's file names the new node, and the old address goes dark.
	admin := connect(t, "")
	exec(t, admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", names[1])
	time.Sleep(200 * time.Millisecond)
	exec(t, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", names[2], names[1]))
	exec(t, admin, fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS false", names[1]))
	exec(t, router, "SELECT ticketing.define_shards($1)", []string{serverDSN(names[0]), serverDSN(names[2])})
	writeShards(t, file, dsn(names[0]), dsn(names[2]))
	p.close()
	// A keyed retry of a sale made before the move answers from its key on the new node;
	// a new sale lands there; shard 0 is untouched.
	if status, body := claim(events[1], 2, "c2", "k2"); status != 200 || !strings.Contains(body, `"claimed"`) {
		t.Fatalf("the retry after the move: %d %s", status, body)
	}
	if status, body := claim(events[1], 4, "c4", "k4"); status != 200 || !strings.Contains(body, `"claimed"`) {
		t.Fatalf("a sale after the move: %d %s", status, body)
	}
	if status, body := claim(events[1], 5, "c5", ""); status != 200 || !strings.Contains(body, `"claimed"`) {
		t.Fatalf("an unkeyed sale after the move: %d %s", status, body)
	}
	if status, body := claim(events[0], 4, "c4", "k4"); status != 200 || !strings.Contains(body, `"claimed"`) {
		t.Fatalf("shard 0 after the move: %d %s", status, body)
	}
	moved := sales(t, names[2], events[1])
	if len(moved) != 5 || moved[2] != "c2" || moved[4] != "c4" || moved[5] != "c5" {
		t.Fatalf("the moved shard's sales: %v", moved)
	}
	exec(t, admin, fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS true", names[1]))
	if old := sales(t, names[1], events[1]); len(old) != 3 {
		t.Fatalf("the old node took sales after the move: %v", old)
	}
	if len(sales(t, names[0], events[0])) != 4 {
		t.Fatal("shard 0 lost or gained sales")
	}
}

// A reload that replaces a shard's pool (its line in the file changed) while a call
// waits for a connection of that pool: the old pool is closed under the waiting call,
// which had sent nothing, and is made on the new pool instead (it was answered 500
// "closed pool"). Shard 1's pool has one connection, taken by a claim waiting for a
// row lock; a second claim waits for that connection; the reload comes from a
// connection lost on shard 0. Every claim is answered and sold once, per request and
// coalesced.
func TestReloadRepeatsACallWaitingOnAReplacedPool(t *testing.T) {
	for _, coalesce := range []bool{false, true} {
		t.Run(fmt.Sprintf("coalesce=%v", coalesce), func(t *testing.T) {
			router, names := cluster(t)
			var events [2]int64
			for n := 0; events[0] == 0 || events[1] == 0; n++ {
				var e int64
				if err := router.QueryRow(ctx, "SELECT ticketing.create_event($1)", fmt.Sprintf("reload %d", n)).Scan(&e); err != nil {
					t.Fatal(err)
				}
				exec(t, router, "SELECT ticketing.add_tickets($1, 10)", e)
				if events[ShardOf(e, 2)] == 0 {
					events[ShardOf(e, 2)] = e
				}
			}
			file := filepath.Join(t.TempDir(), "shards")
			writeShards(t, file, dsn(names[0]), dsn(names[1]))
			m, err := Open(ctx, "dbname=flashsale_router", file, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			m.Logf = t.Logf
			srv := service.NewRouted(m)
			srv.SetFailoverWait(10 * time.Second)
			if coalesce {
				if err := srv.Coalesce(service.CoalesceConfig{Window: 0, MaxBatch: 1, InFlight: 4}); err != nil {
					t.Fatal(err)
				}
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			type result struct {
				status int
				body   string
			}
			claim := func(event, ticket int64, customer, key string) chan result {
				ch := make(chan result, 1)
				go func() {
					req, _ := http.NewRequest("POST", fmt.Sprintf("%s/events/%d/tickets/%d/claim", ts.URL, event, ticket),
						strings.NewReader(fmt.Sprintf(`{"customer":%q}`, customer)))
					req.Header.Set("Idempotency-Key", key)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						ch <- result{0, err.Error()}
						return
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					ch <- result{resp.StatusCode, strings.TrimSpace(string(b))}
				}()
				return ch
			}
			// Ticket 1 of each event locked by a transaction of its own.
			var unlock []func()
			for shard, event := range events {
				tx, err := connect(t, names[shard]).Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(ctx, "SELECT 1 FROM ticketing.tickets WHERE event_id = $1 AND ticket_id = 1 FOR UPDATE", event); err != nil {
					t.Fatal(err)
				}
				unlock = append(unlock, func() { tx.Rollback(ctx) })
			}
			z := claim(events[0], 1, "z", "kz") // on shard 0's connection, waiting for the row lock
			a := claim(events[1], 1, "a", "ka") // on shard 1's one connection, waiting for the row lock
			time.Sleep(200 * time.Millisecond)
			b := claim(events[1], 2, "b", "kb") // waiting for shard 1's connection
			time.Sleep(200 * time.Millisecond)
			// Shard 1's line changes (a move; here the same database under another string),
			// and z's backend is terminated: z's call is repeated after a reload, which
			// replaces shard 1's pool and closes the old one under a and b.
			writeShards(t, file, dsn(names[0]), dsn(names[1])+" application_name=moved")
			exec(t, connect(t, ""), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			                          WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`, names[0])
			time.Sleep(700 * time.Millisecond)
			for _, f := range unlock {
				f()
			}
			for _, c := range []struct {
				name string
				ch   chan result
			}{{"z (shard 0, its connection lost)", z}, {"a (shard 1, on the old pool's connection)", a},
				{"b (shard 1, waiting for the old pool's connection)", b}} {
				select {
				case r := <-c.ch:
					if r.status != http.StatusOK || !strings.Contains(r.body, `"claimed"`) {
						t.Errorf("%s: %d %s", c.name, r.status, r.body)
					}
				case <-time.After(15 * time.Second):
					t.Errorf("%s: no answer", c.name)
				}
			}
			if got := fmt.Sprint(sales(t, names[0], events[0])); got != "map[1:z]" {
				t.Errorf("shard 0's sales: %s", got)
			}
			if got := fmt.Sprint(sales(t, names[1], events[1])); got != "map[1:a 2:b]" {
				t.Errorf("shard 1's sales: %s", got)
			}
		})
	}
}
