"""Staff accounts: creation, argon2id passwords, one-time TOTP codes, sign-in and unlocking.

No account is ever locked by failed attempts: a stranger could then keep the on-duty caseworker out by failing
on purpose. Failures are throttled per client address, and per address and username, by the console's rate
limits (bot/ratelimit.py). Every attempt runs the password hash once, whether the account exists or not, so
the time an answer takes does not say which usernames exist.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit
from intake.crypto import KeyRing
from intake.models import Caseworker, utcnow

ROLES = ("caseworker", "manager", "admin")
# The roles that handle cases (claim, read, export, take over). An admin looks after accounts only (policy 5.2):
# an account has one role, so council IT with the admin role never reaches a family's record.
CASE_ROLES = ("caseworker", "manager")
MAX_FAILURES = 5  # failed sign-ins from one address for one username before sign-in pauses there (bot/ratelimit.py)
TOTP_STEP = 30
UNKNOWN_ACTOR = "(unknown user)"
# Session generations are drawn at random below this (kept well inside a 32-bit column for the +1 elsewhere).
GENERATIONS = 2**30

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
        session_generation=fresh_generation(),
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


def fresh_generation(old: int | None = None) -> int:
    """A session generation nobody can guess: a console cookie names its account's, so a cookie forged with a
    leaked SECRET_KEY still needs it (a count from 0 would be the first guess). Never the old one again."""
    while True:
        generation = 1 + secrets.randbelow(GENERATIONS - 1)
        if generation != old:
            return generation


def end_sessions(session: Session, username: str) -> int:
    """Invalidate every console cookie this account holds (sign-out, screen lock); the new number."""
    worker = by_username(session, username)
    if worker is None:
        return -1
    worker.session_generation = fresh_generation(worker.session_generation)
    return worker.session_generation


def check_password(worker: Caseworker | None, password: str) -> bool:
    """True when the password matches; upgrades the hash when the parameters have changed.

    With no account the hash still runs (against a dummy), so a miss costs the same as a wrong password.
    """
    try:
        _hasher.verify(worker.password_hash if worker else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    if worker is None:  # a password that happens to be the dummy's opens nothing
        return False
    if _hasher.check_needs_rehash(worker.password_hash):
        worker.password_hash = _hasher.hash(password)
    return True


def use_totp(keys: KeyRing, worker: Caseworker, code: str, now: datetime) -> bool:
    """Accept a code from this or an adjacent 30-second step, once: a step already used is refused."""
    code = code.strip().replace(" ", "")
    # isascii: isdigit() is also true of "١٢٣٤٥٦" and "²", which the code comparison cannot take.
    if not (code.isascii() and code.isdigit() and len(code) == 6):
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
    """Check password and one-time code; audit failures (never what was typed). The console throttles
    repeated failures per client (bot/ratelimit.py); nothing here locks the account."""
    now = now or utcnow()
    worker = by_username(session, username.strip())
    # First and on every path: the same cost for an unknown, disabled or existing account.
    password_ok = check_password(worker, password)
    if worker is None:
        return _failed(session, None, "unknown username")
    if not password_ok:
        return _failed(session, worker, "wrong password")
    if not use_totp(keys, worker, code, now):
        return _failed(session, worker, "wrong or reused code")
    if not console_open and not worker.on_duty:
        return _failed(session, worker, "out of hours and not on duty")
    # Counters from the old account-wide lockout, cleared so no stale lock is ever read as one.
    worker.failed_logins, worker.locked_until = 0, None
    audit.record(session, worker.username, "login")
    return SignIn(worker)


def _failed(session: Session, worker: Caseworker | None, reason: str) -> SignIn:
    audit.record(session, worker.username if worker else UNKNOWN_ACTOR, "login_failed", None, reason)
    return SignIn(None, reason)


def reauthenticate(session: Session, username: str, password: str) -> bool:
    """Unlock an idle-locked console with the password; failures are audited and throttled as sign-in's are."""
    worker = by_username(session, username)
    if check_password(worker, password):
        audit.record(session, username, "unlock")
        return True
    if worker is not None:
        _failed(session, worker, "wrong password at the idle lock")
    return False
