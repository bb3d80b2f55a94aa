#!/usr/bin/env python3
"""Summarise pgbench per-transaction logs (--log) of one run as one JSON object.

usage: txlog.py [--after EPOCH] [--field KEY=VALUE]... LOGFILE...

Prints {"tx": n, "failed": n, "p50_ms": x, "p99_ms": x, "t0": epoch, "t1": epoch,
"after_tx": n, "after_s": x}: t0 is the start of the first transaction, t1 the end of
the last; after_* count the transactions that ended after EPOCH (e.g. the last sale of
a sell-out) and the time from EPOCH to t1. Each --field adds KEY to the object (a
number when VALUE parses as one, else a string), so one run is one JSON line.
Log line (PostgreSQL 15): client_id transaction_no time script_no time_epoch time_us ...
where time is the latency in microseconds, or "failed"/"skipped".
"""
import json
import sys


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    # nearest-rank
    rank = max(1, int(-(-fraction * len(sorted_values) // 1)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def typed(value):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return None if value == "" else value


def main(argv):
    after = None
    fields = {}
    while len(argv) >= 2 and argv[0] in ("--after", "--field"):
        if argv[0] == "--after":
            after = float(argv[1]) if argv[1] not in ("", "null") else None
        else:
            key, _, value = argv[1].partition("=")
            fields[key] = typed(value)
        argv = argv[2:]
    latencies = []
    failed = 0
    t0 = t1 = None
    after_tx = 0
    for path in argv:
        try:
            log = open(path)
        except FileNotFoundError:  # pgbench never started: no log
            continue
        with log:
            for line in log:
                cols = line.split()
                if len(cols) < 6:
                    continue
                end = int(cols[4]) + int(cols[5]) / 1e6
                if not cols[2].isdigit():
                    failed += 1
                    continue
                latency_us = int(cols[2])
                latencies.append(latency_us)
                start = end - latency_us / 1e6
                t0 = start if t0 is None else min(t0, start)
                t1 = end if t1 is None else max(t1, end)
                if after is not None and end > after:
                    after_tx += 1
    latencies.sort()
    ms = lambda us: None if us is None else round(us / 1000.0, 3)
    out = dict(fields)
    out.update({
        "tx": len(latencies),
        "failed": failed,
        "p50_ms": ms(percentile(latencies, 0.50)),
        "p99_ms": ms(percentile(latencies, 0.99)),
        "t0": t0,
        "t1": t1,
        "after_tx": after_tx if after is not None else None,
        "after_s": (t1 - after) if (after is not None and t1 is not None and t1 > after) else None,
    })
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
