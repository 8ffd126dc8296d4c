"""The caseworker console: sign-in, queue, caseload and case pages under /caseworker/."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app
from flask.blueprints import BlueprintSetupState
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("console", __name__, url_prefix="/caseworker")
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """CSRF for console forms only, and strict session cookies (the console is the only cookie user)."""
    # The Twilio and chat APIs authenticate by signature and bearer token, not cookies, so CSRF checks
    # run only where the console asks for them (its before_request), never app-wide.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)
    # The clock for safe-time checks (a callable returning an aware time); a test or a rehearsal sets a fixed one.
    app.config.setdefault("CONSOLE_CLOCK", None)
    settings = app.config["INTAKE"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        SESSION_COOKIE_NAME="console_session",
    )
    csrf.init_app(app)


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """A stored time shown in the service's zone (TIMEZONE), e.g. "25 Nov 2026 17:05"; "" when there is none."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # stored naive means UTC (intake.models.UTCDateTime)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(current_app.config["INTAKE"].timezone)).strftime(fmt)


@bp.app_template_global("local_zone")
def local_zone() -> str:
    """The service's zone name, for documents that leave the office ("Europe/London")."""
    return str(current_app.config["INTAKE"].timezone)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    init_app(state.app)  # type: ignore[arg-type]  # always a Flask app here
    from bot.texting import twilio_texter

    # The same Twilio REST sender the phone line uses, made once per app (None when texting is not set up).
    state.app.extensions["console_texter"] = twilio_texter(state.app.config["INTAKE"])


from bot.console import hours, manage, rights, views  # noqa: E402,F401  (routes attach themselves to bp)
