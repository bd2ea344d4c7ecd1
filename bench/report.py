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
    ("java_http_perhandle", "pam_java .java, HTTP, a new client per handle"),
    ("java_http_shared", "pam_java .java, HTTP, the shared pooled client"),
    ("resident_http_perhandle", "pam_java resident service, .java, HTTP, a new client per handle"),
    ("resident_http_shared", "pam_java resident service, .java, HTTP, the shared pooled client"),
]
# The shared-state case (issue 17): (where, the module with a client per handle, the one sharing it).
SHARED_STATE_PAIRS = [
    ("in process", "java_http_perhandle", "java_http_shared"),
    ("resident service", "resident_http_perhandle", "resident_http_shared"),
]
LABEL = dict(VARIANTS)
WARM_UP = 1000  # transactions of a memory run before the warm ones (run.sh runs WARM_UP + N)


def python_peer(variant):
    """The pam_python variant a pam_java variant is compared with (same work), else None."""
    if "_http_" in variant:
        return None  # no pam_python module makes that request
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

    # (threads per process, processes) -> variant -> round -> record; threads 1: a storm of processes
    storm = {}
    storm_fail = {}  # (threads, processes) -> variant -> the first failure's text
    for line in read_lines(f"{raw}/storm.txt"):
        f = parse_fields(line)
        if " stormskip " in line:  # run.sh: not enough memory available for that storm
            machine.setdefault("storm_skipped", []).append(f)
            continue
        if " storm " not in line and " stormtimes " not in line and " stormfail " not in line:
            continue
        key = (int(f.get("threads", 1)), int(f["processes"]))
        if " storm " in line:
            storm.setdefault(key, {}).setdefault(f["service"], {})[int(f["round"])] = f
        elif " stormtimes " in line:  # follows its storm's line: each process's release to exit
            storm[key][f["service"]][int(f["round"])]["exit_us"] = [float(x) for x in f["exit_us"].split(",") if x]
        else:
            storm_fail.setdefault(key, {}).setdefault(f["service"], line.split(" first: ", 1)[-1])

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
    for _, per_handle, shared in SHARED_STATE_PAIRS:
        if shared in result and per_handle in present:
            for name, by_round in (("cold", cold_wall), ("cold_cpu", cold_cpu), ("warm", warm_us),
                                   ("warm_cpu", warm_cpu)):
                result[shared][f"{name}_vs_per_handle"] = per_round_ratios(by_round, shared, per_handle)
    permit_rss = result.get("pam_permit", {}).get("cold_rss_mb")
    for v, row in result.items():
        if permit_rss and "cold_rss_mb" in row and v != "pam_permit":
            row["cold_added_rss_mb"] = row["cold_rss_mb"]["median"] - permit_rss["median"]
    return result


def storm_cpu_s(record):
    """A storm's CPU: all its host processes', plus the resident service's for its variant."""
    return (float(record["cpu_us"]) + float(record.get("service_cpu_us", 0))) / 1e6


def storm_logins(record):
    return int(record["processes"]) * int(record.get("threads", 1))


def analyse_storm(storm, storm_fail):
    """One storm size (threads, processes): per variant its throughput, times, failures and memory.

    Throughput is logins (transactions) over the storm's wall time, per round; its ratio to
    pam_permit's is taken round by round. The per-process times of all rounds are pooled for the
    percentiles. Memory added is, per round, the variant's peak summed RSS minus pam_permit's peak
    in that round."""
    tps = {v: {r: [storm_logins(x) / (float(x["wall_us"]) / 1e6)] for r, x in by_round.items()}
           for v, by_round in storm.items()}
    permit = storm.get("pam_permit", {})
    result = {}
    for v, _ in VARIANTS:
        if v not in storm:
            continue
        recs = list(storm[v].values())
        times_ms = [t / 1000 for x in recs for t in x.get("exit_us", [])]
        row = {"label": LABEL[v], "processes": int(recs[0]["processes"]), "threads": int(recs[0].get("threads", 1)),
               "rounds": len(recs),
               "failures": sum(int(x["failures"]) for x in recs),
               "killed": sum(int(x.get("killed", 0)) for x in recs),
               "jvm_processes": spread([int(x.get("jvm_processes", 0)) for x in recs]),
               "wall_ms": spread([float(x["wall_us"]) / 1000 for x in recs]),
               "logins_per_s": spread([t for by_round in tps[v].values() for t in by_round]),
               "p50_ms": quantile(times_ms, 0.5), "p99_ms": quantile(times_ms, 0.99),
               "cpu_s": spread([storm_cpu_s(x) for x in recs]),
               "cpu_ms_per_login": spread([storm_cpu_s(x) * 1000 / storm_logins(x) for x in recs]),
               "peak_rss_mb": spread([int(x["peak_rss_kb"]) / 1024 for x in recs]),
               "service_peak_rss_mb": spread([int(x.get("service_peak_rss_kb", 0)) / 1024 for x in recs]),
               "sum_maxrss_mb": spread([int(x["sum_maxrss_kb"]) / 1024 for x in recs]),
               "sample_period_ms": spread([float(x.get("sample_period_us", 0)) / 1000 for x in recs]),
               "realtime_sampler": all(x.get("realtime") == "1" for x in recs)}
        if v in storm_fail:
            row["first_failure"] = storm_fail[v]
        if v != "pam_permit":
            row["tps_vs_permit"] = per_round_ratios(tps, v, "pam_permit")
            added = [(int(x["peak_rss_kb"]) - int(permit[r]["peak_rss_kb"])) / 1024
                     for r, x in storm[v].items() if r in permit]
            if added:
                row["added_rss_mb"] = spread(added)
                row["added_rss_mb"]["max"] = max(added)
            # The same counted per process: what each process held at its own peak over what
            # pam_permit's held, plus the service. Blind to how many were alive at once, which the
            # peak of the sum is not: pam_permit's processes end so fast that only some of them are
            # ever alive together, while processes waiting for a slower module all are.
            per_process = [(int(x["sum_maxrss_kb"]) + int(x.get("service_peak_rss_kb", 0))
                            - int(permit[r]["sum_maxrss_kb"])) / 1024 for r, x in storm[v].items() if r in permit]
            if per_process:
                row["added_per_process_mb"] = spread(per_process)
                row["added_per_process_mb"]["max"] = max(per_process)
        result[v] = row
    return result


STORM_TEXT = ("**Login storm**: N host processes released at once (forked first, each waiting at a gate; "
              "released, each execs the host and runs one transaction with the trivial module), as a burst of "
              "sshd/su logins is; variants interleaved in each round. Logins/s: N over the wall time, from the "
              "release until the last process has exited; × pam_permit: median (p10–p90) of the per-round ratios. "
              "p50, p99: each process's time from the release to its exit (exec included), all rounds pooled. "
              "CPU: all the processes' threads, and for the resident service's rows the service's. Peak RSS: the "
              "peak over time of the sum of the RSS of the live host processes plus, for the resident service's "
              "rows, the service's RSS (of it, the service's own peak); sampled every {period} ms (the median "
              "achieved period; each /proc/PID/statm kept open and re-read, the sampler and the reaper that times "
              "the exits running SCHED_FIFO as root). Added: the peak minus pam_permit's in the same round, "
              "median (max); pam_permit's processes end so fast that only some are ever alive together, while "
              "processes that wait for a slower module all are, so this counts a slower login's longer life too. "
              "Added, per process: the sum of each process's own peak RSS (ru_maxrss) plus the service's peak, "
              "minus the sum of pam_permit's processes' own peaks, median (max): what the logins would add if "
              "pam_permit's were alive as long. With a JVM: processes with more than one thread after their transaction, per round "
              "(a JVM in the process: in-process pam_java, or a fall-back from the service). Rounds: {rounds}.")


def storm_rows(storm_result, with_size):
    out = []
    for v, row in storm_result.items():
        failures = f"**{row['failures']} FAILED**" if row["failures"] else "0"
        if row["killed"]:
            failures += f" ({row['killed']} killed at the deadline)"
        added, per_process = (f"{a['median']:+.1f} ({a['max']:+.1f})" if a else "–"
                              for a in (row.get("added_rss_mb"), row.get("added_per_process_mb")))
        service = row["service_peak_rss_mb"]["median"]
        size = f"{row['processes']}" if with_size else f"{row['processes']} × {row['threads']}"
        out.append(f"| {row['label']} | {size} | {failures} | {fmt_spread(row['logins_per_s'], 0)} | "
                   f"{fmt_ratio(row.get('tps_vs_permit'))} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                   f"{fmt_spread(row['cpu_ms_per_login'])} | {fmt_spread(row['peak_rss_mb'])} | "
                   f"{f'{service:.1f}' if service else '–'} | {added} | {per_process} | {row['jvm_processes']['median']:.0f} |")
    return out


STORM_HEADER = ["| variant | {size} | failures | logins/s | × pam_permit | p50 ms | p99 ms | CPU ms per login "
                "| peak RSS MB | of it the service MB | added over pam_permit MB | added, per process MB | with a JVM |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]


def storm_markdown(storm_results, machine=None):
    if not storm_results:
        return []
    processes = {k: r for k, r in storm_results.items() if k[0] == 1}
    threaded = {k: r for k, r in storm_results.items() if k[0] != 1}
    out = []
    rows_all = [row for r in storm_results.values() for row in r.values()]
    period = statistics.median([row["sample_period_ms"]["median"] for row in rows_all])
    def rounds_at(n, by_variant):
        fewer = [row["label"] for row in by_variant.values() if row["rounds"] < max_rounds]
        return f"{max_rounds} at {n}" + (f" ({min(row['rounds'] for row in by_variant.values())} for "
                                         f"{' and '.join(fewer)})" if fewer else "")
    max_rounds = max(row["rounds"] for r in processes.values() for row in r.values()) if processes else 0
    rounds = ", ".join(rounds_at(k[1], r) for k, r in sorted(processes.items()))
    if processes:
        out.extend(["", STORM_TEXT.format(period=f"{period:.1f}", rounds=rounds), "",
                    STORM_HEADER[0].format(size="processes"), STORM_HEADER[1]])
        for _, storm_result in sorted(processes.items()):
            out.extend(storm_rows(storm_result, True))
        for _, storm_result in sorted(processes.items()):
            out.extend(storm_failures(storm_result))
    if not all(row["realtime_sampler"] for row in rows_all):
        out.extend(["", "(Not root: the sampler and the reaper ran with the normal policy, so on a loaded machine "
                        "exits may be timed late and samples taken further apart.)"])
    skipped = {}
    for f in machine.get("storm_skipped", []) if machine else []:
        skipped.setdefault((f["service"], f["processes"], f["threads"]), []).append(f)
    for (v, n, t), fs in skipped.items():
        out.extend(["", f"Skipped: {LABEL.get(v, v)}, {n} processes of {t} thread{'s' if t != '1' else ''}, in "
                    f"{len(fs)} round{'s' if len(fs) != 1 else ''}: {fs[0]['need_mb']} MB needed, "
                    f"{fs[0]['available_mb']} MB available."])
    for (threads, n), storm_result in sorted(threaded.items()):
        out.extend(["", f"**Login storm in threads**: {n * threads} logins as {n} processes of {threads} threads "
                    "each, released at once, each thread one transaction (pam_python is not made for concurrent "
                    "handles in one process: left out); logins/s is logins over the wall time, times are per "
                    "process. Columns as above.", "",
                    STORM_HEADER[0].format(size="processes × threads"), STORM_HEADER[1]])
        out.extend(storm_rows(storm_result, False))
        out.extend(storm_failures(storm_result))
    return out


def storm_failures(storm_result):
    out = []
    for v, row in storm_result.items():
        if "first_failure" in row:
            out.append("")
            out.append(f"{row['label']}, {row['processes']} processes: first failure: `{row['first_failure']}`")
    return out


def targets(result):
    """The issue's targets, each: (what, measured text, met?)."""
    rows = []

    def worst(key, variants, sub="median"):
        vals = [(result[v][key][sub], v) for v in variants if v in result and result[v].get(key)]
        return max(vals) if vals else None

    java_trivial = ["java_jar_trivial", "java_src_trivial"]
    # The issues' targets are the trivial and conversing modules'; the HTTP case has its own table.
    java_all = [v for v, _ in VARIANTS if v.startswith("java_") and "_http_" not in v]
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
    resident = [v for v, _ in VARIANTS if v.startswith("resident_") and "_http_" not in v]
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


def resident_targets(result, storm_results):
    """Issue 16's targets (the resident service by default for root hosts), each: (what, measured text,
    met? or None when not measured). Same-run ratios; the storm's at 64 and 256 processes."""
    rows = []
    missing = "not measured" + ("" if any(v.startswith("resident_") for v in result)
                                or any(v.startswith("resident_") for r in storm_results.values() for v in r)
                                else " (no resident service: run as root)")

    def ratio(what, key, variant, limit):
        r = result.get(variant, {}).get(key)
        if r:
            rows.append((what, f"{r['median']:.2f}× ({r['p10']:.2f}–{r['p90']:.2f}; {LABEL[variant]})",
                         r["median"] <= limit))
        else:
            rows.append((what, missing, None))

    ratio("default configuration on a root host (pam_java through the service), cold, trivial module: "
          "≤ 1.25× pam_permit", "cold_vs_permit", "resident_jar_trivial", 1.25)
    ratio("warm, per transaction: wall ≤ 1.1× pam_permit", "warm_vs_permit", "resident_jar_trivial", 1.1)
    ratio("(same, the conversing module)", "warm_vs_permit", "resident_jar_conv", 1.1)
    ratio("warm, per transaction: CPU (all threads, the service's included) ≤ 1.5× pam_permit's",
          "warm_cpu_vs_permit", "resident_jar_trivial", 1.5)
    ratio("(same, the conversing module)", "warm_cpu_vs_permit", "resident_jar_conv", 1.5)

    def storm_row(n, variant):
        return storm_results.get((1, n), {}).get(variant)

    row = storm_row(64, "resident_jar_trivial")
    r = row.get("tps_vs_permit") if row else None
    if r:
        rows.append(("login storm at 64 concurrent: throughput through the service ≥ 0.5× pam_permit's",
                     f"{r['median']:.2f}× ({r['p10']:.2f}–{r['p90']:.2f}; {row['logins_per_s']['median']:.0f} "
                     f"against {storm_row(64, 'pam_permit')['logins_per_s']['median']:.0f} logins/s)",
                     r["median"] >= 0.5))
    else:
        rows.append(("login storm at 64 concurrent: throughput through the service ≥ 0.5× pam_permit's", missing,
                     None))
    row = storm_row(256, "resident_jar_trivial")
    what = "login storm at 256 concurrent: 0 failures through the service"
    if row:
        rows.append((what, f"{row['failures']} failed of {row['processes'] * row['rounds']:,} logins "
                     f"({row['rounds']} storms)", row["failures"] == 0))
    else:
        rows.append((what, missing, None))
    what = "login storm at 256 concurrent: memory added over pam_permit's run ≤ 150 MB in all (clients + service)"
    added = row.get("added_rss_mb") if row else None
    if added:
        rows.append((what, f"{added['max']:+.1f} MB in the worst of {added['n']} rounds, median {added['median']:+.1f} "
                     f"(of the peak, the service {row['service_peak_rss_mb']['median']:.1f} MB)",
                     added["max"] <= 150))
    else:
        rows.append((what, missing, None))
    per_process = row.get("added_per_process_mb") if row else None
    if per_process:
        rows.append(("(same, counted per process: each one's own peak RSS summed, plus the service's peak, over "
                     "pam_permit's processes' own peaks summed; blind to how many are alive at once)",
                     f"{per_process['max']:+.1f} MB in the worst of {per_process['n']} rounds, median "
                     f"{per_process['median']:+.1f}", per_process["max"] <= 150))
    row = storm_row(256, "java_jar_trivial")
    added = row.get("added_rss_mb") if row else None
    if added:
        per_process = row["added_per_process_mb"]
        rows.append(("(for comparison: pam_java in process at 256 concurrent, memory added over pam_permit's run)",
                     f"{added['median']:+.1f} MB median, {added['max']:+.1f} MB in the worst of {added['n']} rounds; "
                     f"counted per process {per_process['median']:+.1f} MB", None))
    return rows


def smoke_note(machine):
    return (" — a smoke run (tiny sizes, one round): it shows that the report works, it measures nothing"
            if machine.get("smoke") == "1" else "")


def target_table(title, rows):
    out = ["", title, "", "| target | measured | |", "|---|---|---|"]
    for what, measured, met in rows:
        out.append(f"| {what} | {measured} | {'–' if met is None else 'met' if met else 'not met'} |")
    return out


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
        out.extend(storm_markdown(storm_result, machine))
        out.extend(target_table("**Targets** (issue 16; cold and warm are not measured by a storm-only run)"
                                + smoke_note(machine),
                                resident_targets(result, storm_result)))
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
    out.extend(shared_state_markdown(result))
    out.extend(storm_markdown(storm_result, machine))
    out.extend(target_table("**Targets** (issue 16: the resident service by default for root hosts; same-run "
                            "ratios, medians of the per-round ratios (p10–p90))" + smoke_note(machine),
                            resident_targets(result, storm_result)))
    rows = targets(result)
    if rows:
        out.extend(target_table("**Earlier targets** (issue 6)" + smoke_note(machine), rows))
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


def shared_state_markdown(result):
    """The shared-state case: the pooled client kept as @SharedState against a new client per handle."""
    rows = [(where, result[p], result[s]) for where, p, s in SHARED_STATE_PAIRS
            if p in result and s in result and "warm_us" in result[s] and "warm_us" in result[p]]
    if not rows:
        return []
    out = ["", "**Shared state** (issue 17): a module whose authenticate makes one HTTP request to a local "
           "server (bench/HttpAllowServer.java), with its java.net.http.HttpClient kept as @SharedState "
           "(one pooled client for every handle: kept connections) against a new client per handle "
           "(closed with it). Warm and cold as above; shared × per handle: median (p10–p90) of the "
           "per-round ratios", "",
           "| where | warm µs, per handle | warm µs, shared | warm: shared × per handle | CPU: shared × per handle "
           "| cold ms, per handle | cold ms, shared | cold: shared × per handle |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for where, per_handle, shared in rows:
        out.append(f"| {where} | {fmt_spread(per_handle['warm_us'])} | {fmt_spread(shared['warm_us'])} | "
                   f"{fmt_ratio(shared.get('warm_vs_per_handle'))} | {fmt_ratio(shared.get('warm_cpu_vs_per_handle'))} | "
                   f"{fmt_spread(per_handle.get('cold_ms'))} | {fmt_spread(shared.get('cold_ms'))} | "
                   f"{fmt_ratio(shared.get('cold_vs_per_handle'))} |")
    return out


def chart(path, machine, result, storm_results):
    """Cold, warm and memory per variant (a row of bars), and the login storm against N (a row of lines)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"pam": "#7f7f7f", "python": "#3b75af", "java": "#e07b28", "resident": "#2e8b57"}

    def colour(v):
        for kind in ("python", "java", "resident"):
            if v.startswith(kind):
                return colours[kind]
        return colours["pam"]

    storms = {n: r for (t, n), r in storm_results.items() if t == 1}
    rows = (1 if result else 0) + (1 if storms else 0)
    fig = plt.figure(figsize=(16, 5.6 * rows))
    if result:
        bar_panels(fig, rows, result, colour)
    if storms:
        storm_panels(fig, rows, storms, colour)
    fig.suptitle(f"pam_java benchmark: full PAM transactions through libpam "
                 f"({machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB, "
                 f"{machine.get('rounds', '?')} interleaved rounds, {machine.get('date', '')})", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def bar_panels(fig, rows, result, colour):
    order = [v for v, _ in VARIANTS if v in result]
    first = fig.add_subplot(rows, 3, 1)
    axes = [first, fig.add_subplot(rows, 3, 2, sharey=first), fig.add_subplot(rows, 3, 3, sharey=first)]
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
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)


def storm_panels(fig, rows, storms, colour):
    """Throughput, p99 (p50 dotted) and peak memory against N, one line per variant, with the targets."""
    sizes = sorted(storms)
    base = 3 * (rows - 1)
    axes = [fig.add_subplot(rows, 3, base + i) for i in (1, 2, 3)]
    titles = ["Login storm: logins per second (median, p10–p90)\ndashed: 0.5× pam_permit (the target at 64)",
              "Login storm: per process, release to exit, ms\np99 (solid) and p50 (dotted)",
              "Login storm: peak summed RSS, MB (clients + service)\ndashed: pam_permit's + 150 MB"]
    for v, label in VARIANTS:
        ns = [n for n in sizes if v in storms[n]]
        if not ns:
            continue
        rs = [storms[n][v] for n in ns]
        c = colour(v)
        tps = [r["logins_per_s"] for r in rs]
        axes[0].errorbar(ns, [t["median"] for t in tps],
                         yerr=[[t["median"] - t["p10"] for t in tps], [t["p90"] - t["median"] for t in tps]],
                         color=c, marker="o", capsize=3, label=label)
        axes[1].plot(ns, [r["p99_ms"] for r in rs], color=c, marker="o", label=label)
        axes[1].plot(ns, [r["p50_ms"] for r in rs], color=c, marker=".", linestyle=":")
        axes[2].plot(ns, [r["peak_rss_mb"]["median"] for r in rs], color=c, marker="o", label=label)
    permit = [(n, storms[n]["pam_permit"]) for n in sizes if "pam_permit" in storms[n]]
    if permit:
        axes[0].plot([n for n, _ in permit], [0.5 * r["logins_per_s"]["median"] for _, r in permit],
                     color=colour("pam_permit"), linestyle="--", linewidth=1)
        axes[2].plot([n for n, _ in permit], [r["peak_rss_mb"]["median"] + 150 for _, r in permit],
                     color=colour("pam_permit"), linestyle="--", linewidth=1)
    for ax, title in zip(axes, titles):
        ax.set_title(title, fontsize=11)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([str(n) for n in sizes])
        ax.set_xlabel("N: processes released at once")
        ax.grid(color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
    axes[0].legend(fontsize=8.5)


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
    storm_result = {k: analyse_storm(by_variant, storm_fail.get(k, {})) for k, by_variant in storm.items()}
    text = markdown(machine, result, storm_result, jmh)
    with open(a.md, "w") as f:
        f.write(text)
    with open(a.json, "w") as f:
        json.dump({"machine": machine, "variants": result,
                   "storm": {str(n): r for (t, n), r in sorted(storm_result.items()) if t == 1},
                   "storm_threads": {f"{n}x{t}": r for (t, n), r in sorted(storm_result.items()) if t != 1},
                   "targets": [{"target": t, "measured": m, "met": ok}
                               for t, m, ok in resident_targets(result, storm_result) + targets(result)],
                   "jmh": [{"benchmark": b["benchmark"], "params": b.get("params"),
                            "score": b["primaryMetric"]["score"], "error": b["primaryMetric"].get("scoreError"),
                            "unit": b["primaryMetric"]["scoreUnit"]} for b in jmh]}, f, indent=1)
    if a.chart and (result or storm_result):
        chart(a.chart, machine, result, storm_result)


if __name__ == "__main__":
    main()
