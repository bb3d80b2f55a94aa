package service

import (
	"flashsale/ticketing"
)

// ShardRouter is a ticketing.Querier that runs each call (claim_batch too) on the shard
// that owns its event (flashsale/shards.Map).
type ShardRouter interface {
	ticketing.Querier
}

// NewRouted returns the service with the extension handler on a shard router: every
// route's call goes straight to the shard that owns its event, the calls routed by the
// service as ticketing_router would route them (docs/scale-out.md). The article's
// handler is not offered here (it needs a pool).
func NewRouted(db ShardRouter) *Server {
	tk := ticketing.New(db)
	return &Server{tk: tk, claimer: extensionClaimer{tk: tk}, failover: ticketing.Failover{Wait: DefaultFailoverWait}}
}
