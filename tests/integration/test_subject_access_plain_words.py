"""The copy a parent receives of everything held on them (policy 6.3) says what was done, what they were asked and
how they answered in plain words (flows/record_labels.yaml), never the codes the console and the audit trail use."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask

from intake.casework import Labels, RecordLabels
from tests.integration.test_console_rights import CHECKED, claimed, sms_enquiry
from tests.integration.test_console_rights_requests import log

ROOT = Path(__file__).resolve().parents[2]
CODES = ("enqueue", "rights_request_logged", "(bot)", "(staff)", "contact-v1", "name-v1", "name_service", "sms")


def copy_of(app: Flask, fmt: str) -> str:
    """A text-message enquiry, claimed, a request for a copy logged, then the copy in `fmt`, spaces made one."""
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    assert log(alex, reference).status_code == 302
    response = alex.post(f"/caseworker/case/{reference}/export", format=fmt, **CHECKED)
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_the_parents_copy_says_what_was_done_and_how_they_answered_in_plain_words(app: Flask, fmt: str) -> None:
    copy = copy_of(app, fmt)
    for words in ("Your enquiry was put in the queue", "A caseworker took on your enquiry",
                  "We logged your request for a copy of your information", "by text message",
                  "May a caseworker contact you", "Say who we are when we contact you"):
        assert words in copy, words
    assert [code for code in CODES if code in copy] == []


def test_a_step_with_no_label_yet_is_a_plain_phrase_not_its_code() -> None:
    labels = RecordLabels.load()
    assert labels.action("a_step_added_later") == "A step in handling your enquiry"
    assert "a_step_added_later" not in labels.wording("form-9") + labels.channel("fax") + labels.purpose("new")


def _recorded_actions() -> set[str]:
    """Every audit action the code can record on a case (an audit.record call given a reference), its action
    found as written, through an `if`, or through a name assigned a string anywhere in bot/ or intake/."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for folder in ("bot", "intake")
             for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts]
    assigned: dict[str, set[str]] = {}
    for node in (n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Assign)):
        for target in node.targets:
            pairs = (zip(target.elts, node.value.elts, strict=False)
                     if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) else [(target, node.value)])
            for name, value in pairs:
                if isinstance(name, ast.Name):
                    assigned.setdefault(name.id, set()).update(_strings(value))

    def resolve(node: ast.expr) -> set[str]:
        if isinstance(node, ast.Name):
            return assigned.get(node.id, set())
        if isinstance(node, ast.Attribute):
            return assigned.get(node.attr, set())
        if isinstance(node, ast.IfExp):
            return resolve(node.body) | resolve(node.orelse)
        return _strings(node)

    found: set[str] = set()
    for call in (n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "record"
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "audit") or len(call.args) < 4:
            continue  # no reference: a sign-in or an account change, never on a parent's record
        if isinstance(call.args[3], ast.Constant) and call.args[3].value is None:
            continue
        actions = resolve(call.args[2])
        assert actions, f"cannot tell the audit action at line {call.lineno}: {ast.unparse(call)}"
        found |= actions
    return found


def _strings(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def test_every_action_the_code_records_on_a_case_has_a_label_for_the_parent() -> None:
    actions = _recorded_actions()
    assert {"enqueue", "claim", "export", "rights_request_logged", "duty_alert_sent"} <= actions  # the scan works
    labels = Labels().record
    assert sorted(action for action in actions if not labels.has_action(action)) == []
