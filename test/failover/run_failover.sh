#!/usr/bin/env bash
# Failover suite: a pg_auto_failover formation (monitor, primary, secondary) on this
# machine, with the ledger load of test/reliability selling through it while the primary
# is killed (t/001) or cut off from its synchronous standby and then killed (t/002), and
# the Go service (clients/go) selling through it while the primary is killed (t/003).
#
# Each node runs in a network namespace of its own, made here and removed afterwards:
#   <prefix>-hub  the monitor and the test (the clients);   127.100.0.1 on its lo
#   <prefix>-a    node_a, 127.100.1.2, a veth to the hub (127.100.1.1)
#   <prefix>-b    node_b, 127.100.2.2, a veth to the hub (127.100.2.1)
# Every address is in 127.0.0.0/8 (route_localnet) and lives only in these namespaces;
# the hub routes between a and b, and a policy rule there (blackhole) cuts a <-> b while
# both still reach the monitor and the clients. Nothing touches the host's network.
#
# usage (as root, with the extension installed system-wide):
#   test/failover/run_failover.sh [t/NNN_name.pl ... | figures/NAME.pl]
# Environment:
#   FAILOVER_SECONDS   load per test (001: 40, 002: 30)
#   FAILOVERS          failovers in 001 (2: away and back); 5 for the figures
#   FAILOVER_SYNC=off  negative control: the standby leaves the replication quorum
#                      (asynchronous); the ledger checks must then fail
#   CLIENTS, LEDGER_SEED   as in test/reliability
#   BENCH_SECONDS, ROUNDS, CLIENTS_HIGH   figures/sync_cost.pl (see figures.sh)
# Last line: "failover: N passed, M failed".
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PG_BINDIR=/usr/lib/postgresql/15/bin
PGXS_DIR=/usr/lib/postgresql/15/lib/pgxs
say() { printf '==> %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    say "run this as root: it installs packages, makes network namespaces and runs the nodes as postgres"
    echo "failover: 0 passed, 1 failed"
    exit 2
fi

need=()
for pkg in pg-auto-failover-cli postgresql-15-auto-failover libipc-run-perl libdbd-pg-perl \
    postgresql-15 postgresql-server-dev-15 iproute2 golang-go golang-github-jackc-pgx-v4-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt=(apt-get -o DPkg::Lock::Timeout=600)
    if ! "${apt[@]}" update -qq || ! "${apt[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
        say "could not install ${need[*]}"
        echo "failover: 0 passed, 1 failed"
        exit 1
    fi
fi

PREFIX="tkfo$$"
WORK=$(mktemp -d /tmp/ticketing-failover.XXXXXX)
chmod 755 "$WORK"
chown postgres: "$WORK"

# Ends every process left in our namespaces (all of them ours) and removes the namespaces.
remove_network() {
    local ns pids
    for ns in "$PREFIX-a" "$PREFIX-b" "$PREFIX-hub"; do
        if [ -e "/run/netns/$ns" ]; then
            pids=$(ip netns pids "$ns" 2>/dev/null)
            [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        fi
    done
    sleep 0.5
    for ns in "$PREFIX-a" "$PREFIX-b" "$PREFIX-hub"; do
        [ -e "/run/netns/$ns" ] && ip netns del "$ns"
    done
}
# Also after a failure or an interrupt.
cleanup() {
    remove_network
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The three namespaces and their links.
setup_network() {
    local ns i n
    for ns in hub a b; do
        ip netns add "$PREFIX-$ns" || return 1
        ip -n "$PREFIX-$ns" link set lo up
        # Only 127.0.0.1 itself is local, so that other 127.x addresses can be routed.
        ip -n "$PREFIX-$ns" addr del 127.0.0.1/8 dev lo
        ip -n "$PREFIX-$ns" addr add 127.0.0.1/32 dev lo
        ip netns exec "$PREFIX-$ns" sysctl -qw net.ipv4.conf.all.route_localnet=1 \
            net.ipv4.conf.default.route_localnet=1 || return 1
    done
    ip -n "$PREFIX-hub" addr add 127.100.0.1/32 dev lo
    ip netns exec "$PREFIX-hub" sysctl -qw net.ipv4.ip_forward=1 || return 1
    i=0
    for n in a b; do
        i=$((i + 1))
        ip link add "$PREFIX-h$n" netns "$PREFIX-hub" type veth peer name eth0 netns "$PREFIX-$n" || return 1
        ip netns exec "$PREFIX-hub" sysctl -qw "net.ipv4.conf.$PREFIX-h$n.route_localnet=1"
        ip netns exec "$PREFIX-$n" sysctl -qw net.ipv4.conf.eth0.route_localnet=1
        ip -n "$PREFIX-hub" addr add "127.100.$i.1/24" dev "$PREFIX-h$n"
        ip -n "$PREFIX-$n" addr add "127.100.$i.2/24" dev eth0
        ip -n "$PREFIX-hub" link set "$PREFIX-h$n" up
        ip -n "$PREFIX-$n" link set eth0 up
        ip -n "$PREFIX-$n" route add 127.100.0.0/16 via "127.100.$i.1" src "127.100.$i.2" || return 1
    done
}

# The Go service of t/003 (clients/go), built offline against Debian's pgx; the build
# cache is kept between runs.
mkdir -p /var/cache/ticketing/go-build
if ! GOCACHE=/var/cache/ticketing/go-build bash "$ROOT/clients/go/build.sh" "$WORK/bin" >&2; then
    say "could not build clients/go"
    echo "failover: 0 passed, 1 failed"
    exit 1
fi
chmod -R a+rX "$WORK/bin"

SUITE="$WORK/suite"
mkdir -p "$SUITE"
cp -r "$HERE/t" "$HERE/lib" "$HERE/figures" "$SUITE/"
cp -r "$ROOT/test/reliability/lib" "$SUITE/reliability-lib"
chmod -R a+rX "$SUITE"

tests=()
for test in "$@"; do
    case $test in
    figures/*) tests+=("$SUITE/$test") ;; # the measurements of figures.sh
    *) tests+=("$SUITE/t/$(basename "$test")") ;;
    esac
done
if [ ${#tests[@]} -eq 0 ]; then
    tests=("$SUITE"/t/*.pl)
fi

passed=0
failed=0
for test in "${tests[@]}"; do
    name=$(basename "$test" .pl)
    log="$WORK/$name.log"
    say "$name"
    started=$(date +%s)
    if ! setup_network; then
        say "$name: could not make the network namespaces"
        failed=$((failed + 1))
    else
        install -d -o postgres -m 755 "$WORK/$name"
        # The test runs as root in the hub namespace: it starts the nodes as postgres
        # in theirs (ip netns exec + runuser) and cuts the links. From $WORK, which
        # postgres can enter (wherever the checkout is, psql would warn on stderr).
        (cd "$WORK" && ip netns exec "$PREFIX-hub" env -i PATH="$PG_BINDIR:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
            HOME="$WORK" LANG=C.UTF-8 TESTDIR="$WORK/$name" FO_PREFIX="$PREFIX" FO_FLASHSALE="$WORK/bin/flashsale" \
            PERL5LIB="$PGXS_DIR/src/test/perl:$SUITE/lib:$SUITE/reliability-lib" \
            ${FAILOVER_SECONDS:+FAILOVER_SECONDS="$FAILOVER_SECONDS"} ${FAILOVERS:+FAILOVERS="$FAILOVERS"} \
            ${FAILOVER_SYNC:+FAILOVER_SYNC="$FAILOVER_SYNC"} ${CLIENTS:+CLIENTS="$CLIENTS"} \
            ${LEDGER_SEED:+LEDGER_SEED="$LEDGER_SEED"} ${BENCH_SECONDS:+BENCH_SECONDS="$BENCH_SECONDS"} \
            ${ROUNDS:+ROUNDS="$ROUNDS"} ${CLIENTS_HIGH:+CLIENTS_HIGH="$CLIENTS_HIGH"} \
            ${SERVICE_CLIENTS:+SERVICE_CLIENTS="$SERVICE_CLIENTS"} \
            prove -v "$test") >"$log" 2>&1
        status=$?
        cat "$log" >&2
        ok=$(grep -cE '^ *ok [0-9]+' "$log")
        notok=$(grep -cE '^ *not ok [0-9]+' "$log")
        if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
            notok=1
        fi
        passed=$((passed + ok))
        failed=$((failed + notok))
        say "$name: $ok passed, $notok failed in $(($(date +%s) - started)) s"
        if [ "$status" -ne 0 ]; then
            keep=/tmp/ticketing-failover-failed-$name
            rm -rf "$keep"
            mkdir -p "$keep"
            cp "$log" "$keep/" 2>/dev/null
            (cd "$WORK/$name" && find . -name '*.log' -size -20M -exec cp --parents {} "$keep/" \;) 2>/dev/null
            say "logs kept in $keep"
        fi
    fi
    # Each test gets fresh namespaces.
    remove_network
done

echo "failover: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
