"""A caller asking after their enquiry is told a way to check that works: the phone line takes no references."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import SmsActions
from tests.integration.test_voice import CallActions


def test_the_phone_line_points_a_caller_to_a_text_with_the_reference_not_to_saying_it(client: FlaskClient) -> None:
    reference = SmsActions(client).hand_off()
    caller = CallActions(client)
    caller.call()
    said = caller.say("any news on my enquiry")
    assert "text us the reference we gave you, from the same phone" in said
    assert "tell us your reference" not in said
    # ... because saying it here tells nothing: a reference said aloud can be overheard, a number faked.
    again = CallActions(client)
    again.call()
    assert "not one of the choices" in again.say(f"my reference is {reference}")
