#!/usr/bin/env bash
# The failover figures of docs/reliability.md: t/001_kill_primary.pl with 5 failovers
# (FAILOVERS) and 32 clients, and figures/sync_cost.pl (claims/s and latency of a sale
# with and without the synchronous standby). About 6 minutes; as root, with the
# extension installed (hold /work/bin/with-pg15-lock around it on a shared machine).
#   bash test/failover/figures.sh
# Prints the suite's output, then a Markdown summary.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

FAILOVERS=${FAILOVERS:-5} CLIENTS=${CLIENTS:-32} \
    bash "$HERE/run_failover.sh" t/001_kill_primary.pl figures/sync_cost.pl 2>&1 | tee "$log" >&2
status=${PIPESTATUS[0]}

line=$(grep -E '^# failover: [0-9]+ clients' "$log" | tail -1)
gaps=$(sed -E 's/.*seconds without a primary: ([0-9. ]+);.*/\1/' <<<"$line")
p50=$(tr ' ' '\n' <<<"$gaps" | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
echo
echo "## Failover figures ($(date -u +%Y-%m-%d), $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null))"
echo
echo "- ${line#\# }"
echo "- seconds without a primary, each failover: $gaps; p50: $p50"
echo
echo "| clients | sync: claims/s | sync: ms per claim | async: claims/s | async: ms per claim | throughput lost to the standby |"
echo "|---|---|---|---|---|---|"
grep -E '^# FIGURE' "$log" | sed -E 's/^# FIGURE //'
echo
tail -1 "$log"
exit "$status"
