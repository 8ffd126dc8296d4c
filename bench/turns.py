"""Turn cost in one process on SQLite: a full signed SMS turn and a full web chat turn, against the floor.

The floor is a bare Flask route returning fixed TwiML, called through the same test client machinery, so
the ratio shows what the service itself adds (signature check, engine, NLU, database write, rendering).

Run alone: .venv/bin/python -m bench.turns [--profile]
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import (
    AUTH_TOKEN,
    PUBLIC_BASE,
    SMS_SCRIPT,
    WEB_SCRIPT,
    app_env,
    number_for,
    sms_params,
    summary_ms,
)

TARGET_P50_MS = 5.0
TARGET_P99_MS = 25.0
TARGET_NLU_US = 1000.0
CPU: list[float] = []  # thread CPU seconds of each timed turn (robust to other load on the machine)
FIXED_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you.</Message></Response>'


def build_app(workdir: Path) -> Any:
    """The real app on a freshly migrated SQLite file."""
    from bot import create_app
    from intake.migrate import upgrade

    url = f"sqlite:///{workdir / 'intake.sqlite3'}"
    upgrade(url)
    return create_app(app_env(url, workdir / "instance"))


def floor_app() -> Any:
    """A bare Flask app: one route, fixed TwiML, nothing else."""
    from flask import Flask, Response

    app = Flask("bench_floor")

    @app.post("/twilio/sms")
    def fixed() -> Response:
        return Response(FIXED_TWIML, mimetype="text/xml")

    return app


class SmsParent:
    """Texts the app through Flask's test client, signed exactly as Twilio signs."""

    def __init__(self, client: Any, number: str) -> None:
        from twilio.request_validator import RequestValidator

        self.client = client
        self.number = number
        self.validator = RequestValidator(AUTH_TOKEN)

    def send(self, body: str) -> tuple[float, int, str]:
        params = sms_params(self.number, body, "SM" + uuid.uuid4().hex)
        signature = self.validator.compute_signature(PUBLIC_BASE + "/twilio/sms", params)
        cpu, start = time.thread_time(), time.perf_counter()
        response = self.client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
        elapsed = time.perf_counter() - start
        CPU.append(time.thread_time() - cpu)
        return elapsed, response.status_code, response.get_data(as_text=True)


class WebParent:
    """A parent in the web chat (the session is opened outside the timed turns)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        data = client.post("/api/chat/sessions").get_json()
        self.path = f"/api/chat/sessions/{data['session_id']}/messages"
        self.headers = {"Authorization": f"Bearer {data['token']}"}

    def send(self, text: str) -> tuple[float, int, str]:
        cpu, start = time.thread_time(), time.perf_counter()
        response = self.client.post(self.path, json={"text": text, "id": uuid.uuid4().hex}, headers=self.headers)
        elapsed = time.perf_counter() - start
        CPU.append(time.thread_time() - cpu)
        if response.status_code != 200:
            return elapsed, response.status_code, response.get_data(as_text=True)
        parts = []
        for message in response.get_json()["messages"]:
            parts.append(message["text"])
            parts.extend(f"{c['key']} {c['label']}" for c in message["choices"])
        return elapsed, 200, "\n".join(parts)


def converse(parent: SmsParent | WebParent, script: list[tuple[str, str]], times: list[list[float]]) -> int:
    """One whole conversation; per-step times appended; returns the number of unexpected replies."""
    errors = 0
    for step, (message, expected) in enumerate(script):
        elapsed, status, body = parent.send(message)
        times[step].append(elapsed)
        if status != 200 or expected.lower() not in body.lower():
            errors += 1
    return errors


def time_floor(requests: int) -> list[float]:
    """Per-request times of the bare route (same form body as an SMS turn)."""
    client = floor_app().test_client()
    params = sms_params(number_for(0), "what is a senco", "SM" + "0" * 32)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": "x"})
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times


def time_nlu(app: Any, repeats: int = 5) -> dict[str, float]:
    """Classifier time per message on the evaluation texts (what every free-text turn pays)."""
    from bench.common import ROOT

    classifier = app.extensions["intake"].engine.classifier
    texts = [m for m, _ in SMS_SCRIPT + WEB_SCRIPT if len(m) > 3]
    eval_file = ROOT / "tests" / "data" / "nlu_eval.yaml"
    if eval_file.exists():
        import yaml

        texts += [str(i["text"]) for i in yaml.safe_load(eval_file.read_text(encoding="utf-8")) or []]
    per: list[float] = []
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter()
            classifier.classify(text)
            per.append(time.perf_counter() - start)
    figures = summary_ms(per)
    return {"messages": len(texts), "p50_us": figures["p50_ms"] * 1000, "p99_us": figures["p99_ms"] * 1000,
            "mean_us": figures["mean_ms"] * 1000}


def profile_turns(app: Any, conversations: int = 15, top: int = 18) -> dict[str, Any]:
    """cProfile over whole SMS and web conversations: the functions that cost most (own time and total)."""
    client = app.test_client()
    sink: list[list[float]] = [[] for _ in range(max(len(SMS_SCRIPT), len(WEB_SCRIPT)))]
    parents: list[tuple[SmsParent | WebParent, list[tuple[str, str]]]] = []
    for i in range(conversations):
        parents.append((SmsParent(client, number_for(i, prefix=90)), SMS_SCRIPT))
        parents.append((WebParent(client), WEB_SCRIPT))
    profiler = cProfile.Profile(time.process_time)  # CPU time: other processes' load does not skew it
    profiler.enable()
    for parent, script in parents:
        converse(parent, script, sink)
    profiler.disable()
    turns = conversations * (len(SMS_SCRIPT) + len(WEB_SCRIPT))
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = _short(filename)
        rows.append({"function": f"{where}:{line}({name})", "calls_per_turn": calls / turns,
                     "own_ms_per_turn": tottime / turns * 1000, "total_ms_per_turn": cumtime / turns * 1000})
    by_own = sorted(rows, key=lambda r: -r["own_ms_per_turn"])[:top]
    ours = [r for r in rows if r["function"].startswith(("bot/", "intake/"))]
    by_total = sorted(ours, key=lambda r: -r["total_ms_per_turn"])[:top]
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    return {"turns": turns, "top_own": by_own, "top_total_ours": by_total, "raw": text.getvalue()}


def _short(filename: str) -> str:
    from bench.common import ROOT

    for marker in ("/site-packages/", f"{ROOT}/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename.rsplit("/", 2)[-1] if "/" in filename else filename


def run(conversations: int = 60, profile: bool | None = None) -> dict[str, Any]:
    """Time `conversations` SMS and web conversations each; profile when a target is missed (or asked)."""
    import gc

    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        app = build_app(Path(tmp))
        client = app.test_client()
        warm: list[list[float]] = [[] for _ in range(len(SMS_SCRIPT))]
        for i in range(5):  # first requests build caches (templates, statements): not the steady state
            converse(SmsParent(client, number_for(i, prefix=99)), SMS_SCRIPT, warm)
            converse(WebParent(client), WEB_SCRIPT, warm)
        time_floor(200)

        sms_steps: list[list[float]] = [[] for _ in SMS_SCRIPT]
        web_steps: list[list[float]] = [[] for _ in WEB_SCRIPT]
        sms_cpu: list[float] = []
        web_cpu: list[float] = []
        errors = 0
        gc.collect()
        load_before = os.getloadavg()[0]
        for i in range(conversations):  # interleaved, so background noise hits both channels alike
            CPU.clear()
            errors += converse(SmsParent(client, number_for(i)), SMS_SCRIPT, sms_steps)
            sms_cpu += CPU
            CPU.clear()
            errors += converse(WebParent(client), WEB_SCRIPT, web_steps)
            web_cpu += CPU
        floor = summary_ms(time_floor(2000))
        sms = summary_ms([t for step in sms_steps for t in step])
        web = summary_ms([t for step in web_steps for t in step])
        nlu = time_nlu(app)
        result: dict[str, Any] = {
            "conversations_per_channel": conversations,
            "floor": floor,
            "sms": sms | {"ratio_p50_to_floor": sms["p50_ms"] / floor["p50_ms"]},
            "web": web | {"ratio_p50_to_floor": web["p50_ms"] / floor["p50_ms"]},
            "sms_steps_p50_ms": {m: summary_ms(t)["p50_ms"] for (m, _), t in zip(SMS_SCRIPT, sms_steps, strict=True)},
            "web_steps_p50_ms": {m: summary_ms(t)["p50_ms"] for (m, _), t in zip(WEB_SCRIPT, web_steps, strict=True)},
            "sms_cpu": summary_ms(sms_cpu),
            "web_cpu": summary_ms(web_cpu),
            "load_average": [load_before, os.getloadavg()[0]],
            "unexpected_replies": errors,
            "nlu": nlu,
            "targets": {"p50_ms": TARGET_P50_MS, "p99_ms": TARGET_P99_MS, "nlu_us": TARGET_NLU_US},
        }
        worst = (max(sms["p50_ms"], web["p50_ms"]), max(sms["p99_ms"], web["p99_ms"]))
        result["met"] = {
            "p50": worst[0] <= TARGET_P50_MS,
            "p99": worst[1] <= TARGET_P99_MS,
            "nlu": nlu["p50_us"] <= TARGET_NLU_US,
        }
        if profile or (profile is None and not all(result["met"].values())):
            result["profile"] = profile_turns(app)
        app.extensions["intake"].db.dispose()
    return result


def print_report(result: dict[str, Any]) -> None:
    """The turn-cost part of the table."""
    floor = result["floor"]
    print(f"Turn cost (one process, SQLite, {result['conversations_per_channel']} conversations per channel)")
    print(f"  {'':22} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'x floor':>8}")
    for name, key in (("bare Flask route", "floor"), ("SMS turn (signed)", "sms"), ("web chat turn", "web")):
        row = result[key]
        ratio = row["p50_ms"] / floor["p50_ms"]
        print(f"  {name:22} {row['p50_ms']:8.2f} {row['p90_ms']:8.2f} {row['p99_ms']:8.2f} "
              f"{row['max_ms']:8.1f} {ratio:8.0f}")
    for name, key in (("SMS turn, CPU only", "sms_cpu"), ("web turn, CPU only", "web_cpu")):
        row = result[key]
        print(f"  {name:22} {row['p50_ms']:8.2f} {row['p90_ms']:8.2f} {row['p99_ms']:8.2f} {row['max_ms']:8.1f}")
    print(f"  (1-min load average during the run: {result['load_average'][0]:.1f} -> "
          f"{result['load_average'][1]:.1f} on {os.cpu_count()} cores; wall times include waiting for a core)")
    nlu = result["nlu"]
    print(f"  NLU classify: p50 {nlu['p50_us']:.0f} µs, p99 {nlu['p99_us']:.0f} µs per message "
          f"(target <= {TARGET_NLU_US:.0f})")
    print(f"  targets: p50 <= {TARGET_P50_MS} ms {'met' if result['met']['p50'] else 'MISSED'}, "
          f"p99 <= {TARGET_P99_MS} ms {'met' if result['met']['p99'] else 'MISSED'}; "
          f"unexpected replies {result['unexpected_replies']}")
    slow = sorted(result["sms_steps_p50_ms"].items(), key=lambda kv: -kv[1])[:3]
    print("  slowest SMS steps (p50): " + ", ".join(f"{m!r} {ms:.1f} ms" for m, ms in slow))
    if "profile" in result:
        print(f"  profile over {result['profile']['turns']} turns, our code by total ms per turn:")
        for row in result["profile"]["top_total_ours"][:10]:
            print(f"    {row['total_ms_per_turn']:6.2f}  {row['function']}")
        print("  by own time (any code):")
        for row in result["profile"]["top_own"][:10]:
            print(f"    {row['own_ms_per_turn']:6.2f}  {row['function']}  ({row['calls_per_turn']:.0f} calls/turn)")


if __name__ == "__main__":
    figures = run(profile="--profile" in sys.argv or None)
    print_report(figures)
    if "--raw" in sys.argv and "profile" in figures:
        print(figures["profile"]["raw"])
