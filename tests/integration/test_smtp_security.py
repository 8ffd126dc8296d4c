"""Staff e-mail goes encrypted, with a login, as a mail provider (Microsoft 365, a council relay) requires.

The mail servers are real (aiosmtpd) on this machine: one offering STARTTLS, one speaking TLS from the first byte
(port 465 style), one offering neither; each encrypted one presents a certificate from a private certificate
authority made here, trusted through SMTP_CA_FILE, and requires AUTH LOGIN or PLAIN. Nothing is patched.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import logging
import ssl
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask

from bot import create_app
from bot.config import ConfigError, load_settings
from intake import notify
from tests import conftest
from tests.conftest import ALWAYS_OPEN, Inbox, SmsActions, dispose, free_port, migrated_sqlite
from tests.integration.test_deployment_warnings import PRODUCTION
from tests.integration.test_enquiry_email_retry import SUMMARY, new, retry, said
from tests.integration.test_safeguarding_alerts import FAILED, SENT, failures_logged
from tests.integration.test_safeguarding_disclosures import RISK, actions, alerts, reference_in, urgent

USER = "intake-bot@council.example.org"
PASSWORD = "Sunflower-Kettle-42!"  # the mail account's password: never in a log line, an error or a repr
# How AUTH PLAIN and AUTH LOGIN carry it on the wire: none of these may be logged either.
ENCODED = (base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode(), base64.b64encode(PASSWORD.encode()).decode())


@dataclass(frozen=True)
class Certificates:
    """A private certificate authority (what SMTP_CA_FILE names) and the mail server's certificate from it."""

    ca_file: Path
    server_context: ssl.SSLContext


def _certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
                 issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool) -> x509.Certificate:
    """A certificate for `subject`, valid for the next day, signed with `issuer_key`."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
        ), critical=True)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    """A certificate authority only this test trusts, and a server certificate for 127.0.0.1 it signed."""
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Testshire Council Mail CA")])
    ca_cert = _certificate("Testshire Council Mail CA", ca_key, ca_name, ca_key, ca=True)
    server_cert = _certificate("127.0.0.1", server_key, ca_name, ca_key, ca=False)
    folder = tmp_path / "tls"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    return Certificates(folder / "ca.pem", context)


@dataclass(frozen=True)
class Delivery:
    """How one message reached the server: after STARTTLS, over TLS at all, and who had logged in, how."""

    after_starttls: bool
    encrypted: bool
    login: str | None
    mechanism: str | None


class SecureInbox(Inbox):
    """A mail server's inbox that takes messages only from a logged-in sender, and notes how each came."""

    def __init__(self) -> None:
        super().__init__()
        self.deliveries: list[Delivery] = []
        self.mechanisms: dict[int, str] = {}  # session → the AUTH mechanism it logged in with

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        """The server's authenticator: USER with PASSWORD only."""
        assert isinstance(auth_data, LoginPassword)
        if (auth_data.login, auth_data.password) != (USER.encode(), PASSWORD.encode()):
            return AuthResult(success=False, handled=False)
        self.mechanisms[id(session)] = mechanism
        return AuthResult(success=True, auth_data=auth_data.login.decode())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        self.deliveries.append(Delivery(
            after_starttls=session.ssl is not None,  # set by aiosmtpd only when STARTTLS succeeded
            encrypted=server.transport.get_extra_info("ssl_object") is not None,
            login=session.auth_data, mechanism=self.mechanisms.get(id(session)),
        ))
        return await super().handle_DATA(server, session, envelope)


def mail_server(inbox: SecureInbox, port: int, certificates: Certificates, *, mode: str,
                mechanism: str = "PLAIN") -> Controller:
    """A running mail server on `port`: "starttls" (STARTTLS required before mail or AUTH) or "ssl" (TLS from the
    first byte); either requires a login by `mechanism` (AUTH LOGIN or PLAIN), the other not offered."""
    others = [m for m in ("LOGIN", "PLAIN") if m != mechanism]
    if mode == "starttls":
        controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=certificates.server_context,
                                require_starttls=True, authenticator=inbox, auth_required=True,
                                auth_require_tls=True, auth_exclude_mechanism=others)
    else:
        # aiosmtpd counts only STARTTLS as "TLS" for AUTH: here every byte is encrypted, and handle_DATA refuses
        # a sender that did not log in.
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=certificates.server_context,
                                authenticator=inbox, auth_require_tls=False, auth_exclude_mechanism=others)
    controller.start()
    return controller


def secure_app(tmp_path: Path, port: int, **settings: str) -> Flask:
    """The app, always open, e-mailing 127.0.0.1:`port` as configured; SMTP_SECURITY left unset unless given,
    as a service manager who never heard of it would leave it."""
    env = conftest.test_env(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
                            DUTY_EMAIL="duty@example.org", MAIL_FROM="intake@example.org", **settings)
    if "SMTP_SECURITY" not in settings:
        del env["SMTP_SECURITY"]
    migrated_sqlite(tmp_path / "intake.sqlite3")
    app = create_app(env)
    app.config["TESTING"] = True
    return app


def login(certificates: Certificates, password: str = PASSWORD) -> dict[str, str]:
    """The settings for a mail account at a relay whose certificate comes from the council's own CA."""
    return {"SMTP_USERNAME": USER, "SMTP_PASSWORD": password, "SMTP_CA_FILE": str(certificates.ca_file)}


def never_logged(caplog: pytest.LogCaptureFixture) -> None:
    """No line the app logged holds the password, or it as AUTH sends it (the stand-in server's own log aside)."""
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours, "nothing was logged: the check would prove nothing"
    for record in ours:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for secret in (PASSWORD, *ENCODED):
            assert secret not in text, record.getMessage()


@pytest.fixture
def tls_port() -> int:
    """A free port for the test's mail server."""
    return free_port()


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_alerts_go_after_starttls_logged_in_as_the_service_account(
    tmp_path: Path, tls_port: int, certificates: Certificates, mechanism: str, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = SecureInbox()
    controller = mail_server(inbox, tls_port, certificates, mode="starttls", mechanism=mechanism)
    app = secure_app(tmp_path, tls_port, **login(certificates))  # starttls by default
    try:
        client = app.test_client()
        with caplog.at_level(logging.DEBUG):
            concern = reference_in(SmsActions(client, "+447700900601").send(RISK))
            enquiry = SmsActions(client, "+447700900602").hand_off(SUMMARY)
        assert alerts(inbox) == [urgent(concern), new(enquiry)]
        assert inbox.deliveries == [Delivery(True, True, USER, mechanism)] * 2
        assert actions(app, concern) == ["safeguarding_flag", SENT] and actions(app, enquiry) == ["enqueue"]
        never_logged(caplog)
    finally:
        dispose(app)
        controller.stop()


def test_a_server_without_starttls_gets_nothing_and_the_alerts_stay_owed_until_it_has_it(
    tmp_path: Path, tls_port: int, certificates: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    plain = Inbox()  # offers no STARTTLS, and would take anything, password and all
    controller = Controller(plain, hostname="127.0.0.1", port=tls_port)
    controller.start()
    app = secure_app(tmp_path, tls_port, **login(certificates))
    try:
        client = app.test_client()
        sms = SmsActions(client, "+447700900611")
        with caplog.at_level(logging.DEBUG):
            concern = reference_in(sms.send(RISK))
            enquiry = SmsActions(client, "+447700900612").hand_off(SUMMARY)
        assert plain.messages == []
        assert actions(app, concern) == ["safeguarding_flag", FAILED]
        assert actions(app, enquiry) == ["enqueue", notify.NOTICE_FAILED]
        lines = failures_logged(caplog, sms)
        assert any("does not offer STARTTLS" in line and "SMTP_SECURITY" in line for line in lines), lines
        assert f"URGENT duty alert for {concern} failed (StartTLSNotOffered): it will be tried again" in lines
        never_logged(caplog)
    finally:
        controller.stop()
    inbox = SecureInbox()  # the provider turns STARTTLS on, on the same port
    controller = mail_server(inbox, tls_port, certificates, mode="starttls")
    try:
        assert retry(app) == (0, said(duty=(1, 1, 0), emails=(1, 1, 0)), "")
        assert alerts(inbox) == [urgent(concern), new(enquiry)] and plain.messages == []
        assert [d.after_starttls and d.login == USER for d in inbox.deliveries] == [True, True]
    finally:
        dispose(app)
        controller.stop()


def test_ssl_mode_speaks_tls_from_the_first_byte(
    tmp_path: Path, tls_port: int, certificates: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = SecureInbox()
    controller = mail_server(inbox, tls_port, certificates, mode="ssl", mechanism="LOGIN")
    app = secure_app(tmp_path, tls_port, SMTP_SECURITY="ssl", **login(certificates))
    try:
        with caplog.at_level(logging.DEBUG):
            concern = reference_in(SmsActions(app.test_client()).send(RISK))
        assert alerts(inbox) == [urgent(concern)]
        assert inbox.deliveries == [Delivery(after_starttls=False, encrypted=True, login=USER, mechanism="LOGIN")]
        never_logged(caplog)
    finally:
        dispose(app)
        controller.stop()


def test_a_certificate_nobody_vouches_for_is_refused(
    tmp_path: Path, tls_port: int, certificates: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    """Without SMTP_CA_FILE the council's own CA is not trusted: someone in the middle could be listening."""
    inbox = SecureInbox()
    controller = mail_server(inbox, tls_port, certificates, mode="starttls")
    app = secure_app(tmp_path, tls_port, SMTP_USERNAME=USER, SMTP_PASSWORD=PASSWORD)
    try:
        with caplog.at_level(logging.DEBUG):
            concern = reference_in(SmsActions(app.test_client()).send(RISK))
        assert inbox.messages == [] and actions(app, concern) == ["safeguarding_flag", FAILED]
        lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert any("certificate could not be verified" in line and "SMTP_CA_FILE" in line for line in lines), lines
        never_logged(caplog)
    finally:
        dispose(app)
        controller.stop()


def test_a_refused_password_is_in_no_log_error_or_repr(
    tmp_path: Path, tls_port: int, certificates: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = SecureInbox()
    controller = mail_server(inbox, tls_port, certificates, mode="starttls", mechanism="LOGIN")
    wrong = "Sunflower-Kettle-41!"  # last month's password
    app = secure_app(tmp_path, tls_port, **login(certificates, wrong))
    try:
        with caplog.at_level(logging.DEBUG):
            concern = reference_in(SmsActions(app.test_client()).send(RISK))
        assert inbox.messages == [] and actions(app, concern) == ["safeguarding_flag", FAILED]
        lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert any("refused the login" in line and "SMTP_PASSWORD" in line for line in lines), lines
        svc = app.extensions["intake"]
        with pytest.raises(Exception) as caught:  # what retry-alerts meets, sending it again
            svc.mailer.duty_alert(concern, "urgent")
        told = [str(caught.value), repr(caught.value), *traceback.format_exception(caught.value),
                repr(svc.mailer), repr(svc.settings), *(r.getMessage() for r in caplog.records)]
        for text in told:
            for secret in (wrong, base64.b64encode(wrong.encode()).decode()):
                assert secret not in text
    finally:
        dispose(app)
        controller.stop()


def production_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture, host: str, security: str) -> list[str]:
    """What a production start warns about, e-mailing `host` with SMTP_SECURITY `security`, rate limits set up."""
    caplog.clear()
    env = PRODUCTION | {"SMTP_HOST": host, "SMTP_SECURITY": security,
                        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_PROXY_HOPS": "1"}
    with caplog.at_level(logging.WARNING, logger="bot"):
        dispose(create_app(conftest.test_env(tmp_path, **env)))
    return [r.getMessage() for r in caplog.records if r.name == "bot"]


def test_production_warns_when_e_mail_would_cross_the_network_unencrypted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    [said] = production_warnings(tmp_path, caplog, "mail.council.example.org", "none")
    assert "unencrypted" in said and "SMTP_SECURITY" in said and "starttls" in said, said
    for host in ("127.0.0.1", "localhost", "::1"):  # a relay on this same machine: nothing crosses a network
        assert production_warnings(tmp_path, caplog, host, "none") == []
    for security in ("starttls", "ssl"):
        assert production_warnings(tmp_path, caplog, "mail.council.example.org", security) == []


def test_production_warns_when_a_relay_on_this_machine_is_left_to_the_starttls_default(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A service that mailed a local relay before SMTP_SECURITY existed is told how to keep its alerts going."""
    [said] = production_warnings(tmp_path, caplog, "localhost", "")
    assert "SMTP_SECURITY=none" in said and "not set" in said, said
    assert production_warnings(tmp_path, caplog, "localhost", "starttls") == []  # chosen, so known
    assert production_warnings(tmp_path, caplog, "mail.council.example.org", "") == []  # the default fits


@pytest.mark.parametrize(("settings", "message"), [
    ({"SMTP_SECURITY": "tls"}, "SMTP_SECURITY must be starttls, ssl or none"),
    ({"SMTP_SECURITY": "none", "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD}, "never sent unencrypted"),
    ({"SMTP_USERNAME": USER}, "SMTP_USERNAME and SMTP_PASSWORD go together"),
    ({"SMTP_PASSWORD": PASSWORD}, "SMTP_USERNAME and SMTP_PASSWORD go together"),
    ({"SMTP_CA_FILE": "/nowhere/ca.pem"}, "SMTP_CA_FILE is not a file"),
])
def test_mail_settings_that_cannot_work_safely_stop_the_start_and_say_which(
    tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    env = conftest.test_env(tmp_path, SMTP_HOST="mail.council.example.org", DUTY_EMAIL="duty@example.org")
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(env | settings)
    assert PASSWORD not in str(caught.value)


def test_port_465_is_the_default_for_ssl(tmp_path: Path) -> None:
    env = conftest.test_env(tmp_path, SMTP_HOST="mail.council.example.org")
    assert load_settings(env | {"SMTP_SECURITY": "ssl"}).smtp_port == 465
    assert load_settings(env | {"SMTP_SECURITY": "starttls"}).smtp_port == 25  # as before this setting existed
