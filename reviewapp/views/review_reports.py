"""Routes for review_reports, added to the audience blueprints (filled in by that work)."""
