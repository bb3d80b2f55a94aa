// Our tables and their columns, looked up by name in the catalogs. Both raise ERROR
// (so call them inside pg_call) when the extension's objects are not where they belong.
#pragma once

#include "pg.hpp"

namespace ticketing::backend {

// The relation id of table `name` in namespace `schema`.
Oid require_table(Oid schema, const char* name);

// The number of column `name` of relation `relid`.
AttrNumber require_column(Oid relid, const char* name);

} // namespace ticketing::backend
