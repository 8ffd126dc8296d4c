"""Every menu, sub-menu and intake-form question a parent can be texted is one SMS: plain GSM-7, 160 characters.

A parent on pay-as-you-go pays for every part, and a question split over two texts can arrive out of order.
The walk goes through the real webhook, so a longer title, label or question in flows/ fails here.
"""

from __future__ import annotations

from bot.config import ROOT
from bot.content import GSM7, GSM7_EXT, load_content, sms_segments
from tests.conftest import SmsActions

CATEGORIES = len(load_content(ROOT / "flows").categories)
# Consent questions whose wording is versioned and says what the law asks (what is kept, who sees it), and the
# confirm step, which reads back the parent's own words: allowed more than one text, but never more than now.
LONGER = {"consent_keep": 3, "pii_keep": 2}


def texted(sms: SmsActions, message: str, expected: str) -> list[str]:
    """Send one text; the replies, after checking the walk reached the question it meant to (`expected`)."""
    replies = sms.send(message)
    assert expected in "\n".join(replies), (message, replies)
    return replies


def test_every_menu_sub_menu_and_form_question_by_sms_is_one_text(client) -> None:
    sent: dict[str, list[str]] = {}
    browsing = SmsActions(client, "+447700900301")
    sent["menu as the first text"] = texted(browsing, "MENU", "1 ")
    for number in range(1, CATEGORIES + 1):
        sent[f"menu {number}"] = texted(browsing, "MENU", "1 ")
        sent[f"sub-menu {number}"] = texted(browsing, str(number), "Reply with a number:")

    unsure = SmsActions(client, "+447700900303")
    sent["did you mean, first text"] = texted(unsure, "can i home educate", "Did you mean")
    sent["did you mean"] = texted(unsure, "can i home educate", "Did you mean")
    two = texted(unsure, "what is an ehcp and how long does the council have to decide", "another question too")
    sent["the other question, reply 1"] = two[-1:]  # after the first answer, which may take up to three texts

    form = SmsActions(client, "+447700900302")
    form.send("hello")  # no topic yet, so the form asks what it is about
    for slot, message, expected in [
        ("consent_keep", "HUMAN", "Is that OK?"),
        ("topic", "yes", "mainly about"),
        ("wrong answer, then topic", "maybe", "one of the numbers"),
        ("summary", "2", "In a few words"),
        ("pii_keep", "Please ring me on 07911 123456", "looks like"),
        ("school_phase", "no", "stage of education"),
        ("ehc_plan", "2", "EHC plan?"),
        ("consent_contact", "1", "contact you?"),
        ("contact_method", "yes", "How should we contact you"),
        ("contact_detail", "3", "phone number we should use"),
        ("safe_times", "07911 123457", "When is it safe"),
        ("consent_voicemail", "1", "voicemail"),
        ("consent_name_service", "yes", "say who we are"),
        ("confirm", "no", "exactly what a caseworker will see"),
        ("change", "CHANGE", "What do you want to change"),
        ("menu, mid-form", "MENU", "paused"),
    ]:
        sent[slot] = texted(form, message, expected)

    too_long = {}
    for where, replies in sent.items():
        for text in replies:
            assert all(ch in GSM7 or ch in GSM7_EXT for ch in text), (where, text)  # one odd character: 70 a text
            if where == "confirm" and "Your words:" in text:
                continue  # the parent's own words, read back; tests/integration/test_intake_flow.py keeps it <= 3
            if sms_segments(text) > LONGER.get(where, 1):
                too_long[where] = (sms_segments(text), len(text), text)
    assert too_long == {}


def test_did_you_mean_is_one_text_even_with_the_three_longest_topic_titles() -> None:
    """Which topics the NLU offers depends on the message: the longest three must fit too."""
    content = load_content(ROOT / "flows")
    longest = sorted((t.title for t in content.topics.values()), key=len, reverse=True)[:3]
    menu = "\n".join([content.text("clarify"), *(f"{i} {title}" for i, title in enumerate(longest, 1))])
    assert sms_segments(menu) == 1, (len(menu), menu)
