"""What the detector matched is quoted in the parent's own words, with names and numbers left out (7.1, 1.1)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from intake.safeguarding import SafeguardingRules, _token_words, assess, load_rules, normalise
from intake.safeguarding_quotes import _TOKEN, MASK, Quotes, minimised, without_names

RULES_FILE = Path(__file__).resolve().parents[2] / "flows" / "safeguarding.yaml"


@pytest.fixture(scope="module")
def rules() -> SafeguardingRules:
    """The service's own rules file."""
    return load_rules(RULES_FILE)


def quotes_of(text: str, rules: SafeguardingRules) -> list[str]:
    """The quoted part of each trigger."""
    return [trigger.partition(": ")[2] for trigger in assess(text, rules).triggers]


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("MY EX HITS OUR SON!!!", "'EX HITS OUR SON'"),
        ("hes gettin hurt @ home", "'hes gettin hurt @ home'"),
        ("my son's dad hits him", "'dad hits him'"),
        ("I'm not coping at all", "'I'm not coping'"),
        ("my bf slaps dd", "'bf slaps dd'"),
        ("a man keeps asking my 12 yr old for photos", "'man keeps asking my 12 yr old for photos'"),
        ("\uff2d\uff39 \uff25\uff38 \uff28\uff29\uff34\uff33 \uff2f\uff35\uff32 \uff33\uff2f\uff2e",  # full width
         "'EX HITS OUR SON'"),
    ],
)
def test_a_quote_is_what_the_parent_typed(rules: SafeguardingRules, text: str, quote: str) -> None:
    """Their capitals, apostrophes and shorthand, as the name finder and the caseworker need them."""
    assert quotes_of(text, rules) == [quote]


@pytest.mark.parametrize(
    ("text", "quote", "name"),
    [
        ("my ex Dave hits our son", "'ex [...] hits our son'", "Dave"),
        ("my ex dave hits our son", "'ex [...] hits our son'", "dave"),
        ("John Smith at 4 Elm Road hits Jamie with a belt", "'hits [...] with a belt'", "Jamie"),
        ("Mr Okafor hit my son", "'Mr [...] hit my son'", "Okafor"),
        ("her stepdad Gary hit her again", "'stepdad [...] hit her'", "Gary"),
        ("my partner 07911 222333 hit my son", "'partner [...] hit my son'", "07911"),
    ],
)
def test_a_name_or_number_inside_the_matched_words_is_left_out(
    rules: SafeguardingRules, text: str, quote: str, name: str
) -> None:
    """A word the rules do not know, which a gap in a pattern let in, is most often a name: it is not quoted."""
    assert quotes_of(text, rules) == [quote]
    assert name not in "".join(assess(text, rules).triggers)


@given(
    before=st.lists(st.sampled_from(["my", "ex", "partner", "dad", "mum", "our", "the", "and", "he", "she"]),
                    max_size=4),
    name=st.from_regex(r"[A-Z]?[bcdfgjkqvxz][aeiouy][bcdfgjkqvxz][aeiouy]?[bcdfgjkqvxz]", fullmatch=True),
    after=st.lists(st.sampled_from(["hits", "hit", "punched", "our", "my", "son", "daughter", "him", "her", "kids"]),
                   min_size=1, max_size=4),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_made_up_name_is_ever_quoted(rules: SafeguardingRules, before: list[str], name: str,
                                        after: list[str]) -> None:
    """Whatever the pattern, a word not in the rules or everyday speech never reaches a trigger."""
    assume(not any(rules.vocabulary.knows(word) for word in normalise(name, rules.spelling).split()))
    text = " ".join([*before, name, *after])
    for trigger in assess(text, rules).triggers:
        assert name.lower() not in re.findall(r"\w+", trigger.lower()), (text, trigger)


_ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_ANY_TEXT | st.text(alphabet="ab @.'!?\n1 ’kms ds TOM'S\u0301", max_size=60))
def test_the_parent_s_text_always_traces_back_to_the_words_the_detector_read(
    rules: SafeguardingRules, text: str
) -> None:
    """Each token of the text normalises alone as it does in the whole message, so a quote is exactly its span."""
    source = unicodedata.normalize("NFKC", text)
    traced = [word for token in _TOKEN.finditer(source) for word in _token_words(token.group(), rules.spelling)]
    assert traced == normalise(text, rules.spelling).split()


def test_words_that_cannot_be_traced_back_are_quoted_as_read_still_without_names(rules: SafeguardingRules) -> None:
    """The safe fallback: the detector's own words, unknown ones left out."""
    words = normalise("my ex Dave hits our son", rules.spelling)
    quotes = Quotes("my ex Dave hits our son", words, lambda token: ["?"], rules.vocabulary)
    start = words.index(" ex ") + 1
    assert quotes.quote(start, len(words)) == f"ex {MASK} hits our son"


@pytest.mark.parametrize(
    ("words", "trigger", "stored"),
    [
        # "Will" is a word of the rules ("he will hurt"): the cue "my son" in the whole message shows it is a name
        ("my son Will was hit by his dad", "physical harm: 'son Will was hit by his dad'",
         "physical harm: 'son [name removed] was hit by his dad'"),
        ("my son Will says he will hit him", "x: 'son Will says he will hit him'",
         "x: 'son [name removed] says he will hit him'"),
        ("ring me on 07700 900123, my ex hits our son", "physical harm: 'ex hits our son'",
         "physical harm: 'ex hits our son'"),
        ("", "caller pressed 0: a child in danger", "caller pressed 0: a child in danger"),
    ],
)
def test_what_the_disclosure_note_loses_the_quotes_lose_too(words: str, trigger: str, stored: str) -> None:
    """A name found in the whole message (as for the note kept beside the triggers) goes wherever it is quoted."""
    assert minimised([trigger], words) == [stored]


@pytest.mark.parametrize(
    ("text", "quote", "names"),
    [
        # a word of the rules written as a name inside a sentence is quoted, and named for the note
        ("my ex and Will hit our son", "'ex and Will hit our son'", ("Will",)),
        ("my ex and Darren hit our son", "'ex and [...] hit our son'", ("Darren",)),
        ("John Smith at 4 Elm Road hits Jamie with a belt", "'hits [...] with a belt'", ("Jamie",)),
        # who did it, just before the words matched
        ("my son said Grace touched him", "'touched him'", ("Grace",)),
        ("my son said Will touched him", "'touched him'", ("Will",)),
        ("my son said he touched him", "'he touched him'", ()),
        # a capital that says nothing: the start of a sentence, or shouting
        ("my ex hits our son. Will he stop?", "'ex hits our son'", ()),
        ("MY EX HITS OUR SON!!!", "'EX HITS OUR SON'", ()),
    ],
)
def test_a_name_written_as_one_is_left_out_and_named_for_the_note(
    rules: SafeguardingRules, text: str, quote: str, names: tuple[str, ...]
) -> None:
    """The assessment names it, so the disclosure note kept beside the quotes loses it too."""
    assessment = assess(text, rules)
    assert [t.partition(": ")[2] for t in assessment.triggers] == [quote]
    assert assessment.names == names


@pytest.mark.parametrize(
    ("words", "names", "kept"),
    [
        ("my ex and Darren hit our son", ("Darren",), "my ex and [name removed] hit our son"),
        ("Will hit him and Will is 40", ("Will",), "[name removed] hit him and [name removed] is 40"),
        ("he will hit him, Will said", ("Will",), "he will hit him, [name removed] said"),  # the verb stays
        ("my ex hits our son", (), "my ex hits our son"),
    ],
)
def test_names_the_quotes_left_out_are_taken_out_of_the_note(words: str, names: tuple[str, ...], kept: str) -> None:
    """Wherever the name is written as it was (a capital), never the everyday word."""
    assert without_names(words, names) == kept


@pytest.mark.parametrize(
    ("words", "trigger", "stored"),
    [
        ("her stepdad Will hit her again", "physical harm: 'stepdad Will hit her'",
         "physical harm: 'stepdad [name removed] hit her'"),
        ("my mum May hit my son with a belt", "physical harm: 'mum May hit my son'",
         "physical harm: 'mum [name removed] hit my son'"),
        ("her dad, Will, hits her", "physical harm: 'dad, Will, hits her'",
         "physical harm: 'dad, [name removed], hits her'"),
        # with no cue: written as a name inside a sentence
        ("my ex and Will hit our son", "physical harm: 'ex and Will hit our son'",
         "physical harm: 'ex and [name removed] hit our son'"),
        ("my ex hits our son. Will he stop?", "physical harm: 'ex hits our son'", "physical harm: 'ex hits our son'"),
        ("he will hit him", "possible harm: 'he will hit him'", "possible harm: 'he will hit him'"),
    ],
)
def test_a_rule_word_naming_someone_after_a_relation_is_not_stored(words: str, trigger: str, stored: str) -> None:
    """"Will" and "May" are words of the rules, so quoted; the relation before them shows they are names."""
    assert minimised([trigger], words) == [stored]
