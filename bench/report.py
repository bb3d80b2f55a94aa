#!/usr/bin/env python3
"""Turns the benchmark's run records (one JSON object per line, written by bench/lib.sh)
into what people read.

usage:
  report.py --line                      < one JSON line: a one-line summary of that run
  report.py --verdict RESULTS [RC]      pass/fail per run; last line "bench: N passed, M failed";
                                        exit 1 when a run failed (RC: the cluster run's exit
                                        status; non-zero counts as one more failure)
  report.py --issue18 RESULTS            the quota and cart figures (issue 18) as Markdown
  report.py --markdown RESULTS OUT.md PLOTDATA [KEY=VALUE...]
                                        the tables and ratios as Markdown, and the spread
                                        plot's data (claims/s by client count, sync on);
                                        KEY=VALUE: command, date, machine, cpu, ... for the header

A run passes when it ran without errors and its integrity check is clean: no ticket has
two sales, every sold ticket has exactly one sale row, and ticketing.verify() is empty.
The naive strategy is the exception: its double bookings are the race this suite
demonstrates, so it passes when it ran without errors.
"""
import json
import sys

WORKLOADS = ("hot", "spread", "anyseat", "quotas", "noquotas", "cart")
WORKLOAD_TITLES = {
    "hot": "hot: 100 tickets, every client picks a random one of them",
    "spread": "spread: a random ticket among the event's tickets",
    "anyseat": "anyseat: general admission, any available ticket, until sold out",
    "quotas": "quotas: claim_any of a random category (A, B, C) under two overlapping "
              "quotas (AB, BC), until their last unit",
    "noquotas": "noquotas: the same event and requests without quotas",
    "cart": "cart: 4 random seats of the spread event per script, through a cart or "
            "claim_ticket",
}
ORDER = ("naive", "client_txn", "single_statement", "plpgsql", "claim_ticket",
         "ga_for_update", "ga_skip_locked", "ga_single_statement", "claim_any",
         "batch_statement", "claim_batch", "claim_any_category", "cart_checkout",
         "claim_ticket_x4_txn", "claim_ticket_x4")
ISSUE18 = ("quotas", "noquotas", "cart")
GOAL_RATIO = 0.8      # quotas claims/s over noquotas claims/s (issue 18)
GOAL_FLATNESS = 0.8   # quotas: last second / first second of selling
RACE_DEMO = "naive"


def load(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                runs.append(json.loads(line))
    return runs


def num(run, key, default=0):
    value = run.get(key)
    return default if value is None or value == "" else value


def derive(run):
    """Adds the figures the tables show; returns run."""
    if run.get("status") == "unavailable":
        return run
    batch = num(run, "batch", 1) or 1
    t0, t1 = run.get("t0"), run.get("t1")
    window = (t1 - t0) if (t0 is not None and t1 is not None and t1 > t0) else num(run, "seconds", 1)
    run["window_s"] = window
    run["attempts"] = num(run, "tx") * batch
    run["attempts_per_s"] = run["attempts"] / window if window else 0.0
    sold = num(run, "sold")
    tickets = num(run, "tickets")
    # With quotas, sold out means no unit left in any of them (quota_left 0).
    run["sold_out"] = (tickets > 0 and sold >= tickets) or run.get("quota_left") == 0
    last_sale = run.get("last_sale")
    # Selling time: the whole run, or up to the last sale when the event sold out.
    if run["sold_out"] and last_sale is not None and t0 is not None and last_sale > t0:
        run["selling_s"] = last_sale - t0
    else:
        run["selling_s"] = window
    run["claims_per_s"] = sold / run["selling_s"] if run["selling_s"] else 0.0
    # While the event is fresh: the sales up to the one that took it to a tenth sold,
    # over the time from the first transaction to that sale. A strategy that sells more
    # of the event in a run otherwise pays for its own speed: its random picks hit more
    # seats it already sold. The whole run when less than a tenth was sold.
    tenth_at, tenth_n = run.get("tenth_at"), num(run, "tenth_n")
    if isinstance(tenth_at, (int, float)) and t0 is not None and tenth_at > t0 and tenth_n:
        run["fresh_claims_per_s"] = tenth_n / (tenth_at - t0)
    else:
        run["fresh_claims_per_s"] = run["claims_per_s"]
    run["oversells"] = num(run, "sales") - num(run, "distinct_sold")
    after_tx, after_s = run.get("after_tx"), run.get("after_s")
    run["soldout_attempts_per_s"] = (after_tx * batch / after_s
                                     if run["sold_out"] and after_tx and after_s else None)
    # pgbench's count of failed transactions and the log's are the same transactions.
    run["errors"] = (num(run, "aborted") + max(num(run, "pgbench_failed"), num(run, "failed"))
                     + (1 if num(run, "exit") != 0 and num(run, "aborted") == 0 else 0))
    first, last = num(run, "first_second"), num(run, "last_second")
    # The two one-second windows must not overlap: at least 2 s of selling.
    span = (num(run, "last_sale") - num(run, "first_sale")) if run.get("first_sale") else 0
    run["last_vs_first"] = (last / first) if first and span >= 2 else None
    return run


def verdict(run):
    """(passed: bool or None for skipped, reason)."""
    if run.get("status") == "unavailable":
        return None, run.get("note", "not available in this build")
    derive(run)
    problems = []
    if run["errors"]:
        problems.append("%d errors%s" % (run["errors"],
                                         (": " + run["error"]) if run.get("error") else ""))
    if num(run, "tx") == 0:
        problems.append("no transaction completed")
    if run["strategy"] != RACE_DEMO:
        if run["oversells"] > 0:
            problems.append("OVERSOLD: %d double bookings on %d tickets"
                            % (run["oversells"], num(run, "double_booked")))
        if num(run, "sold") != num(run, "distinct_sold"):
            problems.append("sold tickets %d != tickets with a sale row %d"
                            % (num(run, "sold"), num(run, "distinct_sold")))
        if num(run, "violations"):
            problems.append("ticketing.verify() reports %d violations" % num(run, "violations"))
        if num(run, "quota_over"):
            problems.append("%d quotas sold or held past their size" % num(run, "quota_over"))
    return (not problems), "; ".join(problems)


def fmt(value, digits=0):
    if value is None:
        return "–"
    if isinstance(value, float):
        return "{:,.{}f}".format(value, digits)
    return "{:,}".format(value)


def label(run):
    return "%-8s %-20s c=%-3s sync=%-3s" % (run["workload"], run["strategy"], run["clients"],
                                           run["sync"])


def line_summary(run):
    derive(run)
    if run.get("status") == "unavailable":
        return "%s  %s" % (label(run), run.get("note", "not available in this build"))
    passed, why = verdict(run)
    text = "%s  claims/s %8s  attempts/s %8s  p50 %7s ms  p99 %7s ms  sold %s/%s  sales %s" % (
        label(run), fmt(run["claims_per_s"]), fmt(run["attempts_per_s"]),
        fmt(run.get("p50_ms"), 2), fmt(run.get("p99_ms"), 2), fmt(num(run, "sold")),
        fmt(num(run, "tickets")), fmt(num(run, "sales")))
    if run["workload"] == "spread":
        text += "  first tenth %s claims/s" % fmt(run["fresh_claims_per_s"])
    if run["workload"] in ("quotas", "noquotas"):
        lr = run["last_vs_first"]
        text += "  1st s %s last s %s (%s)%s  round %s load %s" % (
            fmt(num(run, "first_second")), fmt(num(run, "last_second")),
            "–" if lr is None else "%.2f" % lr,
            "  quotas ran out after %.1f s" % run["selling_s"] if run.get("quota_left") == 0 else "",
            run.get("round", 1), run.get("load_start", "?"))
    if run["workload"] == "cart":
        text += "  round %s load %s" % (run.get("round", 1), run.get("load_start", "?"))
    if run.get("reset_s") is not None:
        text += "  [reset %.1fs check %.1fs]" % (num(run, "reset_s"), num(run, "check_s"))
    if run["oversells"] > 0:
        banner = "!" * 72
        if run["strategy"] == RACE_DEMO:
            text += ("\n%s\n!!! OVERSOLD: %d double bookings on %d tickets (%d sales, %d tickets)"
                     "\n!!! expected: naive is the demonstration of the read-then-write race\n%s"
                     % (banner, run["oversells"], num(run, "double_booked"), num(run, "sales"),
                        num(run, "distinct_sold"), banner))
        else:
            text += ("\n%s\n!!! OVERSOLD by %s: %d double bookings on %d tickets. THIS IS A BUG.\n%s"
                     % (banner, run["strategy"], run["oversells"], num(run, "double_booked"),
                        banner))
    if not passed:
        text += "\nFAIL %s: %s" % (label(run).split()[1], why)
    return text


def by_key(runs):
    table = {}
    for run in runs:
        table[(run["workload"], run["strategy"], run["clients"], run["sync"])] = run
    return table


def sort_key(run):
    strategy = run["strategy"]
    rank = ORDER.index(strategy) if strategy in ORDER else len(ORDER)
    return (run["sync"] != "on", run["clients"], rank, run.get("round", 1))


def workload_table(runs, workload):
    rows = sorted((r for r in runs if r["workload"] == workload), key=sort_key)
    if not rows:
        return []
    extra = {
        "hot": ["sold-out attempts/s", "sold"],
        "spread": ["claims/s, first tenth", "sold"],
        "anyseat": ["sold", "sell-out s", "1st s / last s claims"],
        "quotas": ["sold", "quotas ran out after s", "1st s / last s claims", "round", "load"],
        "noquotas": ["sold", "sell-out s", "1st s / last s claims", "round", "load"],
        "cart": ["sold", "scripts/s", "round", "load"],
    }[workload]
    head = ["strategy", "clients", "sync commit", "claims/s", "attempts/s", "p50 ms", "p99 ms",
            "oversells", "errors"] + extra
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for run in rows:
        if run.get("status") == "unavailable":
            cells = [run["strategy"], str(run["clients"]), run["sync"],
                     "not available in this build"] + [""] * (len(head) - 4)
            out.append("| " + " | ".join(cells) + " |")
            continue
        derive(run)
        oversells = fmt(run["oversells"])
        if run["oversells"] > 0:
            oversells = "**%s** (%s tickets)%s" % (
                oversells, fmt(num(run, "double_booked")),
                " — the race" if run["strategy"] == RACE_DEMO else " — BUG")
        cells = [run["strategy"], str(run["clients"]), run["sync"], fmt(run["claims_per_s"]),
                 fmt(run["attempts_per_s"]), fmt(run.get("p50_ms"), 2),
                 fmt(run.get("p99_ms"), 2), oversells, fmt(run["errors"])]
        sold = "%s / %s" % (fmt(num(run, "sold")), fmt(num(run, "tickets")))
        if workload == "hot":
            cells += [fmt(run["soldout_attempts_per_s"]), sold]
        elif workload == "spread":
            cells += [fmt(run["fresh_claims_per_s"]), sold]
        elif workload in ("quotas", "noquotas"):
            cells += [sold, fmt(run["selling_s"], 1) if run["sold_out"] else "not sold out",
                      "%s / %s" % (fmt(num(run, "first_second")), fmt(num(run, "last_second"))),
                      str(run.get("round", 1)), str(run.get("load_start", "?"))]
        elif workload == "cart":
            cells += [sold, fmt(num(run, "tx") / run["window_s"] if run["window_s"] else None),
                      str(run.get("round", 1)), str(run.get("load_start", "?"))]
        else:
            cells += [sold, fmt(run["selling_s"], 1) if run["sold_out"] else "not sold out",
                      "%s / %s" % (fmt(num(run, "first_second")), fmt(num(run, "last_second")))]
        out.append("| " + " | ".join(cells) + " |")
    return out


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def ratios(runs):
    table = by_key(runs)

    def metric(workload, strategy, clients, sync, key):
        run = table.get((workload, strategy, clients, sync))
        if run is None:
            return None, "not run"
        if run.get("status") == "unavailable":
            return None, "%s not available in this build" % strategy
        derive(run)
        return run.get(key), None

    lines = ["| comparison | workload | clients | sync commit | ratio | numbers |",
             "|---|---|---|---|---|---|"]

    def add(title, workload, key, a, b, clients_list, syncs, unit):
        for clients in clients_list:
            for sync in syncs:
                va, why_a = metric(workload[0], a, clients, sync, key)
                vb, why_b = metric(workload[1], b, clients, sync, key)
                if why_a == "not run" and why_b == "not run":
                    continue
                r = ratio(va, vb)
                if r is None:
                    value, numbers = "n/a", why_a or why_b or "no data"
                else:
                    value = "%.2f×" % r
                    numbers = "%s vs %s %s" % (fmt(va), fmt(vb), unit)
                lines.append("| %s | %s | %d | %s | %s | %s |"
                             % (title, workload[0] if workload[0] == workload[1]
                                else "%s vs %s" % workload, clients, sync, value, numbers))

    clients = sorted({r["clients"] for r in runs})
    main_clients = [c for c in clients if c in (16, 64)] or clients
    fresh = "claims/s (first tenth)"
    add("claim_ticket / single_statement", ("spread", "spread"), "fresh_claims_per_s",
        "claim_ticket", "single_statement", main_clients, ("on", "off"), fresh)
    add("claim_ticket / client_txn", ("spread", "spread"), "fresh_claims_per_s",
        "claim_ticket", "client_txn", main_clients, ("on", "off"), fresh)
    add("sold-out attempts: claim_ticket / single_statement", ("hot", "hot"),
        "soldout_attempts_per_s", "claim_ticket", "single_statement", main_clients,
        ("on", "off"), "attempts/s")
    add("claim_any / ga_single_statement", ("anyseat", "anyseat"), "claims_per_s",
        "claim_any", "ga_single_statement", main_clients, ("on", "off"), "claims/s")
    add("claim_any (anyseat) / single_statement (spread)", ("anyseat", "spread"),
        "claims_per_s", "claim_any", "single_statement", main_clients, ("on", "off"),
        "claims/s")
    add("claim_batch / batch_statement", ("spread", "spread"), "fresh_claims_per_s",
        "claim_batch", "batch_statement", main_clients, ("on", "off"), fresh)
    add("claim_batch / single_statement", ("spread", "spread"), "fresh_claims_per_s",
        "claim_batch", "single_statement", main_clients, ("on",), fresh)
    add("whole run: claim_ticket / single_statement", ("spread", "spread"), "claims_per_s",
        "claim_ticket", "single_statement", main_clients, ("on", "off"), "claims/s")
    add("whole run: claim_ticket / client_txn", ("spread", "spread"), "claims_per_s",
        "claim_ticket", "client_txn", main_clients, ("on", "off"), "claims/s")
    add("whole run: claim_batch / single_statement", ("spread", "spread"), "claims_per_s",
        "claim_batch", "single_statement", main_clients, ("on",), "claims/s")

    lines.append("")
    lines.append("Spread ratios compare claims/s while the event is fresh (up to the sale "
                 "that took it to a tenth sold): over a whole run a faster strategy sells "
                 "more of the event, so more of its random picks find seats it already "
                 "sold; the whole-run lines show that effect.")

    lines.append("")
    lines.append("Sell-through pace (anyseat): sales in the last second before the last sale "
                 "divided by sales in the first second after the first sale; 1.0 means no "
                 "slowdown as the event empties (– when selling took under 2 s).")
    lines.append("")
    lines.append("| strategy | clients | sync commit | first second | last second | last / first | sold out |")
    lines.append("|---|---|---|---|---|---|---|")
    for run in sorted((r for r in runs if r["workload"] == "anyseat"), key=sort_key):
        if run.get("status") == "unavailable":
            lines.append("| %s | %d | %s | not available in this build | | | |"
                         % (run["strategy"], run["clients"], run["sync"]))
            continue
        derive(run)
        lr = run["last_vs_first"]
        lines.append("| %s | %d | %s | %s | %s | %s | %s |" % (
            run["strategy"], run["clients"], run["sync"], fmt(num(run, "first_second")),
            fmt(num(run, "last_second")), "–" if lr is None else "%.2f" % lr,
            "yes, after %.1f s" % run["selling_s"] if run["sold_out"] else "no"))
    return lines


def issue18_lines(runs):
    """Issue 18's figures: quotas against noquotas in turns (claims/s, ratio, the pace to
    the last unit) and a cart of 4 seats against 4 claim_ticket calls, per round and as
    medians; whether the goals were met."""
    import statistics
    runs = [derive(r) for r in runs if r["workload"] in ISSUE18 and r.get("status") == "ran"]
    if not runs:
        return []
    med = lambda values: statistics.median(values) if values else None
    lines = []
    quota_runs = [r for r in runs if r["workload"] in ("quotas", "noquotas")]
    if quota_runs:
        lines += ["Quotas (`claim_any_category`): each round runs quotas, then noquotas; the "
                  "ratio is quotas' claims/s (up to the last unit when the quotas ran out) "
                  "over noquotas' (the whole run); pace is sales in the last second before "
                  "the last sale over sales in the first second.", "",
                  "| round | clients | quotas claims/s | noquotas claims/s | ratio | quotas pace (last / first) | quotas ran out after | noquotas pace | load at start (quotas / noquotas) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        ratios_seen, paces = [], []
        keys = sorted({(r.get("round", 1), r["clients"]) for r in quota_runs})
        for rnd, clients in keys:
            q = next((r for r in quota_runs if r["workload"] == "quotas"
                      and r.get("round", 1) == rnd and r["clients"] == clients), None)
            n = next((r for r in quota_runs if r["workload"] == "noquotas"
                      and r.get("round", 1) == rnd and r["clients"] == clients), None)
            rq = q["claims_per_s"] if q else None
            rn = n["claims_per_s"] if n else None
            r = ratio(rq, rn)
            if r is not None:
                ratios_seen.append(r)
            pace = q["last_vs_first"] if q else None
            if pace is not None:
                paces.append(pace)
            lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s / %s |" % (
                rnd, clients, fmt(rq), fmt(rn), "–" if r is None else "%.2f×" % r,
                "–" if pace is None else "%.2f" % pace,
                ("%.1f s" % q["selling_s"]) if q and q.get("quota_left") == 0 else "did not",
                "–" if not n or n["last_vs_first"] is None else "%.2f" % n["last_vs_first"],
                q.get("load_start", "?") if q else "–", n.get("load_start", "?") if n else "–"))
        mr, mp = med(ratios_seen), med(paces)
        lines += ["", "Median over %d rounds: quotas / noquotas **%s** (goal ≥ %.1f×: %s); "
                  "quotas pace **%s** (goal ≥ %.1f: %s)." % (
                      len(ratios_seen), "–" if mr is None else "%.2f×" % mr, GOAL_RATIO,
                      "n/a" if mr is None else ("met" if mr >= GOAL_RATIO else "not met"),
                      "–" if mp is None else "%.2f" % mp, GOAL_FLATNESS,
                      "n/a" if mp is None else ("met" if mp >= GOAL_FLATNESS else "not met")), ""]
        for q in (r for r in quota_runs if r.get("per_second")):
            lines.append("- %s round %s, sales per second: %s" % (
                q["workload"], q.get("round", 1), q["per_second"]))
        lines.append("")
    carts = [r for r in runs if r["workload"] == "cart"]
    if carts:
        lines += ["Carts: tickets sold per second and latency of one script (one cart opened, "
                  "filled with 4 holds and checked out: 6 calls, 6 commits; or 4 claim_ticket "
                  "calls in one transaction; or 4 in their own), medians over the rounds.", "",
                  "| strategy | clients | tickets/s | scripts/s | tickets per script | p50 ms | p99 ms | rounds |",
                  "|---|---|---|---|---|---|---|---|"]
        by_strategy = {}
        for r in carts:
            by_strategy.setdefault((r["strategy"], r["clients"]), []).append(r)
        for (strategy, clients), rs in sorted(
                by_strategy.items(), key=lambda kv: (kv[0][1], ORDER.index(kv[0][0])
                                                     if kv[0][0] in ORDER else 99)):
            scripts = [num(r, "tx") / r["window_s"] for r in rs if r["window_s"]]
            per_script = [num(r, "sold") / num(r, "tx") for r in rs if num(r, "tx")]
            lines.append("| %s | %d | %s | %s | %s | %s | %s | %d |" % (
                strategy, clients, fmt(med([r["claims_per_s"] for r in rs])),
                fmt(med(scripts)), fmt(med(per_script), 2),
                fmt(med([r["p50_ms"] for r in rs if r.get("p50_ms") is not None]), 2),
                fmt(med([r["p99_ms"] for r in rs if r.get("p99_ms") is not None]), 2), len(rs)))
        lines.append("")
    return lines


def ab_tables(directory):
    """Markdown tables of an A/B (bench/ab.sh): each figure per build as the median of its
    rounds, B over A, and the ratios the targets name within each build."""
    import glob
    import os
    import statistics

    def figure(run):
        derive(run)
        if run["workload"] == "hot":
            return run.get("soldout_attempts_per_s") or run["attempts_per_s"], "attempts/s"
        if run["workload"] == "spread":
            return run["fresh_claims_per_s"], "claims/s (first tenth)"
        return run["claims_per_s"], "claims/s"

    sides = {}
    for side in ("a", "b"):
        cells = {}
        for path in sorted(glob.glob(os.path.join(directory, side + "-*.jsonl"))):
            for run in load(path):
                if run.get("status") == "unavailable":
                    continue
                key = (run["workload"], run["strategy"], run["clients"], run["sync"])
                value, unit = figure(run)
                cells.setdefault(key, ([], unit, []))[0].append(value)
                if run["workload"] == "anyseat" and run.get("last_vs_first") is not None:
                    cells[key][2].append(run["last_vs_first"])
        sides[side] = cells
    keys = sorted(set(sides["a"]) | set(sides["b"]),
                  key=lambda k: (WORKLOADS.index(k[0]) if k[0] in WORKLOADS else 9,
                                 ORDER.index(k[1]) if k[1] in ORDER else 99, k[2], k[3]))
    med = lambda values: statistics.median(values) if values else None
    lines = ["| workload | strategy | clients | sync | A (median) | B (median) | B / A | runs |",
             "|---|---|---|---|---|---|---|---|"]
    for key in keys:
        a = sides["a"].get(key, ([], "", []))
        b = sides["b"].get(key, ([], "", []))
        ma, mb = med(a[0]), med(b[0])
        r = ratio(mb, ma)
        lines.append("| %s | %s | %d | %s | %s | %s | %s | %d / %d |" % (
            key[0], key[1], key[2], key[3], fmt(ma), fmt(mb),
            "–" if r is None else "%.2f×" % r, len(a[0]), len(b[0])))
    lines.append("")
    lines.append("| within each build | workload | clients | sync | A | B |")
    lines.append("|---|---|---|---|---|---|")
    pairs = (("claim_ticket", "single_statement", "spread"),
             ("claim_ticket", "single_statement", "hot"),
             ("claim_any", "ga_single_statement", "anyseat"),
             ("claim_batch", "batch_statement", "spread"),
             ("claim_batch", "single_statement", "spread"))
    for x, y, workload in pairs:
        for clients in sorted({k[2] for k in keys}):
            for sync in ("on", "off"):
                cells = []
                for side in ("a", "b"):
                    vx = med(sides[side].get((workload, x, clients, sync), ([], "", []))[0])
                    vy = med(sides[side].get((workload, y, clients, sync), ([], "", []))[0])
                    r = ratio(vx, vy)
                    cells.append("–" if r is None else "%.2f×" % r)
                if cells != ["–", "–"]:
                    lines.append("| %s / %s | %s | %d | %s | %s | %s |"
                                 % (x, y, workload, clients, sync, cells[0], cells[1]))
    paces = []
    for key in keys:
        if key[0] == "anyseat":
            for side in ("a", "b"):
                values = sides[side].get(key, ([], "", []))[2]
                if values:
                    paces.append("| %s | %d | %s | %s | %s |" % (
                        key[1], key[2], key[3], side.upper(),
                        ", ".join("%.2f" % v for v in values)))
    if paces:
        lines.append("")
        lines.append("| anyseat pace (last second / first second) | clients | sync | build | rounds |")
        lines.append("|---|---|---|---|---|")
        lines.extend(paces)
    return lines


def plot_data(runs, path):
    spread = [r for r in runs if r["workload"] == "spread" and r["sync"] == "on"
              and r.get("status") != "unavailable"]
    strategies = [s for s in ORDER if any(r["strategy"] == s for r in spread)]
    clients = sorted({r["clients"] for r in spread})
    table = by_key(spread)
    if not strategies:
        return strategies
    with open(path, "w") as f:
        f.write("clients\t" + "\t".join(strategies) + "\n")
        for c in clients:
            cells = []
            for s in strategies:
                run = table.get(("spread", s, c, "on"))
                cells.append("%.1f" % derive(run)["fresh_claims_per_s"] if run else "NaN")
            f.write("%d\t%s\n" % (c, "\t".join(cells)))
    return strategies


def round_trip_note(rtt_us):
    if rtt_us in ("", "0"):
        return "loopback (pgbench on the same machine)"
    return ("loopback, plus a simulated round trip of %s µs before every SQL command "
            "(`BENCH_RTT_US`: the client sleeps, holding its transaction's locks)" % rtt_us)


def markdown(runs, out_path, plot_path, info):
    for run in runs:
        derive(run)
    passed = sum(1 for r in runs if verdict(r)[0] is True)
    failed = sum(1 for r in runs if verdict(r)[0] is False)
    skipped = sum(1 for r in runs if verdict(r)[0] is None)
    lines = ["# Benchmark results", "",
             "Generated by `bench/run.sh`; the method and what the numbers mean are in "
             "[performance.md](performance.md). Do not edit by hand: rerun the command.", "",
             "| | |", "|---|---|",
             "| command | `%s` |" % info.get("command", "bash bench/run.sh"),
             "| mode | %s (%s) |" % (info.get("mode", "?"), info.get("seconds", "?")),
             "| date | %s |" % info.get("date", "?"),
             "| machine | %s |" % info.get("machine", "?"),
             "| CPU | %s |" % info.get("cpu", "?"),
             "| load average before / after | %s / %s |" % (info.get("load_before", "?"),
                                                            info.get("load_after", "?")),
             "| PostgreSQL | %s |" % info.get("postgres", "?"),
             "| server settings | %s |" % info.get("settings", "?"),
             "| events | %s |" % info.get("events", "?"),
             "| network | %s |" % round_trip_note(info.get("rtt_us", "0")),
             "| runs | %d passed, %d failed, %d not available in this build |"
             % (passed, failed, skipped), ""]
    if failed:
        lines += ["**Failed runs:**", ""]
        for r in runs:
            ok, why = verdict(r)
            if ok is False:
                lines.append("- %s: %s" % (" ".join(label(r).split()), why))
        lines.append("")
    lines += ["Columns: *claims/s* tickets sold per second of selling (the whole run, or up to "
              "the last sale when the event sold out); *attempts/s* claim requests per second "
              "(claim_batch and batch_statement: 100 per call); *p50/p99 ms* latency of one script execution (one "
              "attempt, one batch of 100 for claim_batch) from pgbench's per-transaction log; "
              "*oversells* sale records minus distinct tickets sold; *errors* aborted clients "
              "and failed transactions; *claims/s, first tenth* (spread) claims/s up to the "
              "sale that took the event to a tenth sold.", ""]
    for workload in WORKLOADS:
        table = workload_table(runs, workload)
        if table:
            lines += ["## " + WORKLOAD_TITLES[workload], ""] + table + [""]
    lines += ["## Ratios", ""] + ratios(runs) + [""]
    issue18 = issue18_lines(runs)
    if issue18:
        lines += ["## Quotas and carts (issue 18)", ""] + issue18
    plotted = plot_data(runs, plot_path)
    if plotted:
        lines += ["## Spread: claims/s (first tenth) by client count (synchronous_commit on)", "",
                  "![claims/s vs clients, spread workload](bench-spread.png)", ""]
    with open(out_path, "w") as f:
        f.write("\n".join(lines))
    return failed


def main(argv):
    if argv and argv[0] == "--line":
        for raw in sys.stdin:
            if raw.strip():
                print(line_summary(json.loads(raw)), flush=True)
        return 0
    if len(argv) in (2, 3) and argv[0] == "--verdict":
        runs = load(argv[1])
        passed = failed = skipped = 0
        if len(argv) == 3 and argv[2] != "0":
            failed += 1
            print("FAIL the benchmark itself exited with status %s (see above)" % argv[2])
        for run in runs:
            ok, why = verdict(run)
            if ok is None:
                skipped += 1
                print("SKIP %s  %s" % (label(run), why))
            elif ok:
                passed += 1
                note = ""
                if run["strategy"] == RACE_DEMO and run["oversells"] > 0:
                    note = "  (oversold %d: the race, as expected)" % run["oversells"]
                print("PASS %s%s" % (label(run), note))
            else:
                failed += 1
                print("FAIL %s  %s" % (label(run), why))
        hot_naive = [r for r in runs if r["workload"] == "hot" and r["strategy"] == RACE_DEMO
                     and r.get("status") == "ran"]
        if hot_naive and not any(r["oversells"] > 0 for r in hot_naive):
            print("note: naive did not oversell in the hot workload this time; the race "
                  "needs concurrent clients and some luck")
        if not runs and failed == 0:
            failed += 1
            print("FAIL no run recorded")
        tail = ", %d skipped" % skipped if skipped else ""
        print("bench: %d passed, %d failed%s" % (passed, failed, tail))
        return 1 if failed else 0
    if len(argv) == 2 and argv[0] == "--issue18":
        print("\n".join(issue18_lines(load(argv[1]))))
        return 0
    if len(argv) == 2 and argv[0] == "--ab":
        print("\n".join(ab_tables(argv[1])))
        return 0
    if len(argv) >= 4 and argv[0] == "--markdown":
        info = dict(kv.split("=", 1) for kv in argv[4:])
        markdown(load(argv[1]), argv[2], argv[3], info)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
