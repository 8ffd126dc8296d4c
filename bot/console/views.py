"""Console pages: thin views that parse the form, call an intake service, and render or redirect."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    current_app,
    flash,
    g,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.console import bp, clock, guard
from bot.services import services
from intake import (
    blocks,
    casework,
    concerns,
    duty_rota,
    handover,
    note_drafts,
    outreach,
    parent_email,
    queue,
    service_hours,
    sharing,
    staff,
)
from intake.caseload import held_by_absent
from intake.caseload import rows as caseload_rows
from intake.db import unit_of_work

log = logging.getLogger(__name__)


def _contact_clock(db: Session) -> casework.ContactClock:
    """The safe-time windows, the office hours in force (for "any time the office is open") and now."""
    svc = services()
    return casework.ContactClock(svc.content.contact_times, service_hours.current(db, svc.hours), clock.now())


def labels_for(content: Any) -> casework.Labels:
    """Plain words for a case's codes (topic titles, intake choice labels) from the loaded content."""
    # An enquiry's topic is the category the parent chose ("ehc"), or a topic's id: both get their title.
    titles = {t.id: t.title for t in content.topics.values()} | {c.id: c.title for c in content.categories}
    return casework.Labels.from_content(titles, content.intake)


def labels() -> casework.Labels:
    """The same words for this request: every page that shows staff a topic names it by the parent's title."""
    if "console_labels" not in g:
        g.console_labels = labels_for(services().content)
    return g.console_labels


@bp.app_template_filter("topic_title")
def topic_title(code: str | None) -> str:
    """A stored topic code ("ehc") as the title parents were offered ("EHC needs assessments and plans")."""
    return labels().topic(code)


NOTE_WAITING = "Your unsaved note on {reference} is kept for you: open the case to finish it."


def front_page(role: str) -> str:
    """Where a member of staff starts: the queue for those who handle cases, Accounts for an admin (policy 5.2)."""
    return url_for("console.queue_page" if role in staff.CASE_ROLES else "console.accounts")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with username, password and a one-time code."""
    if request.method == "GET":
        return render_template("console/login.html")
    svc = services()
    form = request.form
    with unit_of_work(svc.sessions) as db:
        result = staff.sign_in(
            db, svc.keys, form.get("username", ""), form.get("password", ""), form.get("code", ""),
            console_open=guard.console_open(clock.now()),
        )
        worker = result.caseworker
        username, role = (worker.username, worker.role) if worker else ("", "")
        generation = worker.session_generation if worker else 0
    if not result.ok:
        # One message for every failure: which factor was wrong is for the audit trail, not the page.
        message = "Sign-in failed. Check your details and code, or ask the duty manager."
        if result.reason == "out of hours and not on duty":
            message = guard.OUT_OF_HOURS
        return render_template("console/login.html", error=message), 401
    guard.start(username, role, generation)
    with unit_of_work(svc.sessions) as db:
        kept = note_drafts.references(db, username, clock.now())
    for reference in kept:  # a note refused when their last login ended: say where it waits (never its words)
        flash(NOTE_WAITING.format(reference=reference))
    return redirect(front_page(role))


@bp.post("/logout")
def logout() -> WerkzeugResponse:
    """Sign out and forget the session; any copy of the cookie stops working too."""
    with unit_of_work(services().sessions) as db:
        staff.end_sessions(db, g.staff["user"])
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("console.login"))


@bp.post("/lock")
def lock() -> Any:
    """The page went idle: refuse content until the password is entered again."""
    with unit_of_work(services().sessions) as db:
        g.staff["gen"] = staff.end_sessions(db, g.staff["user"])  # a cookie from before the lock is void
    g.staff["locked"] = True
    session.modified = True
    return jsonify({"locked": True})


@bp.route("/unlock", methods=["GET", "POST"])
def unlock() -> Any:
    """Re-enter the password after the idle lock."""
    if request.method == "GET":
        return render_template("console/unlock.html")
    svc = services()
    with unit_of_work(svc.sessions) as db:
        ok = staff.reauthenticate(db, g.staff["user"], request.form.get("password", ""))
    wants_json = request.accept_mimetypes.best == "application/json"
    if not ok:
        if wants_json:
            return jsonify({"error": "That password is not right."}), 401
        return render_template("console/unlock.html", error="That password is not right."), 401
    g.staff["locked"] = False
    session.modified = True
    return jsonify({"locked": False}) if wants_json else redirect(front_page(g.staff["role"]))


@bp.get("/")
def home() -> WerkzeugResponse:
    """The queue is the console's front page (Accounts, for an admin)."""
    return redirect(front_page(g.staff["role"]))


@bp.get("/queue")
def queue_page() -> str:
    """Waiting enquiries: urgent on top; no names, no numbers. Who is on duty, and a warning when the office is
    closed or closes soon with nobody on duty (urgent concerns would wait for it to reopen)."""
    guard.require_role(*staff.CASE_ROLES)
    with unit_of_work(services().sessions) as db:
        contact_clock = _contact_clock(db)
        rows = casework.queue_rows(db, contact_clock)
        # A manager may release or take over any case: they see those whose holder cannot work on them.
        held = held_by_absent(db) if g.staff["role"] == "manager" else []
        on_duty = duty_rota.on_duty_now(db)
        nobody = duty_rota.nobody_on_duty(db, contact_clock.hours, contact_clock.now)
    return render_template("console/queue.html", rows=rows, page_size=queue.QUEUE_PAGE, held=held,
                           on_duty=on_duty, nobody_on_duty=nobody)


@bp.get("/queue.json")
def queue_json() -> Any:
    """The same rows for the page's polling (console.js)."""
    guard.require_role(*staff.CASE_ROLES)
    with unit_of_work(services().sessions) as db:
        rows = casework.queue_rows(db, _contact_clock(db))
    # The title beside the code, so the polled rows read as the rendered page does.
    return jsonify({"rows": [row.as_json() | {"topic_title": topic_title(row.topic)} for row in rows]})


@bp.post("/claim/<reference>")
def claim(reference: str) -> WerkzeugResponse:
    """Take an enquiry from the queue; exactly one caseworker gets it (never an admin: policy 5.2)."""
    guard.require_role(*staff.CASE_ROLES)
    try:
        with unit_of_work(services().sessions) as db:
            queue.claim(db, g.staff["user"], reference)
    except queue.QueueError:
        # Say what really happened: a parent may have withdrawn it (FORGET) since the queue page was drawn.
        with unit_of_work(services().sessions) as db:
            now = queue.by_reference(db, reference)
            status, holder, outcome = (now.status, now.claimed_by, now.outcome) if now else (None, None, None)
        if status == "claimed" and holder == g.staff["user"]:
            return redirect(url_for("console.case", reference=reference))  # a double click: it is theirs
        if now is None:
            flash(f"{reference} is no longer in the queue: it was deleted.")
        elif status == "closed" and outcome == concerns.WITHDRAWN:
            flash(f"{reference} is no longer in the queue: the parent withdrew it.")
        elif status == "closed":
            flash(f"{reference} is no longer in the queue: it is closed.")
        else:
            flash(f"{reference} has already been taken by another caseworker.")
        return redirect(url_for("console.queue_page"))
    return redirect(url_for("console.case", reference=reference))


@bp.get("/caseload")
def caseload() -> str:
    """My live cases, in order of reference (policy 8.2), each with when its parent last wrote ("new" until opened)."""
    guard.require_role(*staff.CASE_ROLES)
    with unit_of_work(services().sessions) as db:
        cases = caseload_rows(db, g.staff["user"])
        moved = handover.moved_from(db, g.staff["user"])
    return render_template("console/caseload.html", cases=cases, moved=moved)


@bp.get("/case/<reference>")
def case(reference: str) -> Any:
    """The case page (every view is audited)."""
    return _case_page(reference)


def _case_page(reference: str, sms_draft: str = "", sms_error: str | None = None, status: int = 200, *,
               email_draft: str = "", email_error: str | None = None) -> Any:
    """The case page, with a text or e-mail that was not sent kept in its box; the caseload if the case is not
    theirs. An e-mail refused on a case offering no e-mail form (the parent chose another way, or no contact)
    is forbidden (403), whatever status the caller gave."""
    svc = services()
    try:
        with unit_of_work(svc.sessions) as db:
            view = casework.open_case(db, svc.keys, g.staff["user"], g.staff["role"], reference, _contact_clock(db),
                                      labels(), svc.settings.hash_key)
            blocked = blocks.blocked_until(db, reference) if g.staff["role"] == "manager" else None
            shares = sharing.answers(db, reference)
            # A note whose save was refused when their login ended, offered back (only where they may note).
            kept_note = note_drafts.waiting(db, svc.keys, g.staff["user"], reference, clock.now()) if view.mine else ""
            # Release is refused for an urgent case nobody else on duty would pick up: said before it is pressed.
            contact_clock = _contact_clock(db)
            release_waits = duty_rota.nobody_to_pick_up(db, contact_clock.hours, contact_clock.now, g.staff["user"]) \
                if view.urgent and view.status == "claimed" else None
    except casework.CaseworkError as exc:
        flash(str(exc))
        return redirect(url_for("console.caseload") if g.staff["role"] in staff.CASE_ROLES else front_page(""))
    if email_error and not (view.mine and view.can_reply_by_email):
        status = 403
    return render_template(
        "console/case.html", case=view, outcomes=casework.OUTCOMES, blocked_until=blocked,
        block_days=blocks.DURATIONS, share_bodies=sharing.BODIES, share_channels=sharing.CHANNELS,
        share_wording=sharing.SHARE_WORDING, share_version=sharing.SHARE_WORDING_VERSION, shares=shares,
        sms_draft=sms_draft, sms_error=sms_error, clear_reason_max=casework.MAX_CLEAR_REASON, kept_note=kept_note,
        email_draft=email_draft, email_error=email_error, release_waits=release_waits,
    ), status


def _act(reference: str, action: Any, done: str) -> WerkzeugResponse:
    """Run one case action in a transaction; a refusal is shown on the case page, with its reason."""
    try:
        with unit_of_work(services().sessions) as db:
            action(db)
        flash(done)
    except (casework.CaseworkError, queue.QueueError) as exc:
        flash(str(exc))
    return redirect(url_for("console.case", reference=reference))


@bp.post("/case/<reference>/note")
def note(reference: str) -> WerkzeugResponse:
    """Add an encrypted note."""
    text = request.form.get("note", "")
    return _act(reference, lambda db: casework.add_note(
        db, services().keys, g.staff["user"], g.staff["role"], reference, text), "Note saved.")


@bp.post("/case/<reference>/note/discard")
def discard_note(reference: str) -> WerkzeugResponse:
    """Throw away the note kept from a refused save (the caseworker does not want it)."""
    with unit_of_work(services().sessions) as db:
        note_drafts.drop(db, g.staff["user"], reference)
    flash("The unsaved note is deleted.")
    return redirect(url_for("console.case", reference=reference))


@bp.post("/case/<reference>/reply")
def reply(reference: str) -> WerkzeugResponse:
    """Reply in the parent's web chat (only with their consent)."""
    text = request.form.get("text", "")
    return _act(reference, lambda db: casework.reply_in_chat(
        db, services().keys, g.staff["user"], g.staff["role"], reference, text),
        "Reply sent to the parent's chat.")


@bp.post("/case/<reference>/text")
def text_parent(reference: str) -> Any:
    """Text the parent through Twilio: only with consent to contact, in their safe time, discreet unless agreed.

    When nothing is sent the case page comes back with the reason and the typed text still in its box
    (a redirect would lose it, and it must not go into the session cookie: policy 8.5).
    """
    svc = services()
    user, role = g.staff["user"], g.staff["role"]
    text = request.form.get("text", "")
    try:
        with unit_of_work(svc.sessions) as db:
            outbound = outreach.prepare_sms_reply(
                db, svc.keys, svc.settings.hash_key, user, role, reference, text, svc.settings.service_name,
                _contact_clock(db), service_phones=[svc.settings.service_phone],
            )
    except casework.CaseworkError as exc:
        return _case_page(reference, text, str(exc), 409)
    texter = current_app.extensions.get("console_texter")
    if texter is None:
        return _case_page(reference, text, "Texting is not set up for this service (no Twilio number), "
                          "so no text was sent.", 503)
    try:
        texter(outbound.to, outbound.body)
    except Exception as exc:  # Twilio refused or the network failed: the parent got nothing
        log.warning("text to a parent failed: %s", type(exc).__name__)  # never the number or the words
        with unit_of_work(svc.sessions) as db:
            outreach.record_failed_reply(db, user, reference, "sms")
        return _case_page(reference, text, "The text could not be sent, so nothing reached the parent. "
                          "Try again later.", 502)
    with unit_of_work(svc.sessions) as db:
        outreach.record_reply(db, svc.keys, user, role, reference, outbound)
    flash("Text sent to the parent.")
    return redirect(url_for("console.case", reference=reference))


EMAIL_WORDING = "console/parent_email.txt"  # the fixed subject and the confidential marking (policy 4.2, 4.5)


@bp.post("/case/<reference>/email")
def email_parent(reference: str) -> Any:
    """E-mail the parent who chose e-mail and agreed to contact, through the service's SMTP mailer, From its
    address: the subject fixed (CONFIDENTIAL and the reference only), the body marked confidential at the top.

    As with a text, when nothing is sent the case page comes back with the reason and the words still in the box.
    """
    svc = services()
    user, role = g.staff["user"], g.staff["role"]
    text = request.form.get("text", "")
    try:
        with unit_of_work(svc.sessions) as db:
            outbound = parent_email.prepare(db, svc.keys, user, role, reference, text, svc.settings.service_name,
                                            _contact_clock(db), service_phones=[svc.settings.service_phone])
    except casework.CaseworkError as exc:
        return _case_page(reference, status=409, email_draft=text, email_error=str(exc))
    if not svc.mailer.host:
        return _case_page(reference, status=503, email_draft=text, email_error=(
            "E-mail is not set up for this service (no SMTP_HOST), so no e-mail was sent. Phone the parent instead."))
    subject = get_template_attribute(EMAIL_WORDING, "subject")(outbound.reference)
    body = get_template_attribute(EMAIL_WORDING, "body")(outbound.reference, outbound.words)
    try:
        # The duty mailer's connection rules (SMTP_SECURITY, the certificate check, the login) apply as they are.
        svc.mailer.send(parent_email.message(svc.mailer.sender, outbound, " ".join(str(subject).split()),
                                              str(body)))
    except Exception as exc:  # refused, unreachable or not encrypted: the parent got nothing
        log.warning("e-mail to a parent failed: %s", type(exc).__name__)  # never the address or the words
        with unit_of_work(svc.sessions) as db:
            parent_email.record_failed(db, user, reference)
        return _case_page(reference, status=502, email_draft=text, email_error=(
            "The e-mail was not sent, so nothing reached the parent: try again, or phone them."))
    with unit_of_work(svc.sessions) as db:
        parent_email.record_sent(db, svc.keys, user, role, reference, outbound)
    flash("E-mail sent to the parent.")
    return redirect(url_for("console.case", reference=reference))


@bp.post("/case/<reference>/not-safeguarding")
def not_safeguarding(reference: str) -> WerkzeugResponse:
    """Lower a flagged case to normal priority, with a reason (kept as an encrypted note) and a confirmation;
    the flag's record stays."""
    reason = request.form.get("reason", "")
    confirmed = request.form.get("confirm") == "yes"
    return _act(reference, lambda db: casework.clear_safeguarding(
        db, services().keys, g.staff["user"], g.staff["role"], reference, reason, confirmed=confirmed),
        "Marked as not a safeguarding concern. Your reason is in the notes.")


@bp.post("/case/<reference>/take-over")
def take_over(reference: str) -> WerkzeugResponse:
    """A manager takes any case, the on-duty caseworker an urgent one, from a caseworker who may be away (audited)."""
    holder = request.form.get("holder", "")
    return _act(reference, lambda db: handover.take_over(db, g.staff["user"], g.staff["role"], reference, holder),
                f"{reference} is now in your caseload. {holder} will see on their caseload that you have it.")


@bp.post("/case/<reference>/release")
def release(reference: str) -> WerkzeugResponse:
    """Put the case back in the queue; an urgent one goes to the duty e-mail and phone, and is refused when the
    office is closed and nobody else is on duty: it would wait unseen for the office to reopen (policy 7.1)."""
    user = g.staff["user"]
    try:
        with unit_of_work(services().sessions) as db:
            contact_clock = _contact_clock(db)
            enquiry = queue.by_reference(db, reference)
            urgent = enquiry is not None and enquiry.status == "claimed" and enquiry.priority == queue.URGENT
            holder = enquiry.claimed_by if enquiry is not None else None
            waits_until = duty_rota.nobody_to_pick_up(db, contact_clock.hours, contact_clock.now, user)
            if not (urgent and waits_until):
                # A manager may release anyone's case (its holder away or gone), so none is stuck.
                queue.release(db, user, reference, manager=g.staff["role"] == "manager")
            everyone_on_duty = duty_rota.on_duty_now(db)
            on_duty = [name for name in everyone_on_duty if name != user]
    except queue.QueueError as exc:
        flash(str(exc).capitalize() + ".")
        return redirect(url_for("console.case", reference=reference))
    if urgent and waits_until:
        flash(render_template("console/_release_refused.txt", reference=reference, reopens=waits_until,
                              holder=holder, mine=holder == user, on_duty_me=user in everyone_on_duty).strip())
        return redirect(url_for("console.case", reference=reference))
    if not urgent:
        flash(f"{reference} is back in the queue.")
        return redirect(url_for("console.queue_page"))
    went = services().alerts.duty(reference)  # after the commit: the alert says it is waiting, so it must be
    send = services().alerts.send
    flash(render_template("console/_release_urgent.txt", reference=reference, went=went, on_duty=on_duty,
                          on_duty_me=user in everyone_on_duty,
                          by_email=send.mailer.enabled, by_text=bool(send.duty_phone and send.texter)).strip())
    return redirect(url_for("console.queue_page"))


@bp.post("/case/<reference>/close")
def close(reference: str) -> WerkzeugResponse:
    """Close the case with an outcome."""
    outcome = request.form.get("outcome", "")
    try:
        with unit_of_work(services().sessions) as db:
            casework.close_case(db, g.staff["user"], reference, outcome, services().settings.retention_days)
    except casework.CaseworkError as exc:
        flash(str(exc))
        return redirect(url_for("console.case", reference=reference))
    flash(f"{reference} is closed.")
    return redirect(url_for("console.caseload"))
