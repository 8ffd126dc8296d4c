"""Memory: resident size of one app process after 10,000 turns, and whether it grows to 20,000.

A fresh Python process (a worker's view: the app built once, then turn after turn) runs whole signed SMS
conversations through the WSGI app and reports VmRSS after each checkpoint and VmHWM (its peak).

Run alone: .venv/bin/python -m bench.memory [turns per half]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT

TURNS = int(os.environ.get("BENCH_MEMORY_TURNS", "10000"))
GROWTH_ALLOWED_MB = 2.0  # allocator noise; a leak of even 200 bytes a turn shows as 2 MB over 10,000


def status_mb() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values


def child(turns: int) -> None:
    """In the measured process: build the app, run 2 x `turns` turns, print checkpoints as JSON."""
    import gc
    import uuid

    from twilio.request_validator import RequestValidator

    from bench.common import AUTH_TOKEN, PUBLIC_BASE, SMS_SCRIPT, number_for, sms_params
    from bench.turns import build_app

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        app = build_app(Path(tmp))
        client = app.test_client()
        validator = RequestValidator(AUTH_TOKEN)
        checkpoints = [{"turns": 0, **status_mb()}]
        done = conversation = 0
        marks = sorted({turns // 2, turns, turns + turns // 2, 2 * turns})
        while done < 2 * turns:
            conversation += 1
            number = number_for(conversation, prefix=50)
            for message, _expected in SMS_SCRIPT:
                params = sms_params(number, message, "SM" + uuid.uuid4().hex)
                signature = validator.compute_signature(PUBLIC_BASE + "/twilio/sms", params)
                response = client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
                if response.status_code != 200:
                    raise SystemExit(f"turn failed: {response.status_code}")
                done += 1
                if done in marks:
                    gc.collect()
                    checkpoints.append({"turns": done, **status_mb()})
                if done >= 2 * turns:
                    break
        print(json.dumps({"checkpoints": checkpoints, "conversations": conversation}))


def run(turns: int = TURNS) -> dict[str, Any]:
    """Run the child process and judge: peak RSS at `turns`, growth between `turns` and 2 x `turns`."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "bench.memory", "--child", str(turns)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        return {"error": (out.stderr or out.stdout)[-2000:]}
    data = json.loads(out.stdout.strip().splitlines()[-1])
    points = {p["turns"]: p for p in data["checkpoints"]}
    first, second = points[turns], points[2 * turns]
    growth = second["VmRSS"] - first["VmRSS"]
    return {
        "turns": turns,
        "checkpoints": data["checkpoints"],
        "rss_at_start_mb": points[0]["VmRSS"],
        "rss_after_first_mb": first["VmRSS"],
        "peak_rss_after_first_mb": first["VmHWM"],
        "rss_after_second_mb": second["VmRSS"],
        "peak_rss_after_second_mb": second["VmHWM"],
        "growth_mb": growth,
        "growth_bytes_per_turn": growth * 1024 * 1024 / turns,
        "met": {"no_growth": growth <= GROWTH_ALLOWED_MB},
    }


def print_report(result: dict[str, Any]) -> None:
    """The memory part of the table."""
    print("Memory (one process: app built once, then signed SMS turns through WSGI, SQLite)")
    if "error" in result:
        print(f"  FAILED: {result['error']}")
        return
    n = result["turns"]
    print("  RSS by turns: " + ", ".join(f"{p['turns']:,}: {p['VmRSS']:.1f} MB" for p in result["checkpoints"]))
    print(f"  peak RSS after {n:,} turns {result['peak_rss_after_first_mb']:.1f} MB; after {2 * n:,} "
          f"{result['peak_rss_after_second_mb']:.1f} MB; growth {n:,} -> {2 * n:,}: {result['growth_mb']:+.1f} MB "
          f"({result['growth_bytes_per_turn']:+.0f} bytes/turn) "
          f"{'no growth (met)' if result['met']['no_growth'] else 'GROWS (missed)'}")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(int(sys.argv[sys.argv.index("--child") + 1]))
    else:
        print_report(run(int(sys.argv[1]) if len(sys.argv) > 1 else TURNS))
