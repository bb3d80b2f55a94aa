# PGXS build of the ticketing extension: make && make install && make installcheck
# Two extensions: ticketing (the core, C++) and ticketing_router (SQL and PL/Proxy only,
# for a router node in front of shards that run ticketing; docs/scale-out.md).
EXTENSION = ticketing ticketing_router
MODULE_big = ticketing
DATA = $(wildcard ticketing--*.sql) $(wildcard ticketing_router--*.sql)

CXX_SOURCES = $(wildcard src/core/*.cpp src/backend/*.cpp src/entry/*.cpp)
OBJS = $(CXX_SOURCES:.cpp=.o)

# pg_regress: sql/*.sql against expected/*.out; isolation specs under test/isolation.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=ticketing
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation --load-extension=ticketing

# No LLVM bitcode: the JIT gains nothing from these functions, and PGXS's bitcode rule
# would not see the C++ flags below. Must be set before PGXS is included.
override with_llvm = no
# Rebuild objects when a header they include changes (source basenames are unique).
override autodepend = yes

PG_CONFIG ?= pg_config

# The version ticketing.control installs: the module's magic block carries it on
# PostgreSQL 18 (src/backend/pg_compat.hpp), and the PGXN bundle is named after it.
EXTVERSION := $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" ticketing.control)

# C++17; PostgreSQL 15's headers use `register`, which C++17 rejects. The same flags
# for every major: what differs between majors is in src/backend/pg_compat.hpp (and
# PostgreSQL 16+ PGXS adds -fvisibility=hidden itself; src/exports.map does it on 15).
override PG_CXXFLAGS += -std=c++17 -Wall -Wextra -Wno-register \
	-isystem $(shell $(PG_CONFIG) --includedir-server) \
	-DTICKETING_VERSION='"$(EXTVERSION)"'
ifdef CI
override PG_CXXFLAGS += -Werror
endif
ifdef TICKETING_WERROR
override PG_CXXFLAGS += -Werror
endif
# AddressSanitizer and UndefinedBehaviorSanitizer (scripts/cassert.sh): the server
# preloads the ASan runtime; any UBSan report aborts the backend, so it cannot pass
# unnoticed.
ifdef TICKETING_SANITIZE
override PG_CXXFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
SANITIZE_LINK = -fsanitize=address,undefined
endif

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# libcrypto: OpenSSL's SHA-256 for the ticket codes' HMAC (src/core/hmac_sha256.cpp).
SHLIB_LINK += $(SANITIZE_LINK) -lstdc++ -lcrypto -Wl,--version-script=$(CURDIR)/src/exports.map

# The PGXN release bundle, dist/ticketing-$(EXTVERSION).zip (packaging/dist.sh).
.PHONY: dist
dist:
	sh packaging/dist.sh dist
