// Package shards routes the service's calls straight to the shard that owns each
// event, with the shard map read from a ticketing_router node (docs/scale-out.md).
package shards

import "math/bits"

// HashInt8 is PostgreSQL's hashint8(): the value PL/Proxy's RUN ON hashint8(event_id)
// and ticketing.shard_of() hash. An event belongs to shard HashInt8(event) & (n - 1).
// Map.Open checks it against the router's own hashint8.
func HashInt8(value int64) uint32 {
	lo := uint32(value)
	hi := uint32(value >> 32)
	if value >= 0 {
		lo ^= hi
	} else {
		lo ^= ^hi
	}
	return hashUint32(lo)
}

// hashUint32 is hash_bytes_uint32() of src/common/hashfn.c (Bob Jenkins' final mix).
func hashUint32(k uint32) uint32 {
	a := uint32(0x9e3779b9) + 4 + 3923095
	b, c := a, a
	a += k
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return c
}

// ShardOf is the shard of event among n shards (n a power of 2).
func ShardOf(event int64, n int) int {
	return int(HashInt8(event) & uint32(n-1))
}
