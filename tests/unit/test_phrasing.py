"""The phrase lists in flows/service.yaml: asking for a person, for news, for help, or to add something."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.content import load_content
from bot.phrasing import Phrasing

SERVICE = load_content(ROOT / "flows").service
PERSON = Phrasing(SERVICE["person_requests"])
PROGRESS = Phrasing(SERVICE["progress_requests"])
ADDITIONS = Phrasing(SERVICE["additions"])
HELP = Phrasing(SERVICE["help_requests"])


@pytest.mark.parametrize(
    "text",
    ["i want to speak to a caseworker", "I'd like to talk to someone, please.", "Can someone call me?",
     "hi, can i talk to an adviser about my sons ehcp", "can a caseworker ring me back", "i want a human",
     "could you call me back tomorrow", "Speak to a real person", "i need someone to call me"],
)
def test_asking_for_a_person(text: str) -> None:
    assert PERSON.said(text)


@pytest.mark.parametrize(
    "text",
    ["should i talk to someone at the school", "my son won't talk to anyone", "what does a caseworker do",
     "i spoke to someone at the council", "can someone help", "the school called me in"],
)
def test_mentioning_people_is_not_asking_for_one(text: str) -> None:
    assert not PERSON.said(text)


@pytest.mark.parametrize(
    "text", ["any news?", "Any update", "hi any news on my enquiry yet", "whats happening with my enquiry",
             "has anyone looked at it yet", "What's happening?"],
)
def test_asking_for_news(text: str) -> None:
    assert PROGRESS.said(text)


@pytest.mark.parametrize(
    "text", ["any news on the tribunal date", "update: the school said no", "what is happening to ehcps"],
)
def test_news_of_something_else_is_not_asking_after_the_enquiry(text: str) -> None:
    assert not PROGRESS.said(text)


@pytest.mark.parametrize(
    ("text", "bare"),
    [("can i add something?", True), ("I forgot to mention", True), ("can i add something to my enquiry", True),
     ("can i add something, the school said no", False), ("sorry i forgot to say she has epilepsy", False)],
)
def test_announcing_an_addition_and_whether_it_says_anything_yet(text: str, bare: bool) -> None:
    rest = ADDITIONS.rest(text)
    assert rest is not None and ADDITIONS.only_fillers(rest) is bare


def test_a_question_is_not_announced_as_an_addition() -> None:
    assert ADDITIONS.rest("can i appeal the decision") is None


@pytest.mark.parametrize(
    "text",
    ["help me", "HELP", "Help me please!!", "can you help?", "can u help me", "I need some help", "need help",
     "hi can anyone help me", "is there anyone who can help", "help me i don't know what to do", "i need advice",
     "can i get some advice", "help me out x"],
)
def test_asking_for_help_with_nothing_more(text: str) -> None:
    assert HELP.said_alone(text)


@pytest.mark.parametrize(
    "text",
    ["help me with my sons ehcp", "can you help me fill in my pip form", "help me now my son has been excluded",
     "i need help getting ready for a meeting with the senco", "i need advice about transport", "what help is there",
     "the school wont help"],
)
def test_asking_for_help_with_something_is_a_question(text: str) -> None:
    assert not HELP.said_alone(text)
