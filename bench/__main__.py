"""`make bench`: every benchmark in one run, one table, and bench/results.json.

Sections: NLU, safeguarding, turn cost, instructions per turn, growth, memory, load. Each runs in turn; a
section that fails is reported as such and the others still run. Set BENCH_ONLY=turns,growth to run some;
BENCH_MEMORY_TURNS and BENCH_LOAD_SECONDS shorten the long ones.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import ROOT

RESULTS = Path(__file__).resolve().parent / "results.json"


def _nlu() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "bench"))
    import nlu_bench

    result = nlu_bench.run()
    result.pop("errors", None)
    return result


def _safeguarding() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "bench"))
    import safeguarding_bench

    return safeguarding_bench.run()


def _turns() -> dict[str, Any]:
    from bench import turns

    return turns.run()


def _instructions() -> dict[str, Any]:
    from bench import instructions

    return instructions.run()


def _growth() -> dict[str, Any]:
    from bench import growth

    return growth.run()


def _memory() -> dict[str, Any]:
    from bench import memory

    return memory.run()


def _load() -> dict[str, Any]:
    from bench import load

    return load.run(seconds=float(os.environ.get("BENCH_LOAD_SECONDS", "30")),
                    flat_out_seconds=float(os.environ.get("BENCH_LOAD_FLAT_SECONDS", "15")))


SECTIONS = [("nlu", _nlu), ("safeguarding", _safeguarding), ("turns", _turns), ("instructions", _instructions),
            ("growth", _growth), ("memory", _memory), ("load", _load)]


def _print_nlu(r: dict[str, Any]) -> None:
    print("NLU (bench/nlu_bench.py)")
    met = "met" if r["top1"] >= 0.90 and r["wrong"] < r["unsure"] else "MISSED"
    print(f"  top-1 topic accuracy {r['top1']:.1%} on {r['in_scope']} in-scope messages (target >= 90%: {met}); "
          f"answered outright and right {r['accuracy']:.1%}, the rest asked 'did you mean'")
    print(f"  confident but wrong {r['wrong']} < unsure {r['unsure']} (a wrong answer is rarer than asking); "
          f"out of scope declined {r['oos_declined']:.1%}")
    print(f"  classify p50 {r['classify_us_p50']:.0f} µs, p99 {r['classify_us_p99']:.0f} µs "
          f"(target <= 1000 µs); train {r['train_ms']:.0f} ms")


def _print_safeguarding(r: dict[str, Any]) -> None:
    print("Safeguarding detector (bench/safeguarding_bench.py)")
    print(f"  risk caught {r['recall_caught']:.1%} (missed {r['risk_missed']} of {r['risk_messages']}); "
          f"false positives on ordinary messages {r['false_positive_rate']:.1%}; "
          f"{r['microseconds_per_message']:.0f} µs per message")


def _printer(name: str) -> Any:
    if name == "nlu":
        return _print_nlu
    if name == "safeguarding":
        return _print_safeguarding
    from bench import growth, instructions, load, memory, turns

    return {"turns": turns.print_report, "instructions": instructions.print_report, "growth": growth.print_report,
            "memory": memory.print_report, "load": load.print_report}[name]


def _summary(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows for the closing table."""
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    t = results.get("turns", {})
    if "sms" in t:
        rows.append(("turn p50 <= 5 ms (SMS / web)", f"{t['sms']['p50_ms']:.1f} / {t['web']['p50_ms']:.1f} ms "
                     f"(CPU {t['sms_cpu']['p50_ms']:.1f} / {t['web_cpu']['p50_ms']:.1f})", verdict(t["met"]["p50"])))
        rows.append(("turn p99 <= 25 ms (SMS / web)", f"{t['sms']['p99_ms']:.1f} / {t['web']['p99_ms']:.1f} ms "
                     f"(CPU {t['sms_cpu']['p99_ms']:.1f} / {t['web_cpu']['p99_ms']:.1f})", verdict(t["met"]["p99"])))
        rows.append(("NLU <= 1 ms per message", f"{t['nlu']['p50_us']:.0f} µs p50", verdict(t["met"]["nlu"])))
    i = results.get("instructions", {})
    if "sms_instructions_per_turn" in i:
        rows.append(("  (instructions a turn, SMS / web: host-independent)",
                     f"{i['sms_instructions_per_turn'] / 1e6:.2f} / {i['web_instructions_per_turn'] / 1e6:.2f} M",
                     "info"))
    ld = results.get("load", {})
    if "paced" in ld:
        best = max(ld["paced"]["turns_per_s"], ld["flat_out"]["turns_per_s"])
        rows.append((">= 300 turns/s under load", f"{best:.0f} turns/s", verdict(ld["met"]["turns_per_s"])))
        rows.append(("p99 <= 100 ms under load", f"{ld['paced']['latency']['p99_ms']:.0f} ms",
                     verdict(ld["met"]["p99"])))
        within = ld.get("paced_within_capacity")
        if within:
            measured = f"{within['latency']['p99_ms']:.0f} ms at {within['offered_turns_per_s']:.0f} turns/s"
            rows.append(("  (p99 at 70% of what this machine serves)", measured, "info"))
        phases = [ld[p] for p in ("flat_out", "paced", "paced_within_capacity") if ld.get(p)]
        errors = sum(p["errors"] for p in phases)
        rows.append(("0 errors under load", str(errors), verdict(ld["met"]["errors"])))
        dbs = [p["database"] for p in phases]
        rows.append(("0 lost or duplicated enquiries",
                     f"{sum(d['lost'] for d in dbs)} lost, {sum(d['duplicated'] for d in dbs)} duplicated, "
                     f"{sum(d['enquiries_in_database'] for d in dbs)} stored for "
                     f"{sum(d['conversations_completed'] for d in dbs)} completed",
                     verdict(ld["met"]["no_lost_or_duplicated"])))
    elif "skipped" in ld:
        rows.append(("load targets", "skipped: " + ld["skipped"], "SKIPPED"))
    g = results.get("growth", {})
    for db in ("postgresql", "sqlite"):
        if "ratio" in g.get(db, {}):
            r = g[db]["ratio"]
            rows.append((f"growth 100k/100 <= 1.5 ({db})",
                         f"claim {r['claim_ms']:.2f}, queue page {r['queue_page_ms']:.2f}, "
                         f"queue place {r['queue_place_ms']:.1f}",
                         verdict(all(v <= 1.5 for v in r.values()))))
    m = results.get("memory", {})
    if "growth_mb" in m:
        rows.append(("memory: no growth 10k -> 20k turns",
                     f"peak {m['peak_rss_after_first_mb']:.0f} MB at {m['turns']:,}; {m['growth_mb']:+.1f} MB",
                     verdict(m["met"]["no_growth"])))
    return rows


def reference_loop_ms() -> float:
    """A fixed pure-Python workload, best of 5: how fast this machine runs Python, to compare runs across machines."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> int:
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": os.getloadavg(), "reference_loop_ms": reference_loop_ms()},
    }
    began = time.perf_counter()
    for name, section in SECTIONS:
        if only and name not in only:
            continue
        start = time.perf_counter()
        try:
            results[name] = section()
        except Exception:
            results[name] = {"error": traceback.format_exc()}
        results[name]["section_seconds"] = round(time.perf_counter() - start, 1)
        print()
        if "error" in results[name] and len(results[name]) == 2:
            print(f"{name}: FAILED\n{results[name]['error']}")
        else:
            _printer(name)(results[name])
        sys.stdout.flush()
    results["total_seconds"] = round(time.perf_counter() - began, 1)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    rows = _summary(results)
    results["summary"] = [{"target": a, "measured": b, "verdict": c} for a, b, c in rows]
    print()
    print(f"Summary (bench/results.json; {results['total_seconds']:.0f} s; load average at start "
          f"{results['machine']['load_average_at_start'][0]:.1f} on {os.cpu_count()} cores; reference Python loop "
          f"{results['machine']['reference_loop_ms']:.0f} ms: compare it before comparing figures across machines)")
    if rows:
        w1, w2 = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
        for target, measured, result in rows:
            print(f"  {target:<{w1}}  {measured:<{w2}}  {result}")
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
