"""Instructions per turn, counted by valgrind's callgrind: the code's own cost, whatever the host's speed.

Wall and CPU times move with the machine (the same commit measured 3.4 ms and 7 ms a turn on two days,
while the reference Python loop barely changed); an instruction count does not. So a change that makes a
turn cheaper or dearer shows up here exactly, and a slow day shows up only in the timed figures.

A child process builds the app on SQLite, warms it with a few conversations (templates, compiled
statements), then switches counting on (`callgrind_control -i on`) for whole SMS and web chat
conversations only, and off again. Start-up and the warm-up are not counted.

Run alone: .venv/bin/python -m bench.instructions [--conversations 8]   (about a minute; needs valgrind)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, SMS_SCRIPT, WEB_SCRIPT, number_for

CONVERSATIONS = 8  # per channel; enough for a stable mean, short enough under valgrind (~50x slower)


def _toggle(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], capture_output=True, check=True)


def _dump() -> None:
    subprocess.run(["callgrind_control", "-d", str(os.getpid())], capture_output=True, check=True)


def child(conversations: int) -> None:
    """Inside valgrind: warm up, then count only the conversations."""
    from bench.turns import SmsParent, WebParent, build_app, converse

    with tempfile.TemporaryDirectory(prefix="bench-instr-") as tmp:
        app = build_app(Path(tmp))
        client = app.test_client()
        sink: list[list[float]] = [[] for _ in range(max(len(SMS_SCRIPT), len(WEB_SCRIPT)))]
        for i in range(3):
            converse(SmsParent(client, number_for(i, prefix=98)), SMS_SCRIPT, sink)
            converse(WebParent(client), WEB_SCRIPT, sink)
        errors = 0
        _toggle("on")
        for i in range(conversations):
            errors += converse(SmsParent(client, number_for(i, prefix=97)), SMS_SCRIPT, sink)
        _toggle("off")
        _dump()  # the SMS count goes to its own file; counting starts again from zero
        # chat sessions are opened outside the count, as a parent opens the page once
        web_parents = [WebParent(client) for _ in range(conversations)]
        _toggle("on")
        for parent in web_parents:
            errors += converse(parent, WEB_SCRIPT, sink)
        _toggle("off")
        app.extensions["intake"].db.dispose()
    if errors:
        raise SystemExit(f"{errors} unexpected replies: the count would not be of real turns")


def _totals(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"callgrind wrote no totals in {path.name}")


def _count(conversations: int, workdir: Path) -> tuple[int, int]:
    """Instructions counted in the child under callgrind: (SMS conversations, web chat conversations)."""
    out = workdir / "callgrind.out"
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
        sys.executable, "-m", "bench.instructions", "--child", str(conversations),
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the counted run failed: {done.stdout[-500:]}{done.stderr[-1500:]}")
    dumps = sorted(workdir.glob("callgrind.out.*"))
    if len(dumps) != 1:
        raise RuntimeError(f"expected one dump after the SMS conversations, found {len(dumps)}")
    return _totals(dumps[0]), _totals(out)


def run(conversations: int = CONVERSATIONS) -> dict[str, Any]:
    """Instructions per SMS turn and per web chat turn (means over whole conversations)."""
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        return {"skipped": f"{' and '.join(missing)} not installed (Debian package valgrind)"}
    with tempfile.TemporaryDirectory(prefix="bench-instr-") as tmp:
        sms, web = _count(conversations, Path(tmp))
    return {
        "conversations_per_channel": conversations,
        "sms_instructions_per_turn": sms / (conversations * len(SMS_SCRIPT)),
        "web_instructions_per_turn": web / (conversations * len(WEB_SCRIPT)),
    }


def print_report(result: dict[str, Any]) -> None:
    """The instruction-count line of the table."""
    print("Instructions per turn (callgrind; the same on any host, unlike the timed figures)")
    if "skipped" in result:
        print(f"  SKIPPED: {result['skipped']}")
        return
    print(f"  SMS turn (signed) {result['sms_instructions_per_turn'] / 1e6:.2f} M, web chat turn "
          f"{result['web_instructions_per_turn'] / 1e6:.2f} M (mean over {result['conversations_per_channel']} "
          f"whole conversations each, SQLite, one process)")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(int(args[1]))
    else:
        count = int(args[args.index("--conversations") + 1]) if "--conversations" in args else CONVERSATIONS
        print_report(run(count))
