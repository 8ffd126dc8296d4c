"""A production start says, in words an operator can act on, when rate limits would not hold as meant."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import create_app
from tests import conftest
from tests.conftest import dispose

PRODUCTION = {"INTAKE_ENV": "production", "SMTP_HOST": "127.0.0.1", "DUTY_EMAIL": "duty@example.org"}


def started(tmp_path: Path, caplog: pytest.LogCaptureFixture, **overrides: str) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot"):
        app = create_app(conftest.test_env(tmp_path, **PRODUCTION, **overrides))
    dispose(app)
    return [r.getMessage() for r in caplog.records if r.name == "bot"]


def test_production_warns_when_limits_are_per_worker_or_per_proxy(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    said = started(tmp_path, caplog)
    assert any("each worker's memory" in line and "RATELIMIT_STORAGE_URI" in line for line in said), said
    assert any("RATELIMIT_PROXY_HOPS is not set" in line for line in said), said


def test_production_set_up_as_the_readme_says_starts_quietly(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    assert started(tmp_path, caplog, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", RATELIMIT_PROXY_HOPS="1") == []
    # one worker keeps one allowance in its own memory: nothing to warn about there
    assert not any("memory" in line for line in started(tmp_path, caplog, WEB_CONCURRENCY="1",
                                                          RATELIMIT_PROXY_HOPS="0"))
