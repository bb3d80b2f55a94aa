package service

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"flashsale/ticketing"
)

// One followed event: its seats as of `cursor` (a snapshot, then every change applied in
// audit id order), the changes since the snapshot (to resume clients from memory), and
// its clients. One goroutine (run) reads the database; clients only read this state.

// seatState is one ticket as the map shows it.
type seatState struct {
	ticket   int64
	label    string
	category string
	status   byte  // 'a' available, 'h' held, 's' sold
	holdEnds int64 // when a hold ends, Unix milliseconds; 0 without one
}

// feedChange is one change of a ticket, as clients are sent it.
type feedChange struct {
	id       int64 // the audit id
	ticket   int64
	status   byte
	holdEnds int64
	label    string // with category: only for a ticket the snapshot did not have
	category string
}

// feedClient is one SSE client of an event.
type feedClient struct {
	queue   chan []byte   // messages in order; bounded
	lagging chan struct{} // signalled when the queue overflowed
	lagged  bool          // under the event's mu: the queue overflowed, a snapshot is due
	gone    chan struct{} // closed when the feed stops
}

type eventFeed struct {
	feed   *Feed
	event  int64
	wakeCh chan struct{}
	loaded chan struct{} // closed once the first snapshot is in, or failed (loadErr)

	mu         sync.Mutex
	loadErr    error
	seats      []seatState
	index      map[int64]int // ticket id -> position in seats
	cursor     int64         // the last change applied (the snapshot's through at first)
	target     int64         // the highest audit id announced for the event
	history    []feedChange  // changes after histFloor, in id order
	histFloor  int64         // every change with a larger id is in history
	clients    map[*feedClient]struct{}
	lastClient time.Time
	snapAt     int64  // cursor the cached snapshot message was made at
	snapBytes  []byte // the cached snapshot message
	closed     bool
}

func newEventFeed(f *Feed, event int64) *eventFeed {
	return &eventFeed{
		feed:       f,
		event:      event,
		wakeCh:     make(chan struct{}, 1),
		loaded:     make(chan struct{}),
		clients:    map[*feedClient]struct{}{},
		lastClient: time.Now(),
		snapAt:     -1,
	}
}

// wake asks for a read of the event's changes; auditID (0 if unknown) is the highest id
// announced, which the reads go on until they have passed.
func (ef *eventFeed) wake(auditID int64) {
	if auditID > 0 {
		ef.mu.Lock()
		if auditID > ef.target {
			ef.target = auditID
		}
		ef.mu.Unlock()
	}
	select {
	case ef.wakeCh <- struct{}{}:
	default:
	}
}

// idle reports whether the event has had no client for the linger time. Under f.mu.
func (ef *eventFeed) idle() bool {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	return ef.loadErr != nil ||
		(len(ef.clients) == 0 && time.Since(ef.lastClient) >= ef.feed.opts.Linger)
}

func (ef *eventFeed) run() {
	defer ef.feed.done.Done()
	ctx := ef.feed.ctx
	for {
		err := ef.load(ctx)
		if err == nil {
			break
		}
		if kind, ok := ticketing.KindOfError(err); (ok && kind != ticketing.KindRetryable) || ctx.Err() != nil {
			// An unknown event, bad input or a missing privilege: answered to the clients
			// waiting, and forgotten.
			ef.mu.Lock()
			ef.loadErr = err
			ef.mu.Unlock()
			close(ef.loaded)
			ef.feed.forget(ef)
			return
		}
		ef.feed.logf("feed: event %d: reading its seats: %v (trying again)", ef.event, err)
		sleepCtx(ctx, time.Second)
	}
	close(ef.loaded)
	retry := time.Duration(0)
	for {
		wait := ef.feed.opts.Poll
		if ef.feed.notifying() {
			wait = ef.feed.opts.SafetyPoll
		}
		if retry > 0 && retry < wait {
			wait = retry
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-ef.wakeCh:
		case <-timer.C:
		}
		timer.Stop()
		if ef.feed.forget(ef) {
			return
		}
		if err := ef.fetch(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			ef.feed.logf("feed: event %d: reading changes: %v", ef.event, err)
			retry = time.Second
			continue
		}
		// An announced change not read yet belongs to a transaction that began before one
		// still running (changes_since holds it back until then): read again soon.
		if ef.behind() {
			retry = minDuration(maxDuration(retry*2, 5*time.Millisecond), 500*time.Millisecond)
		} else {
			retry = 0
		}
	}
}

func (ef *eventFeed) behind() bool {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	return ef.cursor < ef.target
}

// load reads the event's snapshot.
func (ef *eventFeed) load(ctx context.Context) error {
	snap, err := ticketing.FeedSnapshot(ctx, ef.feed.pool, ef.event)
	if err != nil {
		return err
	}
	// An event without tickets has no snapshot row, hence no through: 0, from where every
	// change of the event (none yet) follows.
	seats := make([]seatState, len(snap.Seats))
	index := make(map[int64]int, len(snap.Seats))
	for i, s := range snap.Seats {
		seats[i] = seatState{ticket: s.TicketID, label: s.Seat, category: s.Category,
			status: statusCode(s.Status), holdEnds: unixMillis(s.HoldExpiresAt)}
		index[s.TicketID] = i
	}
	ef.mu.Lock()
	ef.seats, ef.index = seats, index
	ef.cursor, ef.histFloor = snap.Through, snap.Through
	ef.mu.Unlock()
	return nil
}

// fetch reads every change after the cursor and sends it to the clients.
func (ef *eventFeed) fetch(ctx context.Context) error {
	for {
		ef.mu.Lock()
		after := ef.cursor
		ef.mu.Unlock()
		changes, err := ticketing.ChangesSince(ctx, ef.feed.pool, ef.event, after, changesPage, after)
		if err != nil {
			return err
		}
		if len(changes) > 0 {
			ef.apply(changes)
		}
		if len(changes) < changesPage {
			return nil
		}
	}
}

// apply adds changes (in id order, after the cursor) to the state and the history and
// sends them to every client as one message.
func (ef *eventFeed) apply(changes []ticketing.Change) {
	batch := make([]feedChange, len(changes))
	ef.mu.Lock()
	defer ef.mu.Unlock()
	for i, c := range changes {
		fc := feedChange{id: c.AuditID, ticket: c.TicketID, status: statusCode(c.Status),
			holdEnds: unixMillis(c.HoldExpiresAt)}
		pos, known := ef.index[c.TicketID]
		if !known {
			// A ticket added after the snapshot: clients learn its seat with its first change.
			pos = len(ef.seats)
			ef.seats = append(ef.seats, seatState{ticket: c.TicketID, label: c.Seat, category: c.Category})
			ef.index[c.TicketID] = pos
			fc.label, fc.category = c.Seat, c.Category
		}
		ef.seats[pos].status, ef.seats[pos].holdEnds = fc.status, fc.holdEnds
		batch[i] = fc
	}
	ef.cursor = batch[len(batch)-1].id
	ef.history = append(ef.history, batch...)
	if max := ef.feed.opts.MaxHistory; max > 0 && len(ef.history) > max {
		drop := len(ef.history) - max/2
		ef.histFloor = ef.history[drop-1].id
		ef.history = append([]feedChange(nil), ef.history[drop:]...)
	}
	ef.broadcast(encodeChanges(ef.cursor, batch))
}

// broadcast queues msg for every client; a client whose queue is full is sent the newest
// state instead, once it catches up. Under mu.
func (ef *eventFeed) broadcast(msg []byte) {
	for c := range ef.clients {
		if c.lagged {
			continue
		}
		select {
		case c.queue <- msg:
		default:
			c.lagged = true
			select {
			case c.lagging <- struct{}{}:
			default:
			}
		}
	}
}

// snapshotMessage is the event's whole state as one message, cached per cursor. Under mu.
func (ef *eventFeed) snapshotMessage() []byte {
	if ef.snapAt != ef.cursor || ef.snapBytes == nil {
		ef.snapBytes = encodeSnapshot(ef.event, ef.cursor, ef.seats)
		ef.snapAt = ef.cursor
	}
	return ef.snapBytes
}

// newest is what a client that fell behind is sent: its queue is dropped and replaced
// by the current state, in one message.
func (ef *eventFeed) newest(c *feedClient) []byte {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	for {
		select {
		case <-c.queue:
			continue
		default:
		}
		break
	}
	c.lagged = false
	return ef.snapshotMessage()
}

// errResumeTooFar means a client asked to resume from further back than is worth
// replaying: it gets the current state instead.
var errResumeTooFar = errors.New("resume point too far back")

// maxCatchUp is how many changes a resuming client is replayed from the database at
// most; further back, a snapshot is smaller.
const maxCatchUp = 20000

// subscribe adds a client. Without lastID it first gets the event's state; with one it
// gets exactly the changes after lastID (from memory, or from the database when they are
// older than this service's history), then every change as it comes.
func (ef *eventFeed) subscribe(ctx context.Context, lastID *int64) ([]byte, *feedClient, error) {
	select {
	case <-ef.loaded:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	c := &feedClient{
		queue:   make(chan []byte, maxInt(ef.feed.opts.ClientBuffer, 1)),
		lagging: make(chan struct{}, 1),
		gone:    make(chan struct{}),
	}
	for attempt := 0; ; attempt++ {
		first, err := ef.attach(ctx, c, lastID)
		if err == errResumeTooFar || (err == errHistoryMoved && attempt >= 2) {
			lastID = nil
			continue
		}
		if err == errHistoryMoved {
			continue
		}
		return first, c, err
	}
}

var errHistoryMoved = errors.New("the history was trimmed meanwhile")

func (ef *eventFeed) attach(ctx context.Context, c *feedClient, lastID *int64) ([]byte, error) {
	ef.mu.Lock()
	if ef.loadErr != nil {
		err := ef.loadErr
		ef.mu.Unlock()
		return nil, err
	}
	if ef.closed {
		ef.mu.Unlock()
		return nil, context.Canceled
	}
	if lastID == nil {
		msg := ef.snapshotMessage()
		ef.addClient(c)
		ef.mu.Unlock()
		return msg, nil
	}
	from := *lastID
	if from > ef.cursor {
		// The client saw more than this service has read yet (another instance served it):
		// read now, and give it the state if that is still behind.
		ef.mu.Unlock()
		ef.wake(from)
		deadline := time.Now().Add(2 * time.Second)
		for ef.behindOf(from) && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		ef.mu.Lock()
		if from > ef.cursor {
			ef.mu.Unlock()
			return nil, errResumeTooFar
		}
	}
	var older []feedChange
	if from < ef.histFloor {
		floor := ef.histFloor
		ef.mu.Unlock()
		rows, err := ef.readBack(ctx, from, floor)
		if err != nil {
			return nil, err
		}
		older = rows
		ef.mu.Lock()
		if ef.histFloor != floor {
			ef.mu.Unlock()
			return nil, errHistoryMoved
		}
		from = floor
	}
	at := sort.Search(len(ef.history), func(i int) bool { return ef.history[i].id > from })
	replay := append(older, ef.history[at:]...)
	var msg []byte
	if len(replay) > 0 {
		msg = encodeChanges(ef.cursor, replay)
	}
	ef.addClient(c)
	ef.mu.Unlock()
	return msg, nil
}

func (ef *eventFeed) behindOf(id int64) bool {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	return ef.cursor < id
}

// readBack reads the changes after `from` up to `through` (settled: the snapshot's or a
// trimmed history's end) from the database.
func (ef *eventFeed) readBack(ctx context.Context, from, through int64) ([]feedChange, error) {
	var rows []feedChange
	for {
		changes, err := ticketing.ChangesSince(ctx, ef.feed.pool, ef.event, from, changesPage, through)
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			if c.AuditID > through {
				return rows, nil
			}
			rows = append(rows, feedChange{id: c.AuditID, ticket: c.TicketID, status: statusCode(c.Status),
				holdEnds: unixMillis(c.HoldExpiresAt), label: c.Seat, category: c.Category})
		}
		if len(rows) > maxCatchUp {
			return nil, errResumeTooFar
		}
		if len(changes) < changesPage {
			return rows, nil
		}
		from = changes[len(changes)-1].AuditID
	}
}

// Under mu.
func (ef *eventFeed) addClient(c *feedClient) {
	ef.clients[c] = struct{}{}
	ef.lastClient = time.Now()
}

func (ef *eventFeed) unsubscribe(c *feedClient) {
	ef.mu.Lock()
	delete(ef.clients, c)
	ef.lastClient = time.Now()
	ef.mu.Unlock()
}

// closeClients ends every client's stream (the service is stopping).
func (ef *eventFeed) closeClients() {
	ef.mu.Lock()
	defer ef.mu.Unlock()
	ef.closed = true
	for c := range ef.clients {
		close(c.gone)
		delete(ef.clients, c)
	}
}

func statusCode(status string) byte {
	switch status {
	case "sold":
		return 's'
	case "held":
		return 'h'
	default:
		return 'a'
	}
}

func unixMillis(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

func maxDuration(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
