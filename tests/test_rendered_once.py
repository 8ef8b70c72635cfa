"""The blank comment form is rendered once and filled per request, never for another state."""

import re

import pytest

from reviewapp.models import Proposal, Stage
from reviewapp.views.public import BLANK_PAGES
from reviewapp.views.rendered_once import RenderedOnce, cut, fill

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


def test_cut_and_fill_give_back_the_page_with_other_values():
    pieces = cut("<a>T1</a><b>N1</b>", ("T1", "N1"))
    assert pieces == ("<a>", "</a><b>", "</b>")
    assert fill(pieces, ("T2", "N2")) == "<a>T2</a><b>N2</b>"


@pytest.mark.parametrize("html, why", [
    ("<a>T1</a>", "a value is missing"),
    ("<a>T1</a><b>N1</b><c>N1</c>", "a value is repeated"),
    ("<b>N1</b><a>T1</a>", "the values are out of order"),
])
def test_a_page_that_cannot_be_cut_safely_is_not_cut(html, why):
    assert cut(html, ("T1", "N1")) is None, why


def test_each_key_is_rendered_once_and_the_least_recently_used_goes():
    pages, renders = RenderedOnce(size=2), []

    def render(key, value):
        def make():
            renders.append(key)
            return f"<p>{key}:{value}</p>"
        return make

    assert pages.page("a", ("v1",), render("a", "v1")) == "<p>a:v1</p>"
    assert pages.page("a", ("v2",), render("a", "v2")) == "<p>a:v2</p>"
    pages.page("b", ("v3",), render("b", "v3"))
    pages.page("a", ("v4",), render("a", "v4"))  # "a" is now the most recently used
    pages.page("c", ("v5",), render("c", "v5"))  # so "b" goes
    pages.page("b", ("v6",), render("b", "v6"))
    assert renders == ["a", "b", "c", "b"]


def test_a_page_that_cannot_be_cut_is_rendered_every_time():
    pages, renders = RenderedOnce(), []

    def render():
        renders.append(1)
        return "<p>no value here</p>"

    assert pages.page("k", ("T1",), render) == "<p>no value here</p>"
    pages.page("k", ("T1",), render)
    assert len(renders) == 2


def blank_form(client, proposal_id: int) -> str:
    response = client.get(f"/proposals/{proposal_id}/comment")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_values(page: str) -> str:
    return NONCE.sub("NONCE", TOKEN.sub("TOKEN", page))


def test_a_signed_in_reader_sees_their_own_page(app, world, login_as, client):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    blank_form(app.test_client(), item.id)  # an anonymous reader fills the cache
    clerk = login_as("clerk")
    assert f"Sign out {clerk.name}" in blank_form(client, item.id)
    assert "Sign out" not in blank_form(app.test_client(), item.id)


class TestTheCommentFormPage:
    """Readers as separate browsers (the `client` fixture makes each request's `g` fresh)."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_each_reader_gets_their_own_token_and_nonce_in_the_same_page(self, app, world,
                                                                         client):
        item = world.proposal(Stage.PUBLIC_COMMENT)
        first, second = app.test_client(), app.test_client()
        one, two = blank_form(first, item.id), blank_form(second, item.id)
        assert len(app.extensions[BLANK_PAGES]._pieces) == 1  # the second was filled in
        assert TOKEN.search(one)[1] != TOKEN.search(two)[1]
        assert NONCE.search(one)[1] != NONCE.search(two)[1]
        assert without_values(one) == without_values(two)
        # The filled-in page's token and nonce are the second reader's own: the post lands.
        posted = second.post(f"/proposals/{item.id}/comment", data={
            "csrf_token": TOKEN.search(two)[1], "nonce": NONCE.search(two)[1],
            "submitter_type": "anonymous", "position": "oppose", "body": "Filled in."})
        assert posted.status_code == 302
        assert posted.headers["Location"].startswith("/receipts/")

    def test_a_new_title_is_shown_at_once_when_reads_are_not_reused(self, app, world, db,
                                                                    client):
        app.config["COMMENT_FORM_READ_SECONDS"] = 0
        item = world.proposal(Stage.PUBLIC_COMMENT)
        reader = app.test_client()
        assert "Comment on: " + item.title in blank_form(reader, item.id)
        db.get(Proposal, item.id).title = "Renamed drone program"
        db.commit()
        assert "Comment on: Renamed drone program" in blank_form(reader, item.id)

