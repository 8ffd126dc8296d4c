"""Manager and admin pages: blocking abusive contacts, statistics, and staff accounts."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.console import bp, clock, local_time
from bot.console.guard import require_role
from bot.console.rights import attachment
from bot.console.views import labels
from bot.content import how_long
from bot.services import services
from intake import account_admin, audit, blocks, casework, duty_rota, roles, service_hours, staff, statistics
from intake.db import unit_of_work

# ---- blocking abusive or prank contacts (managers) ----

@bp.post("/case/<reference>/block")
def block(reference: str) -> WerkzeugResponse:
    """Block the contact behind a case for a set time, with a staff-only reason."""
    days = request.form.get("days", "")
    try:
        with unit_of_work(services().sessions) as db:
            until = blocks.block(db, services().keys, g.staff["user"], g.staff["role"], reference,
                                 int(days) if days.isdigit() else 0, request.form.get("reason", ""))
        flash(f"The contact behind {reference} is blocked until {local_time(until)}: "
              "they get a short fixed reply and nothing they send is stored.")
    except casework.CaseworkError as exc:
        flash(str(exc))
    return redirect(url_for("console.case", reference=reference))


@bp.post("/case/<reference>/unblock")
def unblock(reference: str) -> WerkzeugResponse:
    """Lift the block on the contact behind a case."""
    try:
        with unit_of_work(services().sessions) as db:
            blocks.unblock_case(db, g.staff["user"], g.staff["role"], reference)
        flash(f"The contact behind {reference} is no longer blocked.")
    except casework.CaseworkError as exc:
        flash(str(exc))
    return redirect(url_for("console.case", reference=reference))


@bp.get("/blocks")
def blocks_page() -> str:
    """Blocks in force, by key fingerprint (never a number)."""
    require_role("manager")
    with unit_of_work(services().sessions) as db:
        rows = blocks.active(db, services().keys, g.staff["role"])
    return render_template("console/blocks.html", rows=rows)


@bp.post("/blocks/unblock")
def unblock_key() -> WerkzeugResponse:
    """Lift a block from the blocks page."""
    require_role("manager")
    with unit_of_work(services().sessions) as db:
        lifted = blocks.unblock_key(db, g.staff["user"], g.staff["role"], request.form.get("contact_key", ""))
    flash("The block is lifted." if lifted else "That block had already ended.")
    return redirect(url_for("console.blocks_page"))


# ---- statistics (managers; policy 4.6) ----

@bp.get("/stats")
def stats() -> Any:
    """Enquiries by topic, channel and week (or month), and the median time to first contact, for a period."""
    require_role("manager")
    return _stats_page()


def _stats_page(error: str = "") -> Any:
    """The page for the period asked for; with `error` (or a period that is not one), the choices and why."""
    today = _today()
    report = None
    if not error:
        try:
            period = _period(today)
        except statistics.PeriodError as exc:
            error = str(exc)
        else:
            with unit_of_work(services().sessions) as db:
                report = _report(db, period)
    page = render_template("console/stats.html", report=report, error=error, choices=statistics.choices(today),
                           chosen=request.args.get("period", statistics.DEFAULT_CHOICE),
                           typed_from=request.args.get("from", ""),
                           typed_to=request.args.get("to", ""),
                           today=today, retention=how_long(services().settings.retention_days))
    return (page, 400) if error else page


def _today() -> date:
    """Today in the service's zone, by the console's clock."""
    return clock.now().astimezone(ZoneInfo(services().settings.timezone)).date()


def _period(today: date) -> statistics.Period:
    """The period in the address (the last 10 whole weeks when none); PeriodError says why it is not one."""
    args = request.args
    choice = args.get("period", statistics.DEFAULT_CHOICE)
    return statistics.chosen(choice, today, args.get("from", ""), args.get("to", ""))


def _report(db: Any, period: statistics.Period | None) -> statistics.Report:
    """The figures both pages show, topics named by the titles parents were offered."""
    return statistics.report(db, services().settings.timezone, period, clock.now(), topic_name=labels().topic)


@bp.get("/stats.csv")
def stats_csv() -> Any:
    """The same figures as CSV, counts under 5 suppressed, named by the period; audited with the period."""
    require_role("manager")
    try:
        period = _period(_today())
    except statistics.PeriodError as exc:
        return _stats_page(str(exc))
    with unit_of_work(services().sessions) as db:
        report = _report(db, period)
        dates = f"{report.period.first.isoformat()} to {report.covered_to.isoformat()}"
        audit.record(db, g.staff["user"], "stats_export", None, dates)
    return attachment(statistics.to_csv(report), f"enquiry-statistics-{dates.replace(' ', '-')}.csv", "text/csv")


# ---- accounts (admins) ----

@bp.get("/accounts")
def accounts() -> str:
    """Every console account: role, on duty, disabled, locked."""
    require_role("admin")
    with unit_of_work(services().sessions) as db:
        rows = account_admin.accounts(db, g.staff["role"])
    return render_template("console/accounts.html", rows=rows)


def _account_change(change: Any, done: str) -> WerkzeugResponse:
    require_role("admin")
    try:
        with unit_of_work(services().sessions) as db:
            change(db)
        flash(done)
    except staff.StaffError as exc:
        flash(str(exc))
    return redirect(url_for("console.accounts"))


@bp.post("/accounts/<username>/duty")
def account_duty(username: str) -> WerkzeugResponse:
    """Put an account on duty (may sign in out of hours) or take it off."""
    on = request.form.get("on_duty") == "yes"
    return _account_change(lambda db: account_admin.set_on_duty(db, g.staff["user"], g.staff["role"], username, on),
                           f"{username} is {'on' if on else 'off'} duty.")


# ---- the duty rota (every caseworker reads it; a manager changes it, as an admin can on Accounts) ----

@bp.get("/duty")
def duty_page() -> str:
    """Who is on duty now (names only) and, on a Friday at 4pm, whether anyone will be tonight; a manager's
    buttons to put a colleague on duty or take them off."""
    require_role(*staff.CASE_ROLES)
    svc = services()
    with unit_of_work(svc.sessions) as db:
        team = duty_rota.team(db)
        nobody = duty_rota.nobody_on_duty(db, service_hours.current(db, svc.hours), clock.now())
    return render_template("console/duty.html", team=team, on_duty=[m.username for m in team if m.on_duty],
                           nobody_on_duty=nobody)


@bp.post("/duty/<username>")
def duty_change(username: str) -> WerkzeugResponse:
    """A manager puts a colleague on duty or takes them off (audited); a refusal says why, on the rota page."""
    require_role(duty_rota.SETS_DUTY)
    on = request.form.get("on_duty") == "yes"
    try:
        with unit_of_work(services().sessions) as db:
            changed = duty_rota.set_duty(db, g.staff["user"], g.staff["role"], username, on)
    except staff.StaffError as exc:
        flash(str(exc))
        return redirect(url_for("console.duty_page"))
    if on:
        flash(f"{username} is on duty: they can sign in out of hours and take over urgent cases."
              if changed else f"{username} was already on duty.")
    else:
        flash(f"{username} is off duty." if changed else f"{username} was already off duty.")
    return redirect(url_for("console.duty_page"))


NO_MANAGER_NEXT = ("No one can use the manager pages now. Make someone a manager on the Staff roles page "
                   "(or on the server: flask --app bot intake set-role USERNAME manager)")


@bp.post("/accounts/<username>/active")
def account_active(username: str) -> Any:
    """Disable an account (its sessions end at once) or enable it again.

    Disabling the last active manager is allowed (a departed manager's access must end) but asks first,
    saying what the service loses and how to make someone else a manager.
    """
    require_role("admin")
    active = request.form.get("active") == "yes"
    confirmed = request.form.get("confirm") == "yes"
    last = False
    try:
        with unit_of_work(services().sessions) as db:
            last = not active and account_admin.last_manager(db, username)
            if last and not confirmed:
                return render_template("console/account_disable.html", username=username)
            moved = account_admin.set_active(db, g.staff["user"], g.staff["role"], username, active)
    except staff.StaffError as exc:
        flash(str(exc))
        return redirect(url_for("console.accounts"))
    # After the commit: an urgent case back in the queue is the duty caseworker's, so they are told of it.
    unalerted = [m.reference for m in moved if m.urgent and not services().alerts.duty(m.reference)]
    flash(f"{username} is {'enabled' if active else 'disabled'}." + _cases_back(username, len(moved), unalerted)
          + (f" {NO_MANAGER_NEXT}." if last else ""))
    return redirect(url_for("console.accounts"))


def _cases_back(username: str, count: int, unalerted: list[str]) -> str:
    """What became of a disabled account's open cases (by count: an admin is not told about cases)."""
    if not count:
        return ""
    said = (f" The {count} open cases {username} had are back in the queue" if count > 1
            else f" The open case {username} had is back in the queue")
    said += f", marked as previously with {username}, for a caseworker to claim."
    if unalerted:
        said += (" An urgent one's duty alert did not go (it will be tried again): please tell the duty "
                 "caseworker yourself.")
    return said


# ---- staff roles (managers and admins): caseworker <-> manager, with a confirmation step ----

@bp.get("/staff")
def staff_roles() -> str:
    """Every active account and its role, with a way to change it."""
    require_role(*roles.CHANGED_BY)
    with unit_of_work(services().sessions) as db:
        rows = roles.team(db, g.staff["role"])
    return render_template("console/staff.html", rows=rows, roles=roles.TEAM_ROLES)


@bp.route("/staff/<username>/role", methods=["GET", "POST"])
def staff_role(username: str) -> Any:
    """Confirm a role change (GET, or a POST without the confirmation), then make it (POST); audited."""
    require_role(*roles.CHANGED_BY)
    values = request.form if request.method == "POST" else request.args
    new_role = values.get("role", "")
    try:
        with unit_of_work(services().sessions) as db:
            if request.method == "GET" or values.get("confirm") != "yes":
                worker = roles.role_change(db, g.staff["user"], g.staff["role"], username, new_role)
                return render_template("console/staff_role.html", username=worker.username, old=worker.role,
                                       new=new_role, yourself=username == g.staff["user"])
            roles.set_role(db, g.staff["user"], g.staff["role"], username, new_role)
    except staff.StaffError as exc:
        # Said on the page itself, with nothing to confirm and the way back to the list.
        return render_template("console/staff_role.html", username=username, refusal=str(exc)), 409
    if username == g.staff["user"]:
        flash(f"You are now a {new_role}. The manager pages are no longer in your menu.")
        return redirect(url_for("console.queue_page"))
    flash(f"{username} is now a {new_role}. This applies from their next click; they stay signed in.")
    return redirect(url_for("console.staff_roles"))
