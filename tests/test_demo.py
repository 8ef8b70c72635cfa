"""The demo data loads under every shipped profile, through the real migrations."""

import pytest

from reviewapp import create_app
from reviewapp.cli.setup import upgrade_database
from reviewapp.db import dispose, get_session
from reviewapp.demo import seed
from reviewapp.models import AnnualReport, Determination, Finding, Proposal, Stage, User
from reviewapp.profiles import PROFILE_DIR

SHIPPED = sorted(path.stem for path in PROFILE_DIR.glob("*.toml"))


@pytest.mark.parametrize("profile_name", SHIPPED)
def test_demo_seeds_a_living_city_under_each_profile(tmp_path, profile_name):
    instance = tmp_path / "instance"
    app = create_app({"SECRET_KEY": "demo-test-" + "x" * 32, "PROFILE": profile_name},
                     instance_path=str(instance))
    try:
        with app.app_context():
            upgrade_database(app)
            assert seed(get_session()) is True
            assert seed(get_session()) is False  # a second run adds nothing
            db = get_session()
            stages = {p.stage for p in db.query(Proposal)}
            assert {Stage.DRAFT, Stage.SUBMITTED, Stage.ASSESSMENT, Stage.PUBLIC_COMMENT,
                    Stage.DECIDED} <= stages
            seats = app.extensions["profile"].council_seats
            assert db.query(User).filter_by(role="council").count() == seats
            decisions = [d.decision.value for d in db.query(Determination)]
            assert len(decisions) >= 3  # gunshot renewal, and the report demo's approvals
            assert set(decisions) == {"approved_with_conditions"}
            assert db.query(AnnualReport).count() >= 1
            rules = {f.rule_id for f in db.query(Finding)}
            if "california" in app.extensions["profile"].rule_packs:
                assert "ca.sb54.immigration-enforcement" in rules  # the news case
            else:  # Seattle: no California pack, but the CCOPS rules still run
                assert "ccops.sensitive-locations" in rules
            client = app.test_client()
            assert client.get("/").status_code == 200
            assert client.get("/registry/").status_code == 200
    finally:
        dispose(app)
