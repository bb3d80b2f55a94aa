#!/usr/bin/env python3
"""Markdown report of bench/scaleout.sh: the median of the runs of each cell (claims/s and
CPU microseconds per claim on the router, the shards and the pooler), and the ratios of
routed and pooled claims to direct ones."""
import argparse
import csv
import os
import statistics
import sys
from collections import defaultdict

NUMERIC = ["per_call", "calls", "tps", "failed", "sales", "router_us", "shards_us", "bouncer_us",
           "router_exec_us", "shard_exec_us"]


def load(path):
    cells = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            for k in NUMERIC:
                row[k] = float(row[k])
            key = (row["config"], row["workload"], row["protocol"], int(row["clients"]))
            cells[key].append(row)
    return cells


def med(rows, k):
    return statistics.median(r[k] for r in rows)


def total_us(rows):
    return statistics.median(r["router_us"] + r["shards_us"] + r["bouncer_us"] for r in rows)


def spread(rows, k):
    vals = [r[k] for r in rows]
    return f"{min(vals):,.0f}-{max(vals):,.0f}" if len(vals) > 1 else "-"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("verify")
    ap.add_argument("--started", default="")
    ap.add_argument("--duration", default="")
    ap.add_argument("--repeats", default="")
    ap.add_argument("--load", default="")
    ap.add_argument("--commit", default="")
    ap.add_argument("--command", default="bash bench/scaleout.sh")
    a = ap.parse_args()
    cells = load(a.results)
    out = []
    w = out.append
    w("# Scale-out benchmark results\n")
    w(f"Reproduce: `{a.command}` (as root, outside any cluster). Commit {a.commit}, "
      f"started {a.started}, {machine()}, load average before -> after: {a.load}. "
      f"Each cell: {a.repeats} run(s) of {a.duration} s; the median run is shown, with the "
      "range of claims/s over the runs.\n")
    w("**Every node, the pooler and pgbench share the same cores.** Routed claims/s here are "
      "not what separate machines give: a router and its shards take turns on two cores. The "
      "figures that carry over are the CPU per claim on each tier (router, shards, pooler; "
      "all processes of each PostgreSQL instance from /proc, exited backends included, "
      "pgbench excluded) and the ratios to a direct claim. `exec µs` is "
      "pg_stat_statements' mean executor time per claim statement (per call, not per claim; "
      "wall clock, so on the router it includes waiting for the shard).\n")
    w("Workloads: **sale**: a random seat among 64 events of many tickets (nearly every "
      "call sells; `synchronous_commit = off` on every node, because the CPU of a commit's "
      "flush per claim follows how many commits share one flush, which here depends on each "
      "configuration's throughput, not on routing); **refusal**: a seat in a sold-out event "
      "(answered `already_sold` by the lock-free look: no lock, no write); **batch**: "
      "`claim_batch` of 20 consecutive seats of one sale event (20 claims per call; "
      "claims/s and µs are per claim); **batch100**: the same with 100 seats per call. "
      "Clients use "
      "`-M prepared` except where the protocol says `extended` (pgbouncer 1.18 cannot carry "
      "named prepared statements).\n")
    w("| config | workload | protocol | clients | claims/s | range | sold/call | router µs | "
      "shards µs | pooler µs | total µs | router exec µs | shard exec µs |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(cells, key=lambda k: (k[0] != "direct", k[0], k[1], k[2], k[3])):
        if key[0].startswith("variant:"):
            continue
        rows = cells[key]
        config, workload, protocol, clients = key
        sold = statistics.median(r["sales"] / r["calls"] for r in rows)
        w(f"| {config} | {workload} | {protocol} | {clients} | {med(rows, 'tps'):,.0f} | "
          f"{spread(rows, 'tps')} | {sold:.2f} | {med(rows, 'router_us'):.1f} | "
          f"{med(rows, 'shards_us'):.1f} | {med(rows, 'bouncer_us'):.1f} | {total_us(rows):.1f} | "
          f"{med(rows, 'router_exec_us'):.1f} | {med(rows, 'shard_exec_us'):.1f} |")
    w("")

    w("## Routed vs direct (same workload, protocol and client count)\n")
    w("| config | workload | direct total µs | routed total µs | ratio | router µs | "
      "shard-side µs (vs direct) | claims/s routed / direct |")
    w("|---|---|---:|---:|---:|---:|---:|---:|")
    for key in sorted(cells):
        config, workload, protocol, clients = key
        if not config.startswith("routed"):
            continue
        base = cells.get(("direct", workload, protocol, clients))
        if not base:
            continue
        rows = cells[key]
        d, r = total_us(base), total_us(rows)
        w(f"| {config} | {workload} | {d:.1f} | {r:.1f} | **{r / d:.2f}x** | "
          f"{med(rows, 'router_us'):.1f} | {med(rows, 'shards_us'):.1f} "
          f"({med(rows, 'shards_us') / med(base, 'shards_us'):.2f}x) | "
          f"{med(rows, 'tps') / med(base, 'tps'):.2f} |")
    w("")

    variants = {k[0].split(":", 1)[1]: v for k, v in cells.items() if k[0].startswith("variant:")}
    if variants:
        w("## Forms of the routed call (refusal workload, router and 2 shards, runs in turns)\n")
        w("What each choice in `ticketing_router--*.sql` saves: `shipped` is the function as "
          "installed; each other row changes one thing (bench/scaleout/variants.sql). "
          "`v_no_claim` routes the same arguments and returns a constant row of the same "
          "shape from the shard without claiming: the floor of any routed call.\n")
        w("| form | claims/s | router µs | shards µs | total µs | vs shipped |")
        w("|---|---:|---:|---:|---:|---:|")
        base = total_us(variants["shipped"]) if "shipped" in variants else None
        labels = {
            "shipped": "shipped: remote `SELECT r.outcome, ... FROM ticketing.claim_ticket(...) AS r`, arguments checked by route_claim_ticket() without SET",
            "v_select_star": "remote `SELECT * FROM ticketing.claim_ticket(...)` (1.2's form)",
            "v_unchecked": "`RUN ON ticketing.route(event_id)`: only the NULL check on the router (1.2)",
            "v_default_query": "PL/Proxy's default remote query (every result column cast)",
            "v_route_with_set": "route() with `SET search_path` (saved and restored per call)",
            "v_bare_hash": "`RUN ON hashint8(event_id)`: no NULL check (XX000 on NULL)",
            "v_no_claim": "no claim: a constant row of the same shape (the floor)",
            "text_io": "text instead of binary I/O to the shards (`disable_binary`)",
        }
        for name in ["shipped", "v_select_star", "v_unchecked", "v_default_query", "v_route_with_set", "v_bare_hash",
                     "text_io", "v_no_claim"]:
            if name not in variants:
                continue
            rows = variants[name]
            t = total_us(rows)
            delta = f"{t - base:+.1f} µs" if base is not None else "-"
            w(f"| {labels[name]} | {med(rows, 'tps'):,.0f} | {med(rows, 'router_us'):.1f} | "
              f"{med(rows, 'shards_us'):.1f} | {t:.1f} | {delta} |")
        w("")

    w("## pgbouncer vs direct at the best client count\n")
    direct_sales = {k: v for k, v in cells.items() if k[0] == "direct" and k[1] == "sale"}
    best = max(direct_sales, key=lambda k: med(direct_sales[k], "tps") if k[2] == "prepared" else -1)
    ext = [k for k in direct_sales if k[2] == "extended"]
    w("| config | clients | claims/s | vs direct prepared | vs direct extended | total µs | "
      "of which pooler µs | failed |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(cells):
        if not key[0].startswith("pgbouncer"):
            continue
        rows = cells[key]
        t = med(rows, "tps")
        vs_ext = f"{t / med(direct_sales[ext[0]], 'tps'):.2f}" if ext else "-"
        w(f"| {key[0]} | {key[3]} | {t:,.0f} | {t / med(direct_sales[best], 'tps'):.2f} "
          f"(direct at {best[3]}) | {vs_ext} | {total_us(rows):.1f} | "
          f"{med(rows, 'bouncer_us'):.1f} | {med(rows, 'failed'):.0f} |")
    w("")

    w("## Oversells\n")
    with open(a.verify) as f:
        for line in f:
            _, config, problems = line.rstrip("\n").split("\t")
            w(f"- {config}: `verify()` after the runs: {problems} problems")
    w("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
