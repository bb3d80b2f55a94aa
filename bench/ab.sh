#!/usr/bin/env bash
# A/B of two builds of the extension on the same benchmark matrix, run in turns (A, B,
# A, B, ...) so that what else the machine does falls on both alike. Each build is a
# tree made by `make install DESTDIR=...`; each turn starts a throwaway cluster that
# loads the extension from that tree (Debian's extension_destdir).
#
# usage: bash bench/ab.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]
#   e.g. git worktree add /tmp/main origin/main && make -C /tmp/main install DESTDIR=/tmp/a
#        make install DESTDIR=/tmp/b && bash bench/ab.sh /tmp/a /tmp/b /tmp/ab 3
# The matrix comes from bench/inside.sh's filters (BENCH_WORKLOADS, BENCH_STRATEGIES,
# BENCH_CLIENTS, BENCH_SYNCS, BENCH_SECONDS, ...); results: OUT_DIR/{a,b}-ROUND.jsonl and
# the tables of bench/report.py --ab.
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/../scripts/common.sh"

A=${1:?usage: ab.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]}
B=${2:?usage: ab.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]}
OUT=${3:?usage: ab.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]}
ROUNDS=${4:-2}
mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
    for side in a b; do
        tree=$A
        [ "$side" = b ] && tree=$B
        say "round $round, build $side ($tree)"
        with_bench_cluster -o "extension_destdir=$tree" \
            bash "$BENCH_DIR/inside.sh" full "$OUT/$side-$round.jsonl" "$OUT/server.txt" ||
            say "round $round, build $side: the run failed"
    done
done
python=$(command -v /usr/bin/python3 || command -v python3)
"$python" "$BENCH_DIR/report.py" --ab "$OUT"
