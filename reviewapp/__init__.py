"""reviewapp: community control over police surveillance, as a Flask application."""

from pathlib import Path

from flask import Flask

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
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret_key(app.instance_path)

    from . import auth, db, errors, jurisdiction, security, templating
    from .cli import register_commands
    from .views import register_blueprints

    jurisdiction.init_app(app)
    db.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    register_commands(app)
    return app
