"""reviewapp: community control over police surveillance, as a Flask application."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: configuration, database, security, views, commands."""
    app = Flask(
        __name__,
        instance_path=instance_path or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )

    from . import config as settings

    app.config.from_object(settings.Config)
    app.config.from_pyfile("config.py", silent=True)
    settings.load_environment(app.config)
    app.config.update(config or {})
    settings.settle_secret_key(app.config, app.instance_path)
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        # Exactly this many proxies are trusted to say who the client is and which
        # scheme, host and port it asked for.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies)

    from . import (
        audit_keys,
        auth,
        db,
        errors,
        inputs,
        jurisdiction,
        logs,
        ratelimit,
        security,
        sessions,
        templating,
    )
    from .cli import register_commands
    from .views import register_blueprints

    logs.init_app(app)
    jurisdiction.init_app(app)
    db.init_app(app)
    audit_keys.init_app(app)
    inputs.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    auth.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    register_commands(app)
    return app
