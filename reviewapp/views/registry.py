"""The public data-sharing registry: who receives data from the city's surveillance."""

from flask import Blueprint, Response, abort, render_template, url_for

from .. import clock
from ..db import get_session
from ..jurisdiction import profile
from ..registry import load_registry, to_csv

bp = Blueprint("registry", __name__, url_prefix="/registry")


@bp.route("/")
def index():
    """List every recipient of data from approved and pending proposals, by type."""
    return render_template("registry/index.html", registry=load_registry(get_session()))


@bp.route("/<slug>")
def recipient(slug: str):
    """One recipient: which technologies send it data, what, why and on what legal basis."""
    found = load_registry(get_session()).find(slug)
    if found is None:
        abort(404)
    return render_template("registry/recipient.html", recipient=found)


@bp.route("/export.csv")
def export():
    """Download the registry as CSV, one row per recipient and proposal."""
    registry = load_registry(get_session())
    text = to_csv(registry, lambda pid: url_for("public.proposal", proposal_id=pid,
                                                _external=True))
    day = clock.now().astimezone(profile().zone).date().isoformat()
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="data-recipients-{day}.csv"'})
