package service

import (
	"context"
	"errors"
	"log"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"

	"flashsale/ticketing"
)

// FeedOptions tune the live feed (GET /events/{event}/stream and /map).
type FeedOptions struct {
	// Poll is how often each followed event is read when the server does not announce
	// changes (ticketing.feed_notifications_on() is false: the library is not preloaded).
	Poll time.Duration
	// SafetyPoll reads each followed event this often even with notifications: a change
	// committed by COMMIT PREPARED is not announced by itself.
	SafetyPoll time.Duration
	// ClientBuffer is how many messages wait for a slow client before it is sent the
	// newest state instead (one snapshot, replacing everything it missed).
	ClientBuffer int
	// MaxHistory is how many changes of an event are kept to resume clients from memory;
	// a client further behind is resumed from the database.
	MaxHistory int
	// Linger keeps an event followed this long after its last client left.
	Linger time.Duration
	// Log, if set, reports the listener's reconnects.
	Log func(format string, args ...interface{})
}

// DefaultFeedOptions are the flashsale command's defaults.
func DefaultFeedOptions() FeedOptions {
	return FeedOptions{
		Poll:         250 * time.Millisecond,
		SafetyPoll:   5 * time.Second,
		ClientBuffer: 64,
		MaxHistory:   500000,
		Linger:       30 * time.Second,
	}
}

// changesPage is how many changes one changes_since call reads.
const changesPage = 1000

// Feed follows events for the SSE clients of this service: one database connection
// LISTENs on the channels of every followed event (ticketing_feed_<event>), and each
// event's changes are read with changes_since and fanned out to its clients.
type Feed struct {
	pool       *pgxpool.Pool
	connConfig *pgx.ConnConfig
	opts       FeedOptions
	ctx        context.Context
	stop       context.CancelFunc
	done       sync.WaitGroup

	mu            sync.Mutex
	events        map[int64]*eventFeed
	notifications bool               // the server announces changes (and the listener is connected)
	interrupt     context.CancelFunc // wakes the listener to LISTEN or UNLISTEN
}

// StartFeed starts the live feed on pool; the listening connection uses the pool's
// connection settings.
func StartFeed(pool *pgxpool.Pool, opts FeedOptions) *Feed {
	ctx, stop := context.WithCancel(context.Background())
	f := &Feed{
		pool:       pool,
		connConfig: pool.Config().ConnConfig.Copy(),
		opts:       opts,
		ctx:        ctx,
		stop:       stop,
		events:     map[int64]*eventFeed{},
	}
	f.done.Add(1)
	go f.listen()
	return f
}

// Close stops following events and ends every client's stream.
func (f *Feed) Close() {
	f.stop()
	f.mu.Lock()
	for _, ef := range f.events {
		ef.closeClients()
	}
	f.mu.Unlock()
	f.done.Wait()
}

func (f *Feed) logf(format string, args ...interface{}) {
	if f.opts.Log != nil {
		f.opts.Log(format, args...)
	}
}

// follow returns the event's feed, starting it if needed.
func (f *Feed) follow(event int64) *eventFeed {
	f.mu.Lock()
	defer f.mu.Unlock()
	ef, ok := f.events[event]
	if !ok {
		ef = newEventFeed(f, event)
		f.events[event] = ef
		f.done.Add(1)
		go ef.run()
		f.wakeListener()
	}
	return ef
}

// forget drops an event nobody has followed for a while (called by its own loop).
func (f *Feed) forget(ef *eventFeed) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !ef.idle() {
		return false
	}
	delete(f.events, ef.event)
	f.wakeListener()
	return true
}

// wakeListener interrupts the listener's wait so it LISTENs on the events followed now.
// Under f.mu.
func (f *Feed) wakeListener() {
	if f.interrupt != nil {
		f.interrupt()
	}
}

func (f *Feed) followed() map[int64]*eventFeed {
	f.mu.Lock()
	defer f.mu.Unlock()
	events := make(map[int64]*eventFeed, len(f.events))
	for id, ef := range f.events {
		events[id] = ef
	}
	return events
}

// notifying reports whether changes arrive as notifications (else events are polled).
func (f *Feed) notifying() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.notifications
}

func (f *Feed) setNotifying(on bool) {
	f.mu.Lock()
	f.notifications = on
	events := make([]*eventFeed, 0, len(f.events))
	for _, ef := range f.events {
		events = append(events, ef)
	}
	f.mu.Unlock()
	// Whatever was announced while nobody listened: read every event again.
	for _, ef := range events {
		ef.wake(0)
	}
}

// listen keeps one connection LISTENing on every followed event's channel, and hands
// each notification to its event. On a lost connection it reconnects; meanwhile the
// events are polled.
func (f *Feed) listen() {
	defer f.done.Done()
	backoff := 100 * time.Millisecond
	for f.ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(f.ctx, f.connConfig)
		if err != nil {
			f.logf("feed: listener cannot connect: %v (polling meanwhile)", err)
			sleepCtx(f.ctx, backoff)
			backoff = minDuration(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		err = f.serveListener(conn)
		f.setNotifying(false)
		conn.Close(context.Background())
		if err != nil && f.ctx.Err() == nil {
			f.logf("feed: listener lost its connection: %v (polling meanwhile)", err)
			sleepCtx(f.ctx, backoff)
		}
	}
}

func (f *Feed) serveListener(conn *pgx.Conn) error {
	on, err := ticketing.FeedNotificationsOn(f.ctx, conn)
	if err != nil {
		return err
	}
	if !on {
		f.logf("feed: the server does not announce changes (ticketing is not in "+
			"shared_preload_libraries, or ticketing.feed_interval is 0): polling every %v", f.opts.Poll)
		sleepCtx(f.ctx, time.Minute) // then connect again and ask again
		return nil
	}
	if _, err := conn.Exec(f.ctx, "LISTEN "+ticketing.FeedResyncChannel); err != nil {
		return err
	}
	listening := map[int64]bool{}
	first := true
	for {
		wait, cancel := context.WithCancel(f.ctx)
		f.mu.Lock()
		f.interrupt = cancel
		want := make(map[int64]*eventFeed, len(f.events))
		for id, ef := range f.events {
			want[id] = ef
		}
		f.mu.Unlock()
		for id, ef := range want {
			if !listening[id] {
				if _, err := conn.Exec(f.ctx, "LISTEN "+ticketing.FeedChannel(id)); err != nil {
					cancel()
					return err
				}
				listening[id] = true
				// Changes committed before the LISTEN were not announced to us: one more read.
				ef.wake(0)
			}
		}
		for id := range listening {
			if want[id] == nil {
				if _, err := conn.Exec(f.ctx, "UNLISTEN "+ticketing.FeedChannel(id)); err != nil {
					cancel()
					return err
				}
				delete(listening, id)
			}
		}
		if first {
			// Listening from now on: read every event once for what came before.
			f.setNotifying(true)
			first = false
		}
		n, err := conn.WaitForNotification(wait)
		cancel()
		if err != nil {
			if f.ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, context.Canceled) {
				continue // woken to LISTEN on an event followed since, or to forget one
			}
			return err
		}
		f.handleNotification(n.Channel, n.Payload)
	}
}

func (f *Feed) handleNotification(channel, payload string) {
	if channel == ticketing.FeedResyncChannel {
		for _, ef := range f.followed() {
			ef.wake(0)
		}
		return
	}
	a, err := ticketing.ParseAnnouncement(channel, payload)
	if err != nil {
		log.Printf("feed: %v", err)
		if id, perr := strconv.ParseInt(strings.TrimPrefix(channel, ticketing.FeedChannelPrefix), 10, 64); perr == nil {
			if ef := f.followed()[id]; ef != nil {
				ef.wake(0)
			}
		}
		return
	}
	f.mu.Lock()
	ef := f.events[a.EventID]
	f.mu.Unlock()
	if ef != nil {
		ef.wake(a.AuditID)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}
