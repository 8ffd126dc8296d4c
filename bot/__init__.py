"""The Flask application: one factory built from named steps; nothing happens at import time."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from bot.config import Settings


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` is a Settings, or a mapping of environment overrides (tests use this)."""
    from flask import Flask

    from bot import config as config_module
    from bot import ratelimit
    from bot.services import register_services
    from bot.web import register_blueprints, register_cli, register_errorhandlers, register_security

    if config is None or isinstance(config, Mapping):
        environ = dict(os.environ) | {k: str(v) for k, v in (config or {}).items()}
        settings = config_module.load_settings(environ)
    else:
        settings = config
    if config is None or isinstance(config, Mapping):
        for warning in config_module.deployment_warnings(settings, environ):
            logging.getLogger("bot").warning("configuration: %s", warning)
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=True)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=64 * 1024, INTAKE=settings)
    register_services(app, settings)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_cli(app)
    ratelimit.init_app(app, settings)
    return app
