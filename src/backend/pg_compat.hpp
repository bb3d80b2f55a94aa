// The PostgreSQL-version differences the backend layer meets, all in one place (15 is
// the oldest major supported; 16, 17 and 18 build from the same sources). Included by
// pg.hpp after the server headers; call sites use these names instead of #if.
#pragma once

extern "C" {
#include "access/genam.h"
#include "common/base64.h"
#include "utils/relcache.h"
}

#if PG_VERSION_NUM < 150000
#error "ticketing needs PostgreSQL 15 or later"
#endif

namespace ticketing::backend {

// PostgreSQL 18 added a statistics argument (IndexScanInstrumentation *) to
// index_beginscan, after the snapshot; nullptr asks for none, as before 18.
inline IndexScanDesc begin_index_scan(Relation heap, Relation index, Snapshot snapshot, int nkeys,
                                      int norderbys) {
#if PG_VERSION_NUM >= 180000
    return index_beginscan(heap, index, snapshot, nullptr, nkeys, norderbys);
#else
    return index_beginscan(heap, index, snapshot, nkeys, norderbys);
#endif
}

// The OID of a table's primary key index, InvalidOid when it has none or when it is
// DEFERRABLE (a deferrable key does not guard uniqueness at the moment of a write).
// Before 18 the relcache never returned a deferrable key; 18 asks (deferrable_ok).
inline Oid primary_key_index(Relation relation) {
#if PG_VERSION_NUM >= 180000
    return RelationGetPrimaryKeyIndex(relation, false);
#else
    return RelationGetPrimaryKeyIndex(relation);
#endif
}

// PostgreSQL 18 declares base64's input as bytes (const uint8 *), before 18 as
// const char *; the encoding is the same.
inline int base64_encode(const unsigned char* src, int len, char* dst, int dstlen) {
#if PG_VERSION_NUM >= 180000
    return pg_b64_encode(src, len, dst, dstlen);
#else
    return pg_b64_encode(reinterpret_cast<const char*>(src), len, dst, dstlen);
#endif
}

} // namespace ticketing::backend

// The module's magic block. PostgreSQL 18 can also carry the module's name and version,
// which pg_get_loaded_modules() shows; TICKETING_VERSION comes from ticketing.control
// (the Makefile passes it).
#if PG_VERSION_NUM >= 180000
#define TICKETING_MODULE_MAGIC                                                                     \
    PG_MODULE_MAGIC_EXT(.name = "ticketing", .version = TICKETING_VERSION)
#else
#define TICKETING_MODULE_MAGIC PG_MODULE_MAGIC
#endif
