"""Settings from the environment; the embedded default keeps generated dev secrets under instance/."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
# Where the chat page's quick exit goes (the page's script holds the same default).
DEFAULT_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
DEFAULT_RATE_LIMIT_CONTACT = "30/minute"
DEFAULT_RATE_LIMIT_IP = "120/minute"
SECRET_NAMES = ("SECRET_KEY", "INTAKE_ENCRYPTION_KEYS", "INTAKE_HASH_KEY", "TWILIO_AUTH_TOKEN")
# Keys a guess must never find (policies 4.1, 4.7): SECRET_KEY signs console logins, INTAKE_HASH_KEY hides numbers.
KEY_NAMES = ("SECRET_KEY", "INTAKE_HASH_KEY")
MIN_KEY_LENGTH = 32
# Words that give a value away as one copied from an example or typed by hand, not generated.
PLACEHOLDER_WORDS = ("change", "placeholder", "example", "secret", "password", "replace", "dummy", "default")


class ConfigError(RuntimeError):
    """Raised when the service cannot start safely with the settings given."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment, in one typed place."""

    env: str
    instance_path: Path
    # Secrets (and a database URL, which may hold a password) are left out of the repr, so a settings
    # object printed in a log, a traceback or a shell never shows them.
    database_url: str = field(repr=False)
    secret_key: str = field(repr=False)
    encryption_keys: tuple[str, ...] = field(repr=False)
    hash_key: str = field(repr=False)
    twilio_auth_token: str = field(repr=False)
    twilio_account_sid: str
    twilio_api_base: str
    twilio_sms_from: str
    public_base_url: str
    service_name: str
    service_phone: str
    mash_phone: str
    office_hours: str
    bank_holidays: tuple[str, ...]
    timezone: str
    flows_dir: Path
    conversation_idle_minutes: int
    retention_days: int
    smtp_host: str
    smtp_port: int
    smtp_security: str  # starttls (required), ssl (implicit TLS) or none: intake.notify.SECURITY_MODES
    smtp_username: str
    smtp_password: str = field(repr=False)  # a secret: never in a repr, a log line or an error
    smtp_ca_file: str
    duty_email: str
    mail_from: str
    duty_sms: str
    ratelimit_storage_uri: str
    console_idle_minutes: float  # may be a fraction: tests lock the screen after a few seconds
    console_lock_time: str
    widget_origins: tuple[str, ...]
    quick_exit_url: str = DEFAULT_QUICK_EXIT_URL
    # Rate limits (flask-limiter strings such as "30/minute"; empty turns one off): per contact (the
    # keyed hash of a texter's or caller's number, or a chat session) and per client IP.
    rate_limit_contact: str = DEFAULT_RATE_LIMIT_CONTACT
    rate_limit_ip: str = DEFAULT_RATE_LIMIT_IP
    ratelimit_key_prefix: str = "intake"
    # Proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
    ratelimit_proxy_hops: int = 0
    # Deleting Twilio's copies of texts and calls (bot/twilio_cleanup.py): "on", "off", or "" for the default.
    twilio_delete_copies: str = ""

    @property
    def is_production(self) -> bool:
        """True when running for real parents: dev defaults are refused."""
        return self.env == "production"


def _dev_secrets(instance_path: Path) -> dict[str, str]:
    """Generate (once) and return the embedded default's secrets, kept out of git under instance/."""
    path = instance_path / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    instance_path.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "INTAKE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "INTAKE_HASH_KEY": secrets.token_urlsafe(48),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _rate_limit(env: dict[str, str], name: str, default: str) -> str:
    """A rate limit setting, checked now so a typo fails at start, not on a parent's message."""
    from limits import parse_many

    value = env.get(name, default).strip()
    if value.lower() in ("", "0", "off", "none"):
        return ""
    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must look like '30/minute' (or 'off'), not {value!r}") from exc
    return value


def _idle_minutes(env: dict[str, str]) -> float:
    """CONSOLE_IDLE_MINUTES: minutes before the console page hides itself (8.4); fractions such as 0.05 allowed."""
    value = env.get("CONSOLE_IDLE_MINUTES", "5").strip()
    try:
        minutes = float(value)
    except ValueError:
        minutes = float("nan")
    if not 0 < minutes <= 15:  # NaN fails too; the server ends sessions idle for 15 minutes anyway
        raise ConfigError(f"CONSOLE_IDLE_MINUTES must be minutes above 0 and at most 15, not {value!r}")
    return minutes


def _smtp_security(env: dict[str, str]) -> tuple[str, str, str, str]:
    """SMTP_SECURITY, SMTP_USERNAME, SMTP_PASSWORD and SMTP_CA_FILE, checked now so a mistake fails at start, not
    on an urgent alert. Messages name settings, never the password."""
    from intake.notify import NONE, SECURITY_MODES, STARTTLS

    security = env.get("SMTP_SECURITY", STARTTLS).strip().lower() or STARTTLS
    if security not in SECURITY_MODES:
        raise ConfigError(f"SMTP_SECURITY must be starttls, ssl or none, not {security!r}")
    username, password = env.get("SMTP_USERNAME", "").strip(), env.get("SMTP_PASSWORD", "")
    if bool(username) != bool(password):
        raise ConfigError("SMTP_USERNAME and SMTP_PASSWORD go together: set both for a mail server that needs a "
                          "login, or neither")
    if username and security == NONE:
        raise ConfigError("SMTP_USERNAME needs SMTP_SECURITY starttls or ssl: the password is never sent unencrypted")
    ca_file = env.get("SMTP_CA_FILE", "").strip()
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"SMTP_CA_FILE is not a file: {ca_file}")
    return security, username, password, ca_file


def _is_loopback(host: str) -> bool:
    """True for this same machine (localhost, 127.x, ::1): mail to it never crosses a network."""
    if host.strip().lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _guessable(value: str) -> bool:
    """True for a key that is short, made of few different characters, or obviously a placeholder."""
    value = value.strip()
    lowered = value.lower()
    # Fewer than 8 different characters: "aaaa…" or "abcabc…"; a random hex key of 32 has about 14.
    return (len(value) < MIN_KEY_LENGTH or len(set(value)) < 8
            or any(word in lowered for word in PLACEHOLDER_WORDS))


def _production_keys(env: dict[str, str]) -> None:
    """Refuse a production start with a guessable key or a public address that is not https. Messages name the
    setting, never its value: a start-up error ends up in logs."""
    weak = [name for name in KEY_NAMES if _guessable(env[name])]
    if weak:
        raise ConfigError(
            f"production needs a long random value for {' and '.join(weak)} (at least {MIN_KEY_LENGTH} characters, "
            "not a placeholder); make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    address = urlsplit(env["PUBLIC_BASE_URL"].strip())
    if address.scheme != "https" or not address.hostname:
        raise ConfigError("PUBLIC_BASE_URL must be the service's https:// address in production: console logins "
                          "and parents' messages must never cross the network unencrypted")


def deployment_warnings(settings: Settings, environ: dict[str, str] | None = None) -> list[str]:
    """What a production start should tell the operator about settings that would not hold as meant.

    None stops the service (a parent turned away is worse): rate limits shared in ways not meant, e-mail that
    would cross the network unencrypted.
    """
    env = dict(os.environ if environ is None else environ)
    if not settings.is_production:
        return []
    warnings = []
    workers = env.get("WEB_CONCURRENCY", "3").strip()
    if settings.ratelimit_storage_uri.startswith("memory://") and workers != "1":
        warnings.append(
            "rate limits are kept in each worker's memory: a parent's allowance is multiplied by the number of "
            "workers (WEB_CONCURRENCY); set RATELIMIT_STORAGE_URI (e.g. redis://127.0.0.1:6379) to share one"
        )
    if "RATELIMIT_PROXY_HOPS" not in env:
        warnings.append(
            "RATELIMIT_PROXY_HOPS is not set: behind a proxy or load balancer every parent would share one "
            "per-address allowance; set it to the number of proxies in front (0 when parents reach this "
            "server directly)"
        )
    if settings.smtp_host and settings.smtp_security == "none" and not _is_loopback(settings.smtp_host):
        warnings.append(
            "SMTP_SECURITY is none, so duty alerts and new-enquiry e-mails cross the network to SMTP_HOST "
            "unencrypted, where they could be read or changed; use starttls (or ssl, usually on port 465) unless "
            "the mail relay runs on this same machine"
        )
    if settings.smtp_host and _is_loopback(settings.smtp_host) and not env.get("SMTP_SECURITY", "").strip():
        # Before SMTP_SECURITY, mail to a relay here went plain; such a relay rarely has STARTTLS with a
        # certificate valid for this address, so every alert would now fail until someone noticed.
        warnings.append(
            "SMTP_HOST is this machine and SMTP_SECURITY is not set, so e-mail needs STARTTLS with a verified "
            "certificate, which a relay on this machine seldom has: if duty alerts fail, set SMTP_SECURITY=none "
            "(nothing crosses the network)"
        )
    return warnings


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment; production refuses to start without real secrets."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("INTAKE_ENV", "development").strip().lower()
    instance_path = Path(env.get("INSTANCE_PATH", str(ROOT / "instance"))).resolve()
    missing = [name for name in SECRET_NAMES if not env.get(name)]
    if mode == "production":
        missing += [name for name in ("PUBLIC_BASE_URL",) if not env.get(name)]
        # Policy 7.1: an urgent concern must reach someone; refuse to run with no way to tell them.
        if not (env.get("SMTP_HOST") and env.get("DUTY_EMAIL")) and not env.get("DUTY_SMS"):
            missing.append("SMTP_HOST and DUTY_EMAIL (or DUTY_SMS) for duty alerts")
    if missing and mode == "production":
        raise ConfigError(f"production needs these settings: {', '.join(missing)}")
    if mode == "production":
        _production_keys(env)
    if missing:
        generated = _dev_secrets(instance_path)
        for name in missing:
            env[name] = generated[name]
    keys = _csv(env["INTAKE_ENCRYPTION_KEYS"])
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ConfigError("INTAKE_ENCRYPTION_KEYS holds a key that is not a valid Fernet key") from exc
    default_db = f"sqlite:///{instance_path / 'intake.sqlite3'}"
    smtp_security, smtp_username, smtp_password, smtp_ca_file = _smtp_security(env)
    return Settings(
        env=mode,
        instance_path=instance_path,
        database_url=env.get("DATABASE_URL", default_db),
        secret_key=env["SECRET_KEY"],
        encryption_keys=keys,
        hash_key=env["INTAKE_HASH_KEY"],
        twilio_auth_token=env["TWILIO_AUTH_TOKEN"],
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
        twilio_api_base=env.get("TWILIO_API_BASE", ""),
        twilio_sms_from=env.get("TWILIO_SMS_FROM", ""),  # our number (or MG… service) for texts
        twilio_delete_copies=env.get("TWILIO_DELETE_COPIES", "").strip().lower(),
        public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        service_name=env.get("SERVICE_NAME", "the SEND Information, Advice and Support Service"),
        service_phone=env.get("SERVICE_PHONE", "01234 567890"),
        mash_phone=env.get("MASH_PHONE", "the council's children's services"),
        office_hours=env.get("OFFICE_HOURS", "Mon-Fri 09:00-17:00"),
        bank_holidays=_csv(env.get("BANK_HOLIDAYS", "")),
        timezone=env.get("TIMEZONE", "Europe/London"),
        flows_dir=Path(env.get("FLOWS_DIR", str(ROOT / "flows"))),
        conversation_idle_minutes=int(env.get("CONVERSATION_IDLE_MINUTES", "120")),
        retention_days=int(env.get("RETENTION_DAYS", "365")),
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=int(env.get("SMTP_PORT", "465" if smtp_security == "ssl" else "25")),
        smtp_security=smtp_security,
        smtp_username=smtp_username,
        smtp_password=smtp_password,
        smtp_ca_file=smtp_ca_file,
        duty_email=env.get("DUTY_EMAIL", ""),
        mail_from=env.get("MAIL_FROM", "intake@localhost"),
        duty_sms=env.get("DUTY_SMS", ""),
        ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI", "memory://"),
        console_idle_minutes=_idle_minutes(env),
        console_lock_time=env.get("CONSOLE_LOCK_TIME", "19:00"),
        widget_origins=_csv(env.get("WIDGET_ORIGINS", "")),
        quick_exit_url=env.get("QUICK_EXIT_URL", DEFAULT_QUICK_EXIT_URL),
        rate_limit_contact=_rate_limit(env, "RATE_LIMIT_CONTACT", DEFAULT_RATE_LIMIT_CONTACT),
        rate_limit_ip=_rate_limit(env, "RATE_LIMIT_IP", DEFAULT_RATE_LIMIT_IP),
        ratelimit_key_prefix=env.get("RATELIMIT_KEY_PREFIX", "intake"),
        ratelimit_proxy_hops=int(env.get("RATELIMIT_PROXY_HOPS", "0")),
    )
