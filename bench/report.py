#!/usr/bin/env python3
"""report.py: turns the raw lines of bench/run.sh into the table (Markdown and JSON) and the chart.

Medians with p10/p90 spread; ratios are computed pair by pair within the run: for each round,
the variant's median over the baseline's median in that same round, and the table gives the
median of those per-round ratios (with their p10/p90), so drift between rounds cancels out.
"""
import argparse
import json
import re
import statistics
import sys

VARIANTS = [
    ("pam_permit", "pam_permit.so"),
    ("pam_exec", "pam_exec.so /bin/true"),
    ("python_trivial", "pam_python, trivial"),
    ("python_conv", "pam_python, conversing"),
    ("java_jar_trivial", "pam_java .jar, trivial"),
    ("java_jar_conv", "pam_java .jar, conversing"),
    ("java_src_trivial", "pam_java .java, trivial"),
    ("java_src_conv", "pam_java .java, conversing"),
    ("resident_jar_trivial", "pam_java resident service, .jar, trivial"),
    ("resident_jar_conv", "pam_java resident service, .jar, conversing"),
]
LABEL = dict(VARIANTS)
WARM_UP = 1000  # transactions of a memory run before the warm ones (run.sh runs WARM_UP + N)


def python_peer(variant):
    """The pam_python variant a pam_java variant is compared with (same work), else None."""
    if variant.startswith(("java_", "resident_")):
        return "python_trivial" if variant.endswith("_trivial") else "python_conv"
    return None


def quantile(values, q):
    """Linear-interpolation quantile (as numpy's default)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def spread(values):
    return {"median": quantile(values, 0.5), "p10": quantile(values, 0.1), "p90": quantile(values, 0.9),
            "n": len(values)}


def parse_fields(line):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", line))


def read_lines(path):
    try:
        with open(path) as f:
            return [line.rstrip("\n") for line in f if line.strip()]
    except FileNotFoundError:
        return []


def load(raw):
    machine = {}
    for line in read_lines(f"{raw}/machine.txt"):
        if line.startswith(("cpu=", "jdk=", "load_", "warning=", "resident_service_rss_")):
            key, _, value = line.partition("=")
            machine[key] = value
        else:
            machine.update(parse_fields(line))

    cold = {}   # variant -> round -> [record]
    for line in read_lines(f"{raw}/cold.txt"):
        f = parse_fields(line)
        if " cold " in line:
            cold.setdefault(f["service"], {}).setdefault(int(f["round"]), []).append(f)

    warm = {}   # variant -> round -> [txn_us in order]
    warm_mem = {}  # variant -> [(after, rss_kb, threads)]
    warm_cpu = {}  # variant -> round -> [CPU µs per steady transaction]
    for line in read_lines(f"{raw}/warm.txt"):
        f = parse_fields(line)
        if " warm " in line:
            warm.setdefault(f["service"], {}).setdefault(int(f["round"]), []).append(float(f["txn_us"]))
        elif " mem " in line:
            warm_mem.setdefault(f["service"], []).append((int(f["after"]), int(f["rss_kb"]), int(f["threads"])))
        elif " cpu " in line:
            # A resident variant's CPU is the application's plus the service's (host.c, service_cpu_us).
            warm_cpu.setdefault(f["service"], {})[int(f["round"])] = [
                float(f["cpu_us_per_txn"]) + float(f.get("service_cpu_us_per_txn", 0))]

    memory = {}  # variant -> [(after, rss_kb, threads, elapsed_us)]
    for line in read_lines(f"{raw}/memory.txt"):
        f = parse_fields(line)
        memory.setdefault(f["service"], []).append(
            (int(f["after"]), int(f["rss_kb"]), int(f["threads"]), float(f["elapsed_us"])))

    # threads per process (1: the storm of processes) -> variant -> round -> record
    storm = {}
    storm_fail = {}  # threads -> variant -> the first failure's text
    threads = 1
    for line in read_lines(f"{raw}/storm.txt"):
        f = parse_fields(line)
        if " storm " in line:
            threads = int(f.get("threads", 1))
            storm.setdefault(threads, {}).setdefault(f["service"], {})[int(f["round"])] = f
        elif " stormfail " in line:  # follows its storm's line
            storm_fail.setdefault(threads, {}).setdefault(f["service"], line.split(" first: ", 1)[-1])

    try:
        with open(f"{raw}/jmh.json") as fh:
            jmh = json.load(fh)
    except FileNotFoundError:
        jmh = []
    return machine, cold, warm, warm_cpu, memory, (storm, storm_fail), jmh


def steady(txns):
    """A warm process's transactions in steady state: the first fifth (start-up, JIT) dropped."""
    return txns[max(1, len(txns) // 5):]


def per_round_ratios(by_round, variant, baseline):
    """For each round that has both: median(variant) / median(baseline) in that round."""
    ratios = []
    for r, values in by_round.get(variant, {}).items():
        base = by_round.get(baseline, {}).get(r)
        if values and base:
            ratios.append(statistics.median(values) / statistics.median(base))
    return spread(ratios) if ratios else None


def cpu_ms(record):
    """A cold transaction's CPU: the process's, plus the resident service's for its variants."""
    return (float(record["cpu_us"]) + float(record.get("service_cpu_us", 0))) / 1000


def analyse(cold, warm, warm_cpu, memory):
    present = [v for v, _ in VARIANTS if v in cold or v in warm or v in memory]
    cold_wall = {v: {r: [float(x["wall_us"]) / 1000 for x in recs] for r, recs in cold.get(v, {}).items()}
                 for v in present}
    cold_cpu = {v: {r: [cpu_ms(x) for x in recs if "cpu_us" in x] for r, recs in cold.get(v, {}).items()}
                for v in present}
    warm_us = {v: {r: steady(t) for r, t in warm.get(v, {}).items()} for v in present}
    result = {}
    for v in present:
        recs = [x for recs in cold.get(v, {}).values() for x in recs]
        row = {"label": LABEL[v]}
        if recs:
            row["cold_ms"] = spread([float(x["wall_us"]) / 1000 for x in recs])
            row["cold_txn_ms"] = spread([float(x["txn_us"]) / 1000 for x in recs])
            if all("cpu_us" in x for x in recs):
                row["cold_cpu_ms"] = spread([cpu_ms(x) for x in recs])
            row["cold_rss_mb"] = spread([int(x["rss_kb"]) / 1024 for x in recs])
            row["cold_threads"] = spread([int(x["threads"]) for x in recs])
        firsts = [t[0] / 1000 for t in warm.get(v, {}).values() if t]
        if firsts:
            row["first_txn_in_process_ms"] = spread(firsts)
        steady_all = [x for t in warm_us[v].values() for x in t]
        if steady_all:
            row["warm_us"] = spread(steady_all)
        cpu_all = [x for t in warm_cpu.get(v, {}).values() for x in t]
        if cpu_all:
            row["warm_cpu_us"] = spread(cpu_all)
        for name, by_round, base in (("cold", cold_wall, "pam_permit"), ("cold_cpu", cold_cpu, "pam_permit"),
                                     ("warm", warm_us, "pam_permit"), ("warm_cpu", warm_cpu, "pam_permit")):
            if v != base:
                row[f"{name}_vs_permit"] = per_round_ratios(by_round, v, base)
            peer = python_peer(v)
            if peer:
                row[f"{name}_vs_python"] = per_round_ratios(by_round, v, peer)
        points = memory.get(v, [])
        if points:
            first = points[0]
            last = points[-1]
            row["memory"] = {
                "transactions": last[0],
                "rss_after_first_mb": first[1] / 1024,
                "rss_after_last_mb": last[1] / 1024,
                "growth_mb": (last[1] - first[1]) / 1024,
                "growth_per_txn_kb": (last[1] - first[1]) / max(1, last[0] - first[0]),
                "threads_after_first": first[2],
                "threads_after_last": last[2],
                "points": [{"after": p[0], "rss_kb": p[1], "threads": p[2], "elapsed_us": p[3]} for p in points],
            }
            warmed = [p for p in points if p[0] == WARM_UP]
            if warmed and last[0] > WARM_UP:
                # The transactions after the warm-up: the JIT has compiled the call path, the young
                # generation has been touched; growth from here on is what a long-lived host keeps.
                row["memory"]["rss_after_warm_up_mb"] = warmed[0][1] / 1024
                row["memory"]["warm_transactions"] = last[0] - WARM_UP
                row["memory"]["warm_growth_mb"] = (last[1] - warmed[0][1]) / 1024
        result[v] = row
    permit_rss = result.get("pam_permit", {}).get("cold_rss_mb")
    for v, row in result.items():
        if permit_rss and "cold_rss_mb" in row and v != "pam_permit":
            row["cold_added_rss_mb"] = row["cold_rss_mb"]["median"] - permit_rss["median"]
    return result


def storm_cpu_s(record):
    """A storm's CPU: all its host processes', plus the resident service's for its variant."""
    return (float(record["cpu_us"]) + float(record.get("service_cpu_us", 0))) / 1e6


def analyse_storm(storm, storm_fail):
    """Per variant: the storm's wall time, failures, peak summed RSS, and same-round ratios."""
    wall = {v: {r: [float(x["wall_us"]) / 1000] for r, x in by_round.items()} for v, by_round in storm.items()}
    cpu = {v: {r: [storm_cpu_s(x)] for r, x in by_round.items()} for v, by_round in storm.items()}
    result = {}
    for v, _ in VARIANTS:
        if v not in storm:
            continue
        recs = list(storm[v].values())
        row = {"label": LABEL[v], "processes": int(recs[0]["processes"]), "threads": int(recs[0].get("threads", 1)),
               "rounds": len(recs),
               "failures": sum(int(x["failures"]) for x in recs),
               "wall_ms": spread([float(x["wall_us"]) / 1000 for x in recs]),
               "cpu_s": spread([storm_cpu_s(x) for x in recs]),
               "peak_rss_mb": spread([int(x["peak_rss_kb"]) / 1024 for x in recs]),
               "sum_maxrss_mb": spread([int(x["sum_maxrss_kb"]) / 1024 for x in recs])}
        if v in storm_fail:
            row["first_failure"] = storm_fail[v]
        if v != "pam_permit":
            row["wall_vs_permit"] = per_round_ratios(wall, v, "pam_permit")
            row["cpu_vs_permit"] = per_round_ratios(cpu, v, "pam_permit")
        peer = python_peer(v)
        if peer:
            row["wall_vs_python"] = per_round_ratios(wall, v, peer)
            row["cpu_vs_python"] = per_round_ratios(cpu, v, peer)
        result[v] = row
    return result


def storm_markdown(storm_results):
    out = []
    for threads, storm_result in sorted(storm_results.items()):
        out.extend(storm_table(storm_result) if threads == 1 else storm_threads_table(storm_result))
    return out


def storm_threads_table(storm_result):
    any_row = next(iter(storm_result.values()))
    out = ["", f"**Login storm in threads**: the same number of logins as {any_row['processes']} processes of "
           f"{any_row['threads']} threads each, started at once, each thread one transaction (pam_python is not "
           "made for concurrent handles in one process: left out). Columns as above.", "",
           "| variant | processes × threads | failures | wall ms | CPU s | peak summed RSS MB | sum of peaks MB "
           "| × pam_permit |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for v, row in storm_result.items():
        failures = f"**{row['failures']} FAILED**" if row["failures"] else "0"
        out.append(f"| {row['label']} | {row['processes']} × {row['threads']} | {failures} | "
                   f"{fmt_spread(row['wall_ms'], 0)} | {fmt_spread(row['cpu_s'], 2)} | "
                   f"{fmt_spread(row['peak_rss_mb'])} | {fmt_spread(row['sum_maxrss_mb'])} | "
                   f"{fmt_ratio(row.get('wall_vs_permit'))} |")
    out.extend(storm_failures(storm_result))
    return out


def storm_failures(storm_result):
    out = []
    for v, row in storm_result.items():
        if "first_failure" in row:
            out.append("")
            out.append(f"{row['label']}: first failure: `{row['first_failure']}`")
    return out


def storm_table(storm_result):
    any_row = next(iter(storm_result.values()))
    out = ["", f"**Login storm**: {any_row['processes']} host processes started at once (back to back, none "
           "waited for), each one transaction with the trivial module, as a burst of sshd/su logins is; "
           f"{any_row['rounds']} round{'s' if any_row['rounds'] != 1 else ''}, variants interleaved. Wall: from the first start until the last "
           "process has exited. CPU: all the processes' (and for the resident service's row the "
           "service's during the storm). Peak RSS: the peak of the sum of the running processes' RSS, "
           "sampled every 10 ms (shared pages counted in each process; – when none lived long enough to be sampled); beside it the sum of each "
           "process's own peak. Ratios: median (p10–p90) of the per-round ratios.", "",
           "| variant | processes | failures | wall ms | CPU s | peak summed RSS MB | sum of peaks MB "
           "| × pam_permit | × pam_python | CPU × pam_python |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for v, row in storm_result.items():
        failures = f"**{row['failures']} FAILED**" if row["failures"] else "0"
        # Processes that end within one sampling period (pam_permit's) may never be sampled.
        peak = fmt_spread(row["peak_rss_mb"]) if row["peak_rss_mb"]["p90"] > 0 else "–"
        out.append(f"| {row['label']} | {row['processes']} | {failures} | {fmt_spread(row['wall_ms'], 0)} | "
                   f"{fmt_spread(row['cpu_s'], 2)} | {peak} | "
                   f"{fmt_spread(row['sum_maxrss_mb'])} | {fmt_ratio(row.get('wall_vs_permit'))} | "
                   f"{fmt_ratio(row.get('wall_vs_python'))} | {fmt_ratio(row.get('cpu_vs_python'))} |")
    out.extend(storm_failures(storm_result))
    return out


def targets(result):
    """The issue's targets, each: (what, measured text, met?)."""
    rows = []

    def worst(key, variants, sub="median"):
        vals = [(result[v][key][sub], v) for v in variants if v in result and result[v].get(key)]
        return max(vals) if vals else None

    java_trivial = ["java_jar_trivial", "java_src_trivial"]
    java_all = [v for v, _ in VARIANTS if v.startswith("java_")]
    w = worst("cold_vs_python", java_trivial)
    if w:
        rows.append(("cold, trivial module: pam_java ≤ 1.0× pam_python", f"{w[0]:.2f}× ({LABEL[w[1]]}, the worse)",
                     w[0] <= 1.0))
    w = worst("cold_cpu_vs_python", java_trivial)
    if w:
        rows.append(("(same, CPU time instead of wall time)", f"{w[0]:.2f}× ({LABEL[w[1]]}, the worse)", w[0] <= 1.0))
    w = worst("warm_vs_permit", java_all)
    if w:
        rows.append(("warm: pam_java ≤ 1.5× pam_permit per transaction", f"{w[0]:.2f}× ({LABEL[w[1]]}, the worst)",
                     w[0] <= 1.5))
    w = worst("warm_cpu_vs_permit", java_all)
    if w:
        rows.append(("(same, CPU time of all the process's threads)", f"{w[0]:.2f}× ({LABEL[w[1]]}, the worst)",
                     w[0] <= 1.5))
    growth = [(result[v]["memory"]["warm_growth_mb"], v) for v in java_all
              if "warm_growth_mb" in result.get(v, {}).get("memory", {})]
    if growth:
        g, v = max(growth)
        n = result[v]["memory"]["warm_transactions"]
        rows.append((f"RSS growth over 10,000 warm transactions ≤ 1 MB",
                     f"{g:+.2f} MB over {n:,} after {WARM_UP:,} of warm-up ({LABEL[v]}, the worst)",
                     g <= 1.0 and n >= 10000))
    growth = [(result[v]["memory"]["growth_mb"], v) for v in java_all if "memory" in result.get(v, {})]
    if growth:
        g, v = max(growth)
        n = result[v]["memory"]["transactions"]
        rows.append((f"(same, counted from the first transaction, warm-up included)",
                     f"{g:+.2f} MB over {n:,} ({LABEL[v]}, the worst)", g <= 1.0))
    added = [(result[v]["cold_added_rss_mb"], v) for v in java_all if "cold_added_rss_mb" in result.get(v, {})]
    if added:
        a, v = max(added)
        rows.append(("added RSS of a cold transaction ≤ 32 MB over pam_permit", f"{a:+.1f} MB ({LABEL[v]}, the worst)",
                     a <= 32))
    # The same targets for modules run in the resident service (root applications with
    # resident_socket set): the application's side only; the service's own memory is reported apart.
    resident = [v for v, _ in VARIANTS if v.startswith("resident_")]
    w = worst("cold_vs_python", ["resident_jar_trivial"])
    if w:
        rows.append(("resident service — cold, trivial module ≤ 1.0× pam_python", f"{w[0]:.2f}× ({LABEL[w[1]]})",
                     w[0] <= 1.0))
    w = worst("cold_cpu_vs_python", ["resident_jar_trivial"])
    if w:
        rows.append(("(same, CPU time instead of wall time)", f"{w[0]:.2f}× ({LABEL[w[1]]})", w[0] <= 1.0))
    w = worst("warm_vs_permit", resident)
    if w:
        rows.append(("resident service — warm ≤ 1.5× pam_permit per transaction",
                     f"{w[0]:.2f}× ({LABEL[w[1]]}, the worst)", w[0] <= 1.5))
    growth = [(result[v]["memory"]["warm_growth_mb"], v) for v in resident
              if "warm_growth_mb" in result.get(v, {}).get("memory", {})]
    if growth:
        g, v = max(growth)
        rows.append(("resident service — application RSS growth over 10,000 warm transactions ≤ 1 MB",
                     f"{g:+.2f} MB ({LABEL[v]}, the worst)", g <= 1.0))
    added = [(result[v]["cold_added_rss_mb"], v) for v in resident if "cold_added_rss_mb" in result.get(v, {})]
    if added:
        a, v = max(added)
        rows.append(("resident service — added RSS of a cold transaction ≤ 32 MB over pam_permit",
                     f"{a:+.1f} MB ({LABEL[v]}, the worst)", a <= 32))
    return rows


def fmt_spread(s, digits=1):
    if not s:
        return "–"
    return f"{s['median']:.{digits}f} ({s['p10']:.{digits}f}–{s['p90']:.{digits}f})"


def fmt_ratio(s):
    if not s:
        return "–"
    digits = 2 if s["median"] < 10 else 0
    return f"{s['median']:.{digits}f}× ({s['p10']:.{digits}f}–{s['p90']:.{digits}f})"


def markdown(machine, result, storm_result, jmh):
    out = []
    out.append(f"Run of {machine.get('date', '?')} at commit {machine.get('commit', '?')}: "
               f"{machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB "
               f"({machine.get('cpu', '?')}), Linux {machine.get('kernel', '?')}; {machine.get('jdk', '?')}; "
               f"pam_java built {machine.get('dist_built', '?')}"
               f"{' (measured on a snapshot of dist/)' if machine.get('dist_snapshot') == 'yes' else ''}; libpam {machine.get('libpam', '?')}, libpam-python {machine.get('pam_python', '?')} "
               f"(Python {machine.get('python', '?')}). Load average before/after: "
               f"{machine.get('load_before', '?')} / {machine.get('load_after', '?')}.")
    if machine.get("warning"):
        out.append("")
        out.append(f"**Warning: {machine['warning']}.**")
    if not result:
        out.extend(storm_markdown(storm_result))
        out.append("")
        return "\n".join(out)
    out.append("")
    out.append(f"{machine.get('rounds', '?')} rounds, variants interleaved (rotating order); per round and variant "
               f"{machine.get('cold', '?')} cold processes and one warm process of {machine.get('warm', '?')} "
               f"transactions ({machine.get('warm_python', '?')} for pam_python, {machine.get('warm_exec', '?')} for "
               "pam_exec). A transaction: pam_start_confdir, "
               "authenticate, acct_mgmt, open_session, close_session, pam_end; the module on all three stacks. "
               "Figures: median (p10–p90). Ratios: median (p10–p90) of the per-round ratios.")
    out.append("")
    out.append("**Cold**: one transaction in a fresh process (spawn to exit, as the parent sees it; CPU: user + "
               "system of all the process's threads, and for the resident service's rows the service's CPU "
               "during it too; in PAM: pam_start_confdir to pam_end)")
    out.append("")
    out.append("| variant | ms per process | CPU ms | ms in PAM | RSS at exit MB | threads | × pam_permit "
               "| × pam_python | CPU × pam_python |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for v, label in VARIANTS:
        row = result.get(v)
        if not row or "cold_ms" not in row:
            continue
        out.append(f"| {label} | {fmt_spread(row['cold_ms'])} | {fmt_spread(row.get('cold_cpu_ms'))} | "
                   f"{fmt_spread(row['cold_txn_ms'])} | "
                   f"{row['cold_rss_mb']['median']:.1f} | {row['cold_threads']['median']:.0f} | "
                   f"{fmt_ratio(row.get('cold_vs_permit'))} | {fmt_ratio(row.get('cold_vs_python'))} | "
                   f"{fmt_ratio(row.get('cold_cpu_vs_python'))} |")
    out.append("")
    out.append("**Warm**: many transactions in one process (per transaction; each process's first fifth dropped; "
               "CPU: all the process's threads, and for the resident service's rows the service's too)")
    out.append("")
    out.append("| variant | µs per transaction | CPU µs per transaction | first in process ms | × pam_permit "
               "| CPU × pam_permit | × pam_python |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for v, label in VARIANTS:
        row = result.get(v)
        if not row or "warm_us" not in row:
            continue
        out.append(f"| {label} | {fmt_spread(row['warm_us'])} | {fmt_spread(row.get('warm_cpu_us'))} | "
                   f"{fmt_spread(row.get('first_txn_in_process_ms'))} | "
                   f"{fmt_ratio(row.get('warm_vs_permit'))} | {fmt_ratio(row.get('warm_cpu_vs_permit'))} | "
                   f"{fmt_ratio(row.get('warm_vs_python'))} |")
    out.append("")
    out.append("**Memory**: one process, RSS (VmRSS) and threads after the first transaction, after "
               f"{WARM_UP:,} (the warm-up) and after the last; warm growth is from the warm-up to the last")
    out.append("")
    out.append("| variant | transactions | RSS after 1st MB | after warm-up MB | after last MB | warm growth MB | "
               "growth from 1st MB | growth per txn kB | threads | cold RSS over pam_permit MB |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for v, label in VARIANTS:
        row = result.get(v)
        if not row or "memory" not in row:
            continue
        m = row["memory"]
        added = row.get("cold_added_rss_mb")
        warmed = m.get("rss_after_warm_up_mb")
        warm_growth = m.get("warm_growth_mb")
        out.append(f"| {label} | {m['transactions']:,} | {m['rss_after_first_mb']:.1f} | "
                   f"{'–' if warmed is None else f'{warmed:.1f}'} | {m['rss_after_last_mb']:.1f} | "
                   f"{'–' if warm_growth is None else f'{warm_growth:+.2f}'} | "
                   f"{m['growth_mb']:+.2f} | {m['growth_per_txn_kb']:.2f} | "
                   f"{m['threads_after_first']} → {m['threads_after_last']} | "
                   f"{'–' if added is None else f'{added:+.1f}'} |")
    out.extend(storm_markdown(storm_result))
    rows = targets(result)
    if rows:
        out.append("")
        out.append("**Targets** (issue 6)")
        out.append("")
        out.append("| target | measured | |")
        out.append("|---|---|---|")
        for what, measured, met in rows:
            out.append(f"| {what} | {measured} | {'met' if met else 'not met'} |")
    if machine.get("resident_service_rss_kb"):
        out.append("")
        out.append("The resident service itself (one JVM for every application; its RSS after it started, "
                   "after the timed rounds, and after the memory runs): "
                   + " → ".join(f"{int(k) / 1024:.1f} MB" for k in machine["resident_service_rss_kb"].split()) + ".")
    if machine.get("resident_service_rss_storm_kb") and storm_result:
        out.append("")
        out.append(f"The resident service's RSS after the login storm: "
                   f"{int(machine['resident_service_rss_storm_kb']) / 1024:.1f} MB.")
    if jmh:
        out.append("")
        out.append("**JMH** (bench/jmh; the Java side alone, one fork, short runs)")
        out.append("")
        out.append("| benchmark | score | error | unit |")
        out.append("|---|---:|---:|---|")
        for b in jmh:
            name = b["benchmark"].rsplit(".", 2)
            name = ".".join(name[-2:])
            params = b.get("params")
            if params:
                name += " (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")"
            pm = b["primaryMetric"]
            err = pm.get("scoreError")
            err = "–" if err is None or err != err else f"{err:.3g}"
            out.append(f"| {name} | {pm['score']:.3g} | {err} | {pm['scoreUnit']} |")
    out.append("")
    return "\n".join(out)


def chart(path, machine, result):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"pam": "#7f7f7f", "python": "#3b75af", "java": "#e07b28", "resident": "#2e8b57"}

    def colour(v):
        for kind in ("python", "java", "resident"):
            if v.startswith(kind):
                return colours[kind]
        return colours["pam"]

    order = [v for v, _ in VARIANTS if v in result]
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.6), sharey=True)
    panels = [
        ("cold_ms", "Cold: fresh process, one transaction\nms per process (median, p10–p90)", False, "cold_vs_python"),
        ("warm_us", "Warm: transactions in one process\nµs per transaction (log scale)", True, "warm_vs_permit"),
        (None, "Memory: RSS after the first transaction (bar)\nand after the last (tick), MB (log scale)", True, None),
    ]
    ys = list(range(len(order)))[::-1]
    for ax, (key, title, log, ratio_key) in zip(axes, panels):
        ax.set_title(title, fontsize=11)
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        for y, v in zip(ys, order):
            row = result[v]
            if key:
                s = row.get(key)
                if not s:
                    continue
                ax.barh(y, s["median"], color=colour(v), height=0.65)
                ax.errorbar(s["median"], y, xerr=[[s["median"] - s["p10"]], [s["p90"] - s["median"]]],
                            fmt="none", ecolor="black", elinewidth=1, capsize=3)
                text = f" {s['median']:.1f}" if s["median"] < 1000 else f" {s['median']:,.0f}"
                r = row.get(ratio_key)
                if r:
                    text += f"  ({r['median']:.2f}× {'pam_python' if ratio_key.endswith('python') else 'permit'})" \
                        if r["median"] < 100 else f"  ({r['median']:.0f}× permit)"
                ax.text(s["p90"], y, text, va="center", fontsize=8.5)
            else:
                m = row.get("memory")
                if not m:
                    continue
                ax.barh(y, m["rss_after_first_mb"], color=colour(v), height=0.65)
                ax.plot([m["rss_after_last_mb"]] * 2, [y - 0.38, y + 0.38], color="black", linewidth=2)
                ax.text(max(m["rss_after_first_mb"], m["rss_after_last_mb"]), y,
                        f"  {m['rss_after_first_mb']:.0f} → {m['rss_after_last_mb']:.0f}"
                        f" after {m['transactions']:,}", va="center", fontsize=8.5)
        if log:
            ax.set_xscale("log")
        left, right = ax.get_xlim()
        ax.set_xlim(left if log else 0, right * (3.5 if log else 1.45))
    axes[0].set_yticks(ys)
    axes[0].set_yticklabels([LABEL[v] for v in order])
    fig.suptitle(f"pam_java benchmark: full PAM transactions through libpam "
                 f"({machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB, "
                 f"{machine.get('rounds', '?')} interleaved rounds, {machine.get('date', '')})", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--raw", required=True)
    p.add_argument("--md", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--chart")
    a = p.parse_args()
    machine, cold, warm, warm_cpu, memory, (storm, storm_fail), jmh = load(a.raw)
    if not cold and not warm and not storm:
        sys.exit(f"report.py: no measurements in {a.raw}")
    result = analyse(cold, warm, warm_cpu, memory)
    storm_result = {t: analyse_storm(by_variant, storm_fail.get(t, {})) for t, by_variant in storm.items()}
    text = markdown(machine, result, storm_result, jmh)
    with open(a.md, "w") as f:
        f.write(text)
    with open(a.json, "w") as f:
        json.dump({"machine": machine, "variants": result, "storm": storm_result.get(1, {}),
                   "storm_threads": next((r for t, r in storm_result.items() if t != 1), {}),
                   "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in targets(result)],
                   "jmh": [{"benchmark": b["benchmark"], "params": b.get("params"),
                            "score": b["primaryMetric"]["score"], "error": b["primaryMetric"].get("scoreError"),
                            "unit": b["primaryMetric"]["scoreUnit"]} for b in jmh]}, f, indent=1)
    if a.chart and result:
        chart(a.chart, machine, result)


if __name__ == "__main__":
    main()
