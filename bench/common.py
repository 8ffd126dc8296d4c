"""Shared bench helpers: fixed secrets, app environments, Twilio signing, the conversation script, stats."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Fixed bench secrets: real values of the right shape, never used outside the bench.
AUTH_TOKEN = "b3nch0000000000000000000000000aa"
ENCRYPTION_KEY = "YmVuY2gtZW5jcnlwdGlvbi1rZXktMzJieXRlcy0wMDA="  # urlsafe base64 of 32 bytes
HASH_KEY = "bench-hash-key"
SECRET_KEY = "bench-secret-key"
PUBLIC_BASE = "https://intake.example.org"
POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL",
    os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)
# Rate-limit storage for the multi-worker load, as a scaled-out deployment keeps it (DESIGN.md): shared by
# every worker, so a parent's allowance is one allowance whichever worker takes the message.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")

# One parent's conversation on SMS: a question, HUMAN, then the intake answers to a queued enquiry. The
# queue's storage tests walk this same script, so a change to the form that breaks it fails `make test`.
SMS_SCRIPT: list[tuple[str, str]] = [
    ("what is a senco", "SENCO"),
    ("HUMAN", "Is that OK?"),
    ("yes", "what would you like help with"),
    ("I need help with my son's school", "stage of education"),
    ("2", "EHC plan"),
    ("1", "contact you?"),
    ("yes", "How should we contact you"),
    ("1", "safe for us to contact you"),
    ("1", "say we are"),  # contact by text: no voicemail question
    ("yes", "exactly what a caseworker will see"),
    ("YES", "Your reference is"),
]

# The same on the web chat (contact: reply in this chat).
WEB_SCRIPT: list[tuple[str, str]] = [
    ("how long does the council have to decide on an ehc assessment", "6 weeks"),
    ("HUMAN", "Is that OK?"),
    ("yes", "what would you like help with"),
    ("Need help with an EHC request", "stage of education"),
    ("3", "EHC plan"),
    ("4", "contact you?"),
    ("yes", "How should we contact you"),
    ("1", "exactly what a caseworker will see"),
    ("yes", "Your reference is"),
]


def app_env(database_url: str, instance: Path, **overrides: str) -> dict[str, str]:
    """The environment for one bench app (fixed secrets, our own database and instance folder)."""
    env = {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "INTAKE_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "INTAKE_HASH_KEY": HASH_KEY,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE,
        "SERVICE_NAME": "Benchshire SENDIASS",
        "SERVICE_PHONE": "01632 960000",
        "MASH_PHONE": "01632 960999",
        # Always open, so replies (queue place, typical wait) are the same whatever time the bench runs.
        "OFFICE_HOURS": "Mon-Sun 00:00-24:00",
        "BANK_HOLIDAYS": "",
        # Every bench parent shares one client address; real parents do not. The limiter still runs (its
        # cost is part of a turn) but the per-IP allowance is out of reach; the per-contact one stays.
        "RATE_LIMIT_IP": "1000000/minute",
    }
    env.update(overrides)
    return env


def sms_params(number: str, body: str, sid: str) -> dict[str, str]:
    """The form Twilio posts for an inbound text."""
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+441632960001",
        "Body": body,
        "NumMedia": "0",
    }


def number_for(i: int, prefix: int = 0) -> str:
    """A distinct UK mobile number in the Ofcom drama range family for parent `i`."""
    return f"+4477{prefix:02d}{i:07d}"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[index]


def summary_ms(seconds: list[float]) -> dict[str, Any]:
    """p50 / p90 / p99 / max / mean in milliseconds, and the count."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else 0.0,
        "mean_ms": sum(ms) / len(ms) if ms else 0.0,
    }


def postgres_available(url: str = POSTGRES_URL) -> str | None:
    """None when PostgreSQL answers, else why not (for a clear skip message)."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # any failure: driver missing, refused, auth
        return f"PostgreSQL not reachable at {url} ({type(exc).__name__}); set BENCH_DATABASE_URL"
    return None


def redis_available(url: str = REDIS_URL) -> str | None:
    """None when Redis answers, else why not (the load then keeps rate limits in each worker's memory)."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure: package missing, refused, timed out
        return f"Redis not reachable at {url} ({type(exc).__name__})"
    return None


def fresh_schema(url: str = POSTGRES_URL, prefix: str = "bench") -> tuple[str, str]:
    """A new empty PostgreSQL schema: (schema name, URL whose search_path is that schema)."""
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return schema, f"{url}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str, url: str = POSTGRES_URL) -> None:
    """Remove a bench schema and everything in it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()
