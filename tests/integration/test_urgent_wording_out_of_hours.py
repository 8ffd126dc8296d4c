"""The texted safety replies never send a parent to a closed office: the number comes with "when we're open".

At night a parent who has just disclosed a risk is told the next step that works now (HUMAN, a safe way to reach
them) and that the office number is for office hours. Through the signed SMS webhook, the office closed all today.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import SmsActions, dispose, make_app

OFFICE = "01632 960000"


@pytest.mark.parametrize(("first", "message", "next_step"), [
    ((), "my partner hit my daughter last night",
     "Reply HUMAN to give a safe way to reach you, or call 01632 960000 when we're open."),
    ((), "ive been thinking about ending my life",
     "Reply HUMAN to give a safe way to reach you, or call 01632 960000 when we're open."),
    (("hand off",), "i forgot to say my ex hits our son",
     "They will use the details you gave us, or call 01632 960000 when we're open."),
], ids=["risk", "crisis", "risk on their enquiry"])
def test_out_of_hours_the_texted_safety_reply_says_the_office_number_is_for_office_hours(
    tmp_path: Path, first: tuple[str, ...], message: str, next_step: str
) -> None:
    tomorrow = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1)).strftime("%a")
    app = make_app(tmp_path, OFFICE_HOURS=f"{tomorrow} 09:00-17:00")  # closed now
    sms = SmsActions(app.test_client())
    if first:
        sms.hand_off()
    safety = sms.send(message)[0]
    assert "999" in safety and safety.endswith(next_step), safety
    assert f"{OFFICE}." not in safety  # the number alone, as if someone would answer now
    dispose(app)
