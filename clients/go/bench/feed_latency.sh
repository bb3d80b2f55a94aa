#!/usr/bin/env bash
# Commit-to-client latency of the live feed (issue 22): CLIENTS SSE clients (default
# 1,000) follow one event through one flashsale service while BUYERS (64) sell it out
# through the same service (claim-any over HTTP); flashwatch notes when each message
# reaches each client and compares it with the commit time of every change it brings
# (pg_xact_commit_timestamp, so the cluster runs with track_commit_timestamp = on), and
# reads the service's VmRSS before the clients connect, with them connected, and after
# the sell-out. This tree's build is loaded from a DESTDIR (Debian's extension_destdir)
# and preloaded; fsync on.
#
#   bash clients/go/bench/feed_latency.sh [--clients=1000] [--buyers=64] [--tickets=20000]
#        [--pool=32] [--out=FILE]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
source "$ROOT/scripts/common.sh"

clients=1000 buyers=64 tickets=20000 pool=32 out=""
for arg in "$@"; do
    case $arg in
        --clients=*) clients=${arg#*=} ;;
        --buyers=*) buyers=${arg#*=} ;;
        --tickets=*) tickets=${arg#*=} ;;
        --pool=*) pool=${arg#*=} ;;
        --out=*) out=${arg#*=} ;;
        *) say "unknown argument: $arg"; exit 2 ;;
    esac
done
require_root
ensure_packages golang-go golang-github-jackc-pgx-v4-dev
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
make -C "$ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_BINDIR/pg_config" >/dev/null
make -C "$ROOT" -s install DESTDIR="$work/feed" PG_CONFIG="$PG_BINDIR/pg_config" >/dev/null
bash "$ROOT/clients/go/build.sh" "$work/bin"
(source "$ROOT/clients/go/goenv.sh" && go build -o "$work/bin/flashwatch" flashsale/cmd/flashwatch)
libdir=$("$PG_BINDIR/pg_config" --pkglibdir)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
with_bench_cluster -o track_commit_timestamp=on -o "extension_destdir=$work/feed" \
    -o "shared_preload_libraries=$work/feed$libdir/ticketing" \
    env BIN="$work/bin" CLIENTS="$clients" BUYERS="$buyers" TICKETS="$tickets" POOL="$pool" \
    bash "$ROOT/clients/go/bench/feed_latency_inside.sh" | grep -v -e "^Creating new PostgreSQL cluster" -e "^Dropping cluster" >"$work/result"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "bash clients/go/bench/feed_latency.sh --clients=$clients --buyers=$buyers --tickets=$tickets --pool=$pool"
    echo "at $(git -C "$ROOT" rev-parse --short HEAD) on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores;" \
        "load average before $load_before, after $load_after"
    cat "$work/result"
} >"${out:-/dev/stdout}"
