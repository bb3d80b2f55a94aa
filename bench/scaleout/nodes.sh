# Throwaway PostgreSQL 15 nodes on loopback for the scale-out benchmark (bench/scaleout.sh),
# each with its own data directory and port, run as the postgres OS user. Sourced, not run.
# Set SCALE_DIR (a directory postgres may write) before calling node_start.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

# runuser opens a PAM session, which sets the soft limit of open files back to the
# default (1024 here): raise it to the hard limit again, for 1,000 clients through pgbouncer.
as_pg() { runuser -u postgres -- bash -c 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"' _ "$@"; }

# node_start NAME PORT [SETTING=VALUE ...]: initdb + start; extra settings go to
# postgresql.conf. TICKETING_EXTENSION_DESTDIR (Debian's extension_destdir) lets a
# private install of the extensions be used instead of the system one.
node_start() {
    local name=$1 port=$2
    local dir="$SCALE_DIR/$name"
    shift 2
    as_pg "$PG_BINDIR/initdb" -D "$dir/data" -A trust -N -U postgres >"$dir.initdb.log" 2>&1 ||
        { cat "$dir.initdb.log" >&2; return 1; }
    {
        echo "port = $port"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$SCALE_DIR'"
        echo "max_connections = 300"
        echo "shared_buffers = 256MB"
        # Statement times per node (the report's executor time per call); loaded on every
        # node of every configuration alike.
        echo "max_wal_size = 4GB"
        echo "checkpoint_timeout = 30min"
        # The commit's flush is the same work with or without a router, but its CPU per
        # claim depends on how many commits share one flush, which on one shared machine
        # follows each configuration's throughput: left out of the comparison.
        echo "synchronous_commit = off"
        echo "log_min_messages = warning"
        echo "shared_preload_libraries = 'pg_stat_statements'"
        if [ -n "${TICKETING_EXTENSION_DESTDIR:-}" ]; then
            echo "extension_destdir = '$TICKETING_EXTENSION_DESTDIR'"
        fi
        local kv
        for kv in "$@"; do echo "$kv"; done
    } | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
    as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir.log" -w start >/dev/null ||
        { cat "$dir.log" >&2; return 1; }
}

node_stop() {
    [ -f "$SCALE_DIR/$1/data/postmaster.pid" ] &&
        as_pg "$PG_BINDIR/pg_ctl" -D "$SCALE_DIR/$1/data" -m fast -w stop >/dev/null
}

# npsql PORT [psql args]: unaligned, tuples only, stops on the first error.
npsql() {
    local port=$1
    shift
    as_pg psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$SCALE_DIR" -p "$port" -U postgres "$@"
}

# pid_cpu_ticks PID: user + system CPU of one process (clock ticks).
pid_cpu_ticks() {
    local f
    read -r -a f < <(sed 's/^.*) //' "/proc/$1/stat")
    echo $((f[11] + f[12]))
}

# node_cpu_ticks NAME: CPU time (clock ticks, user + system) the node has used so far: the
# postmaster, its live children, and its exited children (cutime/cstime, which the
# postmaster collects when it reaps them), so short-lived backends count too.
node_cpu_ticks() {
    local pid total=0 f
    pid=$(head -1 "$SCALE_DIR/$1/data/postmaster.pid")
    # Fields after the command: utime=14 stime=15 cutime=16 cstime=17 (1-based, /proc/PID/stat).
    read -r -a f < <(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((f[11] + f[12] + f[13] + f[14]))
    local child
    for child in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
        if read -r -a f < <(sed 's/^.*) //' "/proc/$child/stat" 2>/dev/null); then
            total=$((total + f[11] + f[12]))
        fi
    done
    echo "$total"
}
