package shards

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"
	"github.com/jackc/puddle"

	"flashsale/ticketing"
)

// Map sends each call to the shard that owns its event, one pool per shard. It is a
// ticketing.Querier: every call of the extension takes the event id first
// (the API's rule, so that a router needs no lookup), and Map routes by that argument,
// hashing it as PL/Proxy does.
//
// Where the map comes from, and why:
//   - The shard count and the shards' health come from the router (a ticketing_router
//     node): ticketing.shard_count() and ticketing.cluster_status(), which say what
//     each shard answered to the router (its place, count and version).
//   - The shards' connection strings do not: the router's are its own (they name the
//     role and password file the router logs in with, and an application role has no
//     business reading them). The service is given its own, one libpq connection string
//     per shard, in a file (-shards FILE: line i+1 is shard i; blank lines and # comments
//     are skipped), with its own role and credentials. The file is read again with the
//     map, so a moved shard is a new line in it.
//   - Each shard pool is checked against the router's map before it is used: the
//     node's ticketing.shard_identity must say it is shard i of n, and its version of
//     ticketing must be the router's. A wrong line in the file stops the service (or
//     the reload) instead of sending an event's claims to a node that does not have it.
//
// The map is read again when a shard's connection fails (a shard moved or failed
// over: the failed call is then repeated by the service's failover with its
// idempotency key, on the new map), when a shard answers TK004 (an event that is not
// its own), and every Refresh when the router's shard count changed (a split).
type Map struct {
	router    *pgxpool.Pool
	shardFile string
	poolSize  int32
	// Refresh is how often the router's shard count is compared with the map's (0: never).
	Refresh time.Duration
	// Logf reports reloads (log.Printf by default).
	Logf func(format string, args ...interface{})

	reloadMu sync.Mutex // one reload at a time
	mu       sync.RWMutex
	pools    []*pgxpool.Pool
	dsns     []string
	loadedAt time.Time
	stop     chan struct{}
}

// Grants the service's role needs on the router, besides USAGE on schema ticketing:
//
//	GRANT EXECUTE ON FUNCTION ticketing.shard_count(), ticketing.cluster_status() TO shop_app;
//
// and on each shard, besides the core's grants of the calls it makes:
//
//	GRANT SELECT ON ticketing.shard_identity TO shop_app;

// Open connects to the router and reads the map (shard pools of poolSize connections
// each, from the connection strings in shardFile).
func Open(ctx context.Context, routerDSN, shardFile string, poolSize int32) (*Map, error) {
	cfg, err := pgxpool.ParseConfig(routerDSN)
	if err != nil {
		return nil, fmt.Errorf("router connection string: %w", err)
	}
	cfg.MaxConns = 2
	router, err := pgxpool.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the router: %w", err)
	}
	m := &Map{router: router, shardFile: shardFile, poolSize: poolSize, Logf: log.Printf, stop: make(chan struct{})}
	if err := m.checkHash(ctx); err != nil {
		router.Close()
		return nil, err
	}
	if err := m.Reload(ctx); err != nil {
		router.Close()
		return nil, err
	}
	return m, nil
}

// checkHash compares HashInt8 with the router's hashint8 on a spread of ids.
func (m *Map) checkHash(ctx context.Context) error {
	ids := []int64{1, 2, 3, 42, 1 << 31, 1<<32 + 7, 1<<62 + 12345, -1, -(1 << 40)}
	rows, err := m.router.Query(ctx, "SELECT v, pg_catalog.hashint8(v) FROM pg_catalog.unnest($1::bigint[]) AS v", ids)
	if err != nil {
		return fmt.Errorf("the router's hashint8: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		var h int32
		if err := rows.Scan(&v, &h); err != nil {
			return err
		}
		if uint32(h) != HashInt8(v) {
			return fmt.Errorf("hashint8(%d) is %d on the router and %d here", v, h, int32(HashInt8(v)))
		}
	}
	return rows.Err()
}

// Start re-reads the map every Refresh while the router's shard count differs from it.
func (m *Map) Start() {
	if m.Refresh <= 0 {
		return
	}
	go func() {
		tick := time.NewTicker(m.Refresh)
		defer tick.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), m.Refresh)
				var n int
				err := m.router.QueryRow(ctx, "SELECT ticketing.shard_count()").Scan(&n)
				if err == nil && n != m.Shards() {
					err = m.Reload(ctx)
				}
				if err != nil {
					m.Logf("shard map: %v", err)
				}
				cancel()
			}
		}
	}()
}

// Close closes the router's and the shards' pools.
func (m *Map) Close() {
	close(m.stop)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.pools {
		p.Close()
	}
	m.pools = nil
	m.router.Close()
}

// Shards is the number of shards in the map.
func (m *Map) Shards() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.pools)
}

// Pool is the pool of the shard that owns event.
func (m *Map) Pool(event int64) (*pgxpool.Pool, int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	shard := ShardOf(event, len(m.pools))
	return m.pools[shard], shard
}

// current is the pool of the shard that owns event, false once the map is closed.
func (m *Map) current(event int64) (*pgxpool.Pool, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.pools) == 0 {
		return nil, false
	}
	return m.pools[ShardOf(event, len(m.pools))], true
}

// Reload reads the map again: the router's shard count and cluster_status(), the
// connection strings file; connects to shards whose string changed and checks every
// shard's identity. The old map stays in use if anything is wrong.
func (m *Map) Reload(ctx context.Context) error {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	var n int
	if err := m.router.QueryRow(ctx, "SELECT ticketing.shard_count()").Scan(&n); err != nil {
		return fmt.Errorf("the router's shard count: %w", err)
	}
	if n < 1 {
		return errors.New("the router has no shards (ticketing.define_shards)")
	}
	routerVersion, err := m.clusterStatus(ctx, n)
	if err != nil {
		return err
	}
	dsns, err := readShardFile(m.shardFile)
	if err != nil {
		return err
	}
	if len(dsns) != n {
		return fmt.Errorf("the router has %d shards, %s names %d", n, m.shardFile, len(dsns))
	}
	m.mu.RLock()
	old := map[string]*pgxpool.Pool{}
	for i, dsn := range m.dsns {
		old[dsn] = m.pools[i]
	}
	m.mu.RUnlock()
	pools := make([]*pgxpool.Pool, n)
	var opened []*pgxpool.Pool
	fail := func(err error) error {
		for _, p := range opened {
			p.Close()
		}
		return err
	}
	for i, dsn := range dsns {
		pool := old[dsn]
		if pool == nil {
			cfg, err := pgxpool.ParseConfig(dsn)
			if err != nil {
				return fail(fmt.Errorf("%s, shard %d: %w", m.shardFile, i, err))
			}
			cfg.MaxConns = m.poolSize
			if pool, err = pgxpool.ConnectConfig(ctx, cfg); err != nil {
				return fail(fmt.Errorf("connecting to shard %d: %w", i, err))
			}
			opened = append(opened, pool)
		}
		if err := checkIdentity(ctx, pool, i, n, routerVersion); err != nil {
			return fail(err)
		}
		pools[i] = pool
	}
	m.mu.Lock()
	previous := m.pools
	m.pools, m.dsns, m.loadedAt = pools, dsns, time.Now()
	m.mu.Unlock()
	kept := map[*pgxpool.Pool]bool{}
	for _, p := range pools {
		kept[p] = true
	}
	for _, p := range previous {
		if !kept[p] {
			// Waits for calls still running on it; a call that waits for one of its
			// connections, or asks it after this, gets puddle.ErrClosedPool without
			// having sent anything, and routedRow asks the new map's pool instead.
			go p.Close()
		}
	}
	if previous != nil {
		m.Logf("shard map: %d shards (reloaded)", n)
	}
	return nil
}

// clusterStatus returns the router's version after checking that every shard answered
// the router as shard i of n with no problem.
func (m *Map) clusterStatus(ctx context.Context, n int) (string, error) {
	rows, err := m.router.Query(ctx, `SELECT shard, router_version, problem FROM ticketing.cluster_status() ORDER BY shard`)
	if err != nil {
		return "", fmt.Errorf("the router's cluster_status(): %w", err)
	}
	defer rows.Close()
	version := ""
	seen := 0
	for rows.Next() {
		var shard int
		var routerVersion, problem *string
		if err := rows.Scan(&shard, &routerVersion, &problem); err != nil {
			return "", err
		}
		if problem != nil {
			return "", fmt.Errorf("the router reports shard %d: %s", shard, *problem)
		}
		if routerVersion != nil {
			version = *routerVersion
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if seen != n {
		return "", fmt.Errorf("cluster_status() lists %d shards of %d", seen, n)
	}
	return version, nil
}

// checkIdentity refuses a pool that is not shard i of n running the router's version.
func checkIdentity(ctx context.Context, pool *pgxpool.Pool, i, n int, version string) error {
	var index, count *int32
	var shardVersion *string
	err := pool.QueryRow(ctx, `SELECT s.shard_index, s.shard_count,
	        (SELECT x.extversion FROM pg_catalog.pg_extension x WHERE x.extname = 'ticketing')
	   FROM (SELECT 1) AS one LEFT JOIN ticketing.shard_identity s ON true`).Scan(&index, &count, &shardVersion)
	if err != nil {
		return fmt.Errorf("shard %d's identity: %w", i, err)
	}
	if index == nil || count == nil || int(*index) != i || int(*count) != n {
		return fmt.Errorf("the connection string of shard %d reaches a node that is not shard %d of %d (it says %s)",
			i, i, n, describe(index, count))
	}
	if shardVersion == nil || *shardVersion != version {
		return fmt.Errorf("shard %d runs ticketing %v, the router %s", i, deref(shardVersion), version)
	}
	return nil
}

func describe(index, count *int32) string {
	if index == nil || count == nil {
		return "no shard identity"
	}
	return fmt.Sprintf("shard %d of %d", *index, *count)
}

func deref(s *string) string {
	if s == nil {
		return "(not installed)"
	}
	return *s
}

func readShardFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the shards' connection strings: %w", err)
	}
	defer f.Close()
	var dsns []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		dsns = append(dsns, line)
	}
	return dsns, scanner.Err()
}

// stale reports errors after which the map is read again: the shard's connection
// failed, or the shard refused the event as not its own (TK004).
func stale(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "TK004" {
		return true
	}
	return ticketing.ConnectionLost(err)
}

// recover re-reads the map after err on shard (unless someone re-read it since the
// call began); reports whether the event now lives on another pool.
func (m *Map) recover(ctx context.Context, began time.Time, event int64, before *pgxpool.Pool, err error) bool {
	m.mu.RLock()
	fresh := m.loadedAt.After(began)
	m.mu.RUnlock()
	if !fresh {
		if rerr := m.Reload(ctx); rerr != nil {
			m.Logf("shard map: reading it again after %v: %v", err, rerr)
		}
	}
	now, ok := m.current(event)
	return ok && now != before
}

func eventOf(args []interface{}) (int64, error) {
	if len(args) > 0 {
		if event, ok := args[0].(int64); ok {
			return event, nil
		}
	}
	return 0, errors.New("shards: a routed call must take the event id (int64) first")
}

// QueryRow runs a single-row call on the event's shard.
func (m *Map) QueryRow(ctx context.Context, sql string, args ...interface{}) pgx.Row {
	return &routedRow{m: m, ctx: ctx, sql: sql, args: args}
}

type routedRow struct {
	m    *Map
	ctx  context.Context
	sql  string
	args []interface{}
}

// closedPoolTries bounds how many pools one call asks when each was closed by a reload
// before the call could send anything (a map reloaded again and again).
const closedPoolTries = 4

// query runs the call on the pool of the event's shard in the map as it is now. A pool
// that a reload replaced and closed (puddle.ErrClosedPool: the call waited for one of
// its connections, or asked it just after the reload) sent nothing, so the call is made
// again on the pool that the map has now, as if the reload had come first. It returns
// the pool the call last ran on.
func (r *routedRow) query(event int64, dest []interface{}) (*pgxpool.Pool, error) {
	pool, ok := r.m.current(event)
	if !ok {
		return nil, puddle.ErrClosedPool
	}
	for tries := 1; ; tries++ {
		err := pool.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
		if !errors.Is(err, puddle.ErrClosedPool) || tries == closedPoolTries {
			return pool, err
		}
		now, ok := r.m.current(event)
		if !ok || now == pool { // the map was closed (Close), or this pool is still its own
			return pool, err
		}
		pool = now
	}
}

func (r *routedRow) Scan(dest ...interface{}) error {
	event, err := eventOf(r.args)
	if err != nil {
		return err
	}
	began := time.Now()
	pool, err := r.query(event, dest)
	if err == nil || !stale(err) {
		return err
	}
	moved := r.m.recover(r.ctx, began, event, pool, err)
	var pgErr *pgconn.PgError
	if moved && errors.As(err, &pgErr) && pgErr.Code == "TK004" {
		// The shard refused the call (nothing ran there): ask the new owner.
		_, err = r.query(event, dest)
		return err
	}
	// A lost connection: the service's failover repeats the call (on the new map) when
	// that is safe.
	return err
}
