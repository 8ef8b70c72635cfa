"""The holes a probe of every route and field found (issue 10), each pinned by a test."""

from reviewapp.models import Comment, Stage
from tests.test_views_process import comment


def test_a_hidden_comments_receipt_shows_neither_its_text_nor_its_name(client, login_as,
                                                                        world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    comment(client, item, submitter_type="individual", name="Pat Doxxer",
            body="Home address of the officer is 12 Elm St")
    saved = db.query(Comment).one()
    login_as("clerk")
    client.post(f"/clerk/comments/{saved.id}/hide", data={"reason": "Personal information"})
    client.post("/auth/logout")
    receipt = client.get(f"/receipts/{saved.tracking_number}")
    assert receipt.status_code == 200
    text = receipt.get_data(as_text=True)
    assert "12 Elm St" not in text and "Pat Doxxer" not in text
    assert "This comment is hidden" in text and "Personal information" in text


def test_a_commenters_name_is_isolated_from_the_text_around_it(client, world):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    name = "Ana \u202eredro\u202c"  # a right-to-left override inside the name
    response = comment(client, item, submitter_type="individual", name=name)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    for html in (receipt, page):
        assert f"<bdi>{name}</bdi>" in html
