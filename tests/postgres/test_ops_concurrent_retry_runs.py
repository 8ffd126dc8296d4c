"""Overlapping `retry-alerts` runs on real PostgreSQL: one run at a time, each alert sent once.

The same scenarios as tests/integration/test_ops_retry_overlap.py (SQLite), where the lease is taken under
SQLite's database lock; here two runs contend for its row. Skipped, saying why, without PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.integration.test_ops_retry_overlap import (
    HangingInbox,
    a_dead_runs_lease_holds_only_until_it_runs_out,
    hanging,  # noqa: F401 (the fixture)
    one_of_many_runs_at_once_holds_the_lease,
    overlapping_runs_send_each_alert_once,
)

pytestmark = pytest.mark.postgres


def test_a_run_started_while_another_is_stuck_on_the_mail_server_sends_nothing(
    tmp_path: Path, hanging: tuple[HangingInbox, int], postgres_url: str  # noqa: F811
) -> None:
    overlapping_runs_send_each_alert_once(tmp_path, *hanging, DATABASE_URL=postgres_url)


def test_a_run_that_died_keeps_the_others_off_only_until_its_lease_runs_out(tmp_path: Path, postgres_url: str) -> None:
    a_dead_runs_lease_holds_only_until_it_runs_out(tmp_path, free_port(), DATABASE_URL=postgres_url)


def test_of_runs_starting_together_one_holds_the_lease(tmp_path: Path, postgres_url: str) -> None:
    one_of_many_runs_at_once_holds_the_lease(tmp_path, DATABASE_URL=postgres_url)
