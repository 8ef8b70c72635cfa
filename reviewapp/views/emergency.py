"""Routes for emergency, added to the audience blueprints (filled in by that work)."""
