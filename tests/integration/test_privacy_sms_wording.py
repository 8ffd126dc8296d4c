"""Texts never name the service (policy 2.1): a text on a shared phone must not tell anyone the parent
contacted us. The web chat and the phone line, which the parent opened themselves, may say the name.
"""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.content import load_content, texted_wording
from intake.outreach import names_the_service
from tests.conftest import ChatActions, SmsActions

NAME = "Testshire SENDIASS"  # the SERVICE_NAME every test app runs with (tests/conftest.py)
VALUES = {"service_phone": "01632 960000", "office_hours": "Mon-Fri 09:00-17:00", "mash_phone": "01632 960999"}


@pytest.mark.parametrize("name", [NAME, "Northshire Parent Partnership Service", "Westshire IASS"])
def test_no_wording_that_can_be_texted_names_the_service(name: str) -> None:
    content = load_content(ROOT / "flows", VALUES | {"service_name": name})
    texts = texted_wording(content)
    places = {where for where, _ in texts}
    # The walk reaches every kind of texted wording, or passing would prove nothing.
    for expected in ("messages.footer", "topic about_service", "category about", "intake slots.consent_keep.ask",
                     "intake slots.consent_name_service.ask", "intake messages.queued", "safeguarding risk",
                     "voice text_body_intro"):
        assert expected in places
    assert [where for where, text in texts if names_the_service(text, name)] == []
    # ...while the web chat's greeting and the phone line still say who we are.
    assert name in content.text("web_greeting") and name in content.topics["about_service"].spoken


def test_walk_finds_a_name_typed_into_an_answer(tmp_path) -> None:
    import shutil

    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    about = flows / "topics" / "about.yaml"
    about.write_text(about.read_text().replace("This service gives", f"{NAME} gives", 1))
    content = load_content(flows, VALUES | {"service_name": NAME})
    named = [where for where, text in texted_wording(content) if names_the_service(text, NAME)]
    assert named == ["topic about_service"]


@pytest.mark.parametrize("question", ["who are you", "what is sendiass", "are you part of the council"])
def test_asking_who_we_are_by_text_gets_an_answer_without_the_name(sms: SmsActions, question: str) -> None:
    reply = "\n".join(sms.send(question))
    assert "free advice" in reply
    assert not names_the_service(reply, NAME)


def test_the_web_chat_says_who_we_are(chat: ChatActions) -> None:
    assert NAME in chat.greeting[0]["text"]
    assert chat.texts("who are you").startswith(f"{NAME} gives free advice")


def test_no_text_in_a_whole_hand_off_with_a_call_back_names_the_service(sms: SmsActions) -> None:
    replies: list[str] = []
    # contact by text (no voicemail question): safe time, say who we are, confirm, send
    for message in ("HUMAN", "yes", "1", "Please help with support", "2", "1", "yes", "1", "1", "yes", "yes"):
        replies += sms.send(message)
    assert "may we say who we are" in "\n".join(replies) and "reference is" in replies[-1]
    assert [r for r in replies if names_the_service(r, NAME)] == []
