"""The embedded topic classifier: shorthand, typos, odd input, and accuracy on the real content."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu import Classifier, Prediction
from bot.normaliser import Normaliser, base_tokens, stem
from tests.conftest import ChatActions, SmsActions

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import nlu_bench  # noqa: E402

EXAMPLES = {
    "opening_hours": [
        "what are your opening hours",
        "when are you open",
        "are you open at the weekend",
        "what time do you close today",
        "can i call you in the evening",
    ],
    "ehc_assessment_timescale": [
        "how long does the council have to decide on an ehc needs assessment",
        "its been 7 weeks since i asked for an assessment",
        "is there a time limit for the assessment decision",
        "the council is late deciding whether to assess",
        "still waiting to hear if they will assess my son",
    ],
    "tribunal_appeal": [
        "can i appeal to the tribunal",
        "i do not agree with section f of the plan",
        "how do i challenge the school named in the plan",
        "what decisions can i appeal",
        "i want to appeal the ehc plan",
    ],
    "greeting": ["hi", "hello", "good morning", "hiya there", "hello is anyone there"],
}
LEXICON = {
    "ehcp": "ehc plan",
    "ehcna": "ehc needs assessment",
    "la": "council",
    "wks": "weeks",
    "wot": "what",
    "u": "you",
    "dont": "do not",
    "r": "are",
    "hrs": "hours",
}


@pytest.fixture(scope="module")
def small() -> Classifier:
    """A classifier trained on a few hand-written topics."""
    return Classifier.train(EXAMPLES, LEXICON)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("wot r ur opening hrs", "opening_hours"),
        ("hi i asked the LA for an ehcna 5 wks ago", "ehc_assessment_timescale"),
        ("wot if i dont agree with section F", "tribunal_appeal"),
        ("WHAT TIME DO U CLOSE???", "opening_hours"),
        ("helloooo", "greeting"),
    ],
)
def test_shorthand_and_shouting(small: Classifier, text: str, topic: str) -> None:
    """SMS shorthand is expanded through the lexicon before matching."""
    assert small.classify(text).topic == topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("wat are yor openin ours", "opening_hours"),
        ("can i apeal to the tribunel", "tribunal_appeal"),
        ("how long dose the councl have to deside on the asessment", "ehc_assessment_timescale"),
    ],
)
def test_typos(small: Classifier, text: str, topic: str) -> None:
    """Misspellings still find the topic (character n-grams and one-edit corrections)."""
    assert small.classify(text).alternatives[0] == topic


@pytest.mark.parametrize("text", ["", "   ", "😀🙏", "?!...", "the and of", "a" * 10_000, "school " * 2_000])
def test_odd_input_is_unsure_not_an_error(small: Classifier, text: str) -> None:
    """Empty, emoji-only, function-word-only and huge messages give topic None (how fast: `make bench`)."""
    assert small.classify(text).topic is None


def test_unsure_still_offers_alternatives(small: Classifier) -> None:
    """A message between two topics gets None plus both as suggestions, best first."""
    prediction = small.classify("time")
    assert prediction.topic is None
    assert set(prediction.alternatives[:2]) == {"ehc_assessment_timescale", "opening_hours"}


def test_out_of_scope_is_not_answered(small: Classifier) -> None:
    """Something no topic covers is not forced onto one."""
    assert small.classify("can you recommend a plumber for my boiler").topic is None


OFF_TOPIC = {
    "council": ["my bin wasnt emptied this week", "council tax bill has gone up", "bin collection day changed"],
    "travel": ["what time is the next bus into town", "train times to leeds"],
}


def test_closer_to_off_topic_examples_is_declined() -> None:
    """A message nearer the off-topic examples than any topic gets no answer and no suggestions."""
    classifier = Classifier.train(EXAMPLES, LEXICON, off_topic=OFF_TOPIC)
    for text in ("wot time is the bus into town", "is my council tax going up"):
        prediction = classifier.classify(text)
        assert (prediction.topic, prediction.alternatives) == (None, ())
    assert classifier.classify("wot time do u close today").topic == "opening_hours"


def test_off_topic_words_are_not_taken_for_typos() -> None:
    """A word of the off-topic examples is left as it is, not "corrected" into a topic word a slip away."""
    normaliser = Normaliser({})
    normaliser.learn([["find", "appeal"]])
    normaliser.leave_alone([["fine", "parking"]])
    assert normaliser.tokens("appeal a parking fine") == ["appeal", "park", "fine"]


def test_a_lexicon_key_ending_in_dollar_matches_only_at_the_end_of_the_message() -> None:
    """ "what time is it $" is the time of day alone; "what time is it best to call" keeps its words."""
    normaliser = Normaliser({"what time is it $": "timeofday", "wks": "weeks"})
    assert normaliser.tokens("What time is it?") == ["timeofday"]
    assert normaliser.tokens("what time is it best to call") == ["what", "time", "best", "call"]
    assert normaliser.tokens("3 wks") == ["3", "week"]  # keys without $ match anywhere, the last word too


def test_training_is_deterministic() -> None:
    """Same examples, same answers and thresholds, whatever the dict order."""
    first = Classifier.train(EXAMPLES, LEXICON)
    second = Classifier.train(dict(reversed(list(EXAMPLES.items()))), LEXICON)
    assert (first.threshold, first.margin) == (second.threshold, second.margin)
    for text in ("opening hours", "section f", "hello", "assessment weeks"):
        assert first.classify(text) == second.classify(text)


def test_normalisation() -> None:
    """Accents, apostrophes, punctuation and stretched letters are flattened; endings stripped."""
    assert base_tokens("Don't   SHOUT, café!!! Pleeeease") == ["dont", "shout", "cafe", "pleease"]
    assert stem("appeals") == stem("appealing") == stem("appealed") == "appeal"


def test_empty_training_set_never_answers() -> None:
    """A classifier with no examples is unsure about everything rather than failing."""
    assert Classifier.train({}, {}).classify("hello") == Prediction(None, 0.0, ())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_classify_never_raises(text: str) -> None:
    """Any text at all gives a well-formed prediction."""
    prediction = _SMALL.classify(text)
    assert 0.0 <= prediction.confidence <= 1.0
    assert len(prediction.alternatives) <= 3
    assert set(prediction.alternatives) <= set(EXAMPLES)
    assert prediction.topic is None or prediction.topic == prediction.alternatives[0]


_SMALL = Classifier.train(EXAMPLES, LEXICON)

# --- the real content in flows/ and the labelled evaluation set in tests/data

needs_content = pytest.mark.skipif(
    not any((ROOT / "flows" / "topics").glob("*.yaml")), reason="flows/topics/*.yaml not written yet"
)
needs_eval = pytest.mark.skipif(
    not nlu_bench.EVAL_FILE.exists(), reason="tests/data/nlu_eval.yaml not written yet"
)


@pytest.fixture(scope="module")
def real() -> Classifier:
    """The classifier as the bot builds it, from flows/."""
    examples, lexicon, off_topic = nlu_bench.load_training()
    return Classifier.train(examples, lexicon, off_topic=off_topic)


@needs_content
@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("wot if i dont agree with section F", "tribunal_appeal"),
        ("hi i asked the LA for an ehcna 5 wks ago", "ehc_assessment_timescale"),
    ],
)
def test_messages_from_the_issue(real: Classifier, text: str, topic: str) -> None:
    """The issue's own examples of SMS shorthand are understood."""
    assert real.classify(text).topic == topic


@needs_content
@needs_content
@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("what is an ehcp", "ehc_plan_explained"),
        ("wot is an ehcp", "ehc_plan_explained"),
        ("what does ehcp stand for", "ehc_plan_explained"),
        ("whats the number for childline", "helplines"),
        ("what happens now", "after_handoff"),
        ("any news on my enquiry?", "after_handoff"),
        ("hi can someone ring me", "contact_caseworker"),
        ("can i home educate", None),  # no facts on home education: unsure, not "sent home"
    ],
)
def test_messages_from_the_user_review(real: Classifier, text: str, topic: str | None) -> None:
    assert real.classify(text).topic == topic


@needs_content
@pytest.mark.parametrize("text", ["ehcp", "EHCP?", "my ehcp"])
def test_bare_shorthand_offers_ehc_topics(real: Classifier, text: str) -> None:
    """ "ehcp" alone could be any EHC question: a choice of EHC topics, what a plan is first, not one answer."""
    prediction = real.classify(text)
    assert prediction.topic is None
    assert len(prediction.alternatives) == 3 and all(t.startswith("ehc_") for t in prediction.alternatives)
    assert prediction.alternatives[0] == "ehc_plan_explained"


@needs_content
@pytest.mark.parametrize(
    "text",
    ["my boiler is broken", "can i get a mortgage", "how do i renew my car tax", "where can i get a covid jab",
     "whats on telly tonight"],
)
def test_off_topic_gets_no_send_suggestions(real: Classifier, text: str) -> None:
    """A message far from every topic is not answered, and no SEND topic is offered as what was meant."""
    assert real.classify(text) == Prediction(None, real.classify(text).confidence, ())


@needs_content
@pytest.mark.parametrize(
    "text",
    ["how much is my council tax this year", "the bin men missed our road again",
     "whats the weather going to be like on sunday", "hiya my universal credit hasnt been paid"],
)
def test_off_topic_like_the_examples_is_declined(real: Classifier, text: str) -> None:
    """Council services, weather and benefits (flows/nlu/out_of_scope.yaml) get neither an answer nor a SEND topic."""
    prediction = real.classify(text)
    assert (prediction.topic, prediction.alternatives) == (None, ())


@needs_content
def test_asking_the_time_of_day_is_declined_but_asking_when_to_call_us_is_not(real: Classifier) -> None:
    """The time of day is off-topic (flows/nlu/lexicon.yaml); our hours, and deadlines, are still answered."""
    for text in ("what time is it", "whats the time please", "do you know what time it is", "What's the time?"):
        assert (real.classify(text).topic, real.classify(text).alternatives) == (None, ()), text
    assert real.classify("what time is it best to call you").topic == "opening_hours"
    assert real.classify("what time do u close today").topic == "opening_hours"
    assert real.classify("whats the time limit to appeal").topic == "appeal_deadlines"


@needs_content
def test_asking_us_to_get_a_taxi_is_declined_but_school_taxis_are_answered(real: Classifier) -> None:
    """A taxi for the parent now is an errand; a taxi to school is home-to-school transport."""
    for text in ("can you book me a taxi", "can u call me a taxi", "can you order me a taxi", "book a taxi"):
        assert (real.classify(text).topic, real.classify(text).alternatives) == (None, ()), text
    for text in ("how do i book a taxi to school for my son", "can my daughter get a taxi to school"):
        assert real.classify(text).topic == "school_transport", text


@needs_content
@pytest.mark.parametrize("text", ["wifi code please", "whats the code for the wi-fi", "can i have the wi-fi code"])
def test_asking_for_the_wifi_gets_no_send_suggestions(real: Classifier, text: str) -> None:
    """The wifi (its code, or the wi-fi spelt with a hyphen) is off-topic: no answer and no "did you mean"."""
    assert (real.classify(text).topic, real.classify(text).alternatives) == (None, ())


@needs_content
@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("hi there, my son is in year 5 and the school have started putting him in isolation all day, is that "
         "allowed?", "part_time_timetables"),
        ("hello, our daughter has an ehcp and the new school say they cant meet her needs, what can we do",
         "ehc_plan_explained"),
    ],
)
def test_a_long_question_starting_hello_is_not_offered_hello(real: Classifier, text: str, first: str) -> None:
    """ "Did you mean" for a long question lists SEND topics, not the greeting its first word matches."""
    prediction = real.classify(text)
    assert prediction.topic is None and prediction.alternatives[0] == first
    assert "greeting" not in prediction.alternatives


@needs_content
@pytest.mark.parametrize(
    ("text", "topic"),
    [("whats a sencoo", "senco"), ("helloooo there", "greeting")],
)
def test_a_letter_too_many_is_forgiven(real: Classifier, text: str, topic: str) -> None:
    """A typo with one letter too many still gets the answer, as one missed or swapped letter does."""
    assert real.classify(text).topic == topic


def test_only_one_slip_is_corrected() -> None:
    """An unknown word one slip from a known one is read as it; a real word two slips away is left alone."""
    normaliser = Normaliser({})
    normaliser.learn([["whether", "hello", "review", "apply"]])
    assert normaliser.tokens("weather helloo reveiw aply") == ["weather", "hello", "review", "apply"]


@needs_content
@needs_eval
def test_evaluation_set_safety(real: Classifier) -> None:
    """Wrong answers rarer than 'not sure', out-of-scope mostly declined, the right topic usually offered."""
    result = nlu_bench.score(real, nlu_bench.load_eval())
    assert result["in_scope"] >= 100
    assert result["wrong"] < result["unsure"]
    assert result["oos_declined"] >= 0.75
    assert result["top3"] >= 0.95


@needs_content
@needs_eval
def test_evaluation_set_accuracy(real: Classifier) -> None:
    """The issue's target: >= 90% top-1 topic accuracy, and a wrong answer rarer than "did you mean".

    Top-1 is the topic the bot answers or offers first; when it is not confident it asks instead of
    guessing, so "answered outright and right" is lower (see `make bench`).
    """
    result = nlu_bench.score(real, nlu_bench.load_eval())
    assert result["top1"] >= 0.90, f"top-1 topic accuracy {result['top1']:.1%}"
    assert result["wrong"] < result["unsure"]


# --- what a parent sees, through the real SMS webhook and web chat


@needs_content
def test_off_topic_text_is_told_what_we_can_help_with(app: Flask, sms: SmsActions) -> None:
    """By text, an off-topic message gets "I can't help with that, here is what I can" and the menu."""
    content = app.extensions["intake"].content
    sms.send("hello")
    not_understood, menu = sms.send("my boiler is broken")
    assert not_understood == content.text("not_understood")
    assert menu.startswith(content.text("menu_intro")) and "\n2 EHC plans" in menu
    assert content.text("clarify") not in not_understood + menu  # no "did you mean" SEND topics


@needs_content
def test_off_topic_chat_message_is_told_what_we_can_help_with(app: Flask, chat: ChatActions) -> None:
    """In the web chat too: what the service can help with, then the topic menu."""
    content = app.extensions["intake"].content
    reply = chat.texts("my internet is down")
    assert reply.startswith(content.text("not_understood")) and content.text("clarify") not in reply


@needs_content
def test_council_tax_by_text_is_told_what_we_can_help_with(app: Flask, sms: SmsActions) -> None:
    """By text, a council tax question gets what the service can help with and the menu, not tribunal fees."""
    content = app.extensions["intake"].content
    sms.send("hello")
    not_understood, menu = sms.send("how much is my council tax this year")
    assert not_understood == content.text("not_understood")
    assert menu.startswith(content.text("menu_intro"))


@needs_content
def test_weather_in_the_chat_is_told_what_we_can_help_with(app: Flask, chat: ChatActions) -> None:
    """In the web chat, a weather question gets what the service can help with, not "did you mean"."""
    content = app.extensions["intake"].content
    reply = chat.texts("whats the weather going to be like on sunday")
    assert reply.startswith(content.text("not_understood")) and content.text("clarify") not in reply


@needs_content
def test_long_question_by_text_is_not_offered_hello(app: Flask, sms: SmsActions) -> None:
    """A long question starting "hi" that the bot is unsure of offers SEND topics by text, never "Hello"."""
    content = app.extensions["intake"].content
    sms.send("hello")
    choices, _ = sms.send("hi there, my son is in year 5 and the school have started putting him in isolation "
                          "all day, is that allowed?")
    assert choices.startswith(content.text("clarify")) and "\n1 " in choices
    assert "Hello" not in choices


@needs_content
def test_ehcp_alone_by_text_gets_a_short_menu_of_ehc_topics(app: Flask, sms: SmsActions) -> None:
    """ "ehcp" by text: three EHC topics to pick from, what a plan is first; "1" then answers that."""
    content = app.extensions["intake"].content
    sms.send("hello")
    choices, hint = sms.send("ehcp")
    assert choices.startswith(content.text("clarify")) and "\n1 What an EHC plan is\n" in choices
    assert choices.count("EHC") == 3 and hint == content.text("clarify_hint")
    [answer] = sms.send("1")
    assert answer.startswith(content.topics["ehc_plan_explained"].answer)
