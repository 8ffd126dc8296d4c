"""Staff accounts: creation, argon2id passwords, one-time TOTP codes, throttled sign-in and unlocking."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit
from intake.crypto import KeyRing
from intake.models import Caseworker, utcnow

ROLES = ("caseworker", "manager", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
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
