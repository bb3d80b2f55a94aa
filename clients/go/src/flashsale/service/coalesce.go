package service

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"flashsale/ticketing"
)

// CoalesceConfig sets how concurrent claims of one event are gathered into one
// ticketing.claim_batch call (see Coalesce).
type CoalesceConfig struct {
	// Window is the longest a claim waits for others to join its batch (default 1 ms).
	Window time.Duration
	// MaxBatch sends a batch as soon as it holds this many claims (default 100; the
	// extension takes at most 1,000).
	MaxBatch int
	// InFlight is how many batches of one event may be running at once (default 4).
	InFlight int
}

// DefaultCoalesceConfig is the service's default: a 1 ms window, batches of up to 100,
// four batches of an event in flight.
var DefaultCoalesceConfig = CoalesceConfig{Window: time.Millisecond, MaxBatch: 100, InFlight: 4}

// Coalesce makes the claim route gather concurrent claims of the same event into one
// claim_batch call (one transaction, one commit for up to MaxBatch sales), each HTTP
// request still answered with its own outcome and the status it gets without
// coalescing. Only for the extension handler; every other route is unchanged.
//
// What a claim sees:
//
//   - Latency: a claim that arrives while its event has no batch running and the
//     previous batch was a lone claim (low load) is sent at once; otherwise it waits
//     for at most Window, or less if MaxBatch claims gather first or a running batch of
//     the event ends (the claims that gathered meanwhile go at once). An event with
//     no claim for a second (IdleMemory) is at low load again: the size of its
//     previous batch is forgotten, and so is its queue.
//   - Fairness: first come, first in a batch (a queue per event), and within a batch
//     claim_batch decides in request order, so of two claims of one ticket the earlier
//     arrival gets it. The claims of a batch asked again one by one (below) keep that
//     order: those that share a ticket or a customer go one after another, each once
//     the one before it is answered; the others at once. A request whose (customer,
//     idempotency key) is already in the batch being formed (a retry overtaking its
//     original) waits for the next one.
//   - Answers: as a single claim_ticket call would give, field for field, with the
//     same status codes. A batch answers busy for a ticket another transaction holds
//     locked; a request whose wait policy is not "skip" is then repeated on its own as
//     claim_ticket with its policy (it queues for the lock, or raises 55P03 with
//     "nowait"), so it gets the answer it gets today. An already_owned answer is asked
//     again on its own too (a read), for the sale's "at" that claim_batch does not
//     return. Refusals from a batch (already_sold, held, limit_reached,
//     quota_exhausted, busy) carry no "at" or "hold_expires_at", for the same reason;
//     every other field is the single call's.
//   - A request that makes the whole call fail (bad input, a reused idempotency key, an
//     error raised by a trigger, a privilege): the batch rolled back as one
//     transaction, so every request of it is repeated on its own as claim_ticket and
//     answered as a single call: the bad one gets its error, the others their
//     outcomes.
//   - A lost connection: every request of the batch gets the error, and the handler's
//     failover (SetFailoverWait) repeats those with an idempotency key, which go into
//     a new batch with the same keys: one that had committed answers from its key, so
//     nothing is sold twice. A request without a key whose batch may have committed is
//     answered 503 outcome_unknown, as a single call without a key is; one that was
//     certainly not sent is repeated.
func (s *Server) Coalesce(cfg CoalesceConfig) error {
	single, ok := s.claimer.(extensionClaimer)
	if !ok {
		return fmt.Errorf("coalescing needs the %q handler", HandlerExtension)
	}
	if cfg.Window < 0 || cfg.MaxBatch < 1 || cfg.MaxBatch > 1000 || cfg.InFlight < 1 {
		return fmt.Errorf("coalescing: window must be >= 0, batch 1..1000, in-flight >= 1 (got %v, %d, %d)",
			cfg.Window, cfg.MaxBatch, cfg.InFlight)
	}
	s.claimer = &coalescer{tk: single.tk, single: single, cfg: cfg, events: map[int64]*eventQueue{},
		idleMemory: IdleMemory}
	return nil
}

// IdleMemory is how long an event without claims keeps the size of its previous batch
// (a batch of more than one: load, so its next claim waits for the window); after it,
// the event is at low load again and its queue is dropped.
const IdleMemory = time.Second

// coalescer is the Claimer that gathers claims into batches.
type coalescer struct {
	tk         *ticketing.Client
	single     extensionClaimer
	cfg        CoalesceConfig
	idleMemory time.Duration // IdleMemory (with mu held: tests change it)

	mu     sync.Mutex
	events map[int64]*eventQueue

	batches, claims int64 // batch calls made and claims they carried (atomic)
	failed          int64 // batch calls that failed as a whole (atomic)
}

// counts returns the batch calls made and the claims they carried.
func (c *coalescer) counts() (batches, claims int64) {
	return atomic.LoadInt64(&c.batches), atomic.LoadInt64(&c.claims)
}

// failures returns how many batch calls failed as a whole (their claims then went one
// by one).
func (c *coalescer) failures() int64 { return atomic.LoadInt64(&c.failed) }

// pendingClaim is one HTTP request's claim waiting for its batch.
type pendingClaim struct {
	ticket   int64
	customer string
	wait     ticketing.Wait
	key      string
	done     chan claimAnswer // buffered: the batch never blocks on a request that left
}

type claimAnswer struct {
	result ticketing.TicketResult
	err    error
}

// eventQueue is one event's claims waiting to be sent, and its batches in flight.
type eventQueue struct {
	pending  []*pendingClaim
	running  int         // batches in flight
	timer    *time.Timer // armed while the first pending claim waits for the window
	expired  bool        // the window of the pending claims has passed: send them
	lastSize int         // claims in the previous batch (1: low load, send at once)
	forget   *time.Timer // armed while the queue is idle after a batch of more than one
}

func (c *coalescer) Claim(ctx context.Context, event, ticket int64, customer string, wait ticketing.Wait,
	requestID string) (ticketing.TicketResult, error) {
	if ticket <= 0 || !batchable(wait) {
		// Not a request a batch can carry as it is (ticket 0 would mean "any seat" there;
		// a duration or an unknown policy is the single call's to take or refuse).
		return c.single.Claim(ctx, event, ticket, customer, wait, requestID)
	}
	p := &pendingClaim{ticket: ticket, customer: customer, wait: wait, key: requestID, done: make(chan claimAnswer, 1)}
	c.mu.Lock()
	q := c.events[event]
	if q == nil {
		q = &eventQueue{}
		c.events[event] = q
	}
	if q.forget != nil {
		q.forget.Stop()
		q.forget = nil
	}
	q.pending = append(q.pending, p)
	c.dispatch(event, q)
	c.mu.Unlock()
	select {
	case a := <-p.done:
		return a.result, a.err
	case <-ctx.Done():
		// The client went away; its claim still runs with its batch.
		return ticketing.TicketResult{}, ctx.Err()
	}
}

// batchable reports the wait policies a batch's answers can stand for (busy is then
// repeated on its own unless the policy is skip).
func batchable(wait ticketing.Wait) bool {
	return wait == "" || wait == ticketing.WaitQueue || wait == ticketing.WaitNoWait || wait == ticketing.WaitSkip
}

// dispatch sends what may be sent now; with c.mu held.
func (c *coalescer) dispatch(event int64, q *eventQueue) {
	for len(q.pending) > 0 && q.running < c.cfg.InFlight {
		full := len(q.pending) >= c.cfg.MaxBatch
		lowLoad := q.running == 0 && q.lastSize <= 1
		if !full && !lowLoad && !q.expired && c.cfg.Window > 0 {
			if q.timer == nil {
				q.timer = time.AfterFunc(c.cfg.Window, func() {
					c.mu.Lock()
					defer c.mu.Unlock()
					q.timer = nil
					q.expired = true
					c.dispatch(event, q)
					c.forgetIfIdle(event, q)
				})
			}
			return
		}
		batch := c.take(q)
		if q.timer != nil {
			q.timer.Stop()
			q.timer = nil
		}
		q.expired = false
		q.running++
		q.lastSize = len(batch)
		go c.run(event, q, batch)
	}
}

// take removes up to MaxBatch pending claims, first come first, leaving for a later
// batch a claim whose (customer, key) is already in this one.
func (c *coalescer) take(q *eventQueue) []*pendingClaim {
	type customerKey struct{ customer, key string }
	var batch, rest []*pendingClaim
	keys := map[customerKey]bool{}
	for _, p := range q.pending {
		k := customerKey{p.customer, p.key}
		if len(batch) == c.cfg.MaxBatch || (p.key != "" && keys[k]) {
			rest = append(rest, p)
			continue
		}
		keys[k] = true
		batch = append(batch, p)
	}
	q.pending = rest
	return batch
}

// forgetIfIdle drops the queue of an event with nothing pending or running: at once
// after a lone claim (a new queue is the same: its next claim goes at once), else once
// it has stayed idle for idleMemory, so that until then its next claim waits for the
// window as the previous batch's size says. With c.mu held.
func (c *coalescer) forgetIfIdle(event int64, q *eventQueue) {
	if q.running > 0 || len(q.pending) > 0 || q.timer != nil || q.forget != nil || c.events[event] != q {
		return
	}
	if q.lastSize <= 1 || c.idleMemory <= 0 {
		delete(c.events, event)
		return
	}
	var forget *time.Timer
	forget = time.AfterFunc(c.idleMemory, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if q.forget != forget { // stopped by a claim
			return
		}
		q.forget = nil
		q.lastSize = 0
		c.forgetIfIdle(event, q)
	})
	q.forget = forget
}

// run sends one batch, answers its claims, and lets the event's next batch go.
func (c *coalescer) run(event int64, q *eventQueue, batch []*pendingClaim) {
	answers := c.settle(event, batch)
	for i, p := range batch {
		p.done <- answers[i]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	q.running--
	if len(q.pending) > 0 {
		q.expired = true // they waited for this batch: send them now
	}
	c.dispatch(event, q)
	c.forgetIfIdle(event, q)
}

// settle makes the batch call and turns its rows into one answer per claim.
func (c *coalescer) settle(event int64, batch []*pendingClaim) []claimAnswer {
	// Not any request's context: the claims of every request ride on this call.
	ctx := context.Background()
	answers := make([]claimAnswer, len(batch))
	requests := make([]ticketing.BatchRequest, len(batch))
	for i, p := range batch {
		requests[i] = ticketing.BatchRequest{TicketID: p.ticket, Customer: p.customer, IdempotencyKey: p.key}
	}
	atomic.AddInt64(&c.batches, 1)
	atomic.AddInt64(&c.claims, int64(len(batch)))
	results, err := c.tk.ClaimBatch(ctx, event, requests)
	if err != nil {
		atomic.AddInt64(&c.failed, 1)
		if ticketing.ConnectionLost(err) {
			// Every claim gets the error; the handler's failover repeats the keyed ones
			// (and any that was certainly not sent) and answers the rest 503.
			for i := range answers {
				answers[i].err = err
			}
			return answers
		}
		// The whole call failed and rolled back: each claim on its own, as a single
		// call would be answered.
		c.singly(ctx, event, batch, answers, func(int) bool { return true })
		return answers
	}
	for i, r := range results {
		answers[i].result = batchAnswer(event, batch[i].ticket, r)
	}
	// busy in a batch means "locked by another transaction"; a single call would have
	// waited (or raised 55P03 with nowait), so those claims ask again on their own. So
	// does already_owned, whose row lacks the sale's time that claim_ticket gives (a
	// read: claim_ticket answers it from a first look, without a lock or a write).
	c.singly(ctx, event, batch, answers, func(i int) bool {
		switch results[i].Outcome {
		case ticketing.Busy:
			return batch[i].wait != ticketing.WaitSkip
		case ticketing.AlreadyOwned:
			return true
		}
		return false
	})
	return answers
}

// singly answers the claims `which` selects with one claim_ticket call each, in the
// batch's order (the order they arrived in) wherever the order can decide an answer:
// claims that share a ticket or a customer (a limit, a key) go one after another, each
// once the one before it has been answered; claims with nothing in common go at once.
// So of two claims of one ticket the earlier arrival still gets it, as in the batch.
func (c *coalescer) singly(ctx context.Context, event int64, batch []*pendingClaim, answers []claimAnswer,
	which func(int) bool) {
	var wg sync.WaitGroup
	for _, lane := range lanes(batch, which) {
		wg.Add(1)
		go func(lane []int) {
			defer wg.Done()
			for _, i := range lane {
				p := batch[i]
				res, err := c.single.Claim(ctx, event, p.ticket, p.customer, p.wait, p.key)
				answers[i] = claimAnswer{result: res, err: err}
			}
		}(lane)
	}
	wg.Wait()
}

// lanes splits the claims `which` selects into lanes to run one after another: claims
// that share a ticket or a customer, directly or through others, are in one lane, in
// batch order.
func lanes(batch []*pendingClaim, which func(int) bool) [][]int {
	parent := map[int]int{} // union-find over batch indexes
	var root func(int) int
	root = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byTicket, byCustomer := map[int64]int{}, map[string]int{}
	var chosen []int
	for i, p := range batch {
		if !which(i) {
			continue
		}
		chosen = append(chosen, i)
		parent[i] = i
		for _, j := range []int{byTicket[p.ticket], byCustomer[p.customer]} {
			if j > 0 { // stored as index+1
				parent[root(j-1)] = root(i)
			}
		}
		byTicket[p.ticket], byCustomer[p.customer] = i+1, i+1
	}
	var order []int // lanes by their first claim
	members := map[int][]int{}
	for _, i := range chosen {
		r := root(i)
		if members[r] == nil {
			order = append(order, r)
		}
		members[r] = append(members[r], i)
	}
	out := make([][]int, len(order))
	for k, r := range order {
		out[k] = members[r]
	}
	return out
}

// batchAnswer is a batch row as claim_ticket's result: the ticket's code when the
// request bought or owns it; owner_is_you true for claimed and already_owned, false for
// every other outcome (not_found too, as claim_ticket answers). An already_owned row
// lacks the sale's "at" and is asked again on its own (settle); refusals carry no "at"
// or "hold_expires_at" (claim_batch does not return them).
func batchAnswer(event, ticket int64, r ticketing.BatchResult) ticketing.TicketResult {
	res := ticketing.TicketResult{Outcome: r.Outcome, EventID: &event, TicketID: r.TicketID, Seat: r.Seat, At: r.At,
		Quota: r.Quota, Code: r.Code}
	if res.TicketID == nil {
		res.TicketID = &ticket
	}
	mine := r.Outcome == ticketing.Claimed || r.Outcome == ticketing.AlreadyOwned
	res.OwnerIsYou = &mine
	return res
}
