"""The safeguarding detector: what a parent and a caseworker would notice (policy 7.1)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.safeguarding import Assessment, SafeguardingRules, assess, load_rules

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "flows" / "safeguarding.yaml"
EVAL_FILE = ROOT / "tests" / "data" / "safeguarding_eval.yaml"

BRIEF_RISK = [
    "my ex hits our son at weekends",
    "she said she wants to kill herself",
    "staff restrained him and he has marks",
    "a man keeps asking my 12 yr old for photos",
    "we are not safe at home",
    "I'm scared I might hurt my child",
    "he keeps talking about ending it",
    "his dad locked him in the cupboard",
    "shes self harming again",
    "bruises on her arms after contact",
    "teacher dragged him across the floor",
    "my partner threatens us",
    "she's not been fed properly at her dads",
]
# Everyday SEND language: the detector stays silent ("none").
BRIEF_ORDINARY = [
    "the council is killing me with delays",
    "he hurt his leg at football",
    "withdraw my request",
    "the deadline is killing us",
    "he hit his target in reading",
    # the object of "abusive" is a process, not a person
    "the school's attitude is abusive of the process?",
    "she struggles with self regulation",
    # a child with SEND hitting out is a behaviour enquiry, not a child-protection one
    "my son hits out when overwhelmed",
    "transport dropped him at the wrong stop",
]
# Mentions of restraint always get the one direct question.
BRIEF_UNSURE = ["physical restraint policy at his special school"]


@pytest.fixture(scope="module")
def rules() -> SafeguardingRules:
    """The service's own rules file."""
    return load_rules(RULES_FILE)


def _eval(label: str) -> list[str]:
    """Messages of one label from the evaluation set."""
    items = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    return [item["text"] for item in items if item["label"] == label]


def test_eval_set_is_big_enough() -> None:
    """The evaluation set has the size the issue asks for."""
    counts = Counter(item["label"] for item in yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8")))
    assert counts["risk"] >= 60 and counts["ordinary"] >= 60 and counts["ambiguous"] >= 25
    assert set(counts) == {"risk", "ordinary", "ambiguous"}


@pytest.mark.parametrize("text", BRIEF_RISK)
def test_brief_risk_examples_raise_the_alarm(rules: SafeguardingRules, text: str) -> None:
    """Each risk example from the issue starts the child-protection response."""
    assert assess(text, rules).level == "risk"


@pytest.mark.parametrize("text", BRIEF_ORDINARY)
def test_brief_ordinary_examples_stay_silent(rules: SafeguardingRules, text: str) -> None:
    """Each everyday example from the issue is left alone."""
    assert assess(text, rules) == Assessment("none")


@pytest.mark.parametrize("text", BRIEF_UNSURE)
def test_brief_ambiguous_examples_ask_the_question(rules: SafeguardingRules, text: str) -> None:
    """An ambiguous example gets the one direct question."""
    assert assess(text, rules).level == "unsure"


def test_no_risk_message_is_ever_missed(rules: SafeguardingRules) -> None:
    """Every risk message in the evaluation set is caught; most raise the alarm outright."""
    texts = _eval("risk")
    levels = Counter(assess(text, rules).level for text in texts)
    missed = [text for text in texts if assess(text, rules).level == "none"]
    print(f"\nrisk messages: {levels['risk']} risk, {levels['unsure']} unsure, {levels['none']} none")
    assert missed == []
    assert levels["risk"] / len(texts) >= 0.9


def test_ordinary_messages_rarely_raise_the_alarm(rules: SafeguardingRules) -> None:
    """At most 5% of everyday SEND messages are flagged as risk."""
    texts = _eval("ordinary")
    flagged = [text for text in texts if assess(text, rules).is_risk]
    unsure = sum(assess(text, rules).level == "unsure" for text in texts)
    print(f"\nordinary messages: {len(flagged)} risk, {unsure} unsure of {len(texts)}")
    assert len(flagged) / len(texts) <= 0.05, flagged


def test_ambiguous_messages_always_get_the_question(rules: SafeguardingRules) -> None:
    """An ambiguous message is never ignored: the bot asks, or treats it as risk."""
    missed = [text for text in _eval("ambiguous") if assess(text, rules).level == "none"]
    assert missed == []


def test_flags_explain_themselves(rules: SafeguardingRules) -> None:
    """Every flag names what matched, readably, for the caseworker."""
    for text in _eval("risk") + _eval("ambiguous"):
        assessment = assess(text, rules)
        assert assessment.triggers, text
        for trigger in assessment.triggers:
            category, _, quoted = trigger.partition(": ")
            assert category and quoted.startswith("'") and quoted.endswith("'") and len(quoted) > 2


def test_no_flag_has_no_triggers(rules: SafeguardingRules) -> None:
    """A message left alone carries no triggers."""
    assert assess("when is the next annual review?", rules) == Assessment("none", ())
    assert not assess("when is the next annual review?", rules).is_risk


@pytest.mark.parametrize(
    "text",
    [
        "my ex hitts our son",
        "she wants to kil herself",
        "he keeps saying kms",
        "hes been talkin about sucide",
        "MY EX HITS OUR SON!!!",
        "she wants to kiiiill herself",
        "his dad he hits him when hes at his house",
        "my bf slaps dd",
    ],
)
def test_misspelt_shouted_and_spoken_messages_are_caught(rules: SafeguardingRules, text: str) -> None:
    """Shorthand, typos, capitals and unpunctuated transcripts still raise the alarm."""
    assert assess(text, rules).is_risk


def test_risk_in_the_middle_of_a_long_question_is_caught(rules: SafeguardingRules) -> None:
    """A concern buried in a long SEND question is still found."""
    padding = "I have a question about the EHCP annual review and the school transport. " * 40
    assert assess(padding + "my partner hits the kids. " + padding, rules).is_risk


def test_a_benign_phrase_never_hides_a_risk(rules: SafeguardingRules) -> None:
    """Everyday phrases only silence weak signals, never a risk pattern."""
    assert assess("the council is killing me and my ex hits our son", rules).is_risk


def test_wording_is_complete_and_sms_safe(rules: SafeguardingRules) -> None:
    """The bot's words give the numbers, are honest about sharing, and fit in GSM-7."""
    risk = rules.responses["risk"]
    for needle in ("999", "0808 800 5000", "0800 1111", "{mash_phone}", "{reference}", "share"):
        assert needle in risk
    assert "9 9 9" in rules.responses["risk_spoken"]
    assert "YES or NO" in rules.responses["unsure"]
    assert rules.wording_version == "sg-1"
    for text in rules.responses.values():
        assert all(ord(c) < 128 for c in text)
        assert not set(text) & set("\u2018\u2019\u201c\u201d\u2013\u2014")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("risk: [", "cannot read"),
        ("- just a list", "mapping"),
        ("wording_version: sg-1\nresponses: {}\n", "responses.risk"),
        (None, "unknown list"),
        (None, "outside GSM-7"),
    ],
)
def test_malformed_rules_are_refused_naming_the_file(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    """A broken rules file fails loudly, naming the file and what is wrong."""
    good = RULES_FILE.read_text(encoding="utf-8")
    if content is None and problem == "unknown list":
        content = good.replace('"{adult} ~ {harm} (his|her|their|my) {body}"', '"{adult} ~ {no_such_list} {body}"', 1)
    elif content is None:
        content = good.replace("call 999 now.", "call 999 now \u2014 please.", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.yaml") as raised:
        load_rules(path)
    assert problem in str(raised.value)


def test_missing_rules_file_is_refused(tmp_path: Path) -> None:
    """A missing file is a ValueError naming it."""
    with pytest.raises(ValueError, match=r"absent\.yaml"):
        load_rules(tmp_path / "absent.yaml")


_ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=2000
) | st.lists(
    st.sampled_from(
        ["my", "ex", "hits", "him", "her", "~", "{", "kill", "self", "\u202e", "\x00", "😀", " ", "."]
    ),
    max_size=400,
).map(" ".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_ANY_TEXT)
def test_never_raises_on_any_text(rules: SafeguardingRules, text: str) -> None:
    """Any text at all (control characters, right-to-left marks, emoji) gets an answer."""
    assessment = assess(text, rules)
    assert assessment.level in ("risk", "unsure", "none")
    assert (assessment.level == "none") == (not assessment.triggers)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "my " * 30_000,
        "ex " * 30_000 + "hits",
        "hit him " * 10_000,
        "\u202e\x00😀 " * 20_000,
        "my ex my ex my ex " * 4_000 + "he he he " * 4_000,
    ],
)
def test_huge_messages_stay_bounded(rules: SafeguardingRules, text: str) -> None:
    """No catastrophic backtracking: the work grows in line with the message, not faster.

    A shape, not a speed (speed targets live in `make bench`): ten times the text may take about ten
    times as long, never the hundred times a quadratic pattern would. CPU time, best of three, so other
    load on the machine does not decide it.
    """

    def cost(sample: str) -> float:
        runs = []
        for _ in range(3):
            start = time.process_time()
            assess(sample, rules)
            runs.append(time.process_time() - start)
        return min(runs)

    tenth = text[: len(text) // 10]
    assert cost(text) < 30 * cost(tenth) + 0.05


@pytest.mark.parametrize(
    "text",
    [
        "I cant cope anymore I just want it all to end",
        "i mean me, i dont want to be here anymore",
        "ive been thinking about ending my life",
        "honestly i want to kill myself",
    ],
)
def test_a_parent_in_crisis_is_about_the_parent(rules: SafeguardingRules, text: str) -> None:
    """First-person crisis is level risk (urgent, duty alert) about the parent themselves."""
    assessment = assess(text, rules)
    assert assessment.level == "risk" and assessment.about == "parent"


def test_a_child_at_risk_of_suicide_stays_a_child_concern(rules: SafeguardingRules) -> None:
    """"She wants to kill herself" is about a child, not the parent."""
    assert assess("she said she wants to kill herself", rules).about == "child"
    assert assess("I want to kill myself and my partner hits the kids", rules).about == "both"


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("i dont know how much longer i can do this", "parent"),
        ("things at home arent great at the moment", "child"),
        ("hes started saying he doesnt want to go to his dads", "child"),
        ("my ex has the kids this weekend and my son always comes back really quiet and wont say why", "child"),
    ],
)
def test_vague_hints_ask_and_offer_a_caseworker(rules: SafeguardingRules, text: str, about: str) -> None:
    """Vague hints get the question, and after "no" a caseworker rather than topics."""
    assessment = assess(text, rules)
    assert (assessment.level, assessment.about, assessment.offer) == ("unsure", about, True)


def test_safety_wording_fits_three_texts_and_ends_with_the_next_step(rules: SafeguardingRules) -> None:
    """Filled with a long phone number and reference, every text wording is at most 3 SMS segments."""
    from bot.content import sms_segments

    for key, text in rules.responses.items():
        if key.endswith("_spoken"):
            continue
        filled = text.replace("{mash_phone}", "01632 960999").replace("{service_phone}", "01632 960000")
        filled = filled.replace("{reference}", "SG-2025-ABCD-1234")
        assert sms_segments(filled) <= 3, (key, len(filled))
    for key in ("risk", "risk_enquiry", "crisis", "crisis_enquiry"):
        assert "{service_phone}" in rules.responses[key].rsplit(".", 2)[-2], key
    for needle in ("999", "116 123", "NHS 111", "85258", "HUMAN"):
        assert needle in rules.responses["crisis"]


@pytest.mark.parametrize(
    "text",
    [
        "my son keeps getting hurt at home",
        "she is being hurt by her stepdad",
        "my son is being hurt at home",
        "he is being hurt at home",
        "ds keeps gettin hurt at home",
        "hes bein hit at home",
        "my sons being hurted at home",
        "shes being hurt by her step dad but not right now hes at work",
    ],
)
def test_a_child_being_hurt_at_home_or_by_an_adult_is_a_risk_outright(rules: SafeguardingRules, text: str) -> None:
    """No "right now?" question: a "no" (not this minute) must never end a concern about ongoing harm."""
    assert assess(text, rules).level == "risk"


@pytest.mark.parametrize(
    "text",
    ["my son keeps getting hit", "my son is being hit", "she is being hurt",
     "things at home are really hard, his dad has a temper"],
)
def test_possible_harm_asks_and_after_no_offers_a_caseworker(rules: SafeguardingRules, text: str) -> None:
    """Being hurt with no one or nowhere named: the question, and after "no" a caseworker, not a topic answer."""
    assessment = assess(text, rules)
    assert (assessment.level, assessment.offer) == ("unsure", True)


@pytest.mark.parametrize(
    ("text", "parent"),
    [
        ("the school cant cope with him", "the school cant cope with him and i cant cope anymore"),
        ("the school say they cant cope with him and want him on a part time timetable",
         "the school say they cant cope with him, im at breaking point"),
        ("mainstream school is not coping with her needs", "mainstream school is not coping with her and we cant cope"),
        ("my son is at risk of exclusion",
         "my son is at risk of exclusion and i dont know how much longer i can do this"),
        ("he is in danger of being excluded again", "he is in danger of being excluded again, he is in danger at home"),
    ],
)
def test_a_setting_that_cannot_cope_or_a_risk_of_exclusion_is_not_a_safety_question(
    rules: SafeguardingRules, text: str, parent: str
) -> None:
    """Everyday SEND words are answered as the enquiry they are; they never hide the parent's own distress."""
    assert assess(text, rules).level == "none"
    assert assess(parent, rules).level == "unsure"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("he is being hit at home and he says he fell down the stairs", "risk"),  # the story a child is told to tell
        ("my son keeps getting hurt at home, he told me he tripped", "risk"),
        ("my son is being physically hurt at home", "risk"),
        ("my son is always getting hurt at home, he has dyspraxia and falls over a lot", "unsure"),
        ("he keeps getting hurt in the house because he climbs on everything", "unsure"),
        ("we are being hit with fines for his attendance", "none"),
    ],
)
def test_an_accident_the_parent_explains_is_asked_about_a_cover_story_is_not(
    rules: SafeguardingRules, text: str, level: str
) -> None:
    """Hurt at home because of dyspraxia gets the question; "he says he fell" stays an urgent concern."""
    assert assess(text, rules).level == level


@pytest.mark.parametrize(
    "text",
    [
        "hes gettin hurt @ home",
        "hes gettin hurt @home",
        "shes gettin smacked @ her dads",
        "my boy gets beat at home",
        "hes bein beat at home by his dad",
        "hes gettin shoved about at home by his step dad",
        "he gets hit at my exs",
        "my daughter's brother is being hit by his dad",
        "her little sister gets beaten at home",
        "her lil sis gets hit by there dad",
        "his lil bro gets beaten at home",
        "mums bf keeps bashin my daughters little brother",
    ],
)
def test_texted_in_a_hurry_or_about_a_brother_or_sister_it_is_still_urgent(
    rules: SafeguardingRules, text: str
) -> None:
    """A frightened parent on a cheap phone: no apostrophes, dropped letters, "@", "lil sis", "there dad"."""
    assert assess(text, rules).level == "risk"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # hurt at sport is left alone, as "he hurt his leg at football" always was; by someone, it is asked about
        ("he got hurt at football", "none"),
        ("he keeps getting hurt at rugby", "none"),
        ("he got hit by a ball in pe", "none"),
        ("he got hurt at football by the coach", "unsure"),
        # children play fighting: the parent has said what it was; touching is asked about, an adult hitting is a risk
        ("his brother hit him back in a play fight", "none"),
        ("my son was play fighting with his brother and got hurt", "none"),
        ("her brother touched her while they were play fighting", "unsure"),
        ("his dad hit him in a play fight and he has a bruise", "risk"),
        ("his brother hits him all the time", "unsure"),
        # "@" in an address, and losing at a game, are not a place or a beating
        ("can you email me @ jo.bloggs@example.com about his ehcp", "none"),
        ("he gets beat at fifa all the time and has a meltdown", "none"),
        ("he was hit with a cricket bat", "unsure"),
    ],
)
def test_school_and_family_life_that_only_sounds_like_harm_is_not_escalated(
    rules: SafeguardingRules, text: str, level: str
) -> None:
    """Benign phrases silence only the question, never a risk; an adult named is a risk all the same."""
    assert assess(text, rules).level == level



@pytest.mark.parametrize(
    "text",
    [
        "my 15 year old says she wants to kill herself",
        "my son is self harming",
        "my daughter has been cutting herself",
        "he said he doesnt want to be alive anymore",
    ],
)
def test_a_child_at_risk_of_suicide_or_self_harm_also_gets_young_person_crisis_help(
    rules: SafeguardingRules, text: str
) -> None:
    """A child risk as before (the child-protection wording), with the young person's crisis help after it."""
    assessment = assess(text, rules)
    assert (assessment.level, assessment.about, assessment.also_say) == ("risk", "child", ("young_person",))


def test_young_person_help_is_only_for_suicide_or_self_harm(rules: SafeguardingRules) -> None:
    """Other risks, and a parent's own crisis, get no young person's help; a parent in crisis whose child
    self-harms gets all three."""
    assert assess("my ex hits our son at weekends", rules).also_say == ()
    assert assess("honestly i want to kill myself", rules).also_say == ()
    both = assess("I want to kill myself and my daughter is self harming", rules)
    assert (both.about, both.also_say) == ("both", ("young_person",))


def test_young_person_wording_uses_only_the_service_s_checked_numbers(rules: SafeguardingRules) -> None:
    """999, NHS 111 option 2, Childline and Shout, as the crisis wording and send-facts.md give them; no other."""
    import re

    text, spoken = rules.responses["young_person"], rules.responses["young_person_spoken"]
    assert {"999", "111", "2", "0800 1111", "85258"} >= set(re.findall(r"\d+(?: \d{4})?", text))
    for needle in ("999", "NHS 111, option 2", "Childline", "0800 1111", "SHOUT to 85258"):
        assert needle in text
    assert "9 9 9" in spoken and "N H S 1 1 1" in spoken and "8 5 2 5 8" in spoken
    assert "Papyrus" not in text + spoken


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("    also_say: no_such_wording\n", "also_say needs responses.no_such_wording"),
        ("    also_say: young_person\n", "for crisis, risk and unsure categories only"),
    ],
)
def test_a_category_s_also_say_must_name_wording_that_exists(tmp_path: Path, extra: str, problem: str) -> None:
    """A manager's `also_say` naming wording that is not there, or on an everyday phrase, is refused at start."""
    good = RULES_FILE.read_text(encoding="utf-8")
    anchor = "  - name: self-harm or suicide\n" if "no_such" in extra else "  - name: everyday exasperation\n"
    content = good.replace("    also_say: young_person\n", "", 1).replace(anchor, anchor + extra, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.yaml") as raised:
        load_rules(path)
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a game or a match won or lost
        ("hes getting beat at fifa at home", "none"),
        ("beat him at chess", "none"),
        ("he beat him at chess", "none"),
        ("we got beaten 3-0 at football", "none"),
        ("we got beaten 3-0", "none"),
        ("she beat her brother 5-1 at fifa", "none"),
        ("my daughter got beaten in the final", "none"),
        # a beating
        ("he beats her at home", "risk"),
        ("my partner beat my son", "risk"),
        ("he is getting beaten at home", "risk"),
        ("my boy gets beat at home", "risk"),
        ("he gets beaten every day at home", "risk"),
        ("hes getting battered at his dads", "risk"),
        ("he keeps getting beat up at home", "risk"),
        ("my son gets beaten by his dad", "risk"),
        ("hes getting beaten at football by the coach", "risk"),  # by an adult, as "his dad beat him" is
        ("he beats her", "unsure"),
        ("he got beaten in pe", "unsure"),  # PE is a lesson, not a game won or lost: asked about
        ("hes beating her at home", "risk"),
    ],
)
def test_games_and_sport_are_not_a_beating(rules: SafeguardingRules, text: str, level: str) -> None:
    """Words of a beating that also tell of a game lost: no word may stand between them and "at home"."""
    assert assess(text, rules).level == level


@pytest.mark.parametrize(
    "text",
    [
        "my ex hits our autistic son",
        "my partner hits my disabled daughter",
        "my husband hits our adhd son",
        "my ex hits our non-verbal son",
        "my son Jamie is being hit at home",
        "he was hit at home",
        "my son was hit at his dads",
        "my son will be hit by his dad",
    ],
)
def test_a_send_child_described_or_named_is_still_a_risk(rules: SafeguardingRules, text: str) -> None:
    """"Our autistic son", a name between the child and the verb, "was hit at home": urgent all the same."""
    assert assess(text, rules).level == "risk"


# The user-journey review (2026-11-26): these got "Sorry, I didn't understand that", the greeting or topics, or only
# the safety question, on SMS and the phone. Each is urgent at once: a "no" (not this minute) must not lose it.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("he tied a rope round his neck", "self-harm or suicide"),
        ("found her with a belt round her neck", "self-harm or suicide"),
        ("i found a noose in his room", "self-harm or suicide"),
        ("my daughter is starving herself", "self-harm or suicide"),
        ("my dd is starvin herself", "self-harm or suicide"),
        ("the kids are left alone all weekend", "neglect"),
        ("the kids r left alone all weekend at there dads", "neglect"),
        ("my ex leaves the kids on their own overnight when she goes out", "neglect"),
        ("my 4 year old was left home alone by his dad", "neglect"),
        ("my ex kidnapped my son and won't bring him back", "child abduction"),
        ("my daughter has been abducted by her dad", "child abduction"),
        ("my ex snatched my son and wont give him back", "child abduction"),
        ("my bf tied a rope round my sons neck", "self-harm or suicide"),
        ("I'm scared of what he'll do to the kids", "domestic abuse or not safe at home"),
        ("im scared of wat hell do to the kids", "domestic abuse or not safe at home"),
        ("im terrified what my ex will do to my daughter", "domestic abuse or not safe at home"),
        ("he strangled her", "physical harm"),
        ("he was strangled", "physical harm"),
        ("my ex grabbed him round the neck", "physical harm"),
        ("my son has been left alone since friday", "neglect"),
        ("she left the baby alone in the bath", "neglect"),
        ("her dad choked her", "physical harm"),
        ("my ex grabbed her by the throat", "physical harm"),
        ("a man from online has been messaging my 12 yr old asking for pics", "sexual abuse or exploitation"),
        ("a man online is messaging my 13yo asking 4 pics", "sexual abuse or exploitation"),
    ],
)
def test_phrases_the_review_found_missed_are_urgent_at_once(
    rules: SafeguardingRules, text: str, category: str
) -> None:
    """Urgent straight away, and the caseworker reads what kind of concern it is."""
    assessment = assess(text, rules)
    assert assessment.level == "risk", assessment
    assert any(t.startswith(category + ": ") for t in assessment.triggers), assessment.triggers


def test_a_child_s_suicide_attempt_or_starving_themself_also_gets_young_person_help(rules: SafeguardingRules) -> None:
    """A rope round the neck or a child starving herself: the young person's crisis help follows."""
    for text in ("he tied a rope round his neck", "my daughter is starving herself"):
        assert assess(text, rules).also_say == ("young_person",), text


@pytest.mark.parametrize(
    "text",
    [
        "im at the end of my rope, what can i do",
        "my sons dad has him and im at the end of my rope, what can i do",
        "im at the end of my tether with my son",
        "i dont know what i might do",
        "i hate myself",
        "we cant cope",
    ],
)
def test_a_parent_s_own_distress_gets_adult_help_with_the_question(rules: SafeguardingRules, text: str) -> None:
    """About the parent (adult crisis help comes with the question), and after "no" a caseworker, not topics."""
    assessment = assess(text, rules)
    assert (assessment.level, assessment.about, assessment.offer) == ("unsure", "parent", True)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a child's distress is still the question without adult help
        ("he is not coping at school", "unsure"),
        # fear with no one named, a child not brought back, alone for hours at an age not given: asked
        ("I'm scared of what he'll do", "unsure"),
        ("my ex wont bring my son back after contact", "unsure"),
        ("can my 13 year old be left alone for a few hours", "unsure"),
        ("is it legal to leave my 14 year old home alone", "unsure"),
        # everyday life: a rope, the neck, being alone, eating, fear
        ("we did a rope course at school", "none"),
        ("he loves the rope swing at the park", "none"),
        ("he wears a lanyard round his neck for his bus pass", "none"),
        ("he has a chewy necklace on a cord round his neck", "none"),
        ("he puts his tie round his neck but cant do the knot", "none"),
        ("can I leave my 15 year old alone for an hour", "none"),
        ("can i leave my 13 year old alone for a couple of hours after school", "none"),
        ("he likes to be left alone when hes overwhelmed", "none"),
        ("she is a fussy eater", "none"),
        ("she is starving after school, can she have a snack", "none"),
        ("he is scared of the dentist", "none"),
        ("she is scared of what the other kids will say", "none"),
        ("he was choking on his food at lunch", "none"),
        ("the taxi wont bring him home until 5", "none"),
        ("he does hip abduction exercises with his physio", "none"),
        ("he snatched the ipad off his sister", "none"),
        ("he wrapped the rope round the tree at forest school", "none"),
        ("im at the end of my tether with the council", "none"),
        ("she put her arms round his neck and hugged him", "none"),
        ("he gets choked up talking about his old school", "none"),
        ("i left the baby alone in his cot for a minute", "none"),
        ("can my 15 year old be left alone overnight", "none"),  # asked, not told: the parent wants advice
        ("the school are starving him of support", "unsure"),
    ],
)
def test_near_misses_of_the_review_s_phrases_are_not_urgent(rules: SafeguardingRules, text: str, level: str) -> None:
    """Patterns stay specific: "rope", "left alone", "starving", "scared of" alone are everyday words."""
    assessment = assess(text, rules)
    assert assessment.level == level, assessment
    if level == "unsure":
        assert assessment.about == "child"


# A young person writing of their own suicide or self-harm (on a parent's phone, or in the chat): user-journey
# re-review 2. Before, "im 15 and i want to die" was read as the parent's crisis: adult help, no Childline.
YOUNG_WRITER = [
    "im 15 and i want to die",
    "im 14 i cut myself last night",
    "i am 15 and i want to kill myself",
    "im in year 9 and i want to kill myself",
    "im in yr 10 and ive been cutting myself",
    "im a teenager and i feel suicidal",
    "my mum doesnt know but i keep cutting myself",
    "i want to die. im only 14",
    "Im 16 and I dont want to be here anymore",
    "I'm 13 and I'm thinking about ending it all",
    "please dont tell my mum i want to end it all",
]


@pytest.mark.parametrize("text", YOUNG_WRITER)
def test_a_young_person_s_own_crisis_is_a_child_at_risk_with_the_young_person_help(
    rules: SafeguardingRules, text: str
) -> None:
    """Child-protection wording (Childline), urgent, with the young person's crisis help; never adult-only help."""
    assessment = assess(text, rules)
    assert (assessment.level, assessment.about, assessment.also_say) == ("risk", "child", ("young_person",)), assessment
    assert all(t.startswith("self-harm or suicide: ") for t in assessment.triggers), assessment.triggers


@pytest.mark.parametrize(
    "text",
    [
        "i want to kill myself",
        "im 15 weeks pregnant and i want to die",  # an age only when no unit follows
        "im 15 minutes from the school and i want to die",
        "my son is 14 and i want to die",  # the child's age, not the writer's
    ],
)
def test_a_parent_s_own_crisis_still_gets_adult_help(rules: SafeguardingRules, text: str) -> None:
    assessment = assess(text, rules)
    assert (assessment.level, assessment.about) == ("risk", "parent"), assessment


def test_a_young_writer_s_other_words_keep_their_meaning(rules: SafeguardingRules) -> None:
    """An age alone is nothing; a teenager hit at home is a risk without the suicide help."""
    assert assess("im 15 and i need help with my ehcp", rules).level == "none"
    hit = assess("im 13 and my dad hits me", rules)
    assert hit.level == "risk" and hit.also_say == ()


def test_young_writer_must_name_a_risk_category(tmp_path: Path) -> None:
    bad = RULES_FILE.read_text(encoding="utf-8").replace("  risk: self-harm or suicide\n", "  risk: no such\n", 1)
    (tmp_path / "rules.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError, match=r"young_writer\.risk must name a risk category"):
        load_rules(tmp_path / "rules.yaml")



# A young writer's milder distress: before, "im 14 and i cant cope anymore" was read as the parent's own distress
# (adult crisis help, Samaritans, no Childline), and "im in year 8 and everything is too much" was nothing.
YOUNG_DISTRESS = [
    "im 14 and i cant cope anymore",
    "im 13 and i hate myself",
    "im in year 8 and everything is too much",
    "im a teenager and im not ok",
    "my mum doesnt know but i hate myself",
    "im 15 and i cant handle it anymore",
    "I'm 16 and I'm falling apart",
]


@pytest.mark.parametrize("text", YOUNG_DISTRESS)
def test_a_young_person_s_own_distress_is_about_a_child_not_the_parent(rules: SafeguardingRules, text: str) -> None:
    """The safety question about a child (never unsure_parent's adult help); after "no", a caseworker."""
    assessment = assess(text, rules)
    assert (assessment.level, assessment.about, assessment.offer) == ("unsure", "child", True), assessment
    assert all(t.startswith("low mood or self-harm: ") for t in assessment.triggers), assessment.triggers


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("i cant cope anymore", "parent"),
        ("im 34 and i cant cope", "parent"),
        ("my son is 14 and i cant cope", "parent"),  # the child's age, not the writer's
        ("im 14 weeks pregnant and cant cope", "child"),  # as before: whose "cant cope" is not said
    ],
)
def test_a_parent_s_own_distress_keeps_its_reading(rules: SafeguardingRules, text: str, about: str) -> None:
    assessment = assess(text, rules)
    assert (assessment.level, assessment.about) == ("unsure", about), assessment
    if about == "parent":
        assert all(t.startswith("how the parent is: ") for t in assessment.triggers), assessment.triggers


@pytest.mark.parametrize(
    "text", ["everything is too much", "im 14 weeks pregnant and everything is too much",
             "my son is in year 8 and school is too much for him, can he go part time"]
)
def test_young_writer_distress_words_alone_are_nothing(rules: SafeguardingRules, text: str) -> None:
    """The extra distress words count only when the writer says they are a child."""
    assert assess(text, rules) == Assessment("none")


def test_young_writer_unsure_must_name_an_unsure_category_about_a_child(tmp_path: Path) -> None:
    good = RULES_FILE.read_text(encoding="utf-8")
    for name in ("no such", "how the parent is"):
        bad = good.replace("  unsure: low mood or self-harm\n", f"  unsure: {name}\n", 1)
        (tmp_path / "rules.yaml").write_text(bad, encoding="utf-8")
        with pytest.raises(ValueError, match=r"young_writer\.unsure must name an unsure category about a child"):
            load_rules(tmp_path / "rules.yaml")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("he put his hands round my daughters neck", "physical harm"),
        ("he put his hands around my son's throat", "physical harm"),
        ("her dad had his hands round my daughters neck", "physical harm"),
        ("he grabbed my sons neck", "physical harm"),
        ("he squeezed my daughters throat", "physical harm"),
        ("he pinned my son against the wall by his throat", "physical harm"),
        ("my uncle sends me pictures and asks for mine", "sexual abuse or exploitation"),
        ("my uncle keeps sending me pics and asking for some of me", "sexual abuse or exploitation"),
        ("my uncle sends me photos and wants some back", "sexual abuse or exploitation"),
        ("my uncle asks me for pictures of myself", "sexual abuse or exploitation"),
        ("my stepdad wants me to send him pictures of myself", "sexual abuse or exploitation"),
        ("my uncle sends me rude pictures", "sexual abuse or exploitation"),
    ],
)
def test_a_hand_at_a_child_s_neck_or_an_adult_asking_a_child_for_pictures_is_urgent(
    rules: SafeguardingRules, text: str, category: str
) -> None:
    """Before, "Sorry, I didn't understand that" and the menu."""
    assessment = assess(text, rules)
    assert assessment.level == "risk", assessment
    assert any(t.startswith(category + ": ") for t in assessment.triggers), assessment.triggers


@pytest.mark.parametrize(
    "text",
    [
        "she put her arms round my neck and hugged me",
        "he put his hands over his ears in assembly",
        "my uncle sends me pictures of his dog",
        "grandma sends pictures of the kids",
        "my mum sends me pictures of the kids and asks how we are",
        "his nan wants me to send pictures of the kids",
        "the school sends pictures of his work home",
    ],
)
def test_a_hug_or_family_photos_are_not_urgent(rules: SafeguardingRules, text: str) -> None:
    assert assess(text, rules).level == "none"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("my son has a boyfriend who is 25 he is 14", "unsure"),
        ("my daughter has a boyfriend whos 22", "unsure"),
        ("my daughters boyfriend is 19", "unsure"),
        ("my boyfriend is 30 and works nights, can he come to the review", "none"),
        ("my ex has a girlfriend who is 25", "none"),
        ("my daughters boyfriend is 20 minutes away", "none"),
    ],
)
def test_a_child_s_adult_boyfriend_or_girlfriend_is_asked_about(
    rules: SafeguardingRules, text: str, level: str
) -> None:
    """Before, "my son has a boyfriend who is 25 he is 14" got no question at all; the parent's own partner is not."""
    assert assess(text, rules).level == level


@pytest.mark.parametrize(
    "text", ["my ex will strangle me", "my partner said he'll strangle me", "husband threatened to strangle me"]
)
def test_a_partner_s_threat_to_strangle_the_parent_is_a_risk_with_domestic_abuse_help(
    rules: SafeguardingRules, text: str
) -> None:
    """Not the question: a partner's strangling threat is urgent, and the parent hears of the helpline."""
    assessment = assess(text, rules)
    assert (assessment.level, assessment.also_say) == ("risk", ("domestic_abuse",))


@pytest.mark.parametrize("text", ["my mum will strangle me", "dad will kill me if i fail"])
def test_a_teenager_s_parent_will_strangle_them_is_still_only_asked(rules: SafeguardingRules, text: str) -> None:
    assert (assess(text, rules).level, assess(text, rules).also_say) == ("unsure", ())


def test_domestic_abuse_wording_gives_999_and_the_national_helpline_only(rules: SafeguardingRules) -> None:
    """999 and the National Domestic Abuse Helpline as Refuge gives it (free, day or night); no other number."""
    import re

    text, spoken = rules.responses["domestic_abuse"], rules.responses["domestic_abuse_spoken"]
    assert set(re.findall(r"\d+(?: \d{4} \d{3})?", text)) == {"999", "0808 2000 247"}
    assert "free, day or night" in text and "9 9 9" in spoken and "0 8 0 8, 2 0 0 0, 2 4 7" in spoken


@pytest.mark.parametrize(
    ("text", "level", "also_say"),
    [
        ("he threatened me with a knife", "risk", ("domestic_abuse",)),
        ("he controls all the money and wont let me see my friends", "risk", ("domestic_abuse",)),
        ("im not safe at home", "risk", ("domestic_abuse",)),
        # "he" may be a child who panics when the parent goes: asked, with the helpline before the question
        ("he wont let me leave the house", "unsure", ("domestic_abuse",)),
        ("my husband is very controlling", "unsure", ("domestic_abuse",)),
        # a child harmed by someone not the parent's partner, or a child's own meltdown: no helpline
        ("the taxi driver hit my son", "risk", ()),
        ("my son threatened me with a knife", "risk", ()),
        ("he hits me when he has a meltdown", "unsure", ()),
        ("my husband takes care of the money", "none", ()),
        ("my husband works with knives as a chef", "none", ()),
    ],
)
def test_a_partner_s_abuse_of_the_parent_brings_the_domestic_abuse_helpline(
    rules: SafeguardingRules, text: str, level: str, also_say: tuple[str, ...]
) -> None:
    assessment = assess(text, rules)
    assert (assessment.level, assessment.also_say) == (level, also_say), assessment
