"""Builds the long-lived parts once per app (database, keys, content, NLU, engine) and hands them out."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import Engine as DBEngine
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import Alerts, DutyAlerts, mailer
from bot.config import Settings
from bot.content import Content, how_long, load_content, spell_out
from bot.dialogue import Dialogue
from bot.engine import Engine
from bot.intake_form import IntakeForm
from bot.nlu import Classifier
from bot.rasa_runner import ActionRunner, build_domain
from bot.safety import Safety
from bot.texting import twilio_texter
from bot.voice_menu import VoiceMenu
from intake.audit import ChainKey
from intake.crypto import KeyRing
from intake.db import make_engine, make_session_factory
from intake.hours import OfficeHours
from intake.notify import Mailer
from intake.safeguarding import SafeguardingRules, load_rules


@dataclass
class Services:
    """What views and commands use; built once in the factory, shared by every request."""

    settings: Settings
    db: DBEngine
    sessions: sessionmaker[Session]
    keys: KeyRing
    content: Content
    engine: Engine
    mailer: Mailer
    hours: OfficeHours  # the env's office hours: the default under intake.service_hours (console setting)
    alerts: Alerts  # duty alerts and new-enquiry e-mails; retry-alerts sends again those that failed


def content_variables(settings: Settings) -> dict[str, str]:
    """Run-time values the wording's {placeholders} are filled with."""
    return {
        "service_name": settings.service_name,
        "service_phone": settings.service_phone,
        "mash_phone": settings.mash_phone,
        "service_phone_spoken": spell_out(settings.service_phone),
        "mash_phone_spoken": spell_out(settings.mash_phone),
        "retention": how_long(settings.retention_days),
    }


_trained: dict[str, Classifier] = {}


def trained_classifier(content: Content) -> Classifier:
    """Train once per distinct content in this process (tests and workers build many apps)."""
    fingerprint = hashlib.sha256(
        json.dumps([content.examples(), content.lexicon, content.out_of_scope], sort_keys=True).encode()
    ).hexdigest()
    if fingerprint not in _trained:
        _trained[fingerprint] = Classifier.train(content.examples(), content.lexicon, off_topic=content.out_of_scope)
    return _trained[fingerprint]


_rules: dict[tuple[str, float], SafeguardingRules] = {}


def safeguarding_rules(path: Path) -> SafeguardingRules:
    """Compile the safeguarding rules once per file version (compiling takes a few hundred ms)."""
    key = (str(path), path.stat().st_mtime)
    if key not in _rules:
        _rules[key] = load_rules(path)
    return _rules[key]


def build_services(settings: Settings) -> Services:
    """Everything a turn needs, wired together; the flows are checked here so bad content fails at start."""
    db = make_engine(settings.database_url)
    sessions = make_session_factory(db, ChainKey(settings.hash_key))  # sessions record the trail with its key
    keys = KeyRing(settings.encryption_keys)
    content = load_content(settings.flows_dir, content_variables(settings))
    classifier = trained_classifier(content)
    rules = safeguarding_rules(settings.flows_dir / "safeguarding.yaml")
    runner = ActionRunner(build_domain(content))
    engine = Engine(settings, sessions, keys, content, classifier, rules, runner)
    duty_mailer = mailer(settings)
    texter = twilio_texter(settings)
    alerts = Alerts(DutyAlerts(duty_mailer, content, settings.duty_sms, texter), sessions)
    Dialogue(engine)
    hours = OfficeHours.parse(settings.office_hours, settings.timezone, settings.bank_holidays)
    engine.default_hours = hours
    IntakeForm(engine, hours, alert=alerts.new_enquiry)  # a failed e-mail is audited, so it is sent again
    VoiceMenu(engine, texter=texter, hours=hours)  # after the form: it leads callers on from it
    Safety(engine, alert=alerts.send)  # audits each duty alert itself (bot.alerts.tell_duty)
    return Services(settings, db, sessions, keys, content, engine, duty_mailer, hours, alerts)


def register_services(app: Flask, settings: Settings) -> None:
    """Attach the services to the app."""
    app.extensions["intake"] = build_services(settings)


def services() -> Services:
    """The current app's services."""
    found: Services = current_app.extensions["intake"]
    return found
