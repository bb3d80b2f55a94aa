# The assert-enabled PostgreSQL of scripts/cassert.sh: building it once from Debian's
# source package, building the extension against it, and running a throwaway cluster
# of it. Sourced after common.sh, not run.

source "$(dirname "${BASH_SOURCE[0]}")/pg-build.sh"

# shellcheck disable=SC2034 # installed by scripts/cassert.sh
CASSERT_BUILD_PACKAGES=(bison flex zlib1g-dev dpkg-dev patch bzip2 xz-utils)
TICKETING_CACHE=${TICKETING_CACHE:-/var/cache/ticketing}

# Debian's source packages need a deb-src line for the archive the binaries come from:
# a copy of the system's deb822 source file with Types: deb-src, if none is there yet.
cassert_enable_sources() {
    if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return 0
    fi
    local deb822
    deb822=$(grep -lsE '^Types:.*\bdeb\b' /etc/apt/sources.list.d/*.sources | head -1)
    if [ -n "$deb822" ]; then
        sed -E 's/^Types:.*/Types: deb-src/' "$deb822" >/etc/apt/sources.list.d/ticketing-deb-src.sources
    elif [ -f /etc/apt/sources.list ]; then
        sed -nE 's/^deb (.*)/deb-src \1/p' /etc/apt/sources.list >/etc/apt/sources.list.d/ticketing-deb-src.list
    else
        say "no apt source to copy a deb-src line from"
        return 1
    fi
    apt-get -o DPkg::Lock::Timeout=600 update -qq
}

# Versions of PostgreSQL 15's Debian source package to try, best first: the installed
# one, then every other the archive lists, newest first (the security archive has been
# seen to list a newer version whose files it does not serve).
cassert_versions() {
    local installed
    installed=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null)
    [ -n "$installed" ] && echo "$installed"
    apt-cache showsrc postgresql-15 2>/dev/null | sed -nE 's/^Version: (.*)/\1/p' |
        sort -rV | grep -vxF "${installed:-none}"
}

# Prints the prefix of the assert-enabled server, building it first if the cache lacks
# it: PostgreSQL's sources from Debian's source package of postgresql-15 (Debian's
# patches applied, except the two that move the install and socket directories to the
# system's), configured with --enable-cassert --enable-debug.
cassert_server_prefix() {
    local version upstream prefix src
    for version in $(cassert_versions); do
        prefix="$TICKETING_CACHE/pg-${version%%-*}-cassert"
        if [ -f "$prefix/.complete" ]; then
            echo "$prefix"
            return 0
        fi
    done
    cassert_enable_sources || return 1
    src="$TICKETING_CACHE/src"
    for version in $(cassert_versions); do
        rm -rf "$src"
        mkdir -p "$src"
        if (cd "$src" && apt-get source --download-only "postgresql-15=$version" >/dev/null 2>&1); then
            break
        fi
        say "the source of postgresql-15 $version does not download; trying another version"
        version=""
    done
    [ -n "$version" ] || { say "no source of postgresql-15 could be downloaded"; return 1; }
    upstream=${version%%-*}
    prefix="$TICKETING_CACHE/pg-$upstream-cassert"
    say "building PostgreSQL $upstream with --enable-cassert into $prefix (about 5 minutes, once)"
    pg_build_debian_source "$src" "$prefix" --enable-cassert --enable-debug --without-icu \
        --without-readline --with-zlib CFLAGS='-O2 -g -fno-omit-frame-pointer' || return 1
    echo "$prefix"
}

# Copies the extension's sources to DIR and builds and installs them against PREFIX,
# with ASan and UBSan unless TICKETING_SANITIZE=0.
cassert_build_extension() {
    local prefix=$1 dir=$2
    mkdir -p "$dir"
    (cd "$TICKETING_ROOT" && tar cf - Makefile ./*.control ./*--*.sql src sql expected \
        test/isolation) | tar xf - -C "$dir" || return 1
    find "$dir" -name '*.o' -delete
    local -a flags=(PG_CONFIG="$prefix/bin/pg_config" TICKETING_WERROR=1)
    [ "${TICKETING_SANITIZE:-1}" != 0 ] && flags+=(TICKETING_SANITIZE=1)
    make -C "$dir" -j"$(nproc)" "${flags[@]}" && make -C "$dir" install "${flags[@]}"
}

# The ASan runtime to preload into the server (the server itself is not instrumented;
# the extension is, and its runtime must be loaded first), with the C++ runtime: ASan
# intercepts __cxa_throw when it starts, so libstdc++ must be there already rather than
# arrive later with the extension.
cassert_asan_runtime() {
    [ "${TICKETING_SANITIZE:-1}" != 0 ] &&
        echo "$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so.6)"
}

# Starts a cluster of PREFIX in WORK (data, socket and server.log), as the postgres OS
# user, reachable only through the socket WORK/socket. max_connections sizes what
# SERIALIZABLE transactions may record (RWConflictPool: 50 per backend): 64 clients of
# the waiting-list drain, slower on this build, ran out of it at 200 ("not enough
# elements in RWConflictPool to record a read/write conflict", 53200).
cassert_start() {
    local prefix=$1 work=$2 asan
    CASSERT_PREFIX=$prefix
    mkdir -p "$work/socket"
    chown postgres: "$work" "$work/socket"
    runuser -u postgres -- "$prefix/bin/initdb" -A trust -U postgres -D "$work/data" >"$work/initdb.log" 2>&1 ||
        { cat "$work/initdb.log" >&2; return 1; }
    asan=$(cassert_asan_runtime)
    runuser -u postgres -- env ${asan:+LD_PRELOAD="$asan"} \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:disable_coredump=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$prefix/bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 120 start \
        -o "-c listen_addresses='' -k $work/socket -c max_connections=500 -c shared_buffers=256MB -c fsync=off -c max_wal_size=2GB" \
        >/dev/null || { cat "$work/server.log" >&2; return 1; }
}

# Stops the cluster cassert_start started in WORK, if it runs.
cassert_stop() {
    local work=$1
    [ -n "${CASSERT_PREFIX:-}" ] && [ -f "$work/data/postmaster.pid" ] || return 0
    runuser -u postgres -- "$CASSERT_PREFIX/bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
}

# Prints what in the server log shows an assertion failure, a sanitizer report or a
# crashed backend; status 0 when there is any.
cassert_log_problems() {
    grep -E 'TRAP:|AddressSanitizer|LeakSanitizer|runtime error:|terminated by signal|was terminated by|PANIC:' "$1"
}
