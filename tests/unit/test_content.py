"""The content in flows/: loads, fits in SMS, and a broken file says which file and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.content import GSM7, GSM7_EXT, ContentError, load_content, sms_segments

FLOWS = ROOT / "flows"
VARIABLES = {"service_name": "Testshire SENDIASS", "service_phone": "01632 960000",
             "office_hours": "Mon-Fri 09:00-17:00", "mash_phone": "01632 960999", "retention": "a year"}


@pytest.fixture(scope="module")
def content():
    return load_content(FLOWS, VARIABLES)


def test_at_least_25_topics_with_examples(content) -> None:
    real = [t for t in content.topics.values() if t.id not in ("greeting", "thanks")]
    assert len(real) >= 25
    assert all(len(t.examples) >= 6 for t in content.topics.values())


def test_every_answer_is_plain_sms_text_of_at_most_three_segments_with_the_footer(content) -> None:
    footer = content.text("footer")
    for topic in content.topics.values():
        text = f"{topic.answer}\n{footer}"
        assert all(ch in GSM7 or ch in GSM7_EXT for ch in text), f"{topic.id}: non-GSM character forces UCS-2"
        assert sms_segments(text) <= 3, f"{topic.id}: {sms_segments(text)} segments"
        assert "{" not in topic.answer, f"{topic.id}: unfilled placeholder"


def test_every_answer_stays_within_three_texts_with_the_first_texts_privacy_line(content) -> None:
    """A first answer with no room for the privacy line pays one more part for it, but never a fourth."""
    footer, line = content.text("footer"), content.text("privacy_line")
    for topic in content.topics.values():
        text = f"{line}\n{topic.answer}\n{footer}".replace("{office_hours}", "x" * 60)
        assert sms_segments(text) <= 3, f"{topic.id}: {sms_segments(text)} segments with the privacy line"


def test_segment_counting() -> None:
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2
    assert sms_segments("’" + "a" * 69) == 1  # a curly quote forces UCS-2: 70 per segment
    assert sms_segments("’" + "a" * 70) == 2
    assert sms_segments("a" * 307) == 3  # a long text is sent in parts of 153 characters
    assert sms_segments("£" * 160) == 1  # £ is in the GSM-7 basic set
    assert sms_segments("€" * 80) == 1 and sms_segments("€" * 81) == 2  # the escape table costs two each
    assert sms_segments("’" * 134) == 2 and sms_segments("’" * 135) == 3  # UCS-2 parts hold 67
    assert sms_segments("\U0001F600" * 35) == 1 and sms_segments("\U0001F600" * 36) == 2  # an emoji is two units


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("topics/ehc.yaml", lambda t: t.replace("answer:", "answr:", 1), "needs 'answer'"),
        ("topics/ehc.yaml", lambda t: t + "\n  - [unclosed\n", "not valid YAML"),
        ("service.yaml", lambda t: t.replace("{service_phone}", "{phone_number}", 1), "unknown placeholder"),
        ("topics/about.yaml", lambda t: t.replace("action: menu", "action: dance", 1), "action must be"),
        # Texted wording never names the service (policy 2.1); the web chat's and phone line's may.
        ("topics/about.yaml", lambda t: t.replace("This service gives", "{service_name} gives", 1),
         "must not use {service_name}"),
        ("service.yaml", lambda t: t.replace('footer: "More help', 'footer: "{service_name}: more help', 1),
         "must not use {service_name}"),
        ("intake.yaml", lambda t: t.replace("may we say who we are?", "may we say we are {service_name}?", 1),
         "must not use {service_name}"),
        # An SMS opt-out word offered as a way out of the form would stop every text (FORGET is the way out).
        ("intake.yaml", lambda t: t.replace("To leave, reply FORGET", "To leave, reply CANCEL", 1), "opt-out word"),
        ("service.yaml", lambda t: t.replace("or FORGET to delete them", "or end to delete them", 1),
         "opt-out word"),
        ("topics/ehc.yaml", lambda t: t.replace("answer: >-\n", "answer: >-\n      Reply STOP to leave.\n", 1),
         "opt-out word STOP"),
        # A topic's shorter SMS name is texted too.
        ("topics/ehc.yaml", lambda t: t.replace("sms_title: Asking again", "sms_title: '{service_name} again'", 1),
         "must not use {service_name}"),
        ("topics/ehc.yaml", lambda t: t.replace("sms_title: Asking again", "sms_title: Reply STOP", 1),
         "opt-out word STOP"),
        ("topics/ehc.yaml", lambda t: t.replace("sms_title: EHC plans", "sms_title: '{service_name} plans'", 1),
         "must not use {service_name}"),
        # Off-topic examples: a message like a topic's own example would be declined as well as answered.
        ("nlu/out_of_scope.yaml", lambda t: t + "\nmisc:\n  - hello is anyone there\n",
         "'hello is anyone there' in group 'misc' is also an example of topic 'greeting'"),
        ("nlu/out_of_scope.yaml", lambda t: t.replace("abuse:", "Rude words:", 1), "must be lower_case"),
        ("nlu/out_of_scope.yaml", lambda t: t.replace("  - tell me a joke\n", "  - [tell, me]\n", 1),
         "must be a list of messages"),
        ("nlu/out_of_scope.yaml", lambda t: t + "\n  - [unclosed\n", "not valid YAML"),
        # A bare yes/no in a phrase list is YAML's true/false: a caller saying "yes" would not be understood.
        ("voice.yaml", lambda t: t.replace('["yes", yeah', "[yes, yeah", 1), "yes_no.1[0] was read as True"),
        ("intake.yaml", lambda t: t.replace('leads: ["YES", OK', "leads: [YES, OK", 1), "put the word in quotes"),
    ],
)
def test_broken_flow_file_names_the_file_and_the_problem(tmp_path: Path, file, change, message) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    target = flows / file
    target.write_text(change(target.read_text()))
    with pytest.raises(ContentError) as caught:
        load_content(flows, VARIABLES)
    assert str(target) in str(caught.value) and message in str(caught.value)


def test_app_refuses_to_start_on_broken_content(tmp_path: Path) -> None:
    from tests.conftest import make_app

    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    (flows / "service.yaml").write_text("messages: [not, a, mapping]\n")
    with pytest.raises(ContentError, match=r"service\.yaml"):
        make_app(tmp_path, FLOWS_DIR=str(flows))
