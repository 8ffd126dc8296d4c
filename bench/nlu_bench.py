"""NLU benchmark: topic accuracy on tests/data/nlu_eval.yaml, unsure/wrong rates, training and classify time.

Run: .venv/bin/python bench/nlu_bench.py [--errors] [--without-off-topic]

--without-off-topic trains without flows/nlu/out_of_scope.yaml, to see what those examples change.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot.nlu import Classifier, Prediction  # noqa: E402
from bot.normaliser import base_tokens  # noqa: E402

EVAL_FILE = ROOT / "tests" / "data" / "nlu_eval.yaml"


Training = tuple[dict[str, list[str]], dict[str, str], dict[str, list[str]]]


def load_training(flows_dir: Path = ROOT / "flows") -> Training:
    """Topic examples, lexicon and off-topic examples, through the content loader when it exists."""
    try:
        from bot.content import load_content
    except ImportError:
        return _read_flows(flows_dir)
    content = load_content(flows_dir)
    off_topic = {group: list(texts) for group, texts in content.out_of_scope.items()}
    return content.examples(), dict(content.lexicon), off_topic


def _read_flows(flows_dir: Path) -> Training:
    """Stand-in for bot.content.load_content while it is being written."""
    examples: dict[str, list[str]] = {}
    for path in sorted((flows_dir / "topics").glob("*.yaml")):
        for topic in yaml.safe_load(path.read_text(encoding="utf-8")).get("topics", []):
            examples[topic["id"]] = [str(e) for e in topic.get("examples", [])]
    lexicon_file = flows_dir / "nlu" / "lexicon.yaml"
    lexicon = yaml.safe_load(lexicon_file.read_text(encoding="utf-8")) if lexicon_file.exists() else {}
    off_topic_file = flows_dir / "nlu" / "out_of_scope.yaml"
    off_topic = yaml.safe_load(off_topic_file.read_text(encoding="utf-8")) if off_topic_file.exists() else {}
    return (
        examples,
        {str(k): str(v) for k, v in (lexicon or {}).items()},
        {str(k): [str(t) for t in v] for k, v in (off_topic or {}).items()},
    )


def load_eval(path: Path = EVAL_FILE, part: str = "all") -> list[tuple[str, str | None]]:
    """The labelled evaluation messages: (text, topic id or None).

    part: "all", "original" (the set as first written) or "added" (items marked `added: <date>`), so
    figures stay comparable with those from before the additions.
    """
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if part != "all":
        items = [item for item in items if ("added" in item) == (part == "added")]
    return [(str(item["text"]), item.get("topic")) for item in items]


def also_in_training(
    items: list[tuple[str, str | None]], examples: dict[str, list[str]], off_topic: dict[str, list[str]] | None = None
) -> list[str]:
    """Evaluation messages that are also a training example (topic or off-topic) once normalised: they measure
    nothing."""
    every = [*examples.values(), *(off_topic or {}).values()]
    trained = {" ".join(base_tokens(text)) for texts in every for text in texts}
    return [text for text, _ in items if " ".join(base_tokens(text)) in trained]


def score(classifier: Classifier, items: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Accuracy figures for one classifier on labelled messages."""
    in_scope = [(text, topic) for text, topic in items if topic]
    out_of_scope = [text for text, topic in items if not topic]
    right = wrong = unsure = top1 = top3 = 0
    errors: list[tuple[str, str, str | None, Prediction]] = []
    for text, topic in in_scope:
        p = classifier.classify(text)
        top1 += bool(p.alternatives) and p.alternatives[0] == topic
        top3 += topic in p.alternatives
        if p.topic == topic:
            right += 1
        elif p.topic is None:
            unsure += 1
            errors.append(("unsure", text, topic, p))
        else:
            wrong += 1
            errors.append(("WRONG", text, topic, p))
    declined = told = 0
    for text in out_of_scope:
        p = classifier.classify(text)
        declined += p.topic is None
        told += not p.alternatives  # no "did you mean": the bot says what it can help with, then the menu
        if p.topic is not None:
            errors.append(("answered-oos", text, None, p))
    n = max(len(in_scope), 1)
    return {
        "in_scope": len(in_scope),
        "accuracy": right / n,
        "top1": top1 / n,
        "top3": top3 / n,
        "wrong": wrong,
        "unsure": unsure,
        "wrong_rate": wrong / n,
        "unsure_rate": unsure / n,
        "out_of_scope": len(out_of_scope),
        "oos_declined": declined / max(len(out_of_scope), 1),
        "oos_no_suggestions": told / max(len(out_of_scope), 1),
        "errors": errors,
    }


def timings(training: Training, texts: list[str]) -> dict[str, float]:
    """Median training time (ms) and classify time per message (µs, p50 and p99)."""
    examples, lexicon, off_topic = training
    train_runs = []
    classifier = None
    for _ in range(3):
        start = time.perf_counter()
        classifier = Classifier.train(examples, lexicon, off_topic=off_topic)
        train_runs.append((time.perf_counter() - start) * 1000)
    assert classifier is not None
    per_message = []
    for _ in range(5):
        for text in texts:
            start = time.perf_counter()
            classifier.classify(text)
            per_message.append((time.perf_counter() - start) * 1e6)
    per_message.sort()
    return {
        "train_ms": statistics.median(train_runs),
        "classify_us_p50": per_message[len(per_message) // 2],
        "classify_us_p99": per_message[min(len(per_message) - 1, int(len(per_message) * 0.99))],
    }


def run(off_topic: bool = True) -> dict[str, Any]:
    """Train on flows/, score on the evaluation set, time both; the figures `make bench` prints.

    The top-level figures are for the whole set; "original" and "added" hold the same figures for the
    set as first written and for the later additions. off_topic=False leaves out flows/nlu/out_of_scope.yaml.
    """
    examples, lexicon, declined = load_training()
    training = (examples, lexicon, declined if off_topic else {})
    classifier = Classifier.train(*training[:2], off_topic=training[2])
    items = load_eval() if EVAL_FILE.exists() else []
    result = score(classifier, items)
    if EVAL_FILE.exists():
        for part in ("original", "added"):
            result[part] = score(classifier, load_eval(part=part))
    result.update(timings(training, [text for text, _ in items] or ["how do i get an ehcp"]))
    result.update(
        topics=len(classifier.topics),
        training_examples=classifier.topic_examples,
        off_topic_examples=len(classifier.example_topic) - classifier.topic_examples,
        threshold=classifier.threshold,
        margin=classifier.margin,
        split_margin=classifier.split_margin,
        coverage=classifier.coverage,
        specific=classifier.specific,
        suggest_floor=classifier.suggest_floor,
        leave_one_out=classifier.tuning,
        also_in_training=also_in_training(items, examples, training[2]),
    )
    return result


def _row(name: str, key: str, parts: list[dict[str, Any]], fmt: str) -> tuple[str, str]:
    """One figure for each part of the evaluation set (all / original / added)."""
    return name, " | ".join(format(part[key], fmt) for part in parts)


def main(argv: list[str]) -> None:
    """Print the figures as a table (and each miss with --errors)."""
    result = run(off_topic="--without-off-topic" not in argv)
    parts = [result, *(result[p] for p in ("original", "added") if p in result)]
    rows = [
        (
            "topics / training examples / off-topic examples",
            f"{result['topics']} / {result['training_examples']} / {result['off_topic_examples']}",
        ),
        ("eval set: all | original | added", ""),
        _row("in-scope messages", "in_scope", parts, "d"),
        _row("out-of-scope messages", "out_of_scope", parts, "d"),
        _row("top-1 topic accuracy (answered or offered first; >= 90%)", "top1", parts, ".1%"),
        _row("answered outright and right", "accuracy", parts, ".1%"),
        _row("right topic among the 3 offered", "top3", parts, ".1%"),
        _row("confident but wrong", "wrong", parts, "d"),
        _row("unsure, asked 'did you mean...'", "unsure", parts, "d"),
        _row("out of scope left unanswered", "oos_declined", parts, ".1%"),
        _row("out of scope told what we can help with (no suggestions)", "oos_no_suggestions", parts, ".1%"),
        ("eval messages that are also training examples", str(len(result["also_in_training"]))),
        (
            "threshold / margin, nearest example agrees / not",
            f"{result['threshold']:.2f} / {result['margin']:.2f} / {result['split_margin']:.2f}",
        ),
        (
            "words the topic must know / rarest shared word (idf) / no suggestions below",
            f"{result['coverage']:.0%} / {result['specific']:.2f} / {result['suggest_floor']:.2f}",
        ),
        (
            "leave-one-out on examples: guess / right / wrong",
            " / ".join(f"{result['leave_one_out'][k]:.1%}" for k in ("best_guess_right", "answered_right",
                                                                     "answered_wrong")),
        ),
        ("leave-one-out on off-topic examples: declined", f"{result['leave_one_out']['off_topic_declined']:.1%}"),
        ("train time", f"{result['train_ms']:.0f} ms"),
        ("classify time p50 / p99", f"{result['classify_us_p50']:.0f} / {result['classify_us_p99']:.0f} µs"),
    ]
    width = max(len(name) for name, _ in rows)
    print("NLU benchmark")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    if "--errors" in argv:
        for kind, text, topic, p in result["errors"]:
            print(f"{kind:>12}: {text!r} want={topic} got={p.topic} {p.confidence:.2f} {p.alternatives}")
        for text in result["also_in_training"]:
            print(f"{'in training':>12}: {text!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
