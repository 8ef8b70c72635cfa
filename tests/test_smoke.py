"""The app starts and serves its public pages."""

from reviewapp.models import Stage


def test_home_lists_submitted_proposals_but_not_drafts(client, world):
    world.proposal(Stage.DRAFT, data=None)
    submitted = world.proposal(Stage.SUBMITTED)
    page = client.get("/").get_data(as_text=True)
    assert submitted.title in page
    assert page.count("Test license plate readers") == 1
