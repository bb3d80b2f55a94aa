// The only door to PostgreSQL's headers. C++ standard headers come first, so the
// server's macros (Max, Min, gettext, snprintf, ...) cannot rewrite them; then the
// server headers, as C.
#pragma once

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"
}

#include "pg_compat.hpp"

// PostgreSQL 15 does not hide symbols; src/exports.map keeps everything but the SQL
// entry points and the module magic local. Entry points are named ticketing_*.
