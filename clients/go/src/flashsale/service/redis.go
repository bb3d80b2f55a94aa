package service

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gomodule/redigo/redis"

	"flashsale/ticketing"
)

// RedisBackend is the "seckill" design many teams reach for in a flash sale, kept here
// only to be measured against the extension (clients/go/bench, docs/go-service-benchmark.md):
// the sale is one Lua script in Redis that checks and marks the seat, counts it, and
// appends the sale to a Redis list as its audit record. It has none of the extension's
// guarantees beyond the seat itself (no holds, limits, idempotency keys, foreign keys,
// triggers, privileges or replicas); how durable an acknowledged sale is depends on
// Redis's append-only file: `appendonly yes` with `appendfsync always` (each write
// flushed before the answer, the counterpart of synchronous_commit = on) or `everysec`
// (the counterpart of off). Do not sell with it.
//
// It serves POST /events/{event}/tickets/{ticket}/claim (a given seat),
// POST /events/{event}/claim-any (one seat, any) and GET /events/{event}; every other
// route answers 501. An event is three keys, loaded with LoadRedisEvent:
//
//	ev:{E}:meta   hash: total (tickets 1..total), sold, next (where any-seat claims look first)
//	ev:{E}:seats  hash: ticket id -> owner, for sold tickets
//	ev:{E}:audit  list: "ticket customer unix-microseconds", one per sale, in order
type RedisBackend struct {
	pool *redis.Pool
}

// NewRedisBackend serves the routes above from the Redis server at addr (host:port),
// with up to size connections.
func NewRedisBackend(addr string, size int) *RedisBackend {
	return &RedisBackend{pool: &redis.Pool{
		MaxIdle:   size,
		MaxActive: size,
		Wait:      true,
		Dial:      func() (redis.Conn, error) { return redis.Dial("tcp", addr) },
	}}
}

// Close closes the connections.
func (b *RedisBackend) Close() error { return b.pool.Close() }

// RedisKeys are the keys of one event (hash-tagged, so that one script's keys share a
// slot in a Redis cluster).
func RedisKeys(event int64) (meta, seats, audit string) {
	tag := fmt.Sprintf("ev:{%d}", event)
	return tag + ":meta", tag + ":seats", tag + ":audit"
}

// LoadRedisEvent makes event an event of tickets 1..n with nothing sold (replacing
// whatever was there).
func LoadRedisEvent(conn redis.Conn, event int64, n int) error {
	meta, seats, audit := RedisKeys(event)
	if _, err := conn.Do("DEL", meta, seats, audit); err != nil {
		return err
	}
	_, err := conn.Do("HSET", meta, "total", n, "sold", 0, "next", 1)
	return err
}

// claimScript sells one seat: ARGV[1] the ticket (0: any seat), ARGV[2] the customer.
// Answers {outcome, ticket, unix seconds, microseconds}.
var claimScript = redis.NewScript(3, `
local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
if not total then return {'not_found', 0, 0, 0} end
local ticket = tonumber(ARGV[1])
if ticket == 0 then
  if tonumber(redis.call('HGET', KEYS[1], 'sold')) >= total then return {'sold_out', 0, 0, 0} end
  ticket = tonumber(redis.call('HGET', KEYS[1], 'next'))
  while redis.call('HEXISTS', KEYS[2], ticket) == 1 do
    ticket = ticket % total + 1
  end
  redis.call('HSET', KEYS[1], 'next', ticket % total + 1)
elseif ticket < 1 or ticket > total then
  return {'not_found', ticket, 0, 0}
else
  local owner = redis.call('HGET', KEYS[2], ticket)
  if owner == ARGV[2] then return {'already_owned', ticket, 0, 0} end
  if owner then return {'already_sold', ticket, 0, 0} end
end
redis.call('HSET', KEYS[2], ticket, ARGV[2])
redis.call('HINCRBY', KEYS[1], 'sold', 1)
local now = redis.call('TIME')
redis.call('RPUSH', KEYS[3], ticket .. ' ' .. ARGV[2] .. ' ' .. now[1] .. string.format('%06d', tonumber(now[2])))
return {'claimed', ticket, tonumber(now[1]), tonumber(now[2])}
`)

// Claim runs the script for one seat (ticket 0: any).
func (b *RedisBackend) Claim(event, ticket int64, customer string) (ticketing.TicketResult, error) {
	if err := validateCustomer(customer); err != nil {
		return ticketing.TicketResult{}, err
	}
	conn := b.pool.Get()
	defer conn.Close()
	meta, seats, audit := RedisKeys(event)
	reply, err := redis.Values(claimScript.Do(conn, meta, seats, audit, ticket, customer))
	if err != nil {
		return ticketing.TicketResult{}, err
	}
	var outcome string
	var id, sec, usec int64
	if _, err := redis.Scan(reply, &outcome, &id, &sec, &usec); err != nil {
		return ticketing.TicketResult{}, err
	}
	res := ticketing.TicketResult{Outcome: ticketing.Outcome(outcome), EventID: &event}
	if id != 0 {
		res.TicketID = &id
		seat := "GA-" + strconv.FormatInt(id, 10)
		res.Seat = &seat
	}
	if res.Outcome != ticketing.NotFound && res.Outcome != ticketing.SoldOut {
		mine := res.Outcome == ticketing.Claimed || res.Outcome == ticketing.AlreadyOwned
		res.OwnerIsYou = &mine
	}
	if res.Outcome == ticketing.Claimed {
		at := time.Unix(sec, usec*1000)
		res.At = &at
	}
	return res, nil
}

func (b *RedisBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := parseRoute(r.URL.Path)
	if !ok || r.Method != rt.method() {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no_route", Message: r.Method + " " + r.URL.Path})
		return
	}
	switch rt.action {
	case actionClaim:
		var req ticketRequest
		if err := decodeBody(w, r, &req); err != nil {
			writeError(w, err)
			return
		}
		if req.Wait != "" || req.HoldSeconds != 0 {
			writeError(w, notSupported("the Redis backend neither waits nor holds"))
			return
		}
		if rt.ticket <= 0 {
			writeError(w, badRequest("ticket_id must be a positive number"))
			return
		}
		res, err := b.Claim(rt.event, rt.ticket, req.Customer)
		if err != nil {
			writeError(w, err)
			return
		}
		writeOutcome(w, res.Outcome, res)
	case routeClaimAny:
		var req claimAnyRequest
		if err := decodeBody(w, r, &req); err != nil {
			writeError(w, err)
			return
		}
		if (req.Quantity != 0 && req.Quantity != 1) || req.Section != "" || req.SeatPrefix != "" || req.Adjacent || req.HoldSeconds != 0 {
			writeError(w, notSupported("the Redis backend claims one seat, anywhere"))
			return
		}
		res, err := b.Claim(rt.event, 0, req.Customer)
		if err != nil {
			writeError(w, err)
			return
		}
		order := ticketing.OrderResult{Outcome: res.Outcome, EventID: res.EventID, At: res.At}
		if res.Outcome == ticketing.Claimed {
			order.TicketIDs, order.Seats = []int64{*res.TicketID}, []string{*res.Seat}
		}
		writeOutcome(w, order.Outcome, order)
	case routeSummary:
		b.summary(w, rt.event)
	default:
		writeError(w, notSupported("the Redis backend serves claims only"))
	}
}

func (b *RedisBackend) summary(w http.ResponseWriter, event int64) {
	conn := b.pool.Get()
	defer conn.Close()
	meta, _, _ := RedisKeys(event)
	counts, err := redis.Int64Map(conn.Do("HGETALL", meta))
	if err != nil || len(counts) == 0 {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "not_found", Message: fmt.Sprintf("no event %d", event)})
		return
	}
	writeJSON(w, http.StatusOK, ticketing.EventCounts{EventID: event, Total: counts["total"],
		Available: counts["total"] - counts["sold"], Sold: counts["sold"]})
}
