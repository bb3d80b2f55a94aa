#!/usr/bin/env bash
# Benchmark of ticketing against what users would otherwise write. Installs what is
# missing, builds and installs the extension, starts a throwaway PostgreSQL 15 cluster,
# runs every strategy (bench/strategies/*.sql) under pgbench with a reset and an integrity
# check around each run, and writes the results.
#
# usage: bash bench/run.sh            full run (20-40 min): docs/bench-results.md and
#                                     docs/bench-spread.png
#        bash bench/run.sh --quick    smoke test (~2 min): 2 s per strategy, 16 clients,
#                                     results under bench/out/quick/; exits non-zero if a
#                                     strategy other than naive oversells, a quota is sold
#                                     past its size, or any run errors
#        BENCH_WORKLOADS="quotas noquotas cart" bash bench/run.sh --out=bench/out/issue18
#                                     issue 18's figures only (quotas against no quotas,
#                                     a cart against claim_ticket, in turns): ~8 min
# Options: --no-build (use the installed extension), --out=DIR (where the Markdown and the
# PNG go). Environment: see bench/inside.sh (BENCH_SECONDS, BENCH_WORKLOADS, ...).
# Last line: "bench: N passed, M failed" (", K skipped" when a strategy is not available
# in this build); every run with a clean integrity check counts as passed.
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/../scripts/common.sh"

MODE=full
BUILD=1
OUT=""
for arg in "$@"; do
    case $arg in
    --quick) MODE=quick ;;
    --no-build) BUILD=0 ;;
    --out=*) OUT=${arg#--out=} ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) say "unknown argument: $arg (try --help)"; exit 2 ;;
    esac
done
# As run, with any BENCH_* setting in front, for the results' header.
COMMAND="$(env | grep -E '^BENCH_[A-Z_]+=' | sort | tr '\n' ' ')bash bench/run.sh${*:+ $*}"

require_root
ensure_packages gnuplot-nox python3
if [ "$BUILD" = 1 ]; then
    build_and_install || { say "build failed"; echo "bench: 0 passed, 1 failed"; exit 1; }
fi

if [ -z "$OUT" ]; then
    if [ "$MODE" = quick ]; then OUT="$BENCH_DIR/out/quick"; else OUT="$TICKETING_ROOT/docs"; fi
fi
RAW="$BENCH_DIR/out/$MODE"
mkdir -p "$OUT" "$RAW"
RESULTS="$RAW/runs.jsonl"
INFO="$RAW/server.txt"
: >"$RESULTS"
rm -f "$RAW"/pgbench-*.log "$RAW/spread.tsv"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before: $load_before (other work on this machine skews the numbers)"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
# fsync on (with_bench_cluster): a commit must reach the disk for synchronous_commit
# on/off (and batching commits) to mean anything.
with_bench_cluster bash "$BENCH_DIR/inside.sh" "$MODE" "$RESULTS" "$INFO"
cluster_rc=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
[ $cluster_rc -eq 0 ] || say "the cluster run exited with status $cluster_rc"

python=$(command -v /usr/bin/python3 || command -v python3)
info=()
[ -f "$INFO" ] && mapfile -t info <"$INFO"
"$python" "$BENCH_DIR/report.py" --markdown "$RESULTS" "$OUT/bench-results.md" "$RAW/spread.tsv" \
    "command=$COMMAND" "mode=$MODE" "date=$started" \
    "machine=$(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)" \
    "cpu=$(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -1)" \
    "load_before=$load_before" "load_after=$load_after" "rtt_us=${BENCH_RTT_US:-0}" "${info[@]}"
ncols=$(head -1 "$RAW/spread.tsv" 2>/dev/null | awk -F'\t' '{print NF}')
if [ "${ncols:-0}" -ge 2 ]; then
    gnuplot -e "datafile='$RAW/spread.tsv'; outfile='$OUT/bench-spread.png'; ncols=$ncols; subtitle='$(nproc) CPUs, $started, $MODE run'" \
        "$BENCH_DIR/plot.gp" || say "plot failed"
fi
say "results: $OUT/bench-results.md, $OUT/bench-spread.png (raw: $RESULTS)"

"$python" "$BENCH_DIR/report.py" --verdict "$RESULTS" "$cluster_rc"
