"""The public data-sharing registry: who receives data from the city's surveillance."""

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    stream_with_context,
    url_for,
)

# registry_store also installs, on import, the listeners that keep the registry current.
from .. import clock, paging, registry
from ..db import get_session
from ..jurisdiction import profile

bp = Blueprint("registry", __name__, url_prefix="/registry")


@bp.route("/")
def index():
    """List every recipient of data from approved and pending proposals, by type, by page."""
    db = get_session()
    page = registry.recipients_page(db, request.args, paging.per_page())
    return render_template("registry/index.html", summary=registry.summary(db), page=page,
                           groups=registry.groups(page.items), type_start=registry.type_start)


@bp.route("/<slug>")
def recipient(slug: str):
    """One recipient: which technologies send it data, what, why and on what legal basis."""
    db = get_session()
    found = registry.find(db, slug)
    if found is None:
        abort(404)
    page = registry.uses_page(db, found, request.args, paging.per_page())
    return render_template("registry/recipient.html", recipient=found, page=page)


@bp.route("/export.csv")
def export():
    """Download the registry as CSV, one row per recipient and proposal, streamed."""
    db = get_session()
    lines = registry.csv_text(db, lambda pid: url_for("public.proposal", proposal_id=pid,
                                                      _external=True))
    day = clock.now().astimezone(profile().zone).date().isoformat()
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="data-recipients-{day}.csv"'})
