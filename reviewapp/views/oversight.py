"""Routes for oversight, added to the audience blueprints (filled in by that work)."""
