"""First texts from the user-journey review get the answer to what the parent asked, through the signed SMS webhook."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot.config import ROOT
from bot.content import load_content
from tests.conftest import SmsActions

CONTENT = load_content(ROOT / "flows")


def first_text(client: FlaskClient, message: str) -> str:
    """What a new parent (each test has a fresh app) is texted back for their first message."""
    return "\n".join(SmsActions(client).send(message))


@pytest.mark.parametrize(
    "message",
    ["my sons school wont do an ehcp assesment", "school say they wont apply for an ehcp",
     "the senco says he doesnt need an ehc assessment"],
)
def test_a_school_saying_no_is_told_they_can_ask_the_council_themselves(client: FlaskClient, message: str) -> None:
    """Not the answer about appealing a council refusal: the school's agreement is not needed, and the 6 weeks."""
    said = first_text(client, message)
    assert "yourself: the school doesn't have to agree" in said
    assert "within 6 weeks" in said
    assert "appeal" not in said.lower()


@pytest.mark.parametrize("message", ["do i have to pay", "how much does it cost"])
def test_asking_what_it_costs_with_nothing_else_is_told_this_service_is_free(
    client: FlaskClient, message: str
) -> None:
    said = first_text(client, message)
    assert CONTENT.topics["about_service"].answer in said
    assert "Tribunal" not in said


def test_asking_what_a_tribunal_appeal_costs_still_gets_the_tribunal_answer(client: FlaskClient) -> None:
    assert CONTENT.topics["tribunal_fees"].answer in first_text(client, "how much does a tribunal appeal cost")


def test_asking_whether_a_child_can_be_excluded_for_being_autistic_is_told_about_discrimination(
    client: FlaskClient,
) -> None:
    """Not only who may exclude and for how long: that it can be disability discrimination, and what to do."""
    said = first_text(client, "can they exclude him for being autistic")
    assert "can be disability discrimination" in said and "within 6 months" in said


def test_asking_about_transport_to_college_is_told_the_rules_differ_after_16(client: FlaskClient) -> None:
    """The school transport answer is for ages 5 to 16: a college student's parent is told so, not left to guess."""
    said = first_text(client, "how do i get transport to college")
    assert "Over 16 (college): different rules, ask us." in said


def test_asking_whether_a_plan_goes_on_at_17_is_told_plans_can_last_to_25(client: FlaskClient) -> None:
    """An answer, not "did you mean" with the 20-week final plan offered first."""
    said = first_text(client, "my daughter is 17 does she still get her plan")
    assert CONTENT.topics["ehc_plan_explained"].answer in said
    assert "Did you mean" not in said
