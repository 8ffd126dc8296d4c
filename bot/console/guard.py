"""Who is signed in, and when a console session must end (idle, 12 hours, nightly lock) or is locked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, g, jsonify, redirect, request, session, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.console import bp, clock, csrf, local_time
from bot.services import services
from intake import audit, casework, console_sessions, note_drafts, service_hours, staff
from intake.db import unit_of_work

PUBLIC = {"console.login"}
# The idle-lock screen must work while locked; polling must not keep a session alive.
WHILE_LOCKED = {"console.unlock", "console.logout", "console.lock"}
NOT_ACTIVITY = {"console.queue_json"}
# Always answered in JSON: console.js calls these, never a person.
JSON_ONLY = {"console.queue_json", "console.alive"}
# The sign-in page's words when it refuses out of hours, and guard's when a login kept out of hours has lost the
# duty it was allowed on (one wording for both).
OUT_OF_HOURS = "The console is closed out of hours. Only the on-duty caseworker can sign in now."
LOCKED = "The screen is locked. Enter your password to continue."
NOTE_KEPT = ("Your note on {reference} was not saved, because you were signed out or the screen locked first. "
             "It is kept for you (on the server, not in this browser): open the case to finish it.")
# Ends after which a note the caseworker was typing is theirs to finish: the login ran out, it was not taken away.
# (A disabled account, or a cookie from before a sign-out, is not the caseworker's login any more.)
NOTE_KEPT_AFTER = {"idle", "too long", "nightly lock", "out of hours and not on duty"}
# After such an end the cookie remembers, this long, whose login it was: the page's own request (console.js's
# keep-alive) usually finds the end first, and the unsaved note it then sends is still kept for them.
ENDED_NOTE_GRACE = 10 * 60


def console_open(moment: datetime) -> bool:
    """Inside console hours (office days, opening time to the nightly lock), by the hours in force now."""
    svc = services()
    with unit_of_work(svc.sessions) as db:
        hours = service_hours.current(db, svc.hours)
    return console_sessions.console_open(moment, hours, svc.settings.console_lock_time)


def start(username: str, role: str, generation: int) -> None:
    """Begin a fresh console session (the old cookie's contents are dropped, never reused)."""
    session.clear()
    stamp = clock.now().timestamp()
    session["staff"] = {"user": username, "role": role, "in": stamp, "seen": stamp, "locked": False,
                        "gen": generation}


def _wants_json() -> bool:
    return request.endpoint in JSON_ONLY or request.accept_mimetypes.best == "application/json"


def _refuse(message: str, status: int) -> WerkzeugResponse:
    if status != 423 or not _wants_json():
        # The next page shows why, whether a page or console.js (which then goes to sign in) was refused;
        # once only, however many background requests were refused.
        if all(pending[1] != message for pending in session.get("_flashes", [])):
            flash(message)
    if _wants_json():
        # "ended" tells console.js a 401 is a login that is over, not a wrong password at the idle lock.
        body: dict[str, Any] = {"error": message}
        if status == 401:
            body.update(ended=True, sign_in=url_for("console.login"))
        elif status == 423:
            body["locked"] = True
        response = jsonify(body)
        response.status_code = status
        return response
    return redirect(url_for("console.unlock" if status == 423 else "console.login"))


@bp.before_request
def guard() -> Any:
    """CSRF on every POST; then a live, unlocked session for everything but the sign-in page."""
    if request.method == "POST":
        csrf.protect()
    if request.endpoint in PUBLIC:
        return None
    staff_session = session.get("staff")
    if not staff_session:
        ended_as = session.get("ended_as")
        if ended_as and ended_as["until"] >= clock.now().timestamp():
            _keep_refused_note(ended_as["user"], ended_as["gen"])
        return _refuse("Please sign in.", 401)
    moment = clock.now()  # the pages' clock: a rehearsal at a fixed time is locked and refused as it would be then
    settings = services().settings
    ended = console_sessions.session_ended(
        datetime.fromtimestamp(staff_session["in"], UTC), datetime.fromtimestamp(staff_session["seen"], UTC),
        moment, settings.console_lock_time, settings.timezone,
    )
    if ended is None:
        with unit_of_work(services().sessions) as db:
            worker = staff.by_username(db, staff_session["user"])
            if worker is None:
                ended = "account disabled"
            elif worker.session_generation != staff_session.get("gen"):
                ended = "signed out or locked since"  # a copied or replayed cookie
            elif not worker.on_duty and not console_sessions.console_open(
                    moment, service_hours.current(db, services().hours), settings.console_lock_time):
                # Signed in out of hours while on duty (or in hours, now closed) and taken off duty since:
                # the sign-in rule holds for the whole login, not only its first request (policy 8.3).
                ended = "out of hours and not on duty"
            else:
                staff_session["role"] = worker.role  # a changed role applies at once
                # Who may sign in again after tonight's lock, and when (console_settings shows it).
                lock = console_sessions.next_lock(moment, settings.console_lock_time, settings.timezone)
                g.after_lock = (worker.on_duty, service_hours.current(db, services().hours)
                                .describe_next_opening(lock))
    if ended:
        csrf_secret = session.get("csrf_token")
        session.clear()
        with unit_of_work(services().sessions) as db:
            audit.record(db, staff_session["user"], "session_ended", None, ended)
        if ended in NOTE_KEPT_AFTER:
            _keep_refused_note(staff_session["user"], staff_session.get("gen"))
            session["ended_as"] = {"user": staff_session["user"], "gen": staff_session.get("gen"),
                                   "until": moment.timestamp() + ENDED_NOTE_GRACE}
            if csrf_secret:  # the open page's forms stay valid for sending that note; signing in replaces it
                session["csrf_token"] = csrf_secret
        return _refuse(OUT_OF_HOURS if ended == "out of hours and not on duty"
                       else "Your session has ended. Please sign in again.", 401)
    idle_seconds = moment.timestamp() - staff_session["seen"]
    if not staff_session.get("locked") and idle_seconds > settings.console_idle_minutes * 60:
        # The idle lock (policy 8.4) is the server's too: when console.js could not lock (no script, a failed
        # lock request, a restored tab), content still needs the password. Unlike console.lock, the session
        # generation is not moved on: every copy of this cookie is as idle as this one, so it is locked
        # as well, and two requests arriving together cannot leave the browser holding a stale number.
        staff_session["locked"] = True
        session.modified = True
    if staff_session.get("locked") and request.endpoint not in WHILE_LOCKED:
        _keep_refused_note(staff_session["user"], staff_session.get("gen"))
        return _refuse(LOCKED, 423)
    if request.endpoint not in NOT_ACTIVITY:
        staff_session["seen"] = moment.timestamp()
        session.modified = True
    g.staff = staff_session
    return None


def _keep_refused_note(username: str, generation: int | None) -> None:
    """A note whose save this refusal stops is kept for the caseworker who typed it (intake/note_drafts.py),
    encrypted on the server, and offered back when they next open the case: never lost, never in the browser."""
    if request.endpoint != "console.note" or request.method != "POST":
        return
    reference = str((request.view_args or {}).get("reference", ""))
    text = request.form.get("note", "")
    if not text.strip() or len(text.strip()) > casework.MAX_NOTE:
        return
    svc = services()
    with unit_of_work(svc.sessions) as db:
        worker = staff.by_username(db, username)
        if worker is None or worker.session_generation != generation:
            return  # disabled, or signed out since: this cookie no longer speaks for that caseworker
        kept = note_drafts.keep(db, svc.keys, username, reference, text.strip(), clock.now())
    if kept:
        flash(NOTE_KEPT.format(reference=reference))


@bp.post("/alive")
def alive() -> Any:
    """Keep-alive from console.js while the caseworker types or clicks (at most once a minute).

    The guard above does all the work: CSRF, and a login that is idle, too long, past the nightly lock,
    signed out or locked is refused (401/423) exactly as for any page; only a live one gets its last-seen
    time refreshed. Nothing else changes, so it never stretches a login past the 12 hours or the lock.
    """
    return jsonify({"alive": True})


def require_role(*roles: str) -> None:
    """Stop here unless the signed-in member of staff has one of these roles."""
    if g.staff["role"] not in roles:
        abort(403)


@bp.context_processor
def console_settings() -> dict[str, Any]:
    """The idle-lock time for console.js (read from a meta tag; no inline script), and for a signed-in page the
    nightly lock: when it falls, and how many seconds away (console.js warns a few minutes before)."""
    settings = services().settings
    values: dict[str, Any] = {"idle_minutes": settings.console_idle_minutes}
    if g.get("staff"):
        moment = clock.now()
        lock = console_sessions.next_lock(moment, settings.console_lock_time, settings.timezone)
        # After the lock only the on-duty caseworker may sign in (policy 8.3): the rest, when the office opens.
        # Read by the guard (a page is drawn inside its view's transaction: no second session here).
        lock_on_duty, reopens = g.get("after_lock", (False, ""))
        values.update(lock_in=int((lock - moment).total_seconds()), lock_at=local_time(lock, "%H:%M"),
                      lock_on_duty=lock_on_duty, lock_reopens=reopens)
    return values


@bp.after_request
def same_origin_referrer(response: Any) -> Any:
    """Console forms send a same-origin Referer (Flask-WTF's HTTPS check needs it); no page is ever cached."""
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
