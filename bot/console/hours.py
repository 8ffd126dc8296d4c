"""Office hours and bank holidays (managers): set in the console, used at once by every channel and worker."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.console import bp
from bot.console.clock import now  # CONSOLE_CLOCK when a test or rehearsal fixes it
from bot.console.guard import require_role
from bot.services import services
from intake import closed_days, service_hours
from intake.db import unit_of_work
from intake.hours import HoursError


def _page(hours_text: str | None = None, holidays_text: str | None = None, error: str | None = None) -> Any:
    """The hours in force, where they come from, and the form (pre-filled with them, or with what was typed)."""
    svc = services()
    with unit_of_work(svc.sessions) as db:
        found = service_hours.source(db, svc.hours)
    moment = now()
    hours = found.hours
    coming = service_hours.holidays_text(hours, moment.astimezone(hours.zone).date())  # past days close nothing
    return render_template(
        "console/hours.html", found=found, zone=str(hours.zone.key),
        weekly=service_hours.describe(hours) or "closed every day",
        holidays=coming,
        open_now=hours.is_open(moment), next_opening=hours.describe_next_opening(moment),
        hours_text=service_hours.describe(hours) if hours_text is None else hours_text,
        holidays_text=coming if holidays_text is None else holidays_text,
        error=error, max_days=closed_days.MAX_HOLIDAYS, max_text=closed_days.MAX_TEXT,
    ), (400 if error else 200)


@bp.get("/hours")
def hours_page() -> Any:
    """The office hours in force (console or environment) and the form to change them."""
    require_role("manager")
    return _page()


@bp.post("/hours")
def hours_save() -> Any:
    """Store new hours; a value that does not read changes nothing and says what is wrong. Audited."""
    require_role("manager")
    svc = services()
    hours_text = request.form.get("hours", "")
    holidays_text = request.form.get("bank_holidays", "")
    try:
        with unit_of_work(svc.sessions) as db:
            saved = service_hours.save(db, g.staff["user"], hours_text, holidays_text, svc.hours, now())
    except HoursError as exc:
        return _page(hours_text, holidays_text, str(exc))
    closed = service_hours.holidays_text(saved.hours)  # the closed days are saved too: say so, as the hours are
    flash(f"Office hours saved: {service_hours.describe(saved.hours)}"
          f"{f'; closed {closed}' if closed else '; no closed days'}. Every channel uses them from now on.")
    if saved.past:  # never dropped silently: most often a mistyped year
        flash(f"Not saved, because {'it is' if len(saved.past) == 1 else 'they are'} in the past: "
              f"{closed_days.past_days_text(saved.past)}. If you meant a day still to come, check the year "
              "and add it again.")
    return redirect(url_for("console.hours_page"))


@bp.post("/hours/reset")
def hours_reset() -> WerkzeugResponse:
    """Go back to the hours set in the environment (OFFICE_HOURS, BANK_HOLIDAYS). Audited."""
    require_role("manager")
    with unit_of_work(services().sessions) as db:
        done = service_hours.reset(db, g.staff["user"])
    flash("The office hours from the environment apply again." if done
          else "The hours already come from the environment.")
    return redirect(url_for("console.hours_page"))
