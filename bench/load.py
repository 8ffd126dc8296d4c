"""Load: gunicorn on PostgreSQL, ≥ 200 simulated parents texting whole conversations over loopback.

Each parent texts the SMS script (a question, HUMAN, the intake answers, YES) with fresh MessageSids, every
request signed for PUBLIC_BASE_URL exactly as Twilio signs it. The generator is stdlib asyncio with
keep-alive HTTP/1.1 connections (one per parent), so it costs the machine little next to the server.

Two phases on the same server:
- paced: the parents together offer a fixed rate (the 300 turns/s target by default): each parent's
  messages are due at random (Poisson) times, whatever the server does. Latency is measured from when a
  message was due, not from when it could be sent, so a slow reply that holds up a parent's next message
  counts against the server too (no "coordinated omission"); this gives the latency figures;
- flat out: no pause between messages, the most turns per second the server gives on this machine.

The workers keep rate-limit counts in Redis when it answers (one allowance per parent across workers, as
a deployment with several workers is set up), in their own memory otherwise; the report says which.

Afterwards the enquiries in the database are counted against the conversations that got a reference:
none may be lost or duplicated.

Run alone: .venv/bin/python -m bench.load [--parents 200] [--seconds 30] [--rate 300] [--flat-seconds 15]
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    AUTH_TOKEN,
    POSTGRES_URL,
    REDIS_URL,
    ROOT,
    SMS_SCRIPT,
    app_env,
    drop_schema,
    fresh_schema,
    postgres_available,
    redis_available,
    sms_params,
    summary_ms,
)

TARGET_TURNS_PER_S = 300.0
TARGET_P99_MS = 100.0
# On the 2-core machine; BENCH_WORKERS / BENCH_THREADS try other shapes without editing this file.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")
KEEP_ALIVE = os.environ.get("BENCH_KEEP_ALIVE", "30")  # seconds; 0 closes each connection after its reply
SERVER_NICE = int(os.environ.get("BENCH_SERVER_NICE", "0"))
WORKER_CONNECTIONS = os.environ.get("BENCH_WORKER_CONNECTIONS", "")  # gunicorn's cap per worker (default 1000)
REUSE_PORT = os.environ.get("BENCH_REUSE_PORT", "") == "1"  # each worker its own SO_REUSEPORT listening socket
REQUEST_TIMEOUT = 15.0


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Tally:
    """What the simulated parents saw."""

    latencies: list[float] = field(default_factory=list)
    by_step: dict[int, list[float]] = field(default_factory=dict)  # latencies per step of SMS_SCRIPT
    errors: dict[str, int] = field(default_factory=dict)
    started: int = 0
    requests: int = 0
    completed: int = 0
    references: list[str] = field(default_factory=list)
    numbers_completed: set[str] = field(default_factory=set)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class Connection:
    """One keep-alive HTTP/1.1 connection to the server; reconnects when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_form(self, path: str, body: bytes, signature: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None
            head = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n\r\n"
            ).encode()
            try:
                self.writer.write(head + body)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed before a reply")
            except (ConnectionError, OSError):
                await self.close()
                if attempt == 2:
                    raise
                continue  # a kept-alive connection the server had already closed: the request never ran
            status = int(status_line.split()[1])
            length, close = 0, False
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            data = await self.reader.readexactly(length) if length else b""
            if close:
                await self.close()
            return status, data
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self.reader = self.writer = None


async def parent(index: int, port: int, base: str, deadline: float, gap: float, tally: Tally,
                 run_tag: str) -> None:
    """One simulated parent: whole conversations, one after another, until the deadline.

    `gap` is the mean time between this parent's messages (0: flat out, each sent as the last reply lands).
    """
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(AUTH_TOKEN)
    url = base + "/twilio/sms"
    connection = Connection(port)
    rng = random.Random(index)
    conversation = 0
    due = time.perf_counter() + rng.uniform(0, max(gap, 0.05))  # parents arrive spread out, not in lock step
    try:
        while time.monotonic() < deadline:
            conversation += 1
            number = f"+447{run_tag}{index:04d}{conversation:03d}"
            tally.started += 1
            for step, (message, expected) in enumerate(SMS_SCRIPT):
                if time.monotonic() >= deadline:
                    return  # an unfinished conversation: no YES sent, so no enquiry may exist for it
                params = sms_params(number, message, f"SM{run_tag}{index:05d}{conversation:04d}{step:02d}")
                body = urllib.parse.urlencode(params).encode()
                signature = validator.compute_signature(url, params)
                if gap:
                    wait = due - time.perf_counter()
                    if time.monotonic() + wait >= deadline:
                        # due after the phase ends: sending it would stretch the measured time with a
                        # quiet tail and understate the rate the server kept up with
                        return
                    if wait > 0:
                        await asyncio.sleep(wait)
                    start = due  # a late reply that delayed this message counts as waiting for the server
                    due += rng.expovariate(1.0 / gap)
                else:
                    start = time.perf_counter()
                try:
                    status, data = await asyncio.wait_for(
                        connection.post_form("/twilio/sms", body, signature), REQUEST_TIMEOUT
                    )
                except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                    tally.error(type(exc).__name__)
                    await connection.close()
                    break
                elapsed = time.perf_counter() - start
                tally.requests += 1
                if run_tag in _RECORD:  # after the warm-up
                    tally.latencies.append(elapsed)
                    tally.by_step.setdefault(step, []).append(elapsed)
                text = data.decode("utf-8", "replace")
                if status != 200:
                    tally.error(f"HTTP {status}")
                    break
                if expected.lower() not in text.lower():
                    tally.error("unexpected reply")
                    break
                if step == len(SMS_SCRIPT) - 1:
                    from intake.references import find_reference

                    tally.completed += 1
                    tally.numbers_completed.add(number)
                    reference = find_reference(text)
                    if reference:
                        tally.references.append(reference)
    finally:
        await connection.close()


async def drive(port: int, base: str, parents: int, seconds: float, gap: float, run_tag: str,
                warmup: float = 0.0) -> tuple[Tally, float]:
    """All parents at once; latencies recorded after `warmup` seconds; returns the tally and measured time."""
    tally = Tally()
    start = time.monotonic()
    deadline = start + warmup + seconds
    tasks = [asyncio.create_task(parent(i, port, base, deadline, gap, tally, run_tag)) for i in range(parents)]
    if warmup:
        await asyncio.sleep(warmup)
    measured_from = time.monotonic()
    _RECORD.add(run_tag)  # every parent reads the flag per request
    await asyncio.gather(*tasks)
    _RECORD.discard(run_tag)
    return tally, time.monotonic() - measured_from


_RECORD: set[str] = set()  # phases whose latencies are being recorded (warm-up over)


def limiter_storage() -> tuple[str, str]:
    """Where the workers keep rate-limit counts: (RATELIMIT_STORAGE_URI, how the report describes it).

    Redis when it answers, as a deployment with several workers keeps them (DESIGN.md); an operator's own
    RATELIMIT_STORAGE_URI wins. Each worker's memory otherwise, which splits a parent's allowance.
    """
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        return os.environ["RATELIMIT_STORAGE_URI"], "rate limits in RATELIMIT_STORAGE_URI"
    why = redis_available()
    if why:
        return "memory://", f"rate limits in each worker's memory ({why})"
    return REDIS_URL, "rate limits in Redis"


def start_server(url: str, port: int, workdir: Path, storage: str) -> subprocess.Popen[bytes]:
    """gunicorn as the Procfile runs it (gthread workers here, preloaded so workers start together)."""
    env = dict(os.environ) | app_env(
        url, workdir / "instance", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", RATELIMIT_STORAGE_URI=storage,
        # this run's own keys: counts left by an earlier run cannot limit this one
        RATELIMIT_KEY_PREFIX=f"bench-{workdir.name}",
    )
    env["PYTHONPATH"] = str(ROOT)
    command = [
        *(["nice", "-n", str(SERVER_NICE)] if SERVER_NICE else []),
        str(Path(sys.executable).parent / "gunicorn"), "--config", "python:bot.gunicorn_config",
        "--workers", str(WORKERS), "--worker-class", WORKER_CLASS, "--threads", str(THREADS),
        "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--keep-alive", KEEP_ALIVE,
        *(["--worker-connections", WORKER_CONNECTIONS] if WORKER_CONNECTIONS else []),
        *(["--reuse-port"] if REUSE_PORT else []),
        "--preload", "--log-level", "warning", "bot:create_app()",
    ]
    log = open(workdir / "gunicorn.log", "wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Until /healthz answers (the app is preloaded, so all workers are then ready together)."""
    import http.client

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return sizes


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds used so far by each of these processes (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; processes that started in between count from zero."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def server_pids(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return [master, *map(int, children)]


def postgres_pids() -> list[int]:
    """PostgreSQL server processes on this machine (other users' queries included: an estimate)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def count_enquiries(url: str, tally: Tally, since_id: int) -> dict[str, Any]:
    """Enquiries in the database from this phase, against the conversations that got a reference."""
    from sqlalchemy import create_engine, text

    from bench.common import HASH_KEY
    from intake.crypto import contact_key

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT reference, contact_key FROM enquiry WHERE id > :since"), {"since": since_id}
        ).all()
    engine.dispose()
    stored_refs = [r[0] for r in rows]
    expected_keys = {contact_key(HASH_KEY, number) for number in tally.numbers_completed}
    stored_keys = [r[1] for r in rows]
    per_key: dict[str, int] = {}
    for key in stored_keys:
        per_key[key] = per_key.get(key, 0) + 1
    duplicated = sum(n - 1 for n in per_key.values() if n > 1)
    lost = len(expected_keys - set(per_key))
    unexpected = len(set(per_key) - expected_keys)  # stored, but the parent never got the reference
    return {
        "conversations_completed": tally.completed,
        "enquiries_in_database": len(rows),
        "distinct_references": len(set(stored_refs)),
        "references_replied_not_stored": len(set(tally.references) - set(stored_refs)),
        "lost": lost,
        "duplicated": duplicated,
        "stored_without_reply": unexpected,
    }


def max_enquiry_id(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text("SELECT coalesce(max(id), 0) FROM enquiry")).scalar_one()
    engine.dispose()
    return int(value)


def phase(port: int, base: str, url: str, parents: int, seconds: float, rate: float, tag: str,
          warmup: float, master: int) -> dict[str, Any]:
    """One timed phase, then the database count for it (and the CPU each side spent per turn)."""
    since = max_enquiry_id(url)
    server0, pg0 = cpu_seconds(server_pids(master)), cpu_seconds(postgres_pids())
    own0, wall0 = time.process_time(), time.monotonic()
    gap = parents / rate if rate else 0.0  # each parent's mean time between messages
    tally, measured = asyncio.run(drive(port, base, parents, seconds, gap, tag, warmup))
    spent = (cpu_spent(server0, cpu_seconds(server_pids(master))), cpu_spent(pg0, cpu_seconds(postgres_pids())),
             time.process_time() - own0)
    wall = time.monotonic() - wall0
    all_turns = tally.requests or 1
    figures = summary_ms(tally.latencies)
    cpu_ms = {name: spent[i] / all_turns * 1000 for i, name in enumerate(("gunicorn", "postgres", "load_generator"))}
    busy = sum(cpu_ms.values())
    return {
        "cpu_ms_per_turn": cpu_ms,
        "machine_cpu_share": sum(spent) / wall / (os.cpu_count() or 1),
        "load_average": os.getloadavg()[0],
        # what these three alone could do on this machine's cores with nothing else running
        "capacity_turns_per_s_if_idle": (os.cpu_count() or 1) * 1000 / busy if busy else 0.0,
        "parents": parents,
        "seconds": round(measured, 1),
        "offered_turns_per_s": rate,
        "turns": len(tally.latencies),
        "turns_per_s": len(tally.latencies) / measured if measured else 0.0,
        "latency": figures,
        "latency_by_step": {
            f"{step + 1} {SMS_SCRIPT[step][0]}": summary_ms(values) for step, values in sorted(tally.by_step.items())
        },
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "conversations_started": tally.started,
        "database": count_enquiries(url, tally, since),
    }


def run(parents: int = 200, seconds: float = 30.0, flat_out_seconds: float = 15.0,
        rate: float = TARGET_TURNS_PER_S) -> dict[str, Any]:
    """Start gunicorn on a fresh PostgreSQL schema, run the phases, stop it, drop the schema.

    Flat out first (what this machine serves), then paced at the target rate, then, when the machine
    serves less than the target, paced at 70% of what it served: the latency of a server that is busy
    but not overloaded, which the overloaded figure alone hides.
    """
    why = postgres_available()
    if why:
        return {"skipped": why}
    from intake.migrate import upgrade

    schema, url = fresh_schema(POSTGRES_URL, "bench_load")
    process: subprocess.Popen[bytes] | None = None
    try:
        upgrade(url)
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            storage, storage_said = limiter_storage()
            process = start_server(url, port, Path(tmp), storage)
            try:
                wait_ready(port, process)
                boot_rss = worker_rss_mb(process.pid)
                flat = phase(port, base, url, parents, flat_out_seconds, 0.0, "2", warmup=2.0, master=process.pid)
                paced = phase(port, base, url, parents, seconds, rate, "1", warmup=3.0, master=process.pid)
                within = None
                if flat["turns_per_s"] < rate:
                    within = phase(port, base, url, parents, seconds, round(0.7 * flat["turns_per_s"]), "3",
                                   warmup=3.0, master=process.pid)
                rss = worker_rss_mb(process.pid)
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                log_tail = (Path(tmp) / "gunicorn.log").read_text(errors="replace")[-2000:]
    finally:
        drop_schema(schema)
    result = {
        "server": f"gunicorn {WORKERS} {WORKER_CLASS} workers x {THREADS} threads, PostgreSQL, {storage_said}, "
                  "loopback",
        "paced": paced,
        "flat_out": flat,
        "paced_within_capacity": within,
        "worker_rss_mb_after_boot": boot_rss,
        "worker_rss_mb_after_load": rss,
        "server_log_tail": log_tail if any(p["errors"] for p in (paced, flat, within) if p) else "",
        "targets": {"turns_per_s": TARGET_TURNS_PER_S, "p99_ms": TARGET_P99_MS},
    }
    best_rate = max(paced["turns_per_s"], flat["turns_per_s"])
    result["met"] = {
        "turns_per_s": best_rate >= TARGET_TURNS_PER_S,
        "p99": paced["latency"]["p99_ms"] <= TARGET_P99_MS,
        "errors": all(p["errors"] == 0 for p in (paced, flat, within) if p),
        "no_lost_or_duplicated": all(
            p["database"]["lost"] == 0 and p["database"]["duplicated"] == 0
            and p["database"]["stored_without_reply"] == 0 for p in (paced, flat, within) if p
        ),
    }
    return result


def print_report(result: dict[str, Any]) -> None:
    """The load part of the table."""
    print("Load (gunicorn on PostgreSQL, signed SMS conversations over loopback)")
    if "skipped" in result:
        print(f"  SKIPPED: {result['skipped']}")
        return
    print(f"  server: {result['server']}")
    print(f"  {'phase':28} {'turns/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} "
          f"{'done':>6} {'in DB':>6} {'lost':>5} {'dup':>4}")
    for name, key in (("flat out", "flat_out"), ("paced, {r:.0f}/s offered", "paced"),
                      ("paced, {r:.0f}/s offered", "paced_within_capacity")):
        p = result.get(key)
        if not p:
            continue
        label = name.format(r=p["offered_turns_per_s"]) + f", {p['parents']} parents"
        db = p["database"]
        print(f"  {label:28} {p['turns_per_s']:8.0f} {p['latency']['p50_ms']:8.1f} {p['latency']['p99_ms']:8.1f} "
              f"{p['latency']['max_ms']:8.0f} {p['errors']:7d} {db['conversations_completed']:6d} "
              f"{db['enquiries_in_database']:6d} {db['lost']:5d} {db['duplicated']:4d}")
        if p["error_kinds"]:
            print(f"    errors: {p['error_kinds']}")
        cpu = p["cpu_ms_per_turn"]
        print(f"    CPU per turn: gunicorn {cpu['gunicorn']:.1f} ms, postgres {cpu['postgres']:.1f} ms, "
              f"load generator {cpu['load_generator']:.1f} ms; these had {p['machine_cpu_share']:.0%} of the "
              f"machine (load average {p['load_average']:.1f}); on idle cores they could do about "
              f"{p['capacity_turns_per_s_if_idle']:.0f} turns/s")
    steps = result["paced"].get("latency_by_step", {})
    if steps:
        print("  paced phase by step of the conversation, p50 / p99 ms: " + "; ".join(
            f"{name!r} {v['p50_ms']:.0f} / {v['p99_ms']:.0f}" for name, v in steps.items()))
    met = result["met"]
    print(f"  targets: >= {TARGET_TURNS_PER_S:.0f} turns/s {'met' if met['turns_per_s'] else 'MISSED'}, "
          f"p99 <= {TARGET_P99_MS:.0f} ms {'met' if met['p99'] else 'MISSED'}, "
          f"0 errors {'met' if met['errors'] else 'MISSED'}, "
          f"0 lost/duplicated {'met' if met['no_lost_or_duplicated'] else 'MISSED'}")
    rss = result["worker_rss_mb_after_load"]
    if rss:
        print(f"  worker RSS after boot / after load: "
              f"{', '.join(f'{v:.0f}' for v in result['worker_rss_mb_after_boot'])} / "
              f"{', '.join(f'{v:.0f}' for v in rss)} MB")


def main(argv: list[str]) -> None:
    args = dict(zip(argv[::2], argv[1::2], strict=False))
    result = run(int(args.get("--parents", 200)), float(args.get("--seconds", 30)),
                 float(args.get("--flat-seconds", 15)), float(args.get("--rate", TARGET_TURNS_PER_S)))
    print_report(result)


if __name__ == "__main__":
    main(sys.argv[1:])
