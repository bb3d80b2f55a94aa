# Shared steps of the two top-level commands (scripts/test.sh, scripts/demo.sh):
# install missing Debian packages, build, install, and run things inside a throwaway
# PostgreSQL 15 cluster. Sourced, not run.

TICKETING_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TICKETING_BUILD="$TICKETING_ROOT/build"
PG_BINDIR=/usr/lib/postgresql/15/bin
export PATH="$PG_BINDIR:$PATH"

# Everything a fresh Debian 12 machine lacks to build, test and demo the extension.
TICKETING_PACKAGES=(
    postgresql-15 postgresql-server-dev-15 postgresql-common libpq-dev
    libssl-dev libboost-test-dev cmake make g++ pkg-config
)

# The PostgreSQL majors besides Debian 12's 15 that the test command also covers
# (scripts/majors.sh builds each once from Debian's source package).
TICKETING_MAJORS=${TICKETING_MAJORS:-17 18}

say() { printf '==> %s\n' "$*" >&2; }

require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        say "run this as root: it installs packages and the extension, and runs a throwaway"
        say "PostgreSQL cluster as the postgres OS user"
        exit 2
    fi
}

# Installs only what is missing; apt-get update runs only when something is.
ensure_packages() {
    local missing=() pkg
    for pkg in "${TICKETING_PACKAGES[@]}" "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "packages: all present"
        return
    fi
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine often runs unattended upgrades right after boot: wait for the
    # package manager's lock (up to 10 minutes) instead of going on without the packages.
    local apt=(apt-get -o DPkg::Lock::Timeout=600)
    if ! "${apt[@]}" update -qq || ! "${apt[@]}" install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null; then
        say "could not install: ${missing[*]} (see apt-get's message above); stopping"
        exit 1
    fi
    for pkg in "${missing[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            say "$pkg is still not installed; stopping"
            exit 1
        fi
    done
}

# PGXS build + install of the extension; CMake build of unit tests and the load client.
build_and_install() {
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    say "building the extension (PGXS)"
    make -C "$TICKETING_ROOT" -s -j"$jobs" PG_CONFIG="$PG_BINDIR/pg_config"
    make -C "$TICKETING_ROOT" -s install PG_CONFIG="$PG_BINDIR/pg_config" >/dev/null
    say "building unit tests and ticketing-load (CMake)"
    cmake -S "$TICKETING_ROOT" -B "$TICKETING_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$TICKETING_BUILD" -j"$jobs" -- --no-print-directory >/dev/null
}

# Runs "$@" with PG* variables pointing at a new cluster (run as the postgres OS user)
# that is removed afterwards, whatever the command's outcome. max_connections sizes the
# pool SERIALIZABLE transactions record their conflicts in (50 per connection): 64
# SERIALIZABLE clients of the waiting-list drain ran out of it at 200 (53200).
with_cluster() {
    pg_virtualenv -t \
        -o max_connections=500 \
        -o shared_buffers=512MB \
        -o max_wal_size=4GB \
        -o checkpoint_timeout=30min \
        "$@"
}

# with_cluster for a benchmark: fsync on. pg_virtualenv turns fsync off, and then a
# commit never reaches the disk: synchronous_commit = on costs what off does, and a
# comparison with a store that flushes (Redis's appendfsync always) favours PostgreSQL.
# The Go service benchmark ran that way until 2026-12-07; every benchmark starts its
# clusters here now, so none can leave it out.
with_bench_cluster() {
    with_cluster -o fsync=on "$@"
}
