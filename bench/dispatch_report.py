#!/usr/bin/env python3
"""Prints what bench/run_dispatch.sh measured: one block per phase, then the figures beside the
raw Redis ones of the same run, with the ratios. Reads the files the script left in its work
directory (<phase>.json from dispatch_bench, <phase>.extra.json, <phase>.metrics, raw/*.csv).

    dispatch_report.py phase NAME WORKDIR
    dispatch_report.py summary all WORKDIR C
"""
import csv
import json
import os
import re
import sys

TARGETS = {"alert_p50": 5.0, "alert_p99": 25.0, "lateness_p99": 100.0}  # ms, from the issue


def load(work, phase):
    with open(os.path.join(work, f"{phase}.json"), encoding="utf-8") as f:
        result = json.load(f)
    with open(os.path.join(work, f"{phase}.extra.json"), encoding="utf-8") as f:
        extra = json.load(f)
    path = os.path.join(work, f"{phase}.metrics")
    metrics = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    return result, extra, metrics


def histogram_mean_ms(metrics, name):
    """The mean of a Prometheus histogram, from its _sum and _count, in ms (None if absent)."""
    total = re.search(rf"^{name}_sum(?:\{{[^}}]*\}})? (\S+)$", metrics, re.M)
    count = re.search(rf"^{name}_count(?:\{{[^}}]*\}})? (\S+)$", metrics, re.M)
    if not total or not count or float(count.group(1)) == 0:
        return None
    return 1000 * float(total.group(1)) / float(count.group(1))


def cpu_per_report_ms(extra, reports):
    """CPU time (user + system) each process spent during the phase, per acknowledged report."""
    tick = os.sysconf("SC_CLK_TCK")
    before = dict(kv.split("=") for kv in extra["cpu_before"].split())
    after = dict(kv.split("=") for kv in extra["cpu_after"].split())
    return {name: 1000 * (float(after[name]) - float(before[name])) / tick / max(reports, 1)
            for name in after}


def line(label, s):
    return (f"  {label:30} n={s['count']:<6} p50={s['p50_ms']:8.2f}  p90={s['p90_ms']:8.2f}  "
            f"p99={s['p99_ms']:8.2f}  max={s['max_ms']:8.2f} ms")


def phase(name, work):
    r, extra, metrics = load(work, name)
    print(f"{name}: {r['mode']}, {r['n']} reports, rate {r['rate_target']:g}/s target, "
          f"{r['rate_achieved']:.1f}/s achieved, {r['c']} connections")
    print(f"  acknowledged {r['acknowledged']}, stored (ZCARD piket:reports) {extra['stored']}, "
          f"alerted {r['alerted']} (distinct references), errors {r['errors']}, "
          f"read back {r['verified_ok']}/{r['verified']}; waited {r['waited_for_alerts_s']:.1f} s for the alerts")
    print(line("HTTP answer (201)", r["answer"]))
    print(line("send lag (due -> written)", r["send_lag"]))
    print(line("report -> first call-out", r["alert_latency"]))
    if "lateness" in r:
        print(line("step lateness at the sink", r["lateness"]))
        for step, s in sorted(r.get("lateness_by_step", {}).items()):
            print(line(f"  step {step}", s))
    if "timer_lateness_metric" in r:
        m = r["timer_lateness_metric"]
        print(f"  piket_timer_lateness_seconds: count {m['count']:.0f}, mean {m['mean_ms']:.2f} ms, "
              f"p50 <= {m['p50_le_s']} s, p99 <= {m['p99_le_s']} s (bucket bounds)")
    # The daemons' own histograms: where the time of one report goes.
    means = {"dispatcher intake": "piket_intake_duration_seconds",
             "dispatcher match job": "piket_match_duration_seconds",
             "scheduler on-call answer": "piket_oncall_query_duration_seconds"}
    means = {k: histogram_mean_ms(metrics, v) for k, v in means.items()}
    if any(v is not None for v in means.values()):
        print("  the daemons' own means: " + ", ".join(
            f"{k} {v:.2f} ms" for k, v in means.items() if v is not None))
    cpu = cpu_per_report_ms(extra, r["acknowledged"])
    print("  CPU per report (ms): " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
          + f"; all {sum(cpu.values()):.2f}")


def raw(work, name):
    with open(os.path.join(work, "raw", f"{name}.csv"), encoding="utf-8") as f:
        row = list(csv.DictReader(f))[-1]
    return {"rate": float(row["rps"]), "p50": float(row["p50_latency_ms"]),
            "p99": float(row["p99_latency_ms"]), "max": float(row["max_latency_ms"])}


def summary(work, c):
    rate, _, _ = load(work, "rate")
    burst, _, _ = load(work, "burst")
    esc, _, _ = load(work, "escalation")
    xadd_c, xadd_1, ping, fcall = (raw(work, n) for n in ("xadd_c", "xadd_1", "ping_1", "fcall_1"))
    print("== raw redis, same disk, same run (redis-benchmark; ms)")
    for label, x in ((f"XADD, appendfsync always, c={c}", xadd_c), ("XADD, appendfsync always, c=1", xadd_1),
                     ("PING, c=1", ping), ("FCALL no-op function, c=1", fcall)):
        print(f"  {label:34} {x['rate']:10.1f} req/s  p50={x['p50']:.3f}  p99={x['p99']:.3f}  max={x['max']:.3f}")
    a = rate["alert_latency"]
    print()
    print(f"== figures and ratios")
    print(f"  report -> alert at {rate['rate_target']:g}/s: p50 {a['p50_ms']:.2f} ms (target <= {TARGETS['alert_p50']:g}: "
          f"{'met' if a['p50_ms'] <= TARGETS['alert_p50'] else 'MISSED'}), p99 {a['p99_ms']:.2f} ms "
          f"(target <= {TARGETS['alert_p99']:g}: {'met' if a['p99_ms'] <= TARGETS['alert_p99'] else 'MISSED'})")
    print(f"    = {a['p50_ms'] / xadd_1['p50']:.1f} x an fsync'd XADD round trip at p50, "
          f"{a['p99_ms'] / xadd_1['p99']:.1f} x at p99; {a['p50_ms'] / ping['p50']:.0f} x a PING round trip at p50")
    b = burst["alert_latency"]
    print(f"  burst of {burst['n']}: intake {burst['rate_achieved']:.1f} reports/s; XADD rate at c={c} / that "
          f"= {xadd_c['rate'] / max(burst['rate_achieved'], 1e-9):.1f}; "
          f"report -> alert p50 {b['p50_ms']:.1f} ms, p99 {b['p99_ms']:.1f} ms, max {b['max_ms']:.1f} ms; "
          f"alerted {burst['alerted']} of {burst['acknowledged']}")
    if "lateness" in esc:
        l = esc["lateness"]
        print(f"  escalation step lateness at the sink: p50 {l['p50_ms']:.1f} ms, p99 {l['p99_ms']:.1f} ms "
              f"(target p99 <= {TARGETS['lateness_p99']:g}: {'met' if l['p99_ms'] <= TARGETS['lateness_p99'] else 'MISSED'})"
              f" = {l['p99_ms'] / xadd_1['p99']:.1f} x an fsync'd XADD round trip at p99")
        m = esc.get("timer_lateness_metric")
        if m:
            print(f"    piket_timer_lateness_seconds (claim only): mean {m['mean_ms']:.2f} ms, "
                  f"p99 <= {m['p99_le_s']} s over {m['count']:.0f} timers")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "phase":
        phase(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5 and sys.argv[1] == "summary":
        summary(sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
