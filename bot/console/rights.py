"""Parents' rights in the console: subject-access export, erasure, and sharing only with recorded consent."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.console import bp
from bot.console.views import labels
from bot.services import services
from intake import blocks, casework, rights, sharing
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


@bp.post("/case/<reference>/export")
def export(reference: str) -> Any:
    """Everything held on this reference, headed STRICTLY PRIVATE AND CONFIDENTIAL (policy 4.3, 6.3)."""
    fmt = request.form.get("format", "html")
    if fmt not in FORMATS:
        return _back(reference, "Choose a document format from the list.")
    svc = services()
    try:
        with unit_of_work(svc.sessions) as db:
            record = rights.subject_access(db, svc.keys, g.staff["user"], g.staff["role"], reference,
                                           zone=svc.settings.timezone, times=svc.content.contact_times,
                                           labels=labels())
    except casework.CaseworkError as exc:
        return _back(reference, str(exc))
    template, mimetype = FORMATS[fmt]
    body = render_template(template, record=record, heading=rights.HEADING)
    return attachment(body, f"subject-access-{record.reference}.{fmt}", mimetype)


@bp.route("/case/<reference>/erase", methods=["GET", "POST"])
def erase(reference: str) -> Any:
    """Erase a case: a confirmation page first, then the erasure (managers; audited without content)."""
    svc = services()
    try:
        with unit_of_work(svc.sessions) as db:
            if request.method == "GET":
                found = rights.erasable(db, g.staff["user"], g.staff["role"], reference).reference
                return render_template("console/erase.html", reference=found,
                                       blocked_until=blocks.blocked_until(db, found))
            blocked = rights.erase(db, svc.keys, g.staff["user"], g.staff["role"], reference,
                                   request.form.get("confirm", ""))
    except rights.ClaimedElsewhere as exc:
        # Said on the erase page itself, before any reference is typed, with no form to erase.
        return render_template("console/erase.html", reference=reference, refusal=str(exc)), 409
    except casework.CaseworkError as exc:
        return _back(reference, str(exc))
    if blocked:
        flash(f"{reference} has been erased. Only a record that it was erased remains, and the block on its "
              "contact, with its reason deleted, until the block ends.")
    else:
        flash(f"{reference} has been erased. Only a record that it was erased remains.")
    return redirect(url_for("console.queue_page"))


@bp.post("/case/<reference>/share-consent")
def share_consent(reference: str) -> WerkzeugResponse:
    """Record the parent's answer to the sharing question, as the caseworker asked it."""
    form = request.form
    svc = services()
    try:
        with unit_of_work(svc.sessions) as db:
            answer = sharing.record_consent(
                db, g.staff["user"], g.staff["role"], reference,
                body=form.get("body", ""), granted=form.get("answer") == "yes", channel=form.get("channel", ""),
                at=sharing.parse_time(form.get("at", ""), svc.settings.timezone),
                wording_version=form.get("wording_version", ""),
            )
    except casework.CaseworkError as exc:
        return _back(reference, str(exc))
    return _back(reference, f"Recorded: {answer.as_sentence(svc.settings.timezone)}")


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
