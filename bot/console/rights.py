"""Parents' rights in the console: rights requests and their due dates, subject-access export, erasure, and
sharing only with recorded consent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.console import bp, clock
from bot.console.guard import require_role
from bot.console.views import labels
from bot.services import services
from intake import access_requests, blocks, casework, rights, service_hours, sharing
from intake.db import unit_of_work

FORMATS = {"html": ("console/export.html", "text/html"), "txt": ("console/export.txt", "text/plain")}


def attachment(body: str, filename: str, mimetype: str) -> Response:
    """A download the browser saves rather than shows, and never caches (policy 8.5)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(reference: str, message: str) -> WerkzeugResponse:
    flash(message)
    return redirect(url_for("console.case", reference=reference))


def _today() -> date:
    """The service's calendar day now (TIMEZONE): the day a request arrived or was met."""
    return access_requests.local_today(clock.now(), services().settings.timezone)


def _by_email(enquiry: Any) -> bool:
    """The parent chose "E-mail" and gave an address: the identity check may be "they wrote from it"."""
    contact = services().keys.decrypt_json(enquiry.contact) if enquiry.contact else {}
    return contact.get("method") in casework.EMAIL_METHODS and bool(contact.get("detail"))


def _identity_form() -> tuple[str, str]:
    """The identity check's answers as posted (kept on the form when it is shown again)."""
    return request.form.get("identity", ""), request.form.get("identity_how", "")


@bp.post("/case/<reference>/export")
def export(reference: str) -> Any:
    """Everything held on this reference, headed STRICTLY PRIVATE AND CONFIDENTIAL (policy 4.3, 6.3), made
    only once the member of staff says how they checked the person asking is the parent it is about."""
    fmt = request.form.get("format", "html")
    if fmt not in FORMATS:
        return _back(reference, "Choose a document format from the list.")
    kind, how = _identity_form()
    svc = services()
    try:
        with unit_of_work(svc.sessions) as db:
            enquiry = rights.exportable(db, g.staff["user"], g.staff["role"], reference)
            protected = rights.child_protection(enquiry)
            try:
                record = rights.subject_access(db, svc.keys, g.staff["user"], g.staff["role"], reference,
                                               identity=rights.identity_check(kind, how),
                                               zone=svc.settings.timezone, times=svc.content.contact_times,
                                               labels=labels(), today=_today())
            except rights.FormIncomplete as exc:
                # From the case page (no answer yet) the check is asked; a missing answer is said on the form.
                asked = "identity" in request.form
                logged = access_requests.open_for(db, svc.keys, enquiry, access_requests.COPY, _today())
                page = render_template("console/export_check.html", reference=enquiry.reference, fmt=fmt,
                                       kind=kind, how=how, protected=protected, logged=logged,
                                       error=str(exc) if asked else None, by_email=_by_email(enquiry))
                return page, 400 if asked else 200
    except casework.CaseworkError as exc:
        return _back(reference, str(exc))
    template, mimetype = FORMATS[fmt]
    body = render_template(template, record=record, heading=rights.HEADING)
    return attachment(body, f"subject-access-{record.reference}.{fmt}", mimetype)


@bp.route("/case/<reference>/erase", methods=["GET", "POST"])
def erase(reference: str) -> Any:
    """Erase a case: a confirmation page first (who asked, checked; the reference typed), then the erasure
    (managers; audited with the kind of check, without content)."""
    svc = services()
    kind, how = _identity_form()
    confirm = request.form.get("confirm", "")
    try:
        with unit_of_work(svc.sessions) as db:
            enquiry = rights.erasable(db, g.staff["user"], g.staff["role"], reference)
            found = enquiry.reference
            logged = {kind: access_requests.open_for(db, svc.keys, enquiry, kind, _today())
                      for kind in access_requests.KINDS}
            if request.method == "GET":
                return render_template("console/erase.html", reference=found, logged=logged,
                                       blocked_until=blocks.blocked_until(db, found), by_email=_by_email(enquiry))
            try:
                identity = rights.identity_check(kind, how)
                rights.erase(db, svc.keys, g.staff["user"], g.staff["role"], reference, confirm,
                             identity=identity, today=_today())
            except rights.FormIncomplete as exc:
                # Said on the erase page, with what was chosen and typed kept: nothing was erased.
                return render_template("console/erase.html", reference=found, error=str(exc), kind=kind,
                                       how=how, confirm=confirm, logged=logged, by_email=_by_email(enquiry),
                                       blocked_until=blocks.blocked_until(db, found)), 400
    except rights.ClaimedElsewhere as exc:
        # Said on the erase page itself, before any reference is typed, with no form to erase.
        return render_template("console/erase.html", reference=reference, refusal=str(exc)), 409
    except casework.CaseworkError as exc:
        return _back(reference, str(exc))
    # The flash rides in the signed (readable, not encrypted) session cookie: the same words for every
    # erasure, so it tells nothing about this case's contact (whether it was blocked: the erase page said).
    flash(f"{reference} has been erased. Only a record that it was erased remains, and any block on its contact "
          "(with its reason deleted) until that block ends.")
    return redirect(url_for("console.queue_page"))


@bp.post("/case/<reference>/share-consent")
def share_consent(reference: str) -> WerkzeugResponse:
    """Record the parent's answer to the sharing question, as the caseworker asked it."""
    form = request.form
    svc = services()
    try:
        with unit_of_work(svc.sessions) as db:
            sharing.record_consent(
                db, g.staff["user"], g.staff["role"], reference,
                body=form.get("body", ""), granted=form.get("answer") == "yes", channel=form.get("channel", ""),
                at=sharing.parse_time(form.get("at", ""), svc.settings.timezone),
                wording_version=form.get("wording_version", ""),
            )
    except casework.CaseworkError as exc:
        return _back(reference, str(exc))
    # Not the answer itself: a flash rides in the signed, readable session cookie. The case page lists the
    # answers from the server.
    return _back(reference, "The parent's answer about sharing is recorded: see Sharing with a third party, below.")


@bp.post("/case/<reference>/share")
def share(reference: str) -> Any:
    """The document for a third party, only when the parent agreed to share with that body."""
    svc = services()
    body = request.form.get("body", "")
    try:
        with unit_of_work(svc.sessions) as db:
            record = sharing.share(db, svc.keys, g.staff["user"], g.staff["role"], reference, body)
    except casework.CaseworkError as exc:
        return _back(reference, str(exc))
    text = render_template("console/share.txt", record=record, heading=rights.HEADING)
    return attachment(text, f"shared-{record.reference}-{body}.txt", "text/plain")


# ---- rights requests: when each arrived, and when it is due ----

def _request_list(status: int = 200, **page: Any) -> Any:
    """The rights requests page: the log form, the open requests soonest due first, and those closed lately."""
    svc = services()
    today = _today()
    with unit_of_work(svc.sessions) as db:
        still_open, closed = access_requests.listing(db, svc.keys, g.staff["user"], g.staff["role"], today)
        holidays = service_hours.current(db, svc.hours).holidays
    # A due date inside a closure the manager saved: the answer must go before the office closes.
    closures = {row.id: access_requests.closure_around(row.due_on, holidays) for row in still_open}
    return render_template("console/rights_requests.html", still_open=still_open, closed=closed, today=today,
                           closures=closures,
                           kinds=access_requests.KINDS, arrivals=access_requests.ARRIVED_BY,
                           form=page.pop("form", {}), **page), status


@bp.get("/rights-requests")
def rights_requests() -> Any:
    """Open requests for a copy or an erasure, with their due dates, overdue ones first."""
    require_role("caseworker", "manager")
    return _request_list()


@bp.post("/rights-requests")
def log_rights_request() -> Any:
    """Log a request as it arrives (the date it came in may be earlier than today, for a letter)."""
    require_role("caseworker", "manager")
    form = request.form
    today = _today()
    try:
        received = access_requests.parse_day(form.get("received", ""), today) if form.get("received") else today
        with unit_of_work(services().sessions) as db:
            access_requests.log(db, g.staff["user"], g.staff["role"], form.get("reference", ""),
                                kind=form.get("kind", ""), received=received, arrived_by=form.get("arrived_by", ""),
                                today=today)
    except access_requests.RequestError as exc:
        return _request_list(400, error=str(exc), form=form)
    # The same words for every request: the cookie carries no reference or kind (the list shows them).
    flash("The request is logged: it is in the list below with the date it is due.")
    return redirect(url_for("console.rights_requests"))


def _manager_decision(request_id: int, decide: Callable[[Session, str], object], done: str) -> Any:
    """Extend or close a request with the reason given; a refusal is said on the list, the reason typed kept."""
    require_role("caseworker", "manager")
    reason = request.form.get("reason", "")
    try:
        with unit_of_work(services().sessions) as db:
            decide(db, reason)
    except access_requests.RequestError as exc:
        return _request_list(400, error=str(exc), failed=request_id, typed=reason)
    flash(done)
    return redirect(url_for("console.rights_requests"))


@bp.post("/rights-requests/<int:request_id>/extend")
def extend_rights_request(request_id: int) -> Any:
    """A manager extends a complex request by two months, once, with a reason."""
    return _manager_decision(request_id, lambda db, reason: access_requests.extend(
        db, services().keys, g.staff["user"], g.staff["role"], request_id, reason, _today()),
        "The request is extended by two months: its new due date is in the list.")


@bp.post("/rights-requests/<int:request_id>/close")
def close_rights_request(request_id: int) -> Any:
    """A manager closes a request as refused or withdrawn, with a reason."""
    return _manager_decision(request_id, lambda db, reason: access_requests.close(
        db, services().keys, g.staff["user"], g.staff["role"], request_id, request.form.get("outcome", ""), reason,
        _today()), "The request is closed: it is under Closed lately.")


@bp.post("/rights-requests/<int:request_id>/received")
def correct_rights_request(request_id: int) -> Any:
    """A manager corrects the day an open request arrived; its due date follows (audited, dates only)."""
    require_role("caseworker", "manager")
    today = _today()
    try:
        received = access_requests.parse_day(request.form.get("received", ""), today)
        with unit_of_work(services().sessions) as db:
            access_requests.correct_received(db, g.staff["user"], g.staff["role"], request_id, received, today)
    except access_requests.RequestError as exc:
        return _request_list(400, error=str(exc), failed=request_id)
    flash("The day it arrived is corrected: its due date in the list follows it.")
    return redirect(url_for("console.rights_requests"))
