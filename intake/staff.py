"""Staff accounts: argon2id passwords, one-time TOTP codes, throttled sign-in, console hours (policy 8.3)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit
from intake.crypto import KeyRing
from intake.hours import OfficeHours
from intake.models import Caseworker, utcnow

ROLES = ("caseworker", "manager", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
IDLE_LIMIT = timedelta(minutes=15)
SESSION_LIMIT = timedelta(hours=12)
TOTP_STEP = 30
UNKNOWN_ACTOR = "(unknown user)"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so a miss costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class StaffError(ValueError):
    """An account that cannot be created or changed as asked."""


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: the account when it worked, else a reason for staff eyes only."""

    caseworker: Caseworker | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when every factor checked out."""
        return self.caseworker is not None


def create_caseworker(
    session: Session, keys: KeyRing, username: str, password: str, role: str = "caseworker"
) -> tuple[Caseworker, str]:
    """Create an account; returns it and the TOTP secret to enrol in an authenticator app (shown once)."""
    username = username.strip()
    if role not in ROLES:
        raise StaffError(f"role must be one of: {', '.join(ROLES)}")
    if not username or len(username) > 64:
        raise StaffError("the username must be 1 to 64 characters")
    if len(password) < 12:
        raise StaffError("the password must be at least 12 characters")
    if session.scalar(select(Caseworker.id).where(Caseworker.username == username)) is not None:
        raise StaffError("that username is taken")
    secret = pyotp.random_base32()
    worker = Caseworker(
        username=username,
        password_hash=_hasher.hash(password),
        totp_secret=keys.encrypt(secret),
        role=role,
    )
    session.add(worker)
    session.flush()
    audit.record(session, "cli", "account_created", None, f"{username} ({role})")
    return worker, secret


def enrolment_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def by_username(session: Session, username: str) -> Caseworker | None:
    """The active account with this username, if any."""
    return session.scalar(select(Caseworker).where(Caseworker.username == username, Caseworker.active))


def end_sessions(session: Session, username: str) -> int:
    """Invalidate every console cookie this account holds (sign-out, screen lock); the new number."""
    worker = by_username(session, username)
    if worker is None:
        return -1
    worker.session_generation += 1
    return worker.session_generation


def check_password(worker: Caseworker, password: str) -> bool:
    """True when the password matches; upgrades the hash when the parameters have changed."""
    try:
        _hasher.verify(worker.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(worker.password_hash):
        worker.password_hash = _hasher.hash(password)
    return True


def use_totp(keys: KeyRing, worker: Caseworker, code: str, now: datetime) -> bool:
    """Accept a code from this or an adjacent 30-second step, once: a step already used is refused."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(keys.decrypt(worker.totp_secret))
    current = int(now.timestamp()) // TOTP_STEP
    for step in (current - 1, current, current + 1):
        if step > worker.last_totp_step and hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            worker.last_totp_step = step
            return True
    return False


def sign_in(
    session: Session, keys: KeyRing, username: str, password: str, code: str, *,
    console_open: bool, now: datetime | None = None,
) -> SignIn:
    """Check password and one-time code; throttle and audit failures (never what was typed)."""
    now = now or utcnow()
    worker = by_username(session, username.strip())
    if worker is None:
        _hasher.verify(_DUMMY_HASH, "not-a-real-password")
        return _failed(session, None, "unknown username")
    if worker.locked_until and worker.locked_until > now:
        return _failed(session, worker, "locked after repeated failures", count=False)
    if not check_password(worker, password):
        return _failed(session, worker, "wrong password", now=now)
    if not use_totp(keys, worker, code, now):
        return _failed(session, worker, "wrong or reused code", now=now)
    if not console_open and not worker.on_duty:
        return _failed(session, worker, "out of hours and not on duty", count=False)
    worker.failed_logins, worker.locked_until = 0, None
    audit.record(session, worker.username, "login")
    return SignIn(worker)


def _failed(
    session: Session, worker: Caseworker | None, reason: str, *,
    count: bool = True, now: datetime | None = None,
) -> SignIn:
    if worker is not None and count:
        worker.failed_logins += 1
        if worker.failed_logins >= MAX_FAILURES:
            worker.locked_until = (now or utcnow()) + LOCKOUT
            worker.failed_logins = 0
    audit.record(session, worker.username if worker else UNKNOWN_ACTOR, "login_failed", None, reason)
    return SignIn(None, reason)


def last_lock(now: datetime, lock_time: str, zone: str) -> datetime:
    """The most recent nightly lock moment (e.g. 19:00 Europe/London) at or before `now`."""
    hours, minutes = (int(part) for part in lock_time.split(":"))
    local = now.astimezone(ZoneInfo(zone))
    lock = datetime.combine(local.date(), time(hours, minutes), tzinfo=ZoneInfo(zone))
    return lock if lock <= local else lock - timedelta(days=1)


def console_open(now: datetime, hours: OfficeHours, lock_time: str) -> bool:
    """Console hours: an office day, from opening time until the nightly lock."""
    local = now.astimezone(hours.zone)
    window = hours.windows.get(local.weekday())
    if window is None or local.date() in hours.holidays:
        return False
    hour, minute = (int(part) for part in lock_time.split(":"))
    closes = time(hour, minute)
    return window[0] <= local.time() < max(closes, window[1])


def session_ended(
    signed_in: datetime, last_seen: datetime, now: datetime, lock_time: str, zone: str,
    idle_limit: timedelta = IDLE_LIMIT,
) -> str | None:
    """Why a console session must end now (idle, 12 hours, nightly lock), or None while it may go on."""
    if now - last_seen > idle_limit:
        return "idle"
    if now - signed_in > SESSION_LIMIT:
        return "too long"
    if signed_in < last_lock(now, lock_time, zone):
        return "nightly lock"
    return None


def reauthenticate(session: Session, username: str, password: str, now: datetime | None = None) -> bool:
    """Unlock an idle-locked console with the password; failures count towards the lockout."""
    worker = by_username(session, username)
    if worker is None or (worker.locked_until and worker.locked_until > (now or utcnow())):
        return False
    if check_password(worker, password):
        worker.failed_logins = 0
        audit.record(session, worker.username, "unlock")
        return True
    _failed(session, worker, "wrong password at the idle lock", now=now)
    return False


@dataclass(frozen=True)
class Account:
    """One account as the admin page lists it: no hashes, no secrets."""

    username: str
    role: str
    on_duty: bool
    active: bool
    locked: bool


def _admin(role: str) -> None:
    if role != "admin":
        raise StaffError("Only an admin can manage accounts.")


def accounts(session: Session, role: str, now: datetime | None = None) -> list[Account]:
    """Every account, active or not, by username."""
    _admin(role)
    now = now or utcnow()
    return [
        Account(w.username, w.role, w.on_duty, w.active, bool(w.locked_until and w.locked_until > now))
        for w in session.scalars(select(Caseworker).order_by(Caseworker.username))
    ]


def _account(session: Session, username: str) -> Caseworker:
    worker = session.scalar(select(Caseworker).where(Caseworker.username == username))
    if worker is None:
        raise StaffError("No account has that username.")
    return worker


def set_on_duty(session: Session, admin: str, role: str, username: str, on_duty: bool) -> None:
    """Mark who may sign in out of hours (policy 8.3); audited."""
    _admin(role)
    worker = _account(session, username)
    if not worker.active:
        raise StaffError("That account is disabled.")
    worker.on_duty = on_duty
    audit.record(session, admin, "account_on_duty" if on_duty else "account_off_duty", None, username)


def last_manager(session: Session, username: str) -> bool:
    """True when this is the only active manager: once it is disabled no one can use the manager pages."""
    managers = session.scalars(select(Caseworker.username).where(Caseworker.role == "manager", Caseworker.active))
    return list(managers) == [username]


def set_active(session: Session, admin: str, role: str, username: str, active: bool) -> None:
    """Disable an account (its sessions end at their next request) or enable it again; audited."""
    _admin(role)
    if username == admin and not active:
        raise StaffError("You cannot disable your own account.")
    worker = _account(session, username)
    worker.active = active
    if not active:
        worker.on_duty = False
        # Its cookies end now and stay ended: enabling the account again must not revive them.
        worker.session_generation += 1
    audit.record(session, admin, "account_enabled" if active else "account_disabled", None, username)


# -- roles: managers move staff between caseworker and manager; the admin role is given on the server --

TEAM_ROLES = ("caseworker", "manager")


def team(session: Session, role: str) -> list[Account]:
    """Every active account, by username, for the managers' staff roles page."""
    _manager(role)
    return [
        Account(w.username, w.role, w.on_duty, w.active, False)
        for w in session.scalars(select(Caseworker).where(Caseworker.active).order_by(Caseworker.username))
    ]


def _manager(role: str) -> None:
    if role != "manager":
        raise StaffError("Only a manager can change staff roles.")


def role_change(session: Session, actor: str, role: str, username: str, new_role: str) -> Caseworker:
    """The account a manager may give `new_role`, or StaffError saying kindly why not (nothing changes)."""
    _manager(role)
    worker = by_username(session, username)
    if worker is None:
        raise StaffError("There is no active account with that username.")
    if new_role not in TEAM_ROLES or worker.role not in TEAM_ROLES:
        raise StaffError("Here you can make someone a caseworker or a manager. The admin role can only be "
                         "given or taken away on the server, where accounts are created.")
    _check_change(session, worker, new_role, actor)
    return worker


def _check_change(session: Session, worker: Caseworker, new_role: str, actor: str) -> None:
    if worker.role == new_role:
        article = "an" if new_role[0] in "aeiou" else "a"
        raise StaffError(f"{worker.username} is already {article} {new_role}, so nothing needs changing.")
    if worker.role != "manager":
        return
    # Locked on PostgreSQL, so two managers demoting each other at once cannot leave the service with none.
    managers = session.scalars(
        select(Caseworker.id).where(Caseworker.role == "manager", Caseworker.active).with_for_update()
    ).all()
    if len(managers) <= 1:
        who = "You are the only manager, so you stay" if worker.username == actor else (
            f"{worker.username} is the only manager, so they stay")
        raise StaffError(f"{who} a manager for now: the service needs one to set office hours, see statistics "
                         "and look after staff roles. Make someone else a manager first, then change this role.")


def set_role(session: Session, actor: str, role: str, username: str, new_role: str) -> str:
    """A manager makes an account a caseworker or a manager; audited; returns the old role.

    The session number is left alone: the console reads the role from the database on every request, so
    a new role applies at the account's next click without signing it out of work in progress.
    """
    worker = role_change(session, actor, role, username, new_role)
    return _change(session, actor, worker, new_role)


def set_role_on_server(session: Session, username: str, new_role: str) -> str:
    """Any role, from the command line (where admin accounts are made); audited; returns the old role."""
    if new_role not in ROLES:
        raise StaffError(f"role must be one of: {', '.join(ROLES)}")
    worker = by_username(session, username)
    if worker is None:
        raise StaffError("there is no active account with that username")
    _check_change(session, worker, new_role, "cli")
    return _change(session, "cli", worker, new_role)


def _change(session: Session, actor: str, worker: Caseworker, new_role: str) -> str:
    old = worker.role
    worker.role = new_role
    audit.record(session, actor, "account_role_changed", None, f"{worker.username}: {old} to {new_role}")
    return old
