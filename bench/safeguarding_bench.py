"""Safeguarding benchmark: recall on risk, false positives on ordinary SEND messages, speed.

Run: .venv/bin/python bench/safeguarding_bench.py [--errors]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from intake.safeguarding import assess, load_rules  # noqa: E402

RULES_FILE = ROOT / "flows" / "safeguarding.yaml"
EVAL_FILE = ROOT / "tests" / "data" / "safeguarding_eval.yaml"
REPEATS = 20


def load_eval(path: Path = EVAL_FILE) -> list[tuple[str, str]]:
    """The labelled messages: (text, label)."""
    return [(str(i["text"]), str(i["label"])) for i in yaml.safe_load(path.read_text(encoding="utf-8"))]


def run(errors: bool = False) -> dict[str, Any]:
    """Score the detector on the evaluation set; figures as a dict for a bench runner."""
    rules = load_rules(RULES_FILE)
    items = load_eval()
    levels: dict[str, Counter[str]] = {"risk": Counter(), "ordinary": Counter(), "ambiguous": Counter()}
    wrong: list[tuple[str, str, str]] = []
    for text, label in items:
        level = assess(text, rules).level
        levels[label][level] += 1
        if (
            (label == "risk" and level != "risk")
            or (label == "ordinary" and level != "none")
            or (label == "ambiguous" and level == "none")
        ):
            wrong.append((label, level, text))
    start = time.perf_counter()
    for _ in range(REPEATS):
        for text, _label in items:
            assess(text, rules)
    micros = (time.perf_counter() - start) / (REPEATS * len(items)) * 1e6
    risk, ordinary, ambiguous = levels["risk"], levels["ordinary"], levels["ambiguous"]
    n_risk, n_ord, n_amb = sum(risk.values()), sum(ordinary.values()), sum(ambiguous.values())
    result: dict[str, Any] = {
        "messages": len(items),
        "risk_messages": n_risk,
        "recall_caught": (risk["risk"] + risk["unsure"]) / n_risk,
        "recall_strict": risk["risk"] / n_risk,
        "risk_missed": risk["none"],
        "ordinary_messages": n_ord,
        "false_positive_rate": ordinary["risk"] / n_ord,
        "ordinary_unsure_rate": ordinary["unsure"] / n_ord,
        "ambiguous_messages": n_amb,
        "ambiguous_asked": ambiguous["unsure"] / n_amb,
        "ambiguous_risk": ambiguous["risk"] / n_amb,
        "ambiguous_ignored": ambiguous["none"] / n_amb,
        "microseconds_per_message": micros,
    }
    if errors:
        result["errors"] = wrong
    return result


def main() -> None:
    """Print the figures (and, with --errors, every message not handled as labelled)."""
    result = run(errors="--errors" in sys.argv)
    print(f"safeguarding detector on {result['messages']} labelled messages ({EVAL_FILE.relative_to(ROOT)})")
    print(
        f"  risk ({result['risk_messages']}): caught (risk or unsure) {result['recall_caught']:.1%}, "
        f"risk outright {result['recall_strict']:.1%}, missed {result['risk_missed']}"
    )
    print(
        f"  ordinary ({result['ordinary_messages']}): false positives (risk) "
        f"{result['false_positive_rate']:.1%}, asked the question (unsure) "
        f"{result['ordinary_unsure_rate']:.1%}"
    )
    print(
        f"  ambiguous ({result['ambiguous_messages']}): asked {result['ambiguous_asked']:.1%}, "
        f"treated as risk {result['ambiguous_risk']:.1%}, ignored {result['ambiguous_ignored']:.1%}"
    )
    print(f"  speed: {result['microseconds_per_message']:.0f} microseconds per message")
    for label, level, text in result.get("errors", []):
        print(f"  [{label} -> {level}] {text}")


if __name__ == "__main__":
    main()
